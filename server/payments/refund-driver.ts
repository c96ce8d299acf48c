import type { Refund, RefundRequest } from '../../shared/api.ts';
import type { ServiceEnv } from './env.ts';
import { Refusal } from './errors.ts';
import { newJournalRow } from './journal-row.ts';
import { stepRefund } from './refunds.ts';
import type { Attribution } from './service.ts';
import { refundRequest } from './validate.ts';
import { refundView } from './view.ts';

/**
 * Refunds as the service runs them: the cashier's request journaled, then driven step by step
 * (refunds.ts) while the cashier waits up to refundConfirmMs; the recovery sweep drives the rest.
 * One drive per refund in this process at a time.
 */
export function refundDriver(env: ServiceEnv) {
  const { store, log, clock, config, owner, flow } = env;
  const refundsRunning = new Map<string, Promise<void>>();

  async function driveRefund(refundId: string, untilMs: number): Promise<void> {
    for (;;) {
      const row = await store.refund(refundId);
      if (!row || row.step === 'done' || flow.closed) return;
      const payment = await store.payment(row.payment_id);
      if (!payment) return;
      if (row.next_at > clock.now()) {
        if (row.next_at > untilMs) return; // past the caller's wait: the background sweep continues
        await clock.sleep(row.next_at - clock.now(), flow.closingSignal);
        continue;
      }
      await stepRefund(env, row, payment);
    }
  }

  const runRefund = async (refundId: string, untilMs: number): Promise<void> => {
    // A drive already under way (the sweep's, with a shorter wait of its own) is waited for, then
    // this caller's wait goes on: a cashier's refund is not answered "processing" because the sweep got there first.
    for (let running = refundsRunning.get(refundId); running; running = refundsRunning.get(refundId)) await running;
    const task = driveRefund(refundId, untilMs)
      .catch((error: unknown) => log.error('refund flow stopped; the recovery sweep will pick it up again', { id: refundId, error }))
      .finally(() => refundsRunning.delete(refundId));
    refundsRunning.set(refundId, task);
    return task;
  };

  async function refund(paymentId: string, req: RefundRequest, by?: Attribution, terminalId?: string): Promise<Refund> {
    const valid = refundRequest(req as unknown as Record<string, unknown>, config.maxAmountFen);
    const reason = valid.reason ?? null;
    const conflict = (): Refusal => new Refusal('ID_CONFLICT', `Refund id "${req.id}" was already used for another refund. Use a new id for a new refund.`);
    const existing = await store.refund(req.id);
    if (existing) {
      if (existing.payment_id !== paymentId || existing.amount_fen !== req.amount_fen) throw conflict();
      return refundView(existing);
    }
    const now = clock.now();
    const result = await store.insertRefund({
      ...newJournalRow(now, owner, config.leaseMs, by),
      id: req.id,
      payment_id: paymentId,
      amount_fen: req.amount_fen,
      reason,
      step: 'send',
      refund_id: null,
      terminal_id: terminalId ?? null,
      attempts: 0,
    });
    switch (result.kind) {
      case 'exists':
        if (result.refund.payment_id !== paymentId || result.refund.amount_fen !== req.amount_fen) throw conflict();
        return refundView(result.refund);
      case 'payment_not_found':
        throw new Refusal('NOT_FOUND', `No payment with id "${paymentId}".`);
      case 'not_allowed':
        throw new Refusal('REFUND_NOT_ALLOWED', `Payment ${paymentId} is ${result.payment.status}: only a succeeded payment can be refunded.`);
      case 'too_large':
        throw new Refusal('REFUND_TOO_LARGE', `At most ${result.remaining_fen} fen of payment ${paymentId} can still be refunded.`);
      case 'created':
        log.info('refund', { id: req.id, payment_id: paymentId, from: null, to: 'processing', amount_fen: req.amount_fen });
        await runRefund(req.id, now + config.refundConfirmMs);
        return refundView((await store.refund(req.id))!);
    }
  }

  /** The sweep's part: refunds due and not leased elsewhere are driven in the background. */
  async function sweepRefunds(): Promise<void> {
    const now = clock.now();
    for (const row of await store.claimRefunds(owner, now, config.leaseMs, now, 100)) {
      if (!refundsRunning.has(row.id)) void runRefund(row.id, now);
    }
  }

  /** Settles once every refund drive of this process has ended. */
  const settled = (): Promise<unknown> => Promise.allSettled([...refundsRunning.values()]);

  return { refund, sweepRefunds, settled };
}
