/**
 * The refund dialog: amount (yuan text, at most what is left), manager PIN, optional reason.
 * The refund id is generated once per attempt and reused on every retry of that attempt, so a
 * retry after a network error can never refund twice; a changed amount starts a new attempt.
 */
import type { Payment, Refund } from '../../../shared/api.ts';
import { formatYuan, parseYuan } from '../../../shared/money.ts';
import { ApiFailure, type Api } from './api.ts';
import type { MessageKey } from './messages.ts';
import { newId } from './ids.ts';

export type RefundProblem = { key: MessageKey } | { error: unknown };

export class RefundForm {
  amountText = $state('');
  pin = $state('');
  reason = $state('');
  #busy = $state(false);
  #problem = $state.raw<RefundProblem | undefined>(undefined);
  #result = $state.raw<Refund | undefined>(undefined);
  #attemptsLeft = $state<number | undefined>(undefined);
  #attempt: { id: string; amount_fen: number } | undefined;

  constructor(readonly payment: Payment) {
    this.amountText = formatYuan(this.refundable);
  }

  get refundable(): number { return Math.max(0, this.payment.amount_fen - this.payment.refunded_fen); }
  get busy(): boolean { return this.#busy; }
  get problem(): RefundProblem | undefined { return this.#problem; }
  get result(): Refund | undefined { return this.#result; }
  get amountFen(): number | null { return parseYuan(this.amountText); }
  /** After a wrong PIN: how many more tries before the lock-out (the server's attempts_left). */
  get attemptsLeft(): number | undefined { return this.#attemptsLeft; }

  async submit(api: Api): Promise<Refund | undefined> {
    if (this.#busy) return undefined;
    const fen = this.amountFen;
    if (fen === null || fen <= 0 || fen > this.refundable) return this.#fail({ key: 'refund.badAmount' });
    if (!this.pin.trim()) return this.#fail({ key: 'refund.pinRequired' });
    if (this.#attempt?.amount_fen !== fen) this.#attempt = { id: newId('r'), amount_fen: fen };
    this.#busy = true;
    this.#problem = undefined;
    this.#attemptsLeft = undefined;
    try {
      const reason = this.reason.trim();
      const refund = await api.refund(this.payment.id, { id: this.#attempt.id, amount_fen: fen, ...(reason ? { reason } : {}) }, this.pin.trim());
      this.#result = refund;
      if (refund.status === 'failed') this.#attempt = undefined;
      return refund;
    } catch (err) {
      if (err instanceof ApiFailure && err.retryable) return this.#fail({ key: 'refund.retry' });
      // A refused attempt (wrong PIN, too large) charged nothing: the next try is a new attempt.
      this.#attempt = undefined;
      if (err instanceof ApiFailure && err.code === 'PIN_WRONG') {
        this.pin = '';
        const left = err.details.attempts_left;
        if (typeof left === 'number' && Number.isSafeInteger(left) && left >= 0) this.#attemptsLeft = left;
      }
      return this.#fail({ error: err });
    } finally {
      this.#busy = false;
    }
  }

  #fail(problem: RefundProblem): undefined {
    this.#problem = problem;
    return undefined;
  }
}
