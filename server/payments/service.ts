import type { CreatePaymentRequest, Payment, PaymentList, Refund, RefundRequest } from '../../shared/api.ts';
import type { PaymentListQuery } from './list.ts';
import type { ApiErrorCode } from '../../shared/api.ts';

/**
 * What the HTTP API asks of the payment flow. Reads are async too: the Store behind them may be
 * a network database (PostgreSQL) in a multi-instance deployment. Implemented in server/payments/ on a Store and a
 * Gateway; the routes in server/api/ only validate, authorise and translate errors to HTTP.
 */
/** Who is at the till: the terminal's open shift and its cashier (server/shifts/); absent without cashiers. */
export interface Attribution {
  shift_id: string;
  cashier: string;
}

export interface PaymentService {
  /**
   * Journals the payment (status processing) before any gateway call, then drives it in the background. Same id + same fields → the same payment; same id + other fields → Refusal ID_CONFLICT.
   * With `by`, the payment records the shift and cashier; a shift closed meanwhile → Refusal SHIFT_REQUIRED.
   * The payment belongs to `shopId` (the terminal's shop; absent: the default shop).
   */
  create(terminalId: string, req: CreatePaymentRequest, by?: Attribution, shopId?: string): Promise<Payment>;
  /** With `shopId`, another shop's payment is not found (a terminal sees its own shop only). */
  get(id: string, shopId?: string): Promise<Payment | undefined>;
  /** One page of a shop-local day's payments (newest first) with the whole day's totals. */
  list(query: PaymentListQuery): Promise<PaymentList>;
  /** The terminal's payment still in progress, if any (one at a time per terminal). */
  active(terminalId: string): Promise<Payment | undefined>;
  /** Requests a cancel; the reverse path follows in the background. */
  cancel(id: string): Promise<Payment>;
  /** Refund `amount_fen` of a succeeded payment; `id` is the refund's idempotency key (out_refund_no). */
  refund(paymentId: string, req: RefundRequest, by?: Attribution, terminalId?: string): Promise<Refund>;
  /** A payment's refunds, oldest first; undefined when there is no such payment (in `shopId`, when given). */
  refunds(paymentId: string, shopId?: string): Promise<Refund[] | undefined>;
  /** Resumes every payment not in a final state (call once on start). */
  resume(): void;
  /** Stops timers; in-flight work stays journaled for the next start. */
  close(): Promise<void>;
}
