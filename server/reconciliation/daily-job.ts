import type { ReconciliationResult } from '../../shared/api.ts';
import { DEFAULT_SHOP_ID } from '../store/types.ts';
import { addDays, beijingDate, beijingDayRange, beijingHour } from './bill-day.ts';
import { isSettledResult } from './result.ts';

/**
 * Reconciles yesterday (Beijing) for every shop every day once the wallets have published their
 * bills (from 10:00 Beijing time). A wallet whose run finds no bill yet (with payments waiting
 * for it) or fails is tried again every `retryMs`, alone, until it is compared; then the job
 * sleeps until 10:00 the next day. A shop's day that was already compared (by the job before a
 * restart, `npm run reconcile` or the manager) is not run again. On a chain every instance runs
 * the job, and `claim` (a lease in the store) lets one of them download and compare each shop's
 * day; the others look again at their next try, and take over if the claim lapsed.
 */
export interface DailyJobDeps {
  reconciler: {
    run(date: string, shopId?: string, options?: { pendingOnly?: boolean; reuseBills?: boolean }): Promise<ReconciliationResult>;
    latest(date: string, shopId?: string): Promise<ReconciliationResult | undefined>;
    /** Every shop (absent: the default shop only). */
    shopIds?(): Promise<string[]>;
  };
  /** Takes the lease on a shop's day for this instance (absent: a single instance, always true). */
  claim?: (date: string, shopId: string) => Promise<boolean>;
  log: { info(message: string, fields?: Record<string, unknown>): void; warn(message: string, fields?: Record<string, unknown>): void; error(message: string, fields?: Record<string, unknown>): void };
  now?: () => number;
  /** Between tries while the bill is missing or a run fails (default 30 minutes). */
  retryMs?: number;
  /** Timers, replaceable by tests (default setTimeout/clearTimeout, unref'd). */
  setTimer?: (run: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
}

/** How long an instance's claim on a shop's day holds: well over a run (two bill downloads), under the retry interval. */
export const RECONCILE_CLAIM_MS = 10 * 60_000;
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
    let waiting = false;
    for (const shop of (await deps.reconciler.shopIds?.()) ?? [DEFAULT_SHOP_ID]) {
      const done = await deps.reconciler.latest(date, shop);
      if (done && isSettledResult(done)) continue;
      if (deps.claim && !(await deps.claim(date, shop))) {
        // Another instance is on it: look again at the next try, when its run is stored or its claim lapsed.
        waiting = true;
        continue;
      }
      const result = await deps.reconciler.run(date, shop, { pendingOnly: true, reuseBills: true });
      const fields = { date, shop, ...result.counts };
      if (result.status === 'matched') deps.log.info('reconciliation: the journal matches the bills', fields);
      else if (result.status === 'differences') deps.log.warn('reconciliation: differences with the bills', { ...fields, differences: result.differences.length });
      if (!isSettledResult(result)) {
        deps.log.warn('reconciliation: no comparison yet, trying again later', { date, shop, status: result.status, reason: result.error, retry_in_ms: retryMs });
        waiting = true;
      }
    }
    return waiting ? retryMs : untilReady(now());
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
