import { beijingStamp } from '../time.ts';
import type { Order } from './types.ts';

/**
 * The simulated coupon of the coupon and promotion behaviours: a tenth of the amount, 1 fen to
 * ¥5, and none on a 1-fen payment (a coupon leaves the customer at least 1 fen to pay).
 */
export function couponFen(totalFee: number): number {
  return totalFee < 2 ? 0 : Math.max(1, Math.min(500, Math.floor(totalFee / 10)));
}

/** The order's coupon or discount in fen: only the coupon and promotion behaviours have one. */
export const discountOf = (order: Order) => (order.behaviour === 'coupon' || order.behaviour === 'promotion' ? couponFen(order.total_fee) : 0);
/** settlement_total_fee: the coupon of 'coupon' is a no-cash (merchant-funded) one, so it is not settled. */
export const settlementOf = (order: Order) => order.total_fee - (order.behaviour === 'coupon' ? discountOf(order) : 0);
export const cashOf = (order: Order) => order.total_fee - discountOf(order);

/**
 * The coupon fields of a paid order, as each answer carries them. micropay's table has
 * coupon_fee and settlement_total_fee; orderquery's adds coupon_count and the indexed
 * coupon_type_$n / coupon_id_$n / coupon_fee_$n. An order paid under the "single-product
 * discount" protocol (promotion) carries promotion_detail, a JSON string, instead of all of them.
 */
export function discountFields(order: Order, indexed: boolean): Record<string, string> {
  const discount = discountOf(order);
  if (discount === 0) return {};
  if (order.behaviour === 'promotion') {
    const detail = {
      promotion_detail: [
        {
          promotion_id: order.coupon_id,
          name: '模拟立减',
          scope: 'GLOBAL',
          type: 'DISCOUNT',
          amount: discount,
          activity_id: '931386',
          wxpay_contribute: 0,
          merchant_contribute: discount,
          other_contribute: 0,
        },
      ],
    };
    return { promotion_detail: JSON.stringify(detail) };
  }
  return {
    settlement_total_fee: String(settlementOf(order)),
    coupon_fee: String(discount),
    ...(indexed ? { coupon_count: '1', coupon_type_0: 'NO_CASH', coupon_id_0: order.coupon_id!, coupon_fee_0: String(discount) } : {}),
  };
}

export function paidFields(order: Order, indexed = false): Record<string, string> {
  return {
    ...(order.device_info ? { device_info: order.device_info } : {}),
    openid: order.openid,
    is_subscribe: 'N',
    trade_type: 'MICROPAY',
    bank_type: discountOf(order) ? 'CMB_DEBIT' : 'OTHERS',
    fee_type: 'CNY',
    total_fee: String(order.total_fee),
    ...discountFields(order, indexed),
    cash_fee_type: 'CNY',
    cash_fee: String(cashOf(order)),
    transaction_id: order.transaction_id,
    out_trade_no: order.out_trade_no,
    ...(order.attach ? { attach: order.attach } : {}),
    time_end: beijingStamp(order.paid_at ?? order.created_at),
  };
}
