/**
 * One sale at the till: amount → scan → POST → follow the payment until it is final.
 *
 * Never lose a payment: the payment id (and, until the server acknowledges it, the code) is
 * written to localStorage before the POST; a reload, or another tab, resumes following it; and a
 * scan while a payment is in flight is refused, never sent.
 *
 * Never charge behind the cashier's back: while the server cannot be reached nothing is taken.
 * A payment the server never acknowledged (the POST failed) is held: once the server answers
 * again it is asked whether it has the payment; if it has, the checkout follows it, if not the
 * cashier chooses "send now" (same id, so never twice) or "discard", and a code older than
 * 60 s is never sent (WeChat codes expire). An acknowledged payment resumes on its own.
 */
import { isFinal, type Payment } from '../../../shared/api.ts';
import { rejectCode } from '../../../shared/payment-code.ts';
import { ApiFailure, type Api } from './api.ts';
import { AmountEntry } from './amount-entry.svelte.ts';
import { PendingPaymentStore, type PendingPayment } from './pending-payment.ts';
import type { Feedback } from './feedback.ts';
import type { MessageKey } from './messages.ts';
import { newId } from './ids.ts';

export type Phase = 'amount' | 'scan' | 'submitting' | 'following' | 'unsent' | 'final';
/** Something to tell the cashier: one of our messages, an error (error-text.ts words it), or a text in both languages. */
export type Notice = { tone: 'error' | 'info'; key?: MessageKey; error?: unknown; zh?: string; en?: string };

/** A payment code is valid for about a minute: an unsent one older than this is never sent. */
export const CODE_LIFETIME_MS = 60_000;
/** A payment started this recently may still be on its way to the server (another tab's POST): ask again before calling it unsent. */
const IN_FLIGHT_MS = 5_000;

/** Whether the POS server answers (server-link.svelte.ts). */
export interface Reachability {
  readonly online: boolean;
}

/** A payment the server has not acknowledged, held for the cashier's decision. */
export interface Unsent {
  payment: PendingPayment;
  /** The server answered and does not have it: the cashier may send it (while the code is fresh) or discard it. */
  absent: boolean;
}

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
  #unsent = $state.raw<Unsent | undefined>(undefined);
  /** When the payment being sent was scanned (Sending shows how long it has waited). */
  #sendingSince = $state<number | undefined>(undefined);
  /** Cancel was pressed before the server acknowledged the payment. */
  #cancelWanted = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #retryDelay: number;
  /** The id being submitted or followed; guards against answers for an older payment. */
  #currentId: string | undefined;

  constructor(
    private readonly api: Api,
    private readonly pending: PendingPaymentStore,
    private readonly feedback: Feedback,
    private readonly timings: CheckoutTimings = CHECKOUT_TIMINGS,
    private readonly link: Reachability = { online: true },
  ) {
    this.#retryDelay = timings.retryMs;
  }

  get phase(): Phase { return this.#phase; }
  get payment(): Payment | undefined { return this.#payment; }
  get notice(): Notice | undefined { return this.#notice; }
  get networkTrouble(): boolean { return this.#networkTrouble; }
  get canceling(): boolean { return this.#canceling; }
  get unsent(): Unsent | undefined { return this.#unsent; }
  get sendingSince(): number | undefined { return this.#sendingSince; }
  get busy(): boolean { return this.#phase === 'submitting' || this.#phase === 'following' || this.#phase === 'unsent'; }
  /** Charging is possible: the server answers. */
  get canCharge(): boolean { return this.link.online; }

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
    } else if (this.amount.tooLarge(key)) {
      this.#refuse({ tone: 'error', key: 'checkout.amountTooLarge' });
    }
  }

  /** "Charge": the amount is complete, wait for the customer's code. */
  charge(): void {
    if (this.busy) return;
    if (this.amount.fen <= 0) return this.#refuse({ tone: 'error', key: 'checkout.amountFirst' });
    if (!this.link.online) return this.#refuse({ tone: 'error', key: 'offline.refused' });
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
    // Nothing is stored or sent while the server cannot be reached: the cashier knows at once.
    if (!this.link.online) return this.#refuse({ tone: 'error', key: 'offline.refused' });
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
    if (!id || this.#canceling) return;
    if (this.#phase === 'submitting') {
      // Not acknowledged yet: cancel as soon as the server has it (or discard if it never arrived).
      this.#cancelWanted = true;
      this.#canceling = true;
      return;
    }
    if (this.#phase !== 'following') return;
    this.#canceling = true;
    try {
      this.#show(await this.api.cancel(id));
    } catch (err) {
      this.#canceling = false;
      this.#notice = { tone: 'error', error: err };
    }
  }

  /** The held payment's code is still fresh enough to send. */
  get canSendUnsent(): boolean {
    const u = this.#unsent;
    return !!u?.absent && !!u.payment.auth_code && Date.now() - u.payment.started_at < CODE_LIFETIME_MS;
  }

  /** The cashier sends the held payment: the same id, so the server charges it at most once. */
  sendNow(): void {
    const u = this.#unsent;
    if (this.#phase !== 'unsent' || !u || !this.canSendUnsent) return;
    this.#unsent = undefined;
    void this.#submit(u.payment);
  }

  /** The cashier discards a held payment the server confirmed it never received: nothing was sent. */
  discard(): void {
    const u = this.#unsent;
    if (this.#phase !== 'unsent' || !u?.absent) return;
    this.#drop(u.payment.id, { tone: 'info', key: 'checkout.discarded' });
  }

  /** Check now instead of waiting for the next poll (needs_attention, network trouble). */
  keepChecking(): void {
    if (this.#phase === 'submitting' || this.#phase === 'unsent') {
      const p = this.pending.load();
      if (p) void this.#recover(p);
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
    // The same payment again only matters while it is held: another tab's answer may have arrived.
    if (this.#currentId === p.id && this.#phase !== 'unsent') return;
    this.#stopTimer();
    this.#currentId = p.id;
    this.amount.set(p.amount_fen);
    this.#notice = undefined;
    return this.#recover(p);
  }

  dispose(): void {
    this.#stopTimer();
  }

  /**
   * Ask the server first: the POST may or may not have arrived (a reload, another tab, a lost
   * answer). Found → follow it. Not found → an unsent payment: held for the cashier, never sent
   * from here. No answer → keep asking; a payment with its code stays held meanwhile.
   */
  async #recover(p: PendingPayment): Promise<void> {
    this.#currentId = p.id;
    if (this.#phase !== 'unsent') this.#phase = 'submitting';
    try {
      const payment = await this.api.payment(p.id);
      if (this.#currentId !== p.id) return;
      this.pending.acknowledged(p.id);
      this.#unsent = undefined;
      this.#follow(payment);
      if (this.#cancelWanted) void this.#cancelNow(payment.id);
    } catch (err) {
      if (this.#currentId !== p.id) return;
      const notFound = err instanceof ApiFailure && err.code === 'NOT_FOUND';
      if (notFound && !p.auth_code) return this.#drop(p.id, { tone: 'info', key: 'checkout.notCharged' });
      if (notFound && Date.now() - p.started_at < IN_FLIGHT_MS) return this.#hold(p, false, () => this.#recover(p));
      if (notFound && this.#cancelWanted) return this.#drop(p.id, { tone: 'info', key: 'checkout.discarded' });
      if (notFound) return this.#hold(p, true);
      if (p.auth_code) return this.#hold(p, false, () => this.#recover(p));
      this.#scheduleRetry(() => this.#recover(p), p.id);
    }
  }

  /** Holds a payment the server has not acknowledged; `again` keeps asking the server while it cannot say. */
  #hold(p: PendingPayment, absent: boolean, again?: () => Promise<void>): void {
    this.#phase = 'unsent';
    this.#unsent = { payment: p, absent };
    this.#sendingSince = undefined;
    if (again) this.#scheduleRetry(again, p.id);
    else {
      this.#stopTimer();
      this.#networkTrouble = false;
    }
  }

  async #cancelNow(id: string): Promise<void> {
    this.#cancelWanted = false;
    try {
      this.#show(await this.api.cancel(id));
    } catch {
      // A payment already final, or the server gone again: following shows whatever it becomes.
    }
  }

  async #submit(p: PendingPayment): Promise<void> {
    this.#stopTimer();
    this.#currentId = p.id;
    this.#phase = 'submitting';
    this.#sendingSince = p.started_at;
    this.#notice = undefined;
    try {
      const payment = await this.api.createPayment({ id: p.id, amount_fen: p.amount_fen, auth_code: p.auth_code ?? '' });
      if (this.#currentId !== p.id) return;
      this.pending.acknowledged(p.id);
      this.#follow(payment);
      if (this.#cancelWanted) void this.#cancelNow(payment.id);
    } catch (err) {
      if (this.#currentId !== p.id) return;
      // No answer (or a 5xx): the server may or may not have it. Never resend from here: ask it.
      if (err instanceof ApiFailure && err.retryable) return this.#hold(p, false, () => this.#recover(p));
      if (err instanceof ApiFailure && err.code === 'PAYMENT_IN_PROGRESS') {
        this.#drop(p.id, { tone: 'error', key: 'checkout.busy' });
        return this.resume();
      }
      this.#drop(p.id, { tone: 'error', error: err });
      this.feedback.failure();
    }
  }

  #follow(payment: Payment): void {
    this.#currentId = payment.id;
    this.#unsent = undefined;
    this.#sendingSince = undefined;
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
      this.#cancelWanted = false;
      // "In progress – do not charge twice" and the like no longer hold: the result says it all.
      this.#notice = undefined;
      if (payment.status === 'succeeded') this.feedback.success(payment);
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
    this.#stopTimer();
    this.pending.clear(id);
    this.#currentId = undefined;
    this.#networkTrouble = false;
    this.#canceling = false;
    this.#cancelWanted = false;
    this.#unsent = undefined;
    this.#sendingSince = undefined;
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
