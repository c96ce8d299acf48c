import type { Payment, Refund } from '../../shared/api.ts';
import { isFinal } from '../../shared/api.ts';
import type { PaymentRow, RefundRow } from '../store/types.ts';

const iso = (ms: number): string => new Date(ms).toISOString();

/** A journal row as the API's Payment (shared/api.ts); optional fields only when they say something. */
export function paymentView(row: PaymentRow): Payment {
  const p: Payment = {
    id: row.id,
    wallet: row.wallet,
    out_trade_no: row.out_trade_no,
    amount_fen: row.amount_fen,
    status: row.status,
    refunded_fen: row.refunded_fen,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
    terminal: row.terminal_id,
    auth_code_masked: row.auth_code_masked,
    cashier: row.cashier,
    // WeChat's cash_fee, coupon_fee, settlement_total_fee and bank_type; null when it sent none.
    cash_fen: row.cash_fen,
    coupon_fen: row.coupon_fen,
    settlement_fen: row.settlement_fen,
    bank_type: row.bank_type,
  };
  if (row.error_code) p.error = { code: row.error_code, message: row.error_message ?? row.error_code };
  if (row.transaction_id) p.transaction_id = row.transaction_id;
  if (row.description) p.description = row.description;
  if (!isFinal(row.status) && row.status !== 'needs_attention') p.deadline_at = iso(row.deadline_at);
  if (!isFinal(row.status) && (row.step === 'reverse' || row.step === 'confirm')) p.reversing = true;
  if (row.late_payment) p.late_payment = true;
  if (row.cancel_requested) p.cancel_requested = true;
  return p;
}

export function refundView(row: RefundRow): Refund {
  const r: Refund = { id: row.id, payment_id: row.payment_id, amount_fen: row.amount_fen, status: row.status, created_at: iso(row.created_at), updated_at: iso(row.updated_at), cashier: row.cashier };
  if (row.reason) r.reason = row.reason;
  if (row.terminal_id) r.terminal = row.terminal_id;
  if (row.error_code) r.error = { code: row.error_code, message: row.error_message ?? row.error_code };
  return r;
}
