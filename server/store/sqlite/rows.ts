import type { PaymentStatus, RefundStatus } from '../../../shared/api.ts';
import type { Wallet } from '../../../shared/payment-code.ts';
import { DEFAULT_SHOP_ID, type FlowStep, type PaymentRow, type RefundRow, type ReverseReason } from '../types.ts';

/* Rows as SQLite stores them and as the journal reads them (the columns: ../columns.ts). */

export type SqlValue = string | number | null;
export type DbRow = Record<string, SqlValue>;

export const BOOLEAN_COLUMNS = new Set(['late_payment', 'cancel_requested', 'send_rejected']);

export const toSql = (column: string, value: unknown): SqlValue => {
  if (value === undefined || value === null) return null;
  if (BOOLEAN_COLUMNS.has(column)) return value ? 1 : 0;
  if (typeof value === 'string' || typeof value === 'number') return value;
  throw new TypeError(`cannot store ${typeof value} in ${column}`);
};

export const str = (v: SqlValue | undefined): string => String(v);
export const optStr = (v: SqlValue | undefined): string | null => (v === null || v === undefined ? null : String(v));
export const num = (v: SqlValue | undefined): number => Number(v);
export const optNum = (v: SqlValue | undefined): number | null => (v === null || v === undefined ? null : Number(v));

export function paymentFromDb(r: DbRow): PaymentRow {
  return {
    id: str(r.id),
    wallet: (optStr(r.wallet) ?? 'wechat') as Wallet,
    out_trade_no: str(r.out_trade_no),
    terminal_id: str(r.terminal_id),
    amount_fen: num(r.amount_fen),
    description: optStr(r.description),
    auth_code_masked: str(r.auth_code_masked),
    auth_code_hash: str(r.auth_code_hash),
    status: str(r.status) as PaymentStatus,
    step: str(r.step) as FlowStep,
    error_code: optStr(r.error_code),
    error_message: optStr(r.error_message),
    transaction_id: optStr(r.transaction_id),
    refunded_fen: num(r.refunded_fen ?? 0),
    late_payment: r.late_payment === 1,
    cancel_requested: r.cancel_requested === 1,
    send_rejected: r.send_rejected === 1,
    sent_at: optNum(r.sent_at),
    reverse_decided_at: optNum(r.reverse_decided_at),
    reverse_reason: optStr(r.reverse_reason) as ReverseReason | null,
    reverse_attempts: num(r.reverse_attempts),
    cancel_action: optStr(r.cancel_action) as PaymentRow['cancel_action'],
    deadline_at: num(r.deadline_at),
    reverse_after: num(r.reverse_after),
    next_at: num(r.next_at),
    lease_owner: optStr(r.lease_owner),
    lease_until: optNum(r.lease_until),
    created_at: num(r.created_at),
    updated_at: num(r.updated_at),
    shift_id: optStr(r.shift_id),
    cashier: optStr(r.cashier),
    cash_fen: optNum(r.cash_fen),
    coupon_fen: optNum(r.coupon_fen),
    settlement_fen: optNum(r.settlement_fen),
    bank_type: optStr(r.bank_type),
    shop_id: str(r.shop_id ?? DEFAULT_SHOP_ID),
  };
}

export function refundFromDb(r: DbRow): RefundRow {
  return {
    id: str(r.id),
    payment_id: str(r.payment_id),
    wallet: (optStr(r.wallet) ?? 'wechat') as Wallet,
    amount_fen: num(r.amount_fen),
    reason: optStr(r.reason),
    status: str(r.status) as RefundStatus,
    step: str(r.step) as RefundRow['step'],
    error_code: optStr(r.error_code),
    error_message: optStr(r.error_message),
    refund_id: optStr(r.refund_id),
    terminal_id: optStr(r.terminal_id),
    attempts: num(r.attempts),
    next_at: num(r.next_at),
    lease_owner: optStr(r.lease_owner),
    lease_until: optNum(r.lease_until),
    created_at: num(r.created_at),
    updated_at: num(r.updated_at),
    shift_id: optStr(r.shift_id),
    cashier: optStr(r.cashier),
  };
}

export const isUniqueViolation = (e: unknown): boolean =>
  e instanceof Error && 'code' in e && (e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY');
