import type { Payment } from '../../shared/api.ts';
import type { ServiceEnv } from './env.ts';
import { Refusal } from './errors.ts';
import { requestCancel } from './transitions.ts';
import { paymentView } from './view.ts';

/** The cashier's cancel: journaled at once, the reverse path follows in the background (here or on the instance holding the lease). */
export function paymentCancel({ store, log, flow }: ServiceEnv) {
  return async function cancel(id: string): Promise<Payment> {
    const t = await flow.apply(id, requestCancel);
    if (!t) throw new Refusal('NOT_FOUND', `No payment with id "${id}".`);
    if (!t.changed) {
      if (t.before.cancel_requested && !['succeeded', 'failed', 'canceled'].includes(t.before.status)) return paymentView(t.before);
      throw new Refusal('NOT_CANCELABLE', `Payment ${id} is ${t.before.status}: only a payment still in progress can be canceled.`);
    }
    if (flow.isRunning(id)) flow.wake(id);
    else {
      void flow.run(id);
      // Another instance may hold the lease and be waiting for its next poll: wake it now.
      store.signalPayment?.(id).catch((error: unknown) => log.warn('could not signal the cancel to other instances; they see it at their next poll', { id, error }));
    }
    return paymentView(t.after);
  };
}
