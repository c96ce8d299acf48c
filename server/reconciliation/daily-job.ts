import type { ReconciliationResult } from '../../shared/api.ts';
import { addDays, beijingDate, beijingDayRange, beijingHour } from './bill-day.ts';

/**
 * Reconciles yesterday (Beijing) every day once WeChat has published the bill (from 10:00
 * Beijing time). A run that finds no bill yet or fails is tried again every `retryMs` until one
 * is compared; then the job sleeps until 10:00 the next day. A day that was already compared
 * (by the job before a restart, `npm run reconcile` or the manager) is not run again.
 */
export interface DailyJobDeps {
  reconciler: {
    run(date: string): Promise<ReconciliationResult>;
    latest(date: string): Promise<ReconciliationResult | undefined>;
  };
  log: { info(message: string, fields?: Record<string, unknown>): void; warn(message: string, fields?: Record<string, unknown>): void; error(message: string, fields?: Record<string, unknown>): void };
  now?: () => number;
  /** Between tries while the bill is missing or a run fails (default 30 minutes). */
  retryMs?: number;
  /** Timers, replaceable by tests (default setTimeout/clearTimeout, unref'd). */
  setTimer?: (run: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
}

/** WeChat publishes a day's bill from 10:00 Beijing time the next day. */
export const BILL_READY_HOUR = 10;
const DEFAULT_RETRY_MS = 30 * 60_000;
const HOUR_MS = 3_600_000;

export interface DailyJob {
  /** The tick made at start. */
  first: Promise<number>;
  /** Does what is due now and sets the timer for the next time; resolves with the delay chosen. */
  tick(): Promise<number>;
  stop(): void;
}

export function startDailyReconciliation(deps: DailyJobDeps): DailyJob {
  const now = deps.now ?? Date.now;
  const retryMs = deps.retryMs ?? DEFAULT_RETRY_MS;
  const setTimer = deps.setTimer ?? ((run: () => void, ms: number) => setTimeout(run, ms).unref());
  const clearTimer = deps.clearTimer ?? ((t: unknown) => clearTimeout(t as NodeJS.Timeout));
  let timer: unknown;
  let stopped = false;

  /** Milliseconds from `at` to the next 10:00 Beijing time. */
  const untilReady = (at: number): number => {
    const today = beijingDate(at);
    const readyToday = beijingDayRange(today).fromMs + BILL_READY_HOUR * HOUR_MS;
    return (at < readyToday ? readyToday : beijingDayRange(addDays(today, 1)).fromMs + BILL_READY_HOUR * HOUR_MS) - at;
  };

  async function due(): Promise<number> {
    const at = now();
    if (beijingHour(at) < BILL_READY_HOUR) return untilReady(at);
    const date = addDays(beijingDate(at), -1);
    const done = await deps.reconciler.latest(date);
    if (done && (done.status === 'matched' || done.status === 'differences')) return untilReady(at);
    const result = await deps.reconciler.run(date);
    if (result.status === 'matched') deps.log.info('reconciliation: the journal matches the bill', { date, ...result.counts });
    else if (result.status === 'differences') deps.log.warn('reconciliation: differences with the bill', { date, differences: result.differences.length, ...result.counts });
    else {
      deps.log.warn('reconciliation: no comparison yet, trying again later', { date, status: result.status, reason: result.error, retry_in_ms: retryMs });
      return retryMs;
    }
    return untilReady(now());
  }

  async function tick(): Promise<number> {
    if (timer !== undefined) clearTimer(timer);
    timer = undefined;
    let delay: number;
    try {
      delay = await due();
    } catch (error) {
      deps.log.error('reconciliation failed, trying again later', { error: (error as Error).message, retry_in_ms: retryMs });
      delay = retryMs;
    }
    if (!stopped) timer = setTimer(() => void tick(), delay);
    return delay;
  }

  return {
    first: tick(),
    tick,
    stop() {
      stopped = true;
      if (timer !== undefined) clearTimer(timer);
    },
  };
}
