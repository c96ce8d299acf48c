import { describe, expect, it } from 'vitest';
import type { ReconciliationResult } from '../../../shared/api.ts';
import { RECONCILE_CLAIM_MS, startDailyReconciliation } from '../../../server/reconciliation/daily-job.ts';
import { openSqliteStore } from '../../../server/store/sqlite.ts';

const HOUR = 3_600_000;
/** 2026-11-29 09:00 Beijing = 01:00Z. */
const BEFORE_TEN = Date.UTC(2026, 10, 29, 1, 0, 0);

function harness(start: number, answers: ReconciliationResult['status'][]) {
  let now = start;
  const runs: string[] = [];
  const stored = new Map<string, ReconciliationResult>();
  const timers: number[] = [];
  const logs: string[] = [];
  const log = { info: (m: string) => void logs.push(m), warn: (m: string) => void logs.push(m), error: (m: string) => void logs.push(m) };
  const job = startDailyReconciliation({
    now: () => now,
    log,
    retryMs: HOUR / 2,
    setTimer: (_run, ms) => timers.push(ms),
    clearTimer: () => {},
    reconciler: {
      async run(date) {
        runs.push(date);
        const status = answers.shift() ?? 'matched';
        const result: ReconciliationResult = { date, status, counts: { journal: 0, bill: 0, matched: 0 }, differences: [] };
        stored.set(date, result);
        return result;
      },
      async latest(date) {
        return stored.get(date);
      },
    },
  });
  return { job, runs, timers, logs, advance: (ms: number) => void (now += ms), stored };
}

describe('daily reconciliation', () => {
  it('waits until 10:00 Beijing time, then reconciles yesterday and sleeps until 10:00 the next day', async () => {
    const h = harness(BEFORE_TEN, ['differences']);
    expect(await h.job.first).toBe(HOUR);
    expect(h.runs).toEqual([]);
    h.advance(HOUR);
    expect(await h.job.tick()).toBe(24 * HOUR);
    expect(h.runs).toEqual(['2026-11-28']);
    h.job.stop();
  });

  it('tries again every retry interval while the bill is missing or the run fails, until it gets one', async () => {
    const h = harness(BEFORE_TEN + HOUR, ['no_bill', 'error', 'matched']);
    expect(await h.job.first).toBe(HOUR / 2);
    h.advance(HOUR / 2);
    expect(await h.job.tick()).toBe(HOUR / 2);
    h.advance(HOUR / 2);
    expect(await h.job.tick()).toBe(23 * HOUR);
    expect(h.runs).toEqual(['2026-11-28', '2026-11-28', '2026-11-28']);
    expect(h.logs.filter((m) => m.includes('trying again'))).toHaveLength(2);
  });

  it('does not run a day again that was compared already (before a restart, or by hand)', async () => {
    const h = harness(BEFORE_TEN + 2 * HOUR, []);
    await h.job.first;
    expect(h.runs).toEqual(['2026-11-28']);
    const again = startDailyReconciliation({ now: () => BEFORE_TEN + 3 * HOUR, log: { info() {}, warn() {}, error() {} }, setTimer: () => 0, clearTimer: () => {}, reconciler: { run: async () => { throw new Error('ran twice'); }, latest: async (d) => h.stored.get(d) } });
    expect(await again.first).toBe(22 * HOUR);
  });

  it('keeps going after a run that throws (the journal was unavailable), trying again later', async () => {
    const job = startDailyReconciliation({ now: () => BEFORE_TEN + 2 * HOUR, retryMs: 1234, log: { info() {}, warn() {}, error() {} }, setTimer: () => 0, clearTimer: () => {}, reconciler: { run: async () => { throw new Error('disk full'); }, latest: async () => undefined } });
    expect(await job.first).toBe(1234);
  });

  it("reconciles every shop in one pass that shares each account's bill, retrying only the wallet that has no bill yet while payments wait for it", async () => {
    const calls: string[] = [];
    const wallet = (w: 'wechat' | 'alipay', status: ReconciliationResult['status'], journal: number) => ({ wallet: w, status, counts: { journal, bill: 0, matched: 0 }, differences: 0, run_at: '' });
    const results: Record<string, ReconciliationResult> = {
      // WeChat compared; Alipay idle (no bill, nothing waiting): settled.
      default: { date: '2026-11-28', status: 'matched', counts: { journal: 1, bill: 1, matched: 1 }, differences: [], wallets: [wallet('wechat', 'matched', 1), wallet('alipay', 'no_bill', 0)] },
      // Alipay has a sale waiting for its bill: not settled.
      'shop-b': { date: '2026-11-28', status: 'matched', counts: { journal: 2, bill: 1, matched: 1 }, differences: [], wallets: [wallet('wechat', 'matched', 1), wallet('alipay', 'no_bill', 1)] },
    };
    const job = startDailyReconciliation({
      now: () => BEFORE_TEN + 2 * HOUR,
      retryMs: 999,
      log: { info() {}, warn() {}, error() {} },
      setTimer: () => 0,
      clearTimer: () => {},
      reconciler: {
        shopIds: async () => ['default', 'shop-b'],
        run: async (date, shop, options) => {
          calls.push(`${date} ${shop} ${options?.pendingOnly ? 'pending' : 'all'}${options?.reuseBills ? ' shared bills' : ''}`);
          return results[shop!]!;
        },
        latest: async () => undefined,
      },
    });
    expect(await job.first).toBe(999);
    expect(calls).toEqual(['2026-11-28 default pending shared bills', '2026-11-28 shop-b pending shared bills']);
  });

  it('lets one of several instances sharing a journal download and compare a shop’s day, the others waiting for it', async () => {
    const store = openSqliteStore(':memory:');
    let now = BEFORE_TEN + 2 * HOUR;
    const stored = new Map<string, ReconciliationResult>();
    const runs: string[] = [];
    const instance = (id: string) =>
      startDailyReconciliation({
        now: () => now,
        retryMs: HOUR / 2,
        log: { info() {}, warn() {}, error() {} },
        setTimer: () => 0,
        clearTimer: () => {},
        claim: (date, shop) => store.claimReconciliation(date, shop, id, now, now + RECONCILE_CLAIM_MS),
        reconciler: {
          shopIds: async () => ['default', 'shop-b'],
          run: async (date, shop) => {
            runs.push(`${id} ${shop}`);
            const result: ReconciliationResult = { date, status: 'matched', counts: { journal: 0, bill: 0, matched: 0 }, differences: [] };
            // pos-1 dies before storing shop-b's run.
            if (!(id === 'pos-1' && shop === 'shop-b')) stored.set(`${date} ${shop}`, result);
            return result;
          },
          latest: async (date, shop) => stored.get(`${date} ${shop}`),
        },
      });
    const first = instance('pos-1');
    await first.first;
    const second = instance('pos-2');
    expect(await second.first).toBe(HOUR / 2); // shop-b is claimed and not stored yet: wait
    expect(runs).toEqual(['pos-1 default', 'pos-1 shop-b']);
    now += RECONCILE_CLAIM_MS; // pos-1's claim lapses
    await second.tick();
    expect(runs).toEqual(['pos-1 default', 'pos-1 shop-b', 'pos-2 shop-b']);
    first.stop();
    second.stop();
    await store.close();
  });
});
