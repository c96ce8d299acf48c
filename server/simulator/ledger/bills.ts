import { beijingDay } from '../time.ts';
import type { Books } from './books.ts';
import { discountOf, settlementOf } from './fields.ts';
import type { BillRecord } from './types.ts';

/** The ledger's bill: the lines downloadbill reports for one day. */
export function createBills(books: Books) {
  const { orders, settle, refundStatus, refundSuccessTime, refunded } = books;

  /** The bill lines of one Beijing day (yyyyMMdd): payments, refunds requested that day, reversals of paid orders. */
  function billRecords(day: string): BillRecord[] {
    const records: BillRecord[] = [];
    for (const order of orders.values()) {
      settle(order);
      if (!order.paid_at) continue;
      const base = {
        transaction_id: order.transaction_id,
        out_trade_no: order.out_trade_no,
        openid: order.openid,
        body: order.body,
        total_fee: order.total_fee,
        discount_fee: discountOf(order),
        settlement_fee: settlementOf(order),
        ...(order.device_info ? { device_info: order.device_info } : {}),
        ...(order.attach ? { attach: order.attach } : {}),
        ...(order.sub_mch_id ? { sub_mch_id: order.sub_mch_id } : {}),
      };
      if (beijingDay(order.paid_at) === day) records.push({ ...base, time: order.paid_at, kind: 'SUCCESS' });
      // A refund's line is on the bill of the day it was requested, settled or not (WeChat dates refund lines so).
      for (const r of order.refunds) {
        if (beijingDay(r.accepted_at) !== day) continue;
        const status = refundStatus(r);
        records.push({
          ...base,
          time: r.accepted_at,
          kind: 'REFUND',
          refund_id: r.refund_id,
          out_refund_no: r.out_refund_no,
          refund_fee: r.refund_fee,
          refund_status: status,
          refund_requested_at: r.accepted_at,
          ...(status === 'SUCCESS' ? { refund_succeeded_at: refundSuccessTime(r) } : {}),
        });
      }
      if (order.reversed_after_payment && order.revoked_at && beijingDay(order.revoked_at) === day) {
        const at = order.revoked_at;
        records.push({ ...base, time: at, kind: 'REVOKED', refund_fee: order.total_fee - refunded(order), refund_status: 'SUCCESS', refund_requested_at: at, refund_succeeded_at: at });
      }
    }
    return records.sort((a, b) => a.time.getTime() - b.time.getTime());
  }

  return { billRecords };
}
