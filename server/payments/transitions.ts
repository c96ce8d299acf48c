import type { Operation } from '../../shared/error-catalogue.ts';
import { isFinal, type PaymentStatus } from '../../shared/api.ts';
import type { OrderState, Outcome, PaidOrder } from '../wechat/gateway.ts';
import { WALLET_CATALOGUES, type CancelAnswer, type WalletCatalogue } from './port.ts';
import type { PaymentPatch, PaymentRow, ReverseReason } from '../store/types.ts';
import type { ResolvedFlowConfig } from './config.ts';

/**
 * The payment state machine (docs/payment-states.md), as pure functions: (current journal row, gateway
 * answer, now) → the patch to journal. The driver (flow.ts) performs the calls; everything that
 * decides lives here so it can be read, and tested, in one place. Every function re-reads the
 * current row, so an answer that arrives after a cancel (or after another instance moved the
 * payment on) merges instead of overwriting.
 */

/** Why a call's outcome is unknown: no answer in time, no connection, a forged or a malformed answer, a bug. */
export const UNKNOWN_OUTCOME_CODES = ['GATEWAY_TIMEOUT', 'NETWORK', 'BAD_SIGNATURE', 'BAD_RESPONSE', 'INTERNAL'] as const;
const isUnknownOutcome = (code: string | null): boolean => (UNKNOWN_OUTCOME_CODES as readonly (string | null)[]).includes(code);

/** A call whose outcome is unknown (timeout, network, unverifiable or malformed answer). */
export interface UnknownAnswer {
  kind: 'unknown';
  code: (typeof UNKNOWN_OUTCOME_CODES)[number];
  detail: string;
}

/** A call that could not be made at all (no client certificate for /secapi/, REQUEST_INVALID: a request XML cannot carry). */
export interface ConfigAnswer {
  kind: 'config';
  code: string;
  detail: string;
}

export type Answer<T> = Outcome<T> | UnknownAnswer | ConfigAnswer;

export interface Ctx {
  now: number;
  config: ResolvedFlowConfig;
  /** The error texts of the payment's wallet (default WeChat Pay's). */
  catalogue?: WalletCatalogue;
}

const catalogueOf = (ctx: Ctx): WalletCatalogue => ctx.catalogue ?? WALLET_CATALOGUES.wechat;
const msg = (code: string, ctx: Ctx, operation: Operation = 'micropay'): string => catalogueOf(ctx).describe(code, operation)[ctx.config.language];

/**
 * Why the outcome is still being checked when WeChat itself says so (busy, a bank problem), kept
 * with the open payment so the cashier reads the reason while the query runs (unknownReason does
 * the same for no or an unverifiable answer). A final answer replaces it.
 */
function checking(code: string, ctx: Ctx): PaymentPatch {
  return catalogueOf(ctx).describe(code, 'micropay').class === 'U' ? { error_code: code, error_message: msg(code, ctx) } : {};
}

export const isSettled = (row: PaymentRow): boolean => row.step === 'done' || row.step === 'manual';

/**
 * The cashier was told the payment did not go through (failed, canceled), but the flow is not done
 * at WeChat: it closes the order (WeChat wants every order to end SUCCESS, CLOSED or REVOKED) and,
 * until the payment code can no longer be charged, watches for a charge arriving late.
 */
export const isClosing = (row: PaymentRow): boolean =>
  (row.status === 'failed' || row.status === 'canceled') && !isSettled(row) && row.reverse_reason !== 'late_charge';

/** A charge found after the cashier was told "not paid" is being given back (reversed). */
export const isReturningLateCharge = (row: PaymentRow): boolean => row.reverse_reason === 'late_charge' && !isSettled(row);

/** Until when a payment told "not paid" is checked for a late charge: submission + lateChargeWatchMs. */
export const lateChargeWatchEnd = (row: PaymentRow, ctx: Ctx): number => (row.sent_at ?? row.created_at) + ctx.config.lateChargeWatchMs;

/** needs_attention sticks until a final answer; processing may become user_paying, never back. */
function openStatus(row: PaymentRow, wanted: 'processing' | 'user_paying'): PaymentStatus {
  if (row.status === 'needs_attention' || row.status === 'user_paying') return row.status;
  return wanted;
}

export function backoffMs(attempt: number, config: ResolvedFlowConfig): number {
  return Math.min(config.reverseBackoffMs * 2 ** Math.max(0, attempt - 1), config.reverseBackoffMaxMs);
}

function failed(code: string, ctx: Ctx, operation: Operation = 'micropay', detail?: string): PaymentPatch {
  return { status: 'failed', step: 'done', error_code: code, error_message: msg(code, ctx, operation) + (detail ? ` (${detail})` : '') };
}

/** The order was reversed or closed after our decision: nothing was charged (and why the outcome had stayed open, if an answer was unknown). */
function canceledAfterReverse(row: PaymentRow, ctx: Ctx): PaymentPatch {
  const code = row.cancel_requested ? 'CANCELED' : 'REVERSED';
  const why = isUnknownOutcome(row.error_code) ? ` (${row.error_code}: ${msg(row.error_code!, ctx, 'local')})` : '';
  return { status: 'canceled', step: 'done', error_code: code, error_message: msg(code, ctx, 'local') + why };
}

/**
 * An answer that leaves the outcome unknown says why on the payment's events; while the payment
 * is open it is also the payment's error, so the cashier sees why it is still being checked.
 * Another error the payment already shows (needs_attention's reason) stays.
 */
function unknownReason(row: PaymentRow, answer: { kind: string }, ctx: Ctx): PaymentPatch {
  if (answer.kind !== 'unknown') return {};
  const { code } = answer as UnknownAnswer;
  const open = row.status === 'processing' || row.status === 'user_paying';
  if (!open || !(row.error_code === null || isUnknownOutcome(row.error_code))) return { event_code: code };
  return { event_code: code, error_code: code, error_message: msg(code, ctx, 'local') };
}

/** What WeChat says the customer paid with and the shop is settled (null when it sent none). */
export function paidFacts(order: PaidOrder): PaymentPatch {
  return {
    cash_fen: order.cash_fee ?? null,
    coupon_fen: order.coupon_fee ?? null,
    settlement_fen: order.settlement_total_fee ?? null,
    bank_type: order.bank_type ?? null,
  };
}

/** WeChat says paid: succeeded if the amount matches; flagged late when a reverse had been decided. */
export function paid(row: PaymentRow, order: PaidOrder, ctx: Ctx): PaymentPatch {
  if (order.total_fee !== row.amount_fen) {
    return {
      ...paidFacts(order),
      status: 'needs_attention',
      step: 'manual',
      transaction_id: order.transaction_id,
      error_code: 'AMOUNT_MISMATCH',
      error_message: `${msg('AMOUNT_MISMATCH', ctx, 'local')} (${order.total_fee} ≠ ${row.amount_fen} fen)`,
    };
  }
  const late = row.reverse_decided_at !== null;
  return {
    ...paidFacts(order),
    status: 'succeeded',
    step: 'done',
    transaction_id: order.transaction_id,
    late_payment: late,
    error_code: late ? 'LATE_PAYMENT' : null,
    error_message: late ? msg('LATE_PAYMENT', ctx, 'local') : null,
  };
}

export function decideReverse(row: PaymentRow, reason: ReverseReason, ctx: Ctx): PaymentPatch {
  return {
    step: 'reverse',
    reverse_reason: reason,
    reverse_decided_at: ctx.now,
    next_at: ctx.now < row.reverse_after ? Math.min(ctx.now + ctx.config.pollIntervalMs, row.reverse_after) : ctx.now,
  };
}

/** One more reverse (or confirmation) is needed: back off, and past the bound flag needs_attention. */
function retryReverse(row: PaymentRow, ctx: Ctx, attempts: number, extra: PaymentPatch = {}): PaymentPatch {
  const { config, now } = ctx;
  // Closing an order nobody paid is no emergency: past the bound it goes on slowly, the status stays.
  const slow = row.status === 'needs_attention' || (isClosing(row) && attempts >= config.reverseMaxAttempts);
  if (slow) return { ...extra, reverse_attempts: attempts, next_at: now + config.attentionIntervalMs };
  if (attempts >= config.reverseMaxAttempts) {
    return {
      ...extra,
      reverse_attempts: attempts,
      status: 'needs_attention',
      error_code: 'OUTCOME_UNKNOWN',
      error_message: msg('OUTCOME_UNKNOWN', ctx, 'local'),
      next_at: now + config.attentionIntervalMs,
    };
  }
  return { ...extra, reverse_attempts: attempts, next_at: now + backoffMs(attempts, config) };
}

/** The outcome is still open after an answer: schedule the next action of the current step. */
function stillOpen(row: PaymentRow, ctx: Ctx, extra: PaymentPatch = {}): PaymentPatch {
  const { now, config } = ctx;
  switch (row.step) {
    case 'query':
      if (row.status === 'needs_attention') return { ...extra, next_at: now + config.attentionIntervalMs };
      if (now >= row.deadline_at) return { ...extra, ...decideReverse(row, 'deadline', ctx) };
      return { ...extra, next_at: Math.min(now + config.pollIntervalMs, row.deadline_at) };
    case 'reverse':
      return { ...extra, next_at: now < row.reverse_after ? Math.min(now + config.pollIntervalMs, row.reverse_after) : now };
    case 'confirm':
      return retryReverse(row, ctx, row.reverse_attempts + 1, extra);
    default:
      return extra;
  }
}

/** Journal entry written before micropay is sent: from here on the outcome is unknown until answered. */
export function beforeMicropay(row: PaymentRow, ctx: Ctx): PaymentPatch | undefined {
  return row.step === 'send' ? { step: 'query', sent_at: ctx.now, next_at: ctx.now } : undefined;
}

/** No code in memory (the process restarted before sending): settle by query, as if possibly sent. */
export function resumeUnsent(row: PaymentRow, ctx: Ctx): PaymentPatch | undefined {
  return row.step === 'send' ? { step: 'query', next_at: ctx.now } : undefined;
}

export function afterMicropay(row: PaymentRow, answer: Answer<PaidOrder>, ctx: Ctx): PaymentPatch | undefined {
  if (isSettled(row)) return undefined;
  // Answers that leave the outcome open only reschedule the query step; a cancel owns reverse/confirm.
  const open = (extra: PaymentPatch, delayMs: number): PaymentPatch =>
    row.step === 'query' ? { ...extra, next_at: ctx.now + delayMs } : extra;
  switch (answer.kind) {
    case 'ok':
      return paid(row, answer.value, ctx);
    case 'business_error': {
      const entry = catalogueOf(ctx).own(answer.code, 'micropay');
      // The customer must act (NOTENOUGH, AUTHCODEEXPIRE…): the cashier is told at once; an order
      // WeChat may have opened for it is then found by query and closed (README: closed loop).
      // Alipay makes no trade for a refused trade.pay, so there is nothing to close.
      if (entry?.class === 'C') return row.wallet === 'wechat' ? { ...failed(answer.code, ctx), step: 'query', next_at: ctx.now } : failed(answer.code, ctx);
      // Refused before any order was made (PARAM_ERROR, SIGNERROR, NOAUTH…): nothing to close.
      if (entry?.class === 'M') return failed(answer.code, ctx);
      if (answer.code === 'USERPAYING') return open({ status: openStatus(row, 'user_paying') }, ctx.config.pollIntervalMs);
      if (answer.code === 'SYSTEMERROR') return open(checking(answer.code, ctx), ctx.config.pollIntervalMs);
      // BANKERROR, order-state codes (ORDERPAID, OUT_TRADE_NO_USED, ...) and codes we do not know: ask at once.
      return open(checking(answer.code, ctx), 0);
    }
    case 'rejected':
      // return_code=FAIL: not processed, yet only a query proves no order exists.
      return open({ send_rejected: true }, 0);
    case 'config':
      // The request could not be built, so nothing was sent: the payment failed, nothing is charged.
      return failed(answer.code, ctx, 'local', answer.detail);
    default:
      return open(unknownReason(row, answer, ctx), 0);
  }
}

export function afterQuery(row: PaymentRow, answer: Answer<OrderState>, ctx: Ctx): PaymentPatch | undefined {
  if (isSettled(row)) return undefined;
  if (isClosing(row) || isReturningLateCharge(row)) return afterClosingQuery(row, answer, ctx);
  if (answer.kind === 'ok') {
    const { trade_state: state, paid: order } = answer.value;
    switch (state) {
      case 'SUCCESS':
      case 'REFUND':
        return order ? paid(row, order, ctx) : stillOpen(row, ctx);
      case 'PAYERROR':
        // Failed for the customer; WeChat's own text says "支付失败，请撤销订单": reverse closes it.
        return { ...failed('PAYERROR', ctx), ...decideClose(row, ctx) };
      case 'REVOKED':
        return canceledAfterReverse(row, ctx);
      case 'CLOSED':
        return row.reverse_decided_at !== null
          ? canceledAfterReverse(row, ctx)
          : { status: 'canceled', step: 'done', error_code: 'ORDERCLOSED', error_message: msg('ORDERCLOSED', ctx) };
      case 'NOTPAY':
        // After an acknowledged reverse, NOTPAY means closed: nothing was charged.
        if (row.step === 'confirm') return canceledAfterReverse(row, ctx);
        return stillOpen(row, ctx);
      case 'USERPAYING':
      case 'ACCEPT':
        // After a reverse, still paying means the reverse did not take: reverse again.
        if (row.step === 'confirm') return retryReverse(row, ctx, row.reverse_attempts, { step: 'reverse' });
        return stillOpen(row, ctx, state === 'USERPAYING' ? { status: openStatus(row, 'user_paying') } : {});
    }
  }
  if (answer.kind === 'business_error' && answer.code === 'ORDERNOTEXIST') {
    if (row.step === 'confirm') return notFoundAfterReverse(row, ctx);
    if (row.step === 'query') {
      if (row.send_rejected) return failed('REQUEST_REJECTED', ctx, 'local');
      if (row.status === 'needs_attention') return notFoundAfterReverse(row, ctx);
      // The request may still be on its way (timeout) or was never sent (crash): a reverse closes the
      // order if WeChat has it by then; if not, WeChat blocks nothing and the payment is watched
      // for a late charge (notFoundAfterReverse).
      return decideReverse(row, 'not_found', ctx);
    }
  }
  return stillOpen(row, ctx, unknownReason(row, answer, ctx));
}

/**
 * WeChat has no order, after a reverse was decided: the cashier is told canceled (nothing was
 * charged so far), but a micropay still on its way could charge later (a reverse of an unknown
 * order blocks nothing): until the code can no longer be charged the flow keeps checking.
 */
function notFoundAfterReverse(row: PaymentRow, ctx: Ctx): PaymentPatch {
  const canceled = canceledAfterReverse(row, ctx);
  if (ctx.now >= lateChargeWatchEnd(row, ctx)) return canceled;
  return { ...canceled, step: 'confirm', next_at: ctx.now + ctx.config.lateChargeCheckMs };
}

/** Close a failed order at WeChat with a reverse, never earlier than reverse_after. */
function decideClose(row: PaymentRow, ctx: Ctx): PaymentPatch {
  return {
    step: 'reverse',
    reverse_reason: row.reverse_reason ?? 'close',
    reverse_decided_at: row.reverse_decided_at ?? ctx.now,
    next_at: Math.max(ctx.now, row.reverse_after),
  };
}

/** The order is still open (or failed) at WeChat: reverse it (again). */
function reverseAgain(row: PaymentRow, ctx: Ctx, extra: PaymentPatch = {}): PaymentPatch {
  if (row.step === 'reverse') return { ...extra, next_at: Math.max(ctx.now, row.reverse_after) };
  if (row.step === 'confirm') return retryReverse(row, ctx, row.reverse_attempts, { ...extra, step: 'reverse' });
  return { ...extra, ...decideClose(row, ctx) };
}

/**
 * The customer was charged after the cashier was told "not paid": the charge is reversed
 * automatically (the money goes back to the customer) and the payment is flagged late_payment.
 */
function returnLateCharge(row: PaymentRow, order: PaidOrder, ctx: Ctx): PaymentPatch {
  if (isReturningLateCharge(row)) return reverseAgain(row, ctx);
  return {
    ...paidFacts(order),
    late_payment: true,
    transaction_id: order.transaction_id,
    error_code: 'LATE_PAYMENT_RETURNING',
    error_message: msg('LATE_PAYMENT_RETURNING', ctx, 'local'),
    step: 'reverse',
    reverse_reason: 'late_charge',
    reverse_decided_at: ctx.now,
    reverse_attempts: 0,
    next_at: Math.max(ctx.now, row.reverse_after),
  };
}

/** The order ended CLOSED or REVOKED at WeChat: nothing more to do (a late charge was given back). */
function closedAtWechat(row: PaymentRow, ctx: Ctx): PaymentPatch {
  if (!isReturningLateCharge(row)) return { step: 'done' };
  return {
    status: row.status === 'failed' ? 'failed' : 'canceled',
    step: 'done',
    error_code: 'LATE_PAYMENT_RETURNED',
    error_message: msg('LATE_PAYMENT_RETURNED', ctx, 'local'),
  };
}

/** A closing (or late-charge) reverse cannot be made: watch on until the code is dead, then stop. */
function stopClosing(row: PaymentRow, code: string, ctx: Ctx): PaymentPatch {
  if (ctx.now < lateChargeWatchEnd(row, ctx)) return { step: 'confirm', event_code: code, next_at: ctx.now + ctx.config.lateChargeCheckMs };
  return { step: 'done', event_code: code };
}

/** Queries of a payment told "not paid" (closing, watching for a late charge) or giving a late charge back. */
function afterClosingQuery(row: PaymentRow, answer: Answer<OrderState>, ctx: Ctx): PaymentPatch {
  const { now, config } = ctx;
  const later = (extra: PaymentPatch = {}): PaymentPatch => ({
    ...extra,
    next_at: now + (now < lateChargeWatchEnd(row, ctx) ? config.lateChargeCheckMs : config.attentionIntervalMs),
  });
  if (answer.kind === 'ok') {
    const { trade_state: state, paid: order } = answer.value;
    switch (state) {
      case 'SUCCESS':
      case 'REFUND':
        return order ? returnLateCharge(row, order, ctx) : later();
      case 'REVOKED':
      case 'CLOSED':
        return closedAtWechat(row, ctx);
      default:
        // NOTPAY, USERPAYING, ACCEPT, PAYERROR: open or failed at WeChat, and not closed yet.
        return reverseAgain(row, ctx);
    }
  }
  if (answer.kind === 'business_error' && answer.code === 'ORDERNOTEXIST') {
    if (isReturningLateCharge(row)) {
      // It was paid a moment ago: ask again; still contradictory when the code is dead → a person checks.
      if (now < lateChargeWatchEnd(row, ctx)) return later();
      return { status: 'needs_attention', step: 'manual', error_code: 'OUTCOME_UNKNOWN', error_message: msg('OUTCOME_UNKNOWN', ctx, 'local') };
    }
    // A failed micropay was answered for certain: nothing is on its way that could charge later.
    if (row.status === 'failed' || now >= lateChargeWatchEnd(row, ctx)) return { step: 'done' };
    return { step: 'confirm', next_at: now + config.lateChargeCheckMs };
  }
  return later(unknownReason(row, answer, ctx));
}

/** Journal entry written before each reverse call. */
export function beforeReverse(row: PaymentRow, ctx: Ctx): PaymentPatch | undefined {
  return row.step === 'reverse' ? { reverse_attempts: row.reverse_attempts + 1, next_at: ctx.now } : undefined;
}

export function afterReverse(row: PaymentRow, answer: Answer<CancelAnswer>, ctx: Ctx): PaymentPatch | undefined {
  if (row.step !== 'reverse') return undefined;
  const attempts = row.reverse_attempts;
  const closing = isClosing(row);
  if (answer.kind === 'config' && closing) return stopClosing(row, answer.code, ctx);
  if (answer.kind === 'business_error' && closing && !['SYSTEMERROR', 'USERPAYING', 'ORDERNOTEXIST'].includes(answer.code)) {
    return stopClosing(row, answer.code, ctx);
  }
  if (answer.kind === 'business_error' && answer.code === 'REVERSE_EXPIRE' && isReturningLateCharge(row)) {
    // Older than 7 days: only a refund gives the money back now, and a person decides it.
    return { status: 'needs_attention', step: 'manual', error_code: 'REVERSE_EXPIRE', error_message: msg('REVERSE_EXPIRE', ctx, 'reverse') };
  }
  switch (answer.kind) {
    case 'ok': {
      // Alipay says what its cancel did: closed an unpaid trade, or gave a paid one's money back.
      const action: PaymentPatch = answer.value.action ? { cancel_action: answer.value.action } : {};
      // Acknowledged: one query confirms nothing was paid in between (late payment check).
      return answer.value.recall ? retryReverse(row, ctx, attempts, action) : { ...action, step: 'confirm', next_at: ctx.now };
    }
    case 'business_error':
      switch (answer.code) {
        case 'SYSTEMERROR':
        case 'USERPAYING':
          return retryReverse(row, ctx, attempts);
        case 'ORDERNOTEXIST':
          return { step: 'confirm', next_at: ctx.now };
        case 'REVERSE_EXPIRE':
          // Older than 7 days: reverse is no longer possible. Keep querying; a person refunds if it was paid.
          return {
            status: 'needs_attention',
            step: 'query',
            error_code: 'REVERSE_EXPIRE',
            error_message: msg('REVERSE_EXPIRE', ctx, 'reverse'),
            next_at: ctx.now,
          };
        default:
          return {
            status: 'needs_attention',
            error_code: answer.code,
            error_message: msg(answer.code, ctx, 'reverse'),
            reverse_attempts: attempts,
            next_at: ctx.now + ctx.config.attentionIntervalMs,
          };
      }
    case 'config':
      return {
        status: 'needs_attention',
        error_code: answer.code,
        error_message: `${msg(answer.code, ctx, 'local')} ${answer.detail}`.trim(),
        next_at: ctx.now + ctx.config.attentionIntervalMs,
      };
    default:
      return retryReverse(row, ctx, attempts, unknownReason(row, answer, ctx));
  }
}

/** The cashier cancels: the same reverse path (still not before reverse_after). */
export function requestCancel(row: PaymentRow, ctx: Ctx): PaymentPatch | undefined {
  // Final for the cashier (a failed or canceled order still being closed at WeChat): nothing to cancel.
  if (isSettled(row) || isFinal(row.status)) return undefined;
  if (row.step === 'reverse' || row.step === 'confirm') return { cancel_requested: true };
  return { cancel_requested: true, ...decideReverse(row, 'cancel', ctx) };
}
