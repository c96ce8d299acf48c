import { beijingDateTime } from '../time.ts';
import { err, type Answer } from './answers.ts';
import type { Books } from './books.ts';
import { cashOf, discountOf, settlementOf } from './fields.ts';
import type { Order, RefundInput, RefundRecord } from './types.ts';

const MAX_REFUNDS = 50;
const REFUND_WINDOW_MS = 365 * 24 * 3600_000;

/** The ledger's refunds: refund (idempotent per out_refund_no) and refundquery, as WeChat answers them. */
export function createRefunds(books: Books) {
  const { now, ids, orders, settle, find, refundStatus, refundSuccessTime, refunded } = books;

  function refund(input: RefundInput): Answer {
    const order = find(input.order);
    if (!order || !order.transaction_id) return err('ORDERNOTEXIST', '订单不存在');
    const accepted = (r: RefundRecord): Answer => {
      // A coupon order refunds its coupon in proportion; the customer gets the rest back in cash.
      const couponRefund = Math.floor((r.refund_fee * discountOf(order)) / order.total_fee);
      const noCash = order.behaviour === 'coupon' ? couponRefund : 0;
      return {
        ok: true,
        fields: {
          transaction_id: order.transaction_id,
          out_trade_no: order.out_trade_no,
          out_refund_no: r.out_refund_no,
          refund_id: r.refund_id,
          refund_fee: String(r.refund_fee),
          ...(order.behaviour === 'coupon' ? { settlement_refund_fee: String(r.refund_fee - noCash), settlement_total_fee: String(settlementOf(order)) } : {}),
          total_fee: String(order.total_fee),
          fee_type: 'CNY',
          cash_fee: String(cashOf(order)),
          cash_refund_fee: String(r.refund_fee - couponRefund),
          coupon_refund_fee: String(couponRefund),
          coupon_refund_count: couponRefund > 0 ? '1' : '0',
          ...(couponRefund > 0 ? { coupon_type_0: order.behaviour === 'coupon' ? 'NO_CASH' : 'CASH', coupon_refund_id_0: order.coupon_id!, coupon_refund_fee_0: String(couponRefund) } : {}),
        },
      };
    };

    // The same out_refund_no again is the same refund: answered again, never paid out twice.
    const again = order.refunds.find((r) => r.out_refund_no === input.out_refund_no);
    if (again) {
      if (again.refund_fee !== input.refund_fee || order.total_fee !== input.total_fee) {
        return err('ERROR', '订单金额或退款金额与之前请求不一致，请核实后再试');
      }
      return accepted(again);
    }
    for (const other of orders.values()) {
      if (other !== order && other.refunds.some((r) => r.out_refund_no === input.out_refund_no)) {
        return err('ERROR', 'out_refund_no已在其他订单上使用');
      }
    }
    if (order.trade_state !== 'SUCCESS' && order.trade_state !== 'REFUND') {
      return err('ERROR', order.trade_state === 'REVOKED' ? '订单已撤销，不能退款' : '订单未支付，不能退款');
    }
    if (input.total_fee !== order.total_fee) return err('PARAM_ERROR', '订单金额total_fee与实际不符');
    if (now().getTime() - (order.paid_at ?? order.created_at).getTime() > REFUND_WINDOW_MS) {
      return err('TRADE_OVERDUE', '订单已经超过退款期限');
    }
    const left = order.total_fee - refunded(order);
    if (left === 0) return err('ERROR', '订单已全额退款');
    if (input.refund_fee > left) return err('ERROR', `累计退款金额大于支付金额（可退${left}分）`);
    if (order.refunds.length >= MAX_REFUNDS) return err('ERROR', `订单退款次数已达上限（${MAX_REFUNDS}次）`);

    const at = now();
    const record: RefundRecord = { out_refund_no: input.out_refund_no, refund_id: ids.refundId(at), refund_fee: input.refund_fee, accepted_at: at };
    order.refunds.push(record);
    order.trade_state = 'REFUND';
    return accepted(record);
  }

  function refundQuery(q: { out_trade_no?: string; transaction_id?: string; out_refund_no?: string; refund_id?: string; offset?: number }): Answer {
    let order: Order | undefined;
    let only: RefundRecord | undefined;
    if (q.refund_id || q.out_refund_no) {
      for (const o of orders.values()) {
        only = o.refunds.find((r) => (q.refund_id ? r.refund_id === q.refund_id : r.out_refund_no === q.out_refund_no));
        if (only) {
          order = settle(o);
          break;
        }
      }
    } else {
      order = find(q);
    }
    if (!order || order.refunds.length === 0) return err('REFUNDNOTEXIST', '退款订单查询失败');
    const all = only ? [only] : order.refunds;
    const offset = only ? 0 : (q.offset ?? 0);
    if (offset >= all.length) return err('REFUNDNOTEXIST', '退款订单查询失败（offset超出范围）');
    const page = all.slice(offset, offset + 10);

    const fields: Record<string, string> = {
      transaction_id: order.transaction_id,
      out_trade_no: order.out_trade_no,
      total_fee: String(order.total_fee),
      fee_type: 'CNY',
      cash_fee: String(cashOf(order)),
      refund_count: String(page.length),
      ...(q.offset !== undefined ? { total_refund_count: String(all.length) } : {}),
    };
    page.forEach((r, n) => {
      const status = refundStatus(r);
      fields[`out_refund_no_${n}`] = r.out_refund_no;
      fields[`refund_id_${n}`] = r.refund_id;
      fields[`refund_channel_${n}`] = 'ORIGINAL';
      fields[`refund_fee_${n}`] = String(r.refund_fee);
      fields[`refund_status_${n}`] = status;
      fields[`refund_account_${n}`] = 'REFUND_SOURCE_UNSETTLED_FUNDS';
      fields[`refund_recv_accout_${n}`] = '支付用户的零钱'; // sic: WeChat spells it "accout"
      if (status === 'SUCCESS') fields[`refund_success_time_${n}`] = beijingDateTime(refundSuccessTime(r));
    });
    return { ok: true, fields };
  }


  return { refund, refundQuery };
}
