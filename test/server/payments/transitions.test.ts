import { describe, expect, it } from 'vitest';
import { FLOW_DEFAULTS } from '../../../server/payments/config.ts';
import { afterRefund, afterRefundQuery, beforeRefund } from '../../../server/payments/refund-transitions.ts';
import {
  afterMicropay,
  afterQuery,
  afterReverse,
  backoffMs,
  beforeMicropay,
  beforeReverse,
  requestCancel,
  resumeUnsent,
  type Answer,
  type Ctx,
} from '../../../server/payments/transitions.ts';
import type { PaymentPatch, PaymentRow, RefundPatch, RefundRow } from '../../../server/store/types.ts';
import type { OrderState, PaidOrder, RefundAccepted, RefundState, ReverseResult, TradeState } from '../../../server/wechat/gateway.ts';
import { storedPayment, storedRefund, T0 } from '../../support/journal-rows.ts';

/**
 * The state machine itself, one table per decision: (journal row, gateway answer, now) → the
 * exact patch journaled (docs/payment-states.md). The flow tests drive the same functions through
 * the driver; these pin every branch without a clock or a gateway. Texts are the catalogue's
 * (test/shared/error-catalogue.test.ts), so here a message is only required to be there.
 */

const { pollIntervalMs: POLL, attentionIntervalMs: ATTENTION, reverseMaxAttempts: MAX_ATTEMPTS } = FLOW_DEFAULTS;
const DEADLINE = T0 + FLOW_DEFAULTS.deadlineMs;
const REVERSE_AFTER = T0 + FLOW_DEFAULTS.reverseMinAgeMs;
const ctxAt = (now: number): Ctx => ({ now, config: { ...FLOW_DEFAULTS, language: 'en' } });
/** Early in a payment: before the earliest reverse and the deadline. */
const EARLY = T0 + 5_000;
/** Past the earliest reverse, before the deadline. */
const LATER = T0 + 20_000;
const MESSAGE = expect.any(String);

const row = (over: Partial<PaymentRow> = {}): PaymentRow => storedPayment({ amount_fen: 1_000, step: 'query', sent_at: T0, ...over });
const reversing = (over: Partial<PaymentRow> = {}): PaymentRow =>
  row({ step: 'reverse', reverse_decided_at: T0 + 1_000, reverse_reason: 'deadline', reverse_attempts: 1, ...over });
const confirming = (over: Partial<PaymentRow> = {}): PaymentRow => reversing({ step: 'confirm', ...over });

const order = (total_fee = 1_000): PaidOrder => ({ transaction_id: '4200000001', out_trade_no: 'o_p1', total_fee });
const ok = <T,>(value: T): Answer<T> => ({ kind: 'ok', value, fields: {} });
const err = <T,>(code: string, description = ''): Answer<T> => ({ kind: 'business_error', code, description, fields: {} });
const rejected = <T,>(): Answer<T> => ({ kind: 'rejected', message: 'invalid request', fields: {} });
const unknown = <T,>(code: 'GATEWAY_TIMEOUT' | 'NETWORK' | 'BAD_SIGNATURE' | 'BAD_RESPONSE' = 'GATEWAY_TIMEOUT'): Answer<T> => ({ kind: 'unknown', code, detail: 'no answer' });
const config = <T,>(code: string, detail = 'set WECHAT_CERT_PEM'): Answer<T> => ({ kind: 'config', code, detail });
const trade = (trade_state: TradeState, paid?: PaidOrder): Answer<OrderState> => ok({ trade_state, ...(paid ? { paid } : {}) });

/** A paid answer without cash_fee, coupon_fee, settlement_total_fee or bank_type: each stored as null. */
const NO_FACTS: PaymentPatch = { cash_fen: null, coupon_fen: null, settlement_fen: null, bank_type: null };
const WATCH_END = T0 + FLOW_DEFAULTS.lateChargeWatchMs;
const CHECK = FLOW_DEFAULTS.lateChargeCheckMs;
const succeeded = (late = false): PaymentPatch => ({
  ...NO_FACTS,
  status: 'succeeded',
  step: 'done',
  transaction_id: '4200000001',
  late_payment: late,
  error_code: late ? 'LATE_PAYMENT' : null,
  error_message: late ? MESSAGE : null,
});
const failed = (code: string, message: unknown = MESSAGE): PaymentPatch => ({ status: 'failed', step: 'done', error_code: code, error_message: message as string });
const canceled = (code: string): PaymentPatch => ({ status: 'canceled', step: 'done', error_code: code, error_message: MESSAGE });
const reverseDecided = (reason: 'deadline' | 'cancel' | 'not_found', now: number, next_at: number): PaymentPatch => ({
  step: 'reverse',
  reverse_reason: reason,
  reverse_decided_at: now,
  next_at,
});

type Case<T> = [what: string, row: PaymentRow, answer: Answer<T>, now: number, patch: PaymentPatch | undefined];

describe('afterMicropay', () => {
  const cases: Case<PaidOrder>[] = [
    ['paid with the amount asked → succeeded', row(), ok(order()), EARLY, succeeded()],
    ['paid after a reverse was decided → succeeded, flagged late', row({ reverse_decided_at: T0 + 1_000 }), ok(order()), EARLY, succeeded(true)],
    [
      'paid another amount → needs_attention for a person (AMOUNT_MISMATCH)',
      row(),
      ok(order(999)),
      EARLY,
      { ...NO_FACTS, status: 'needs_attention', step: 'manual', transaction_id: '4200000001', error_code: 'AMOUNT_MISMATCH', error_message: expect.stringContaining('999 ≠ 1000 fen') },
    ],
    // Failed for the cashier at once; a query then finds the order WeChat may have opened, to close it.
    ['a customer error (NOTENOUGH) → failed with that code, then a query to close the order', row(), err('NOTENOUGH'), EARLY, { ...failed('NOTENOUGH'), step: 'query', next_at: EARLY }],
    ['an expired code (AUTHCODEEXPIRE) → failed, then a query to close the order', row(), err('AUTHCODEEXPIRE'), EARLY, { ...failed('AUTHCODEEXPIRE'), step: 'query', next_at: EARLY }],
    ['a merchant error (SIGNERROR) → failed', row(), err('SIGNERROR'), EARLY, failed('SIGNERROR')],
    ['USERPAYING → user_paying, query after the poll interval', row(), err('USERPAYING'), EARLY, { status: 'user_paying', next_at: EARLY + POLL }],
    ['USERPAYING on a needs_attention payment keeps needs_attention', row({ status: 'needs_attention' }), err('USERPAYING'), EARLY, { status: 'needs_attention', next_at: EARLY + POLL }],
    ['SYSTEMERROR → still processing with the reason, query after the poll interval', row(), err('SYSTEMERROR'), EARLY, { error_code: 'SYSTEMERROR', error_message: MESSAGE, next_at: EARLY + POLL }],
    ['BANKERROR → still processing with the reason, query at once', row(), err('BANKERROR'), EARLY, { error_code: 'BANKERROR', error_message: MESSAGE, next_at: EARLY }],
    ['an order-state code (ORDERPAID) → query at once', row(), err('ORDERPAID'), EARLY, { next_at: EARLY }],
    ['a code WeChat invents → query at once, never assumed failed', row(), err('SOMETHING_NEW'), EARLY, { next_at: EARLY }],
    ['return_code FAIL → remembered as rejected, query at once', row(), rejected(), EARLY, { send_rejected: true, next_at: EARLY }],
    ['a request that cannot be built → failed REQUEST_INVALID (nothing sent)', row(), config('REQUEST_INVALID', 'a lone surrogate'), EARLY, failed('REQUEST_INVALID', expect.stringContaining('(a lone surrogate)'))],
    [
      'no answer in time → the reason on the payment, query at once',
      row(),
      unknown('GATEWAY_TIMEOUT'),
      EARLY,
      { event_code: 'GATEWAY_TIMEOUT', error_code: 'GATEWAY_TIMEOUT', error_message: MESSAGE, next_at: EARLY },
    ],
    [
      'a forged answer on a needs_attention payment → an event only, its reason kept',
      row({ status: 'needs_attention', error_code: 'OUTCOME_UNKNOWN', error_message: 'x' }),
      unknown('BAD_SIGNATURE'),
      EARLY,
      { event_code: 'BAD_SIGNATURE', next_at: EARLY },
    ],
    ['USERPAYING after the cashier canceled (step reverse) → status only: the reverse keeps its schedule', reversing(), err('USERPAYING'), EARLY, { status: 'user_paying' }],
    ['any answer to a settled payment → nothing', row({ status: 'succeeded', step: 'done' }), ok(order()), EARLY, undefined],
    ['any answer to a payment left to a person → nothing', row({ status: 'needs_attention', step: 'manual' }), err('NOTENOUGH'), EARLY, undefined],
  ];
  it.each(cases)('%s', (_what, current, answer, now, patch) => {
    expect(afterMicropay(current, answer, ctxAt(now))).toEqual(patch);
  });
});

describe('afterQuery', () => {
  const cases: Case<OrderState>[] = [
    ['SUCCESS → succeeded', row(), trade('SUCCESS', order()), EARLY, succeeded()],
    ['REFUND (paid, then refunded) → succeeded', row(), trade('REFUND', order()), EARLY, succeeded()],
    ['SUCCESS without the paid fields → still open', row(), trade('SUCCESS'), EARLY, { next_at: EARLY + POLL }],
    ['SUCCESS while confirming a reverse → succeeded, late', confirming(), trade('SUCCESS', order()), LATER, succeeded(true)],
    [
      'PAYERROR → failed, and a reverse closes the order, not before the earliest reverse',
      row({ status: 'user_paying' }),
      trade('PAYERROR'),
      EARLY,
      { ...failed('PAYERROR'), step: 'reverse', reverse_reason: 'close', reverse_decided_at: EARLY, next_at: REVERSE_AFTER },
    ],
    ['REVOKED → canceled REVERSED', reversing(), trade('REVOKED'), LATER, canceled('REVERSED')],
    ['REVOKED after the cashier canceled → canceled CANCELED', reversing({ cancel_requested: true, reverse_reason: 'cancel' }), trade('REVOKED'), LATER, canceled('CANCELED')],
    ['CLOSED without a reverse of ours → canceled ORDERCLOSED', row(), trade('CLOSED'), EARLY, canceled('ORDERCLOSED')],
    ['CLOSED after our reverse → canceled REVERSED', confirming(), trade('CLOSED'), LATER, canceled('REVERSED')],
    ['NOTPAY before the deadline → poll', row(), trade('NOTPAY'), EARLY, { next_at: EARLY + POLL }],
    ['NOTPAY just before the deadline → the next look is at the deadline', row(), trade('NOTPAY'), DEADLINE - 500, { next_at: DEADLINE }],
    ['NOTPAY at the deadline → reverse (deadline)', row(), trade('NOTPAY'), DEADLINE, reverseDecided('deadline', DEADLINE, DEADLINE)],
    ['NOTPAY while confirming a reverse → canceled REVERSED', confirming(), trade('NOTPAY'), LATER, canceled('REVERSED')],
    ['USERPAYING → user_paying, poll', row(), trade('USERPAYING'), EARLY, { status: 'user_paying', next_at: EARLY + POLL }],
    ['ACCEPT → poll, status unchanged', row(), trade('ACCEPT'), EARLY, { next_at: EARLY + POLL }],
    ['USERPAYING while confirming → reverse again after the backoff', confirming(), trade('USERPAYING'), LATER, { step: 'reverse', reverse_attempts: 1, next_at: LATER + backoffMs(1, FLOW_DEFAULTS) }],
    [
      'ACCEPT while confirming, out of attempts → needs_attention OUTCOME_UNKNOWN',
      confirming({ reverse_attempts: MAX_ATTEMPTS }),
      trade('ACCEPT'),
      LATER,
      { step: 'reverse', reverse_attempts: MAX_ATTEMPTS, status: 'needs_attention', error_code: 'OUTCOME_UNKNOWN', error_message: MESSAGE, next_at: LATER + ATTENTION },
    ],
    ['a needs_attention payment still open → looked at again at the background pace', row({ status: 'needs_attention' }), trade('NOTPAY'), EARLY, { next_at: EARLY + ATTENTION }],
    ['ORDERNOTEXIST after a rejected send → failed REQUEST_REJECTED', row({ send_rejected: true }), err('ORDERNOTEXIST'), EARLY, failed('REQUEST_REJECTED')],
    [
      'ORDERNOTEXIST otherwise → reverse (not_found), not before the earliest reverse',
      row(),
      err('ORDERNOTEXIST'),
      EARLY,
      reverseDecided('not_found', EARLY, EARLY + POLL),
    ],
    ['ORDERNOTEXIST past the earliest reverse → reverse at once', row(), err('ORDERNOTEXIST'), LATER, reverseDecided('not_found', LATER, LATER)],
    [
      'ORDERNOTEXIST on a needs_attention payment → canceled REVERSED, watched for a late charge',
      row({ status: 'needs_attention' }),
      err('ORDERNOTEXIST'),
      EARLY,
      { ...canceled('REVERSED'), step: 'confirm', next_at: EARLY + CHECK },
    ],
    ['ORDERNOTEXIST while confirming → canceled REVERSED, watched for a late charge', confirming(), err('ORDERNOTEXIST'), LATER, { ...canceled('REVERSED'), step: 'confirm', next_at: LATER + CHECK }],
    ['ORDERNOTEXIST while confirming, once the code is dead → canceled REVERSED, done', confirming(), err('ORDERNOTEXIST'), WATCH_END, canceled('REVERSED')],
    ['a watched payment still unknown to WeChat → checked again', confirming({ status: 'canceled' }), err('ORDERNOTEXIST'), LATER, { step: 'confirm', next_at: LATER + CHECK }],
    ['a watched payment unknown to WeChat once the code is dead → done', confirming({ status: 'canceled' }), err('ORDERNOTEXIST'), WATCH_END, { step: 'done' }],
    [
      'a watched payment found paid → the charge is reversed, flagged late',
      confirming({ status: 'canceled' }),
      trade('SUCCESS', order()),
      LATER,
      { ...NO_FACTS, late_payment: true, transaction_id: '4200000001', error_code: 'LATE_PAYMENT_RETURNING', error_message: MESSAGE, step: 'reverse', reverse_reason: 'late_charge', reverse_decided_at: LATER, reverse_attempts: 0, next_at: LATER },
    ],
    [
      'a late charge reversed and confirmed REVOKED → canceled LATE_PAYMENT_RETURNED',
      confirming({ status: 'canceled', reverse_reason: 'late_charge', late_payment: true }),
      trade('REVOKED'),
      LATER,
      { status: 'canceled', step: 'done', error_code: 'LATE_PAYMENT_RETURNED', error_message: MESSAGE },
    ],
    ['SYSTEMERROR → poll', row(), err('SYSTEMERROR'), EARLY, { next_at: EARLY + POLL }],
    ['no answer → the reason on the payment, poll', row(), unknown('NETWORK'), EARLY, { event_code: 'NETWORK', error_code: 'NETWORK', error_message: MESSAGE, next_at: EARLY + POLL }],
    ['NOTPAY in step reverse before the earliest reverse → query again until then', reversing(), trade('NOTPAY'), EARLY, { next_at: EARLY + POLL }],
    ['NOTPAY in step reverse once it may reverse → reverse now', reversing(), trade('NOTPAY'), LATER, { next_at: LATER }],
    ['any answer to a settled payment → nothing', row({ status: 'failed', step: 'done' }), trade('SUCCESS', order()), EARLY, undefined],
  ];
  it.each(cases)('%s', (_what, current, answer, now, patch) => {
    expect(afterQuery(current, answer, ctxAt(now))).toEqual(patch);
  });
});

describe('afterReverse', () => {
  const cases: Case<ReverseResult>[] = [
    ['acknowledged (recall N) → confirm by query at once', reversing(), ok({ recall: false }), LATER, { step: 'confirm', next_at: LATER }],
    ['recall Y → reverse again after 1 s', reversing(), ok({ recall: true }), LATER, { reverse_attempts: 1, next_at: LATER + 1_000 }],
    ['SYSTEMERROR on the third attempt → again after 4 s', reversing({ reverse_attempts: 3 }), err('SYSTEMERROR'), LATER, { reverse_attempts: 3, next_at: LATER + 4_000 }],
    ['USERPAYING (cannot reverse while paying) → again after the backoff', reversing({ reverse_attempts: 2 }), err('USERPAYING'), LATER, { reverse_attempts: 2, next_at: LATER + 2_000 }],
    ['the backoff is capped', reversing({ reverse_attempts: 5 }), err('SYSTEMERROR'), LATER, { reverse_attempts: 5, next_at: LATER + Math.min(16_000, FLOW_DEFAULTS.reverseBackoffMaxMs) }],
    [
      'out of attempts → needs_attention OUTCOME_UNKNOWN, retried at the background pace',
      reversing({ reverse_attempts: MAX_ATTEMPTS }),
      ok({ recall: true }),
      LATER,
      { reverse_attempts: MAX_ATTEMPTS, status: 'needs_attention', error_code: 'OUTCOME_UNKNOWN', error_message: MESSAGE, next_at: LATER + ATTENTION },
    ],
    ['recall Y on a needs_attention payment → background pace', reversing({ status: 'needs_attention' }), ok({ recall: true }), LATER, { reverse_attempts: 1, next_at: LATER + ATTENTION }],
    ['ORDERNOTEXIST → confirm', reversing(), err('ORDERNOTEXIST'), LATER, { step: 'confirm', next_at: LATER }],
    [
      'REVERSE_EXPIRE (older than 7 days) → needs_attention, back to querying',
      reversing(),
      err('REVERSE_EXPIRE'),
      LATER,
      { status: 'needs_attention', step: 'query', error_code: 'REVERSE_EXPIRE', error_message: MESSAGE, next_at: LATER },
    ],
    [
      'another err_code → needs_attention with that code',
      reversing(),
      err('SIGNERROR'),
      LATER,
      { status: 'needs_attention', error_code: 'SIGNERROR', error_message: MESSAGE, reverse_attempts: 1, next_at: LATER + ATTENTION },
    ],
    [
      'no client certificate → needs_attention CERT_MISSING with how to fix it',
      reversing(),
      config('CERT_MISSING'),
      LATER,
      { status: 'needs_attention', error_code: 'CERT_MISSING', error_message: expect.stringContaining('set WECHAT_CERT_PEM'), next_at: LATER + ATTENTION },
    ],
    [
      'no answer → retry after the backoff, the reason on the payment',
      reversing(),
      unknown('GATEWAY_TIMEOUT'),
      LATER,
      { event_code: 'GATEWAY_TIMEOUT', error_code: 'GATEWAY_TIMEOUT', error_message: MESSAGE, reverse_attempts: 1, next_at: LATER + 1_000 },
    ],
    ['an answer outside step reverse → nothing', confirming(), ok({ recall: false }), LATER, undefined],
  ];
  it.each(cases)('%s', (_what, current, answer, now, patch) => {
    expect(afterReverse(current, answer, ctxAt(now))).toEqual(patch);
  });
});

describe('the journal entries before each call, and the cashier cancel', () => {
  const cases: [what: string, decide: (r: PaymentRow, c: Ctx) => PaymentPatch | undefined, row: PaymentRow, now: number, patch: PaymentPatch | undefined][] = [
    ['before micropay: journaled as sent', beforeMicropay, row({ step: 'send', sent_at: null }), T0, { step: 'query', sent_at: T0, next_at: T0 }],
    ['before micropay of a row already sent → nothing (never sent twice)', beforeMicropay, row(), T0, undefined],
    ['unsent after a restart (no code in memory) → query at once', resumeUnsent, row({ step: 'send', sent_at: null }), EARLY, { step: 'query', next_at: EARLY }],
    ['before each reverse: the attempt is counted', beforeReverse, reversing({ reverse_attempts: 2 }), LATER, { reverse_attempts: 3, next_at: LATER }],
    ['before reverse outside step reverse → nothing', beforeReverse, row(), LATER, undefined],
    ['cancel while querying → reverse (cancel), not before the earliest reverse', requestCancel, row(), EARLY, { cancel_requested: true, ...reverseDecided('cancel', EARLY, EARLY + POLL) }],
    ['cancel past the earliest reverse → reverse at once', requestCancel, row({ status: 'user_paying' }), LATER, { cancel_requested: true, ...reverseDecided('cancel', LATER, LATER) }],
    ['cancel while already reversing → only recorded', requestCancel, reversing(), LATER, { cancel_requested: true }],
    ['cancel while confirming → only recorded', requestCancel, confirming(), LATER, { cancel_requested: true }],
    ['cancel of a settled payment → nothing', requestCancel, row({ status: 'succeeded', step: 'done' }), LATER, undefined],
  ];
  it.each(cases)('%s', (_what, decide, current, now, patch) => {
    expect(decide(current, ctxAt(now))).toEqual(patch);
  });
});

describe('refunds', () => {
  const sending = (over: Partial<RefundRow> = {}): RefundRow => storedRefund({ step: 'send', attempts: 1, ...over });
  const querying = (over: Partial<RefundRow> = {}): RefundRow => storedRefund({ step: 'query', attempts: 1, refund_id: '5030000001', ...over });
  /** While the manager waits for the answer (refundConfirmMs), and after. */
  const WAITING = T0 + 1_000;
  const BACKGROUND = T0 + FLOW_DEFAULTS.refundConfirmMs + 1_000;
  const accepted: RefundAccepted = { refund_id: '5030000001', out_refund_no: 'r1', refund_fee: 40 };
  const state = (refund_status: RefundState['refund_status'], refund_id?: string): Answer<RefundState> =>
    ok({ out_refund_no: 'r1', refund_fee: 40, refund_status, ...(refund_id ? { refund_id } : {}) });
  const refundFailed = (code: string, message: unknown = MESSAGE): RefundPatch => ({ status: 'failed', step: 'done', error_code: code, error_message: message as string });

  const sendCases: [what: string, row: RefundRow, answer: Answer<RefundAccepted>, now: number, patch: RefundPatch | undefined][] = [
    ['accepted → refundquery at once', sending(), ok(accepted), WAITING, { step: 'query', refund_id: '5030000001', next_at: WAITING }],
    ['SYSTEMERROR → send again with the same out_refund_no', sending(), err('SYSTEMERROR'), WAITING, { step: 'send', next_at: WAITING + POLL }],
    ['a retry code (BIZERR_NEED_RETRY) → send again', sending(), err('BIZERR_NEED_RETRY'), WAITING, { step: 'send', next_at: WAITING + POLL }],
    ['a code WeChat invents → send again (it refunds once)', sending(), err('SOMETHING_NEW'), WAITING, { step: 'send', next_at: WAITING + POLL }],
    ['no answer → send again', sending(), unknown('NETWORK'), WAITING, { step: 'send', next_at: WAITING + POLL }],
    ['no answer once the manager stopped waiting → send again at the background pace', sending(), unknown('NETWORK'), BACKGROUND, { step: 'send', next_at: BACKGROUND + ATTENTION }],
    ['the merchant balance is short (NOTENOUGH) → failed', sending(), err('NOTENOUGH'), WAITING, refundFailed('NOTENOUGH')],
    ['ERROR → failed, with WeChat\'s own description', sending(), err('ERROR', '订单已全额退款'), WAITING, refundFailed('ERROR', expect.stringContaining('(订单已全额退款)'))],
    ['return_code FAIL → failed REQUEST_REJECTED with WeChat\'s message', sending(), rejected(), WAITING, refundFailed('REQUEST_REJECTED', expect.stringContaining('(invalid request)'))],
    ['no client certificate → failed CERT_MISSING', sending(), config('CERT_MISSING'), WAITING, refundFailed('CERT_MISSING')],
    ['an answer outside step send → nothing', querying(), ok(accepted), WAITING, undefined],
  ];
  it.each(sendCases)('refund: %s', (_what, current, answer, now, patch) => {
    expect(afterRefund(current, answer, ctxAt(now))).toEqual(patch);
  });

  const queryCases: [what: string, row: RefundRow, answer: Answer<RefundState>, now: number, patch: RefundPatch | undefined][] = [
    ['SUCCESS → succeeded with WeChat\'s refund id', querying(), state('SUCCESS', '5030000002'), WAITING, { status: 'succeeded', step: 'done', refund_id: '5030000002', error_code: null, error_message: null }],
    ['SUCCESS without a refund id → the one from the acceptance', querying(), state('SUCCESS'), WAITING, { status: 'succeeded', step: 'done', refund_id: '5030000001', error_code: null, error_message: null }],
    ['REFUNDCLOSE → failed', querying(), state('REFUNDCLOSE'), WAITING, refundFailed('REFUNDCLOSE')],
    ['CHANGE → failed', querying(), state('CHANGE'), WAITING, refundFailed('CHANGE')],
    ['PROCESSING → ask again after the poll interval', querying(), state('PROCESSING'), WAITING, { next_at: WAITING + POLL }],
    ['PROCESSING once the manager stopped waiting → background pace', querying(), state('PROCESSING'), BACKGROUND, { next_at: BACKGROUND + ATTENTION }],
    ['REFUNDNOTEXIST → send again', querying(), err('REFUNDNOTEXIST'), WAITING, { step: 'send', next_at: WAITING + POLL }],
    ['no answer → ask again', querying(), unknown('GATEWAY_TIMEOUT'), WAITING, { next_at: WAITING + POLL }],
    ['an answer outside step query → nothing', sending(), state('SUCCESS'), WAITING, undefined],
  ];
  it.each(queryCases)('refundquery: %s', (_what, current, answer, now, patch) => {
    expect(afterRefundQuery(current, answer, ctxAt(now))).toEqual(patch);
  });

  it('counts each send before it is made, and only in step send', () => {
    expect(beforeRefund(sending({ attempts: 2 }), ctxAt(WAITING))).toEqual({ attempts: 3, next_at: WAITING });
    expect(beforeRefund(querying(), ctxAt(WAITING))).toBeUndefined();
  });
});
