import type { NewPayment, NewRefund, PaymentRow, RefundRow } from '../../server/store/types.ts';

/**
 * Journal rows for tests, built in one place: a test names only the fields it cares about. Times
 * derive from `at` (default T0, 2026-11-28 10:00 in Shanghai): the deadline 45 s and the earliest
 * reverse 15 s after it, as the flow's defaults set them.
 */

export const T0 = Date.UTC(2026, 10, 28, 2, 0, 0);

/** A payment as inserted: processing, not sent yet. */
export function newPayment(over: Partial<NewPayment> = {}, at = T0): NewPayment {
  const id = over.id ?? 'p1';
  return {
    wallet: 'wechat',
    cancel_action: null,
    id,
    out_trade_no: `o_${id}`,
    terminal_id: 't1',
    amount_fen: 100,
    description: null,
    auth_code_masked: '1300**********1234',
    auth_code_hash: 'h',
    status: 'processing',
    step: 'send',
    error_code: null,
    error_message: null,
    transaction_id: null,
    late_payment: false,
    cancel_requested: false,
    send_rejected: false,
    sent_at: null,
    reverse_decided_at: null,
    reverse_reason: null,
    reverse_attempts: 0,
    deadline_at: at + 45_000,
    reverse_after: at + 15_000,
    next_at: at,
    created_at: at,
    updated_at: at,
    ...over,
  };
}

/** A payment as the store reads it back (what the pure transitions see). */
export function storedPayment(over: Partial<PaymentRow> = {}, at = T0): PaymentRow {
  return {
    ...newPayment({}, at),
    wallet: 'wechat',
    cancel_action: null,
    refunded_fen: 0,
    lease_owner: null,
    lease_until: null,
    shift_id: null,
    cashier: null,
    cash_fen: null,
    coupon_fen: null,
    settlement_fen: null,
    bank_type: null,
    shop_id: 'default',
    ...over,
  };
}

/** A succeeded payment created at `created_at`. */
export function settledPayment(id: string, created_at: number, over: Partial<NewPayment> = {}): NewPayment {
  return newPayment({ id, auth_code_hash: `h_${id}`, status: 'succeeded', step: 'done', transaction_id: `tx_${id}`, sent_at: created_at, ...over }, created_at);
}

/** A refund as inserted: processing, not sent yet. */
export function newRefund(over: Partial<NewRefund> = {}, at = T0): NewRefund {
  return {
    id: 'r1',
    payment_id: 'p1',
    amount_fen: 40,
    reason: null,
    status: 'processing',
    step: 'send',
    error_code: null,
    error_message: null,
    refund_id: null,
    attempts: 0,
    next_at: at,
    created_at: at,
    updated_at: at,
    ...over,
  };
}

/** A refund as the store reads it back. */
export function storedRefund(over: Partial<RefundRow> = {}, at = T0): RefundRow {
  return { ...newRefund({}, at), wallet: 'wechat', terminal_id: null, lease_owner: null, lease_until: null, shift_id: null, cashier: null, ...over };
}

/** A refund of `amount_fen` of `payment_id`, asked for at `created_at`. */
export function refundAt(id: string, payment_id: string, amount_fen: number, created_at: number, over: Partial<NewRefund> = {}): NewRefund {
  return newRefund({ id, payment_id, amount_fen, ...over }, created_at);
}
