import type { CreatePaymentRequest, Payment } from '../../shared/api.ts';
import { maskCode, WALLET_OFF_TEXT, walletOfCode, type Wallet } from '../../shared/payment-code.ts';
import type { PaymentRow } from '../store/types.ts';
import type { ServiceEnv } from './env.ts';
import { Refusal } from './errors.ts';
import { codeFingerprint, newOutTradeNo, newSecret } from './ids.ts';
import { newJournalRow } from './journal-row.ts';
import type { Attribution } from './service.ts';
import { paymentRequest } from './validate.ts';
import { paymentView } from './view.ts';

const CODE_KEY_SETTING = 'payments.code_fingerprint_key';

/** A payment to insert and send, as create() checked it. */
interface NewPaymentRequest {
  id: string;
  wallet: Wallet;
  terminalId: string;
  req: CreatePaymentRequest;
  authCode: string;
  /** The code's keyed fingerprint (ids.ts): a retry is recognised by it, the code itself is never stored. */
  hash: string;
  description: string | null;
  conflict: () => Refusal;
  by: Attribution | undefined;
  shopId: string | undefined;
}

/**
 * Taking a payment: the request is checked, the row journaled as sent, the micropay run in the
 * background, and the cashier answered with the first gateway answer (or, after
 * respondWithinMs, the row as it is then).
 */
export function paymentTaking(env: ServiceEnv) {
  const { store, log, clock, config, owner, ports, flow } = env;
  let fingerprintKey: Promise<string> | undefined;

  const fingerprint = async (code: string): Promise<string> => {
    fingerprintKey ??= store.initSetting(CODE_KEY_SETTING, newSecret());
    return codeFingerprint(code, await fingerprintKey);
  };

  /**
   * Waits for the first gateway answer to be journaled, at most `ms` (then the client polls).
   * Resolves to the row as that step journaled it, or undefined when the wait ended without one.
   */
  const firstAnswer = (row: PaymentRow, authCode: string, ms: number): Promise<PaymentRow | undefined> =>
    new Promise((resolve) => {
      // A plain timer, not an AbortController per payment (about 12 µs each, created and aborted).
      let waiting = true;
      const answer = (answered?: PaymentRow): void => {
        if (!waiting) return;
        waiting = false;
        cancelTimer();
        flow.closingSignal.removeEventListener('abort', stopWaiting);
        resolve(answered);
      };
      const stopWaiting = (): void => answer();
      const cancelTimer = clock.after(ms, stopWaiting);
      flow.closingSignal.addEventListener('abort', stopWaiting, { once: true });
      void flow.run(row.id, authCode, answer, row);
    });

  const view = async (id: string, shopId?: string): Promise<Payment | undefined> => {
    const row = await store.payment(id);
    if (!row || (shopId !== undefined && row.shop_id !== shopId)) return undefined;
    return paymentView(row);
  };

  const sameRequest = (row: PaymentRow, terminalId: string, req: CreatePaymentRequest, hash: string, description: string | null): boolean =>
    row.terminal_id === terminalId && row.amount_fen === req.amount_fen && row.auth_code_hash === hash && row.description === description;

  async function create(terminalId: string, req: CreatePaymentRequest, by?: Attribution, shopId?: string): Promise<Payment> {
    // The API checked the request already; the service checks again, to be safe on its own.
    const valid = paymentRequest(req as unknown as Record<string, unknown>, config.maxAmountFen);
    const { id, auth_code } = valid;
    const description = valid.description ?? null;
    const wallet = walletOfCode(auth_code)!;
    if (!ports[wallet]) throw new Refusal('WALLET_OFF', WALLET_OFF_TEXT[wallet].en);
    const hash = await fingerprint(auth_code);
    const conflict = (): Refusal =>
      new Refusal('ID_CONFLICT', `Payment id "${id}" was already used for another payment (different amount, code, description or terminal). Use a new id for a new payment.`);

    // A retry with a known id is answered by the insert itself ('exists'): one transaction, no read before.
    const unreserve = flow.reserve(id);
    try {
      return await insertAndSend({ id, wallet, terminalId, req: valid, authCode: auth_code, hash, description, conflict, by, shopId });
    } finally {
      unreserve();
    }
  }

  async function insertAndSend({ id, wallet, terminalId, req, authCode, hash, description, conflict, by, shopId }: NewPaymentRequest): Promise<Payment> {
    const { amount_fen } = req;
    const now = clock.now();
    const result = await store.insertPayment({
      ...newJournalRow(now, owner, config.leaseMs, by),
      id,
      wallet,
      out_trade_no: newOutTradeNo(now, config.timeZone),
      terminal_id: terminalId,
      amount_fen,
      description,
      auth_code_masked: maskCode(authCode),
      auth_code_hash: hash,
      // Journaled as sent in the insert itself (one durable commit, one fsync): the micropay
      // follows at once with the code in memory, and a crash before it leaves a payment that is
      // settled by query like any possibly-sent one (README: send step).
      step: 'query',
      transaction_id: null,
      late_payment: false,
      cancel_requested: false,
      send_rejected: false,
      sent_at: now,
      reverse_decided_at: null,
      reverse_reason: null,
      reverse_attempts: 0,
      cancel_action: null,
      deadline_at: now + config.deadlineMs,
      reverse_after: now + config.reverseMinAgeMs,
      ...(shopId !== undefined ? { shop_id: shopId } : {}),
    });
    switch (result.kind) {
      case 'shift_closed':
        throw new Refusal('SHIFT_REQUIRED', 'The cashier’s shift on this terminal was just closed: sign in with a cashier PIN to open a shift, then take the payment.');
      case 'exists':
        // Lost the race to a concurrent create with the same id: same rules as above.
        if (!sameRequest(result.payment, terminalId, req, hash, description)) throw conflict();
        return paymentView(result.payment);
      case 'terminal_busy':
        throw new Refusal('PAYMENT_IN_PROGRESS',
          `Payment ${result.active.id} (${result.active.amount_fen} fen) is still in progress on this terminal: wait for it or cancel it before taking another.`,
        );
      case 'created': {
        log.info('payment', {
          id,
          out_trade_no: result.payment.out_trade_no,
          from: null,
          to: 'processing',
          step: 'query',
          amount_fen,
          wallet,
          terminal: terminalId,
          auth_code: result.payment.auth_code_masked,
        });
        // The row the first answer journaled is the answer (no read back); after a timeout, the row as it is now.
        const answered = await firstAnswer(result.payment, authCode, config.respondWithinMs);
        return answered ? paymentView(answered) : (await view(id))!;
      }
    }
  }

  return { create, view };
}
