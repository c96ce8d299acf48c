import type { NewPayment, NewRefund } from '../../../server/store/types.ts';

/** Journal rows for store and report tests: a settled payment or refund with only what a test cares about. */

export function settledPayment(id: string, created_at: number, over: Partial<NewPayment> = {}): NewPayment {
  return {
    id,
    out_trade_no: `o_${id}`,
    terminal_id: 't1',
    amount_fen: 100,
    description: null,
    auth_code_masked: '1300**********1234',
    auth_code_hash: `h_${id}`,
    status: 'succeeded',
    step: 'done',
    error_code: null,
    error_message: null,
    transaction_id: `tx_${id}`,
    late_payment: false,
    cancel_requested: false,
    send_rejected: false,
    sent_at: created_at,
    reverse_decided_at: null,
    reverse_reason: null,
    reverse_attempts: 0,
    deadline_at: created_at + 45_000,
    reverse_after: created_at + 15_000,
    next_at: created_at,
    created_at,
    updated_at: created_at,
    ...over,
  };
}

export function newRefund(id: string, payment_id: string, amount_fen: number, created_at: number, over: Partial<NewRefund> = {}): NewRefund {
  return {
    id,
    payment_id,
    amount_fen,
    reason: null,
    status: 'processing',
    step: 'send',
    error_code: null,
    error_message: null,
    refund_id: null,
    attempts: 0,
    next_at: created_at,
    created_at,
    updated_at: created_at,
    ...over,
  };
}
