import { describe, expect, it } from 'vitest';
import { combine, isSettled } from '../../../server/reconciliation/result.ts';
import type { ReconciliationRunRow, StoredReconciliation } from '../../../server/store/types.ts';

const T = Date.UTC(2026, 10, 29, 3);
const run = (over: Partial<ReconciliationRunRow>, differences: StoredReconciliation['differences'] = []): StoredReconciliation => ({
  run: { id: `r${over.wallet}`, bill_date: '2026-11-28', shop_id: 'default', wallet: 'wechat', status: 'matched', run_at: T, journal_count: 2, bill_count: 2, matched_count: 2, error: null, ...over },
  differences,
});
const missing = { kind: 'missing_at_alipay' as const, out_trade_no: 'A1', out_refund_no: null, payment_id: 'p1', transaction_id: null, journal_fen: 500, bill_fen: null, journal_status: 'succeeded', bill_status: null };

describe("a shop's day from each wallet's run", () => {
  it('is differences when one wallet has some, even while the other failed, and names each difference’s wallet', () => {
    const day = combine('2026-11-28', 'default', [
      run({ wallet: 'wechat', status: 'error', journal_count: 3, bill_count: 0, matched_count: 0, error: 'WeChat: cannot reach the gateway' }),
      run({ wallet: 'alipay', status: 'differences', run_at: T + 5 }, [missing]),
    ]);
    expect(day).toMatchObject({ status: 'differences', shop: 'default', counts: { journal: 5, bill: 2, matched: 2 }, error: 'WeChat: cannot reach the gateway', run_at: new Date(T + 5).toISOString() });
    expect(day.differences).toEqual([expect.objectContaining({ wallet: 'alipay', kind: 'missing_at_alipay', out_trade_no: 'A1' })]);
    expect(day.wallets?.map((w) => [w.wallet, w.status, w.differences])).toEqual([['wechat', 'error', 0], ['alipay', 'differences', 1]]);
  });

  it('lets an idle wallet (no bill, nothing of it in the journal) follow the other, but waits for a bill that payments wait for', () => {
    const idle = run({ wallet: 'alipay', status: 'no_bill', journal_count: 0, bill_count: 0, matched_count: 0, error: 'Alipay: 账单不存在' });
    expect(combine('2026-11-28', 'default', [run({ wallet: 'wechat' }), idle]).status).toBe('matched');
    expect(isSettled(idle)).toBe(true);
    const waiting = run({ wallet: 'alipay', status: 'no_bill', journal_count: 1, bill_count: 0, matched_count: 0 });
    expect(combine('2026-11-28', 'default', [run({ wallet: 'wechat' }), waiting]).status).toBe('no_bill');
    expect(isSettled(waiting)).toBe(false);
    expect(combine('2026-11-28', 'default', [run({ wallet: 'wechat', status: 'no_bill', journal_count: 0 }), idle]).status).toBe('no_bill');
  });
});
