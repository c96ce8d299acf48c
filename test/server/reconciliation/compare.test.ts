import { describe, expect, it } from 'vitest';
import { compareDay, type CompareInput, type JournalPayment, type JournalRefund } from '../../../server/reconciliation/compare.ts';
import type { BillRecord } from '../../../server/wechat/bill.ts';

const line = (over: Partial<BillRecord>): BillRecord => ({
  trade_time: '2026-11-28 10:00:00', appid: 'wx', mch_id: '1', sub_mch_id: '0', device_info: '', transaction_id: `T_${over.out_trade_no}`, out_trade_no: 'O',
  openid: 'o', trade_type: 'MICROPAY', trade_state: 'SUCCESS', bank_type: 'OTHERS', fee_type: 'CNY', settlement_total_fee: 0, coupon_fee: 0,
  refund_apply_time: '', refund_success_time: '', refund_id: '0', out_refund_no: '0', refund_fee: 0, coupon_refund_fee: 0, refund_type: '',
  refund_status: '', body: '', attach: '', service_fee_millifen: 0, rate: '0.60%', total_fee: 0, apply_refund_fee: 0, rate_remark: '', other: {},
  ...over,
});
const paid = (out_trade_no: string, fen: number) => line({ out_trade_no, total_fee: fen, settlement_total_fee: fen });
const refunded = (out_trade_no: string, out_refund_no: string, fen: number, refund_status = 'SUCCESS') =>
  line({ out_trade_no, trade_state: 'REFUND', out_refund_no, refund_fee: fen, refund_status, refund_type: 'ORIGINAL' });
const payment = (out_trade_no: string, amount_fen: number, status = 'succeeded'): JournalPayment => ({ id: `id_${out_trade_no}`, out_trade_no, amount_fen, status, transaction_id: null });
const refund = (id: string, out_trade_no: string, amount_fen: number, status = 'succeeded'): JournalRefund => ({ id, out_trade_no, amount_fen, status, refund_id: status === 'failed' ? null : `W${id}` });
const compare = (over: Partial<CompareInput>) => compareDay({ payments: [], elsewhere: [], refunds: [], refundsElsewhere: [], bill: [], ...over });

describe('compareDay', () => {
  it('matches a day where both sides agree, refunds included', () => {
    const result = compare({
      payments: [payment('A', 100), payment('B', 250), payment('C', 90, 'failed')],
      refunds: [refund('RA', 'A', 40)],
      bill: [paid('A', 100), paid('B', 250), refunded('A', 'RA', 40)],
    });
    expect(result).toEqual({ counts: { journal: 2, bill: 2, matched: 2 }, differences: [] });
  });

  it('finds an order paid at WeChat that the journal lacks or has not as succeeded', () => {
    const result = compare({ payments: [payment('B', 250, 'canceled')], bill: [paid('A', 100), paid('B', 250)] });
    expect(result.differences).toEqual([
      { kind: 'missing_in_journal', out_trade_no: 'A', transaction_id: 'T_A', journal_fen: null, bill_fen: 100, journal_status: null, bill_status: 'SUCCESS' },
      { kind: 'missing_in_journal', out_trade_no: 'B', payment_id: 'id_B', transaction_id: 'T_B', journal_fen: 250, bill_fen: 250, journal_status: 'canceled', bill_status: 'SUCCESS' },
    ]);
    expect(result.counts).toEqual({ journal: 0, bill: 2, matched: 0 });
  });

  it('finds a succeeded payment the bill does not show, unless it was paid on the next day', () => {
    const result = compare({ payments: [payment('A', 100), payment('Z', 70)], paidOnNeighbourDay: new Set(['Z']) });
    expect(result.differences).toEqual([
      { kind: 'missing_at_wechat', out_trade_no: 'A', payment_id: 'id_A', journal_fen: 100, bill_fen: null, journal_status: 'succeeded', bill_status: null },
    ]);
  });

  it('finds different amounts, comparing 订单金额 (or 应结订单金额 plus the coupon on bills without it)', () => {
    const result = compare({
      payments: [payment('A', 100), payment('B', 500)],
      bill: [paid('A', 99), line({ out_trade_no: 'B', settlement_total_fee: 400, coupon_fee: 100 })],
    });
    expect(result.differences).toEqual([
      { kind: 'amount_mismatch', out_trade_no: 'A', payment_id: 'id_A', transaction_id: 'T_A', journal_fen: 100, bill_fen: 99, journal_status: 'succeeded', bill_status: 'SUCCESS' },
    ]);
    expect(result.counts.matched).toBe(1);
  });

  it('finds a payment reversed at WeChat that the journal calls succeeded, the same day or a later one', () => {
    const result = compare({
      payments: [payment('A', 100), payment('C', 80, 'canceled')],
      elsewhere: [payment('OLD', 300)],
      bill: [paid('A', 100), line({ out_trade_no: 'A', trade_state: 'REVOKED', refund_fee: 100 }), line({ out_trade_no: 'OLD', trade_state: 'REVOKED', refund_fee: 300 }), paid('C', 80), line({ out_trade_no: 'C', trade_state: 'REVOKED', refund_fee: 80 })],
    });
    expect(result.differences.map((d) => [d.kind, d.out_trade_no, d.bill_status])).toEqual([
      ['status_mismatch', 'A', 'REVOKED'],
      ['status_mismatch', 'OLD', 'REVOKED'],
    ]);
    expect(result.counts).toEqual({ journal: 2, bill: 2, matched: 1 });
  });

  it('finds refunds on one side only, of another amount, or failed here and done at WeChat', () => {
    const result = compare({
      payments: [payment('A', 1000)],
      refunds: [refund('R1', 'A', 100), refund('R2', 'A', 200), refund('R3', 'A', 300, 'failed'), refund('R5', 'A', 50, 'failed')],
      bill: [paid('A', 1000), refunded('A', 'R2', 199), refunded('A', 'R3', 300), refunded('A', 'R4', 10, 'PROCESSING')],
    });
    expect(result.differences).toEqual([
      { kind: 'refund_mismatch', out_trade_no: 'A', out_refund_no: 'R2', transaction_id: 'T_A', journal_fen: 200, bill_fen: 199, journal_status: 'succeeded', bill_status: 'SUCCESS' },
      { kind: 'refund_mismatch', out_trade_no: 'A', out_refund_no: 'R3', transaction_id: 'T_A', journal_fen: 300, bill_fen: 300, journal_status: 'failed', bill_status: 'SUCCESS' },
      { kind: 'refund_mismatch', out_trade_no: 'A', out_refund_no: 'R4', transaction_id: 'T_A', journal_fen: null, bill_fen: 10, journal_status: null, bill_status: 'PROCESSING' },
      { kind: 'refund_mismatch', out_trade_no: 'A', out_refund_no: 'R1', journal_fen: 100, bill_fen: null, journal_status: 'succeeded', bill_status: null },
    ]);
  });

  it('takes a refund of an earlier payment from the journal wherever it was made, and a late payment refunded the same day as settled', () => {
    const result = compare({
      refundsElsewhere: [refund('RX', 'OLD', 100)],
      elsewhere: [payment('LATE', 500, 'canceled')],
      refunds: [refund('RL', 'LATE', 500)],
      bill: [refunded('OLD', 'RX', 100), paid('LATE', 500), refunded('LATE', 'RL', 500)],
    });
    expect(result.differences).toEqual([]);
    expect(result.counts).toEqual({ journal: 0, bill: 1, matched: 1 });
    // A succeeded payment of another day with only a refund line today is not one of today's payments.
    expect(compare({ elsewhere: [payment('OLD', 300)], refundsElsewhere: [refund('RO', 'OLD', 100)], bill: [refunded('OLD', 'RO', 100)] }).counts).toEqual({ journal: 0, bill: 0, matched: 0 });
  });
});
