import { hostname } from 'node:os';
import type { CreatePaymentRequest, Payment, Refund, RefundRequest } from '../../shared/api.ts';
import { maskCode, WALLET_OFF_TEXT, walletOfCode, type Wallet } from '../../shared/payment-code.ts';
import type { AlipayGateway } from '../alipay/gateway.ts';
import type { Gateway } from '../wechat/gateway.ts';
import type { PaymentRow, Store } from '../store/types.ts';
import type { Logger } from '../log.ts';
import { systemClock, type Clock } from './clock.ts';
import { resolveFlowConfig, type FlowConfig } from './config.ts';
import { PaymentFlow, type FlowDeps } from './flow.ts';
import { codeFingerprint, newOutTradeNo, newSecret } from './ids.ts';
import { stepRefund } from './refunds.ts';
import { Refusal } from './errors.ts';
import { paymentRequest, refundRequest } from './validate.ts';
import type { Attribution, PaymentService } from './service.ts';
import { alipayPort } from './alipay-port.ts';
import type { ShopLookup, WalletPorts } from './port.ts';
import { wechatPort } from './wechat-port.ts';
import { listPayments } from './list.ts';
import { requestCancel } from './transitions.ts';
import { paymentView, refundView } from './view.ts';

export { Refusal } from './errors.ts';
export type { PaymentService } from './service.ts';
export { FLOW_DEFAULTS, type FlowConfig } from './config.ts';
export { systemClock, type Clock } from './clock.ts';

export interface PaymentServiceDeps {
  store: Store;
  /** WeChat Pay's gateway; absent: WeChat Pay is switched off on this till. */
  gateway?: Gateway;
  /** Alipay's gateway; absent: Alipay is switched off on this till. */
  alipay?: AlipayGateway;
  clock?: Clock;
  config: FlowConfig;
  log: Logger;
  appName?: string;
  /**
   * Lease owner name of this instance. Default: the host name, so a restarted instance takes its
   * own leases back at once; give each instance of a multi-instance deployment its own.
   */
  instanceId?: string;
  /** A payment's shop (its name, and its sub-merchant in service-provider mode); absent: the server's configuration only. */
  shopOf?: ShopLookup;
}

/** The service plus what tests and operators use to look inside. */
export interface PaymentServiceHandle extends PaymentService {
  /** One recovery round now (normally run every sweepIntervalMs after resume()). */
  sweep(): Promise<void>;
  /** Resolves when the background loops of this process are idle (tests). */
  idle(): Promise<void>;
  onTransition: PaymentFlow['onTransition'];
}

const CODE_KEY_SETTING = 'payments.code_fingerprint_key';

export function createPaymentService(deps: PaymentServiceDeps): PaymentServiceHandle {
  const config = resolveFlowConfig(deps.config);
  const clock = deps.clock ?? systemClock;
  const { store, log } = deps;
  const owner = deps.instanceId ?? `${deps.appName ?? 'micropay-pos'}@${hostname()}`;
  const ports: WalletPorts = {};
  if (deps.gateway) ports.wechat = wechatPort(deps.gateway, config, deps.shopOf);
  if (deps.alipay) ports.alipay = alipayPort(deps.alipay, config, deps.shopOf);
  const flowDeps: FlowDeps = { store, ports, clock, config, log, owner };
  const flow = new PaymentFlow(flowDeps);
  const refundsRunning = new Map<string, Promise<void>>();
  let sweeper: Promise<void> | undefined;
  let unlisten: Promise<(() => Promise<void>) | undefined> | undefined;
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
      return await insertAndSend(id, wallet, terminalId, valid, auth_code, hash, description, conflict, by, shopId);
    } finally {
      unreserve();
    }
  }

  async function insertAndSend(
    id: string,
    wallet: Wallet,
    terminalId: string,
    req: CreatePaymentRequest,
    auth_code: string,
    hash: string,
    description: string | null,
    conflict: () => Refusal,
    by: Attribution | undefined,
    shopId: string | undefined,
  ): Promise<Payment> {
    const { amount_fen } = req;
    const now = clock.now();
    const result = await store.insertPayment({
      id,
      wallet,
      out_trade_no: newOutTradeNo(now, config.timeZone),
      terminal_id: terminalId,
      amount_fen,
      description,
      auth_code_masked: maskCode(auth_code),
      auth_code_hash: hash,
      // Journaled as sent in the insert itself (one durable commit, one fsync): the micropay
      // follows at once with the code in memory, and a crash before it leaves a payment that is
      // settled by query like any possibly-sent one (README: send step).
      status: 'processing',
      step: 'query',
      error_code: null,
      error_message: null,
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
      next_at: now,
      lease_owner: owner,
      lease_until: now + config.leaseMs,
      created_at: now,
      updated_at: now,
      shift_id: by?.shift_id ?? null,
      cashier: by?.cashier ?? null,
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
        const answered = await firstAnswer(result.payment, auth_code, config.respondWithinMs);
        return answered ? paymentView(answered) : (await view(id))!;
      }
    }
  }

  async function cancel(id: string): Promise<Payment> {
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
  }

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
      await stepRefund(flowDeps, row, payment);
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
      id: req.id,
      payment_id: paymentId,
      amount_fen: req.amount_fen,
      reason,
      status: 'processing',
      step: 'send',
      error_code: null,
      error_message: null,
      refund_id: null,
      terminal_id: terminalId ?? null,
      attempts: 0,
      next_at: now,
      lease_owner: owner,
      lease_until: now + config.leaseMs,
      created_at: now,
      updated_at: now,
      shift_id: by?.shift_id ?? null,
      cashier: by?.cashier ?? null,
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

  async function sweep(): Promise<void> {
    await flow.sweep();
    const now = clock.now();
    for (const row of await store.claimRefunds(owner, now, config.leaseMs, now, 100)) {
      if (!refundsRunning.has(row.id)) void runRefund(row.id, now);
    }
  }

  async function sweepForever(): Promise<void> {
    while (!flow.closed) {
      try {
        await sweep();
      } catch (error) {
        log.error('recovery sweep failed', { error });
      }
      await clock.sleep(config.sweepIntervalMs, flow.closingSignal);
    }
  }

  return {
    create,
    get: view,
    list: (query) => listPayments(store, config.timeZone, query),
    refunds: async (paymentId, shopId) => {
      if (!(await view(paymentId, shopId))) return undefined;
      return (await store.refundsOf(paymentId)).map(refundView);
    },
    active: async (terminalId) => {
      const row = await store.activePayment(terminalId);
      return row && paymentView(row);
    },
    cancel,
    refund,
    resume(): void {
      if (sweeper || flow.closed) return;
      // Cancels taken by other instances for payments this one drives (store.signalPayment).
      unlisten = store.onPaymentSignal
        ? store.onPaymentSignal((id) => flow.wake(id)).catch((error: unknown) => {
            log.warn('not listening for other instances\' cancels; payments see them at their next poll', { error });
            return undefined;
          })
        : undefined;
      sweeper = (async () => {
        try {
          const resumed = await flow.resumeAll();
          if (resumed > 0) log.info('resumed unfinished payments', { count: resumed });
        } catch (error) {
          log.error('resume failed; the recovery sweep retries', { error });
        }
        await sweepForever();
      })();
    },
    sweep,
    async idle(): Promise<void> {
      await Promise.allSettled([...refundsRunning.values()]);
    },
    onTransition: (listener) => flow.onTransition(listener),
    async close(): Promise<void> {
      await (await unlisten)?.().catch(() => undefined);
      await flow.close();
      await Promise.allSettled([sweeper, ...refundsRunning.values()]);
    },
  };
}
