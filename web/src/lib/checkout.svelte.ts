/**
 * One sale at the till: amount → scan → POST → follow the payment until it is final.
 *
 * Never lose a payment: the payment id (and, until the server acknowledges it, the code) is
 * written to localStorage before the POST; a network error retries with the same id (the
 * server dedupes on it); a reload, or another tab, resumes following it; and a scan while a
 * payment is in flight is refused, never sent.
 */
import { isFinal, type Payment } from '../../../shared/api.ts';
import { rejectCode } from '../../../shared/payment-code.ts';
import { ApiFailure, type Api } from './api.ts';
import { AmountEntry } from './amount-entry.svelte.ts';
import { PendingPaymentStore, type PendingPayment } from './pending-payment.ts';
import type { Feedback } from './feedback.ts';
import type { MessageKey } from './messages.ts';
import { newId } from './ids.ts';

export type Phase = 'amount' | 'scan' | 'submitting' | 'following' | 'final';
/** Something to tell the cashier: one of our messages, or a text in both languages. */
export type Notice = { tone: 'error' | 'info'; key?: MessageKey; zh?: string; en?: string };

export interface CheckoutTimings {
  /** Between status checks while the customer pays. */
  pollMs: number;
  /** Between checks once the server says needs_attention (its recovery worker is on it). */
  attentionPollMs: number;
  /** First retry delay after a network error; doubles up to retryMaxMs. */
  retryMs: number;
  retryMaxMs: number;
}
export const CHECKOUT_TIMINGS: CheckoutTimings = { pollMs: 500, attentionPollMs: 3000, retryMs: 500, retryMaxMs: 4000 };

export class Checkout {
  readonly amount = new AmountEntry();
  #phase = $state<Phase>('amount');
  #payment = $state.raw<Payment | undefined>(undefined);
  #notice = $state.raw<Notice | undefined>(undefined);
  #networkTrouble = $state(false);
  #canceling = $state(false);
  #timer: ReturnType<typeof setTimeout> | undefined;
  #retryDelay: number;
  /** The id being submitted or followed; guards against answers for an older payment. */
  #currentId: string | undefined;

  constructor(
    private readonly api: Api,
    private readonly pending: PendingPaymentStore,
    private readonly feedback: Feedback,
    private readonly timings: CheckoutTimings = CHECKOUT_TIMINGS,
  ) {
    this.#retryDelay = timings.retryMs;
  }

  get phase(): Phase { return this.#phase; }
  get payment(): Payment | undefined { return this.#payment; }
  get notice(): Notice | undefined { return this.#notice; }
  get networkTrouble(): boolean { return this.#networkTrouble; }
  get canceling(): boolean { return this.#canceling; }
  get busy(): boolean { return this.#phase === 'submitting' || this.#phase === 'following'; }

  /** A key a person typed (keypad or keyboard): edits the amount, Enter moves on. */
  key(key: string): void {
    if (this.busy) return;
    if (this.#phase === 'final') {
      if (key === 'Enter' || key === 'Escape') return this.newSale();
      if (!/^\d$|^\.$/.test(key)) return;
      this.newSale();
    }
    if (key === 'Enter') return this.charge();
    if (this.amount.press(key)) {
      this.#phase = 'amount';
      this.#notice = undefined;
    }
  }

  /** "Charge": the amount is complete, wait for the customer's code. */
  charge(): void {
    if (this.busy) return;
    if (this.amount.fen <= 0) return this.#refuse({ tone: 'error', key: 'checkout.amountFirst' });
    this.#phase = 'scan';
    this.#notice = undefined;
  }

  backToAmount(): void {
    if (this.busy) return;
    this.#phase = 'amount';
    this.#notice = undefined;
  }

  /** A complete scan from the scanner. Only WeChat codes are sent, and only one payment at a time. */
  scan(code: string): void {
    if (this.busy) return this.#refuse({ tone: 'error', key: 'checkout.busy' });
    if (this.#phase === 'final' && this.#payment?.status === 'succeeded') this.newSale();
    if (this.amount.fen <= 0) return this.#refuse({ tone: 'error', key: 'checkout.amountFirst' });
    const rejected = rejectCode(code);
    if (rejected) return this.#refuse({ tone: 'error', zh: rejected.zh, en: rejected.en });
    const p: PendingPayment = { id: newId('p'), amount_fen: this.amount.fen, auth_code: code, started_at: Date.now() };
    // Written before the request leaves: whatever happens next, this id is what we follow.
    this.pending.save(p);
    void this.#submit(p);
  }

  newSale(): void {
    if (this.busy) return;
    this.#stopTimer();
    this.#payment = undefined;
    this.#notice = undefined;
    this.#currentId = undefined;
    this.amount.clear();
    this.#phase = 'amount';
  }

  /** After a failure: same amount, fresh code. */
  scanAgain(): void {
    if (this.busy) return;
    this.#payment = undefined;
    this.#phase = 'scan';
  }

  async cancel(): Promise<void> {
    const id = this.#currentId;
    if (!id || this.#phase !== 'following' || this.#canceling) return;
    this.#canceling = true;
    try {
      this.#show(await this.api.cancel(id));
    } catch (err) {
      this.#canceling = false;
      this.#notice = failureNotice(err);
    }
  }

  /** Check now instead of waiting for the next poll (needs_attention, network trouble). */
  keepChecking(): void {
    if (this.#phase === 'submitting') {
      const p = this.pending.load();
      if (p) void (p.auth_code ? this.#submit(p) : this.#recover(p));
    } else if (this.#currentId && this.#phase === 'following') {
      void this.#poll(this.#currentId);
    }
  }

  /** On start: pick up this terminal's payment in flight, from this browser or from the server. */
  async resume(): Promise<void> {
    const p = this.pending.load();
    if (p) return this.adopt(p);
    try {
      const active = await this.api.activePayment();
      if (active && !isFinal(active.status) && !this.busy) {
        this.pending.save({ id: active.id, amount_fen: active.amount_fen, started_at: Date.now() });
        this.amount.set(active.amount_fen);
        this.#follow(active);
      }
    } catch {
      // Offline at start: nothing known to resume; the banner tells the cashier.
    }
  }

  /** Follow a pending payment found in storage (reload, or written by another tab). */
  async adopt(p: PendingPayment): Promise<void> {
    if (this.#currentId === p.id) return;
    this.#stopTimer();
    this.#currentId = p.id;
    this.amount.set(p.amount_fen);
    this.#notice = undefined;
    return this.#recover(p);
  }

  dispose(): void {
    this.#stopTimer();
  }

  /** Ask the server first: the POST may or may not have arrived before the reload. */
  async #recover(p: PendingPayment): Promise<void> {
    this.#phase = 'submitting';
    try {
      const payment = await this.api.payment(p.id);
      this.pending.acknowledged(p.id);
      this.#follow(payment);
    } catch (err) {
      if (this.#currentId !== p.id) return;
      const notFound = err instanceof ApiFailure && err.code === 'NOT_FOUND';
      if (notFound && p.auth_code) return this.#submit(p);
      if (notFound) return this.#drop(p.id, { tone: 'info', key: 'checkout.notCharged' });
      this.#scheduleRetry(() => this.#recover(p), p.id);
    }
  }

  async #submit(p: PendingPayment): Promise<void> {
    this.#stopTimer();
    this.#currentId = p.id;
    this.#phase = 'submitting';
    this.#notice = undefined;
    try {
      const payment = await this.api.createPayment({ id: p.id, amount_fen: p.amount_fen, auth_code: p.auth_code ?? '' });
      if (this.#currentId !== p.id) return;
      this.pending.acknowledged(p.id);
      this.#follow(payment);
    } catch (err) {
      if (this.#currentId !== p.id) return;
      if (err instanceof ApiFailure && err.retryable) return this.#scheduleRetry(() => this.#submit(p), p.id);
      if (err instanceof ApiFailure && err.code === 'PAYMENT_IN_PROGRESS') {
        this.#drop(p.id, { tone: 'error', key: 'checkout.busy' });
        return this.resume();
      }
      this.#drop(p.id, failureNotice(err));
      this.feedback.failure();
    }
  }

  #follow(payment: Payment): void {
    this.#currentId = payment.id;
    this.#networkTrouble = false;
    this.#retryDelay = this.timings.retryMs;
    this.#show(payment);
  }

  #show(payment: Payment): void {
    if (payment.id !== this.#currentId) return;
    this.#payment = payment;
    if (isFinal(payment.status)) {
      this.#stopTimer();
      this.pending.clear(payment.id);
      this.#phase = 'final';
      this.#canceling = false;
      if (payment.status === 'succeeded') this.feedback.success();
      else this.feedback.failure();
      return;
    }
    this.#phase = 'following';
    const wait = payment.status === 'needs_attention' ? this.timings.attentionPollMs : this.timings.pollMs;
    this.#stopTimer();
    this.#timer = setTimeout(() => void this.#poll(payment.id), wait);
  }

  async #poll(id: string): Promise<void> {
    this.#stopTimer();
    try {
      const payment = await this.api.payment(id);
      this.#networkTrouble = false;
      this.#retryDelay = this.timings.retryMs;
      this.#show(payment);
    } catch (err) {
      if (id !== this.#currentId) return;
      // Keep following whatever went wrong: the payment exists and must reach an answer.
      this.#scheduleRetry(() => this.#poll(id), id, !(err instanceof ApiFailure && err.retryable));
    }
  }

  #scheduleRetry(again: () => Promise<void>, id: string, quiet = false): void {
    if (!quiet) this.#networkTrouble = true;
    this.#stopTimer();
    this.#timer = setTimeout(() => {
      if (this.#currentId === id) void again();
    }, this.#retryDelay);
    this.#retryDelay = Math.min(this.#retryDelay * 2, this.timings.retryMaxMs);
  }

  /** The server refused the payment outright: nothing was charged; back to scanning. */
  #drop(id: string, notice: Notice): void {
    this.pending.clear(id);
    this.#currentId = undefined;
    this.#networkTrouble = false;
    this.#payment = undefined;
    this.#phase = this.amount.fen > 0 ? 'scan' : 'amount';
    this.#notice = notice;
  }

  #refuse(notice: Notice): void {
    this.#notice = notice;
    this.feedback.notice();
  }

  #stopTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

function failureNotice(err: unknown): Notice {
  if (err instanceof ApiFailure) {
    if (err.network) return { tone: 'error', key: 'error.network' };
    return { tone: 'error', zh: err.message, en: err.message };
  }
  return { tone: 'error', zh: String(err), en: String(err) };
}
