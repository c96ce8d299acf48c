import type { CreatePaymentRequest, Payment, PaymentList, Refund, RefundRequest } from '../../../shared/api.ts';
import type { PaymentListQuery } from '../../../server/payments/list.ts';
import { Refusal } from '../../../server/payments/errors.ts';
import type { Attribution, PaymentService } from '../../../server/payments/service.ts';

/**
 * A PaymentService in memory with the contract's rules (idempotent ids, one payment per terminal,
 * refunds up to the paid amount), so route tests exercise the HTTP layer alone.
 */
export class FakePaymentService implements PaymentService {
  readonly payments = new Map<string, Payment & { terminal: string; auth_code: string }>();
  readonly refundRecords = new Map<string, Refund>();
  readonly calls: string[] = [];
  closed = false;

  async create(terminalId: string, req: CreatePaymentRequest): Promise<Payment> {
    this.calls.push(`create ${req.id}`);
    const existing = this.payments.get(req.id);
    if (existing) {
      if (existing.amount_fen !== req.amount_fen || existing.auth_code !== req.auth_code) throw new Refusal('ID_CONFLICT', `Payment ${req.id} exists with other fields.`);
      return this.#view(existing);
    }
    const busy = [...this.payments.values()].find((p) => p.terminal === terminalId && (p.status === 'processing' || p.status === 'user_paying'));
    if (busy) throw new Refusal('PAYMENT_IN_PROGRESS', `Payment ${busy.id} is still in progress on this terminal.`);
    const at = new Date().toISOString();
    const payment = { id: req.id, wallet: 'wechat' as const, out_trade_no: `T${req.id}`, amount_fen: req.amount_fen, status: 'processing' as const, refunded_fen: 0, created_at: at, updated_at: at, terminal: terminalId, auth_code: req.auth_code };
    this.payments.set(req.id, payment);
    return this.#view(payment);
  }

  async get(id: string): Promise<Payment | undefined> {
    const p = this.payments.get(id);
    return p && this.#view(p);
  }

  async list(query: PaymentListQuery): Promise<PaymentList> {
    const { date, ...rest } = query;
    this.calls.push(`list ${date}${Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : ''}`);
    const payments = [...this.payments.values()].map((p) => this.#view(p));
    const succeeded = payments.filter((p) => p.status === 'succeeded');
    const succeeded_fen = succeeded.reduce((s, p) => s + p.amount_fen, 0);
    const refunded_fen = payments.reduce((s, p) => s + p.refunded_fen, 0);
    return { date, payments, totals: { count: payments.length, succeeded_count: succeeded.length, succeeded_fen, refunded_fen, net_fen: succeeded_fen - refunded_fen }, next_cursor: null };
  }

  async active(terminalId: string): Promise<Payment | undefined> {
    const p = [...this.payments.values()].find((x) => x.terminal === terminalId && (x.status === 'processing' || x.status === 'user_paying'));
    return p && this.#view(p);
  }

  async cancel(id: string): Promise<Payment> {
    const p = this.payments.get(id);
    if (!p) throw new Refusal('NOT_FOUND', `No payment ${id}.`);
    if (p.status !== 'processing' && p.status !== 'user_paying') throw new Refusal('NOT_CANCELABLE', `Payment ${id} is ${p.status}.`);
    p.cancel_requested = true;
    return this.#view(p);
  }

  async refund(paymentId: string, req: RefundRequest, _by?: Attribution, terminalId?: string): Promise<Refund> {
    this.calls.push(`refund ${paymentId} ${req.id}${terminalId ? ` by ${terminalId}` : ''}`);
    const p = this.payments.get(paymentId);
    if (!p) throw new Refusal('NOT_FOUND', `No payment ${paymentId}.`);
    const existing = this.refundRecords.get(req.id);
    if (existing) return existing;
    if (p.status !== 'succeeded') throw new Refusal('REFUND_NOT_ALLOWED', 'Only a succeeded payment can be refunded.');
    if (req.amount_fen > p.amount_fen - p.refunded_fen) throw new Refusal('REFUND_TOO_LARGE', 'More than is left to refund.');
    p.refunded_fen += req.amount_fen;
    const refund: Refund = { id: req.id, payment_id: paymentId, amount_fen: req.amount_fen, status: 'succeeded' };
    this.refundRecords.set(req.id, refund);
    return refund;
  }

  async refunds(paymentId: string): Promise<Refund[] | undefined> {
    if (!this.payments.has(paymentId)) return undefined;
    return [...this.refundRecords.values()].filter((r) => r.payment_id === paymentId);
  }

  settle(id: string, status: Payment['status']): void {
    this.payments.get(id)!.status = status;
  }

  resume(): void {}

  async close(): Promise<void> {
    this.closed = true;
  }

  #view(p: Payment & { terminal: string; auth_code: string }): Payment {
    const { auth_code: _secret, ...rest } = p;
    return { ...rest };
  }
}
