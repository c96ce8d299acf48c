import { maskCode } from '../../shared/payment-code.ts';
import type { MicropayRequest } from '../wechat/gateway.ts';
import { createIdMint } from './ids.ts';
import { memoryLedgerStore, type LedgerStore } from './ledger-store.ts';
import { behaviourOf, makeTestCode, type Behaviour } from './test-codes.ts';
import { beijingDateTime, beijingDay, beijingStamp } from './time.ts';

/**
 * The simulated gateway's books: every order, refund and reversal, and the rules WeChat applies
 * to them. Pure logic over an injectable clock; the HTTP envelope (XML, signatures) lives in
 * app.ts. Time-driven changes (a declined password, a refund settling) are applied lazily when
 * an order is read, so a fake clock drives them without timers. Every operation writes the
 * orders it changed to the ledger store (ledger-store.ts), so the books survive a restart.
 */

export type SimTradeState = 'SUCCESS' | 'REFUND' | 'NOTPAY' | 'CLOSED' | 'REVOKED' | 'USERPAYING' | 'PAYERROR' | 'ACCEPT';
export type SimRefundStatus = 'PROCESSING' | 'SUCCESS';

export interface SimRefund {
  out_refund_no: string;
  refund_id: string;
  refund_fee: number;
  refund_status: SimRefundStatus;
}

/** What GET /control/orders shows (server/simulator/README.md). */
export interface SimOrder {
  out_trade_no: string;
  transaction_id: string;
  total_fee: number;
  trade_state: SimTradeState;
  auth_code_masked: string;
  device_info?: string;
  refunds: SimRefund[];
  reverse_calls: number;
  micropay_calls: number;
  created_at: string;
  paid_at?: string;
  /** Extra: which test behaviour the order's code chose. */
  behaviour?: Behaviour;
}

interface RefundRecord {
  out_refund_no: string;
  refund_id: string;
  refund_fee: number;
  accepted_at: Date;
}

interface Order {
  out_trade_no: string;
  transaction_id: string;
  total_fee: number;
  trade_state: SimTradeState;
  auth_code: string;
  behaviour?: Behaviour;
  device_info?: string;
  attach?: string;
  body: string;
  openid: string;
  created_at: Date;
  paid_at?: Date;
  revoked_at?: Date;
  /** The order was paid when it was reversed: the money went back (a REVOKED bill line). */
  reversed_after_payment: boolean;
  refunds: RefundRecord[];
  reverse_calls: number;
  micropay_calls: number;
  /** The business error a retried micropay answers again while the order is unpaid. */
  last_error?: { code: string; des: string };
  /** orderquery calls so far (query_systemerror answers SYSTEMERROR to the first few). */
  query_calls: number;
  /** reverse_recall: the first reverse was answered recall=Y. */
  recall_answered?: boolean;
  /** The simulated coupon's id (coupon and promotion behaviours). */
  coupon_id?: string;
}

/** A ledger answer before the envelope: fields of a SUCCESS result, or a business error. */
export type Answer =
  | { ok: true; fields: Record<string, string>; forged?: boolean; delayMs?: number }
  | { ok: false; code: string; des: string; fields?: Record<string, string>; delayMs?: number };

export interface LedgerOptions {
  now: () => Date;
  /** Where the books are kept between restarts (default: memory only). */
  store?: LedgerStore;
  /** An order nobody paid (the customer never confirmed) is revoked this long after creation (WeChat: 45 s). */
  unpaidRevokeMs?: number;
  /** How many orderquery calls of a query_systemerror order answer SYSTEMERROR before the truth (default 3). */
  querySystemErrors?: number;
  /** At most this many orders are kept, the oldest dropped first (default LEDGER_MAX_ORDERS). */
  maxOrders?: number;
  slowMs: number;
  passwordDeclineMs: number;
  /** How long an accepted refund stays PROCESSING before it is SUCCESS (0: at once). */
  refundSettleMs: number;
  /** How long a code handed out by issueCode() can be charged (WeChat: about a minute). */
  codeTtlMs: number;
}

/** The micropay fields the ledger acts on: the same WeChat fields the client sends. */
export type MicropayInput = Pick<MicropayRequest, 'out_trade_no' | 'total_fee' | 'auth_code' | 'body' | 'device_info' | 'attach'>;

export interface RefundInput {
  order: { out_trade_no?: string; transaction_id?: string };
  out_refund_no: string;
  total_fee: number;
  refund_fee: number;
}

export interface BillRecord {
  time: Date;
  kind: 'SUCCESS' | 'REFUND' | 'REVOKED';
  transaction_id: string;
  out_trade_no: string;
  openid: string;
  device_info?: string;
  body: string;
  attach?: string;
  total_fee: number;
  refund_id?: string;
  out_refund_no?: string;
  refund_fee?: number;
  /** The order's coupon or discount in fen (0: none). */
  discount_fee: number;
  /** settlement_total_fee: total_fee less a no-cash (merchant-funded) coupon. */
  settlement_fee: number;
  /** Refund and REVOKED lines: when the money back was asked for, and when it went (absent while PROCESSING). */
  refund_status?: SimRefundStatus;
  refund_requested_at?: Date;
  refund_succeeded_at?: Date;
}

const MAX_REFUNDS = 50;
/** How long orders are kept: past the one-year refund window, so a late refund still gets TRADE_OVERDUE. */
export const LEDGER_RETENTION_MS = 400 * 24 * 3600_000;
/** At most this many orders are kept (the oldest go first). */
export const LEDGER_MAX_ORDERS = 50_000;
const PRUNE_EVERY_MS = 3600_000;
const ISSUED_CODE_RETENTION_MS = 24 * 3600_000;
const REVERSE_WINDOW_MS = 7 * 24 * 3600_000;
const REFUND_WINDOW_MS = 365 * 24 * 3600_000;

const TRADE_STATE_DESC: Record<SimTradeState, string> = {
  SUCCESS: '支付成功',
  REFUND: '订单发生过退款，退款详情请查询退款单',
  NOTPAY: '订单未支付',
  CLOSED: '订单已关闭',
  REVOKED: '订单已撤销',
  USERPAYING: '需要用户输入支付密码',
  // The live gateway's text for a failed micropay order (a real 2024 orderquery answer).
  PAYERROR: '支付失败，请撤销订单',
  ACCEPT: '已接收，等待扣款',
};

/** The live gateway's answer to a payment code that was already used (a real 2024 micropay answer). */
export const CODE_USED = { code: 'AUTH_CODE_INVALID', des: '101 每个二维码仅限使用一次，请刷新再试' } as const;

/**
 * The simulated coupon of the coupon and promotion behaviours: a tenth of the amount, 1 fen to
 * ¥5, and none on a 1-fen payment (a coupon leaves the customer at least 1 fen to pay).
 */
export function couponFen(totalFee: number): number {
  return totalFee < 2 ? 0 : Math.max(1, Math.min(500, Math.floor(totalFee / 10)));
}

const err = (code: string, des: string, extra: Partial<Answer> = {}): Answer => ({ ok: false, code, des, ...extra }) as Answer;
const USERPAYING_ERR = { code: 'USERPAYING', des: '需要用户输入支付密码' };
const PAYERROR_ERR = { code: 'TRADE_ERROR', des: '支付失败，用户取消支付或密码错误' };

export function createLedger(options: LedgerOptions) {
  const ids = createIdMint();
  const store = options.store ?? memoryLedgerStore();
  const unpaidRevokeMs = options.unpaidRevokeMs ?? 45_000;
  const querySystemErrors = options.querySystemErrors ?? 3;
  const maxOrders = options.maxOrders ?? LEDGER_MAX_ORDERS;
  const orders = new Map<string, Order>();
  const byTransactionId = new Map<string, Order>();
  const usedCodes = new Map<string, string>(); // auth_code → out_trade_no
  const issuedCodes = new Map<string, Date>(); // codes handed out by issueCode(), for their time to live
  let reports = 0;

  const now = () => options.now();

  // ---- persistence: orders an operation looked at are written back when they changed ----
  const touched = new Set<Order>();
  const savedJson = new Map<string, string>();
  let lastPrune = 0;

  function index(order: Order): void {
    orders.set(order.out_trade_no, order);
    if (order.transaction_id) byTransactionId.set(order.transaction_id, order);
    if (order.auth_code) usedCodes.set(order.auth_code, order.out_trade_no);
  }

  function flush(): void {
    if (!store.persistent) return touched.clear();
    for (const order of touched) {
      if (orders.get(order.out_trade_no) !== order) continue; // pruned or reset meanwhile
      const json = serialise(order);
      if (savedJson.get(order.out_trade_no) === json) continue;
      store.saveOrder(order.out_trade_no, order.created_at.getTime(), json);
      savedJson.set(order.out_trade_no, json);
    }
    touched.clear();
  }

  /** Runs one ledger operation and writes back what it changed. */
  const op =
    <A extends unknown[], R>(fn: (...args: A) => R) =>
    (...args: A): R => {
      try {
        prune();
        return fn(...args);
      } finally {
        flush();
      }
    };

  /** Bounded retention: orders older than LEDGER_RETENTION_MS, or beyond the newest maxOrders, are dropped. */
  function prune(force = false): void {
    const at = now().getTime();
    if (!force && at - lastPrune < PRUNE_EVERY_MS && orders.size <= maxOrders) return;
    lastPrune = at;
    const gone = new Set<Order>();
    for (const order of orders.values()) if (at - order.created_at.getTime() > LEDGER_RETENTION_MS) gone.add(order);
    if (orders.size - gone.size > maxOrders) {
      const left = [...orders.values()].filter((o) => !gone.has(o)).sort((a, b) => a.created_at.getTime() - b.created_at.getTime());
      for (const order of left.slice(0, left.length - maxOrders)) gone.add(order);
    }
    for (const order of gone) {
      orders.delete(order.out_trade_no);
      byTransactionId.delete(order.transaction_id);
      if (usedCodes.get(order.auth_code) === order.out_trade_no) usedCodes.delete(order.auth_code);
      savedJson.delete(order.out_trade_no);
    }
    if (gone.size) store.deleteOrders([...gone].map((o) => o.out_trade_no));
    // Handed-out codes are kept well past their time to live, so an expired one still answers AUTHCODEEXPIRE.
    const codesBefore = at - Math.max(options.codeTtlMs, ISSUED_CODE_RETENTION_MS);
    for (const [code, issued] of issuedCodes) if (issued.getTime() < codesBefore) issuedCodes.delete(code);
    store.deleteCodesIssuedBefore(codesBefore);
  }

  // Loads what an earlier run left behind.
  for (const json of store.loadOrders()) {
    const order = deserialise(json);
    index(order);
    savedJson.set(order.out_trade_no, json);
  }
  for (const c of store.loadCodes()) issuedCodes.set(c.code, new Date(c.issued_ms));
  prune(true);

  /**
   * Applies the changes time alone makes: a password declined after a while, and an order nobody
   * paid revoked unpaidRevokeMs after creation, as WeChat does (the code can no longer be charged).
   */
  function settle(order: Order): Order {
    touched.add(order);
    const age = now().getTime() - order.created_at.getTime();
    if (order.trade_state === 'USERPAYING' && order.behaviour === 'password_declined' && age >= options.passwordDeclineMs) {
      order.trade_state = 'PAYERROR';
      order.last_error = PAYERROR_ERR;
    }
    if ((order.trade_state === 'USERPAYING' || order.trade_state === 'NOTPAY') && order.auth_code && age >= unpaidRevokeMs) {
      order.trade_state = 'REVOKED';
      order.revoked_at = new Date(order.created_at.getTime() + unpaidRevokeMs);
    }
    return order;
  }

  const refundStatus = (r: RefundRecord): SimRefundStatus =>
    now().getTime() - r.accepted_at.getTime() >= options.refundSettleMs ? 'SUCCESS' : 'PROCESSING';
  const refundSuccessTime = (r: RefundRecord) => new Date(r.accepted_at.getTime() + options.refundSettleMs);
  const refunded = (o: Order) => o.refunds.reduce((sum, r) => sum + r.refund_fee, 0);

  function find(q: { out_trade_no?: string; transaction_id?: string }): Order | undefined {
    const order = q.transaction_id ? byTransactionId.get(q.transaction_id) : q.out_trade_no ? orders.get(q.out_trade_no) : undefined;
    return order && settle(order);
  }

  function view(order: Order): SimOrder {
    settle(order);
    return {
      out_trade_no: order.out_trade_no,
      transaction_id: order.transaction_id,
      total_fee: order.total_fee,
      trade_state: order.trade_state,
      auth_code_masked: order.auth_code ? maskCode(order.auth_code) : '',
      ...(order.device_info ? { device_info: order.device_info } : {}),
      refunds: order.refunds.map((r) => ({ out_refund_no: r.out_refund_no, refund_id: r.refund_id, refund_fee: r.refund_fee, refund_status: refundStatus(r) })),
      reverse_calls: order.reverse_calls,
      micropay_calls: order.micropay_calls,
      created_at: order.created_at.toISOString(),
      ...(order.paid_at ? { paid_at: order.paid_at.toISOString() } : {}),
      ...(order.behaviour ? { behaviour: order.behaviour } : {}),
    };
  }

  /** The order's coupon or discount in fen: only the coupon and promotion behaviours have one. */
  const discountOf = (order: Order) => (order.behaviour === 'coupon' || order.behaviour === 'promotion' ? couponFen(order.total_fee) : 0);
  /** settlement_total_fee: the coupon of 'coupon' is a no-cash (merchant-funded) one, so it is not settled. */
  const settlementOf = (order: Order) => order.total_fee - (order.behaviour === 'coupon' ? discountOf(order) : 0);
  const cashOf = (order: Order) => order.total_fee - discountOf(order);

  /**
   * The coupon fields of a paid order, as each answer carries them. micropay's table has
   * coupon_fee and settlement_total_fee; orderquery's adds coupon_count and the indexed
   * coupon_type_$n / coupon_id_$n / coupon_fee_$n. An order paid under the "single-product
   * discount" protocol (promotion) carries promotion_detail, a JSON string, instead of all of them.
   */
  function discountFields(order: Order, indexed: boolean): Record<string, string> {
    const discount = discountOf(order);
    if (discount === 0) return {};
    if (order.behaviour === 'promotion') {
      const detail = {
        promotion_detail: [
          {
            promotion_id: order.coupon_id,
            name: '模拟立减',
            scope: 'GLOBAL',
            type: 'DISCOUNT',
            amount: discount,
            activity_id: '931386',
            wxpay_contribute: 0,
            merchant_contribute: discount,
            other_contribute: 0,
          },
        ],
      };
      return { promotion_detail: JSON.stringify(detail) };
    }
    return {
      settlement_total_fee: String(settlementOf(order)),
      coupon_fee: String(discount),
      ...(indexed ? { coupon_count: '1', coupon_type_0: 'NO_CASH', coupon_id_0: order.coupon_id!, coupon_fee_0: String(discount) } : {}),
    };
  }

  function paidFields(order: Order, indexed = false): Record<string, string> {
    return {
      ...(order.device_info ? { device_info: order.device_info } : {}),
      openid: order.openid,
      is_subscribe: 'N',
      trade_type: 'MICROPAY',
      bank_type: discountOf(order) ? 'CMB_DEBIT' : 'OTHERS',
      fee_type: 'CNY',
      total_fee: String(order.total_fee),
      ...discountFields(order, indexed),
      cash_fee_type: 'CNY',
      cash_fee: String(cashOf(order)),
      transaction_id: order.transaction_id,
      out_trade_no: order.out_trade_no,
      ...(order.attach ? { attach: order.attach } : {}),
      time_end: beijingStamp(order.paid_at ?? order.created_at),
    };
  }

  function pay(order: Order): void {
    order.trade_state = 'SUCCESS';
    order.paid_at = now();
    delete order.last_error;
  }

  /** What a micropay for an existing order answers: a retry gets the order's current state. */
  function answerFor(order: Order): Answer {
    const delayMs = order.behaviour === 'slow' ? options.slowMs : 0;
    switch (order.trade_state) {
      case 'SUCCESS':
        return { ok: true, fields: paidFields(order), delayMs };
      case 'REFUND':
        return err('ORDERPAID', '订单已支付');
      case 'REVOKED':
        return err('ORDERREVERSED', '订单已撤销');
      case 'CLOSED':
        return err('ORDERCLOSED', '订单已关闭');
      case 'USERPAYING':
        return err(USERPAYING_ERR.code, USERPAYING_ERR.des);
      case 'ACCEPT':
        return err('SYSTEMERROR', '系统超时');
      default:
        if (order.behaviour === 'forged_signature') return { ok: true, forged: true, fields: { ...paidFields(order), time_end: beijingStamp(now()) } };
        return err(order.last_error?.code ?? 'TRADE_ERROR', order.last_error?.des ?? '支付失败');
    }
  }

  function micropay(input: MicropayInput): Answer {
    const existing = orders.get(input.out_trade_no);
    if (existing) {
      settle(existing);
      existing.micropay_calls += 1;
      if (existing.trade_state === 'REVOKED') return err('ORDERREVERSED', '订单已撤销');
      const retry = existing.auth_code === input.auth_code && existing.total_fee === input.total_fee;
      if (retry) return answerFor(existing);
      if (existing.trade_state === 'SUCCESS' || existing.trade_state === 'REFUND') return err('ORDERPAID', '订单已支付');
      if (existing.trade_state === 'CLOSED') return err('ORDERCLOSED', '订单已关闭');
      return err('OUT_TRADE_NO_USED', '商户订单号重复');
    }

    if (usedCodes.has(input.auth_code)) return err(CODE_USED.code, CODE_USED.des);
    const behaviour = behaviourOf(input.auth_code);
    const issued = issuedCodes.get(input.auth_code);
    if (behaviour === 'authcode_expired' || (issued && now().getTime() - issued.getTime() > options.codeTtlMs)) {
      return err('AUTHCODEEXPIRE', '二维码已过期，请用户在微信上刷新后再试');
    }

    const created = now();
    const order: Order = {
      out_trade_no: input.out_trade_no,
      transaction_id: ids.transactionId(created),
      total_fee: input.total_fee,
      trade_state: 'NOTPAY',
      auth_code: input.auth_code,
      behaviour,
      body: input.body,
      openid: ids.openid(),
      created_at: created,
      reversed_after_payment: false,
      refunds: [],
      reverse_calls: 0,
      micropay_calls: 1,
      query_calls: 0,
      ...(input.device_info ? { device_info: input.device_info } : {}),
      ...(input.attach ? { attach: input.attach } : {}),
      ...(behaviour === 'coupon' || behaviour === 'promotion' ? { coupon_id: ids.couponId() } : {}),
    };
    index(order);
    touched.add(order);

    switch (behaviour) {
      case 'success':
      case 'slow':
      case 'coupon':
      case 'promotion':
        pay(order);
        return answerFor(order);
      case 'systemerror_paid':
      case 'query_systemerror':
        pay(order);
        return err('SYSTEMERROR', '系统超时');
      case 'accept_paid':
        // Accepted, awaiting the debit: the outcome is unknown to the caller until it queries.
        order.trade_state = 'ACCEPT';
        return answerFor(order);
      case 'password':
      case 'password_declined':
      case 'reverse_recall':
        order.trade_state = 'USERPAYING';
        return answerFor(order);
      case 'bankerror':
        order.last_error = { code: 'BANKERROR', des: '银行系统异常' };
        return answerFor(order);
      case 'notenough':
        order.trade_state = 'PAYERROR';
        order.last_error = { code: 'NOTENOUGH', des: '余额不足' };
        return answerFor(order);
      case 'forged_signature':
        return answerFor(order);
    }
  }

  function orderQuery(q: { out_trade_no?: string; transaction_id?: string }): Answer {
    const order = find(q);
    if (!order) return err('ORDERNOTEXIST', '订单不存在');
    order.query_calls += 1;
    if (order.behaviour === 'query_systemerror' && order.query_calls <= querySystemErrors) return err('SYSTEMERROR', '系统错误');
    if (order.trade_state === 'ACCEPT') {
      // This query still sees ACCEPT; the debit completes now, so the next one finds SUCCESS.
      pay(order);
      const accepted = { ...(order.device_info ? { device_info: order.device_info } : {}), out_trade_no: order.out_trade_no, total_fee: String(order.total_fee), fee_type: 'CNY' };
      return { ok: true, fields: { ...accepted, trade_state: 'ACCEPT', trade_state_desc: TRADE_STATE_DESC.ACCEPT } };
    }
    const everPaid = order.paid_at !== undefined;
    const fields: Record<string, string> = everPaid
      ? paidFields(order, true)
      : {
          ...(order.device_info ? { device_info: order.device_info } : {}),
          out_trade_no: order.out_trade_no,
          ...(order.total_fee ? { total_fee: String(order.total_fee), fee_type: 'CNY' } : {}),
          ...(order.attach ? { attach: order.attach } : {}),
        };
    return { ok: true, fields: { ...fields, trade_state: order.trade_state, trade_state_desc: TRADE_STATE_DESC[order.trade_state] } };
  }

  function reverse(q: { out_trade_no?: string; transaction_id?: string }): Answer {
    const order = find(q);
    if (!order) {
      if (!q.out_trade_no) return err('INVALID_TRANSACTIONID', '无效transaction_id');
      // WeChat's answer for a number it does not know. It blocks nothing: a micropay that arrives
      // afterwards with this number is charged like any other (the case the POS must survive).
      return err('ORDERNOTEXIST', '订单不存在');
    }
    order.reverse_calls += 1;
    if (order.behaviour === 'reverse_recall' && order.trade_state === 'USERPAYING' && !order.recall_answered) {
      order.recall_answered = true;
      return err('SYSTEMERROR', '系统超时，请重新调用撤销', { fields: { recall: 'Y' } });
    }
    switch (order.trade_state) {
      case 'REVOKED':
      case 'CLOSED':
        return { ok: true, fields: { recall: 'N' } };
      case 'REFUND':
        return err('TRADE_ERROR', '订单已发生退款，不能撤销，请走退款流程', { fields: { recall: 'N' } });
      case 'SUCCESS':
        if (now().getTime() - order.created_at.getTime() > REVERSE_WINDOW_MS) {
          return err('REVERSE_EXPIRE', '订单已超过撤销期限，请走退款流程', { fields: { recall: 'N' } });
        }
        order.reversed_after_payment = true;
        break;
      default: // NOTPAY, USERPAYING, PAYERROR, ACCEPT: nothing was taken; the payment can no longer complete
        break;
    }
    order.trade_state = 'REVOKED';
    order.revoked_at = now();
    return { ok: true, fields: { recall: 'N' } };
  }

  function refund(input: RefundInput): Answer {
    const order = find(input.order);
    if (!order || !order.transaction_id) return err('ORDERNOTEXIST', '订单不存在');
    const accepted = (r: RefundRecord): Answer => {
      // A coupon order refunds its coupon in proportion; the customer gets the rest back in cash.
      const couponRefund = Math.floor((r.refund_fee * discountOf(order)) / order.total_fee);
      const noCash = order.behaviour === 'coupon' ? couponRefund : 0;
      return {
        ok: true,
        fields: {
          transaction_id: order.transaction_id,
          out_trade_no: order.out_trade_no,
          out_refund_no: r.out_refund_no,
          refund_id: r.refund_id,
          refund_fee: String(r.refund_fee),
          ...(order.behaviour === 'coupon' ? { settlement_refund_fee: String(r.refund_fee - noCash), settlement_total_fee: String(settlementOf(order)) } : {}),
          total_fee: String(order.total_fee),
          fee_type: 'CNY',
          cash_fee: String(cashOf(order)),
          cash_refund_fee: String(r.refund_fee - couponRefund),
          coupon_refund_fee: String(couponRefund),
          coupon_refund_count: couponRefund > 0 ? '1' : '0',
          ...(couponRefund > 0 ? { coupon_type_0: order.behaviour === 'coupon' ? 'NO_CASH' : 'CASH', coupon_refund_id_0: order.coupon_id!, coupon_refund_fee_0: String(couponRefund) } : {}),
        },
      };
    };

    // The same out_refund_no again is the same refund: answered again, never paid out twice.
    const again = order.refunds.find((r) => r.out_refund_no === input.out_refund_no);
    if (again) {
      if (again.refund_fee !== input.refund_fee || order.total_fee !== input.total_fee) {
        return err('ERROR', '订单金额或退款金额与之前请求不一致，请核实后再试');
      }
      return accepted(again);
    }
    for (const other of orders.values()) {
      if (other !== order && other.refunds.some((r) => r.out_refund_no === input.out_refund_no)) {
        return err('ERROR', 'out_refund_no已在其他订单上使用');
      }
    }
    if (order.trade_state !== 'SUCCESS' && order.trade_state !== 'REFUND') {
      return err('ERROR', order.trade_state === 'REVOKED' ? '订单已撤销，不能退款' : '订单未支付，不能退款');
    }
    if (input.total_fee !== order.total_fee) return err('PARAM_ERROR', '订单金额total_fee与实际不符');
    if (now().getTime() - (order.paid_at ?? order.created_at).getTime() > REFUND_WINDOW_MS) {
      return err('TRADE_OVERDUE', '订单已经超过退款期限');
    }
    const left = order.total_fee - refunded(order);
    if (left === 0) return err('ERROR', '订单已全额退款');
    if (input.refund_fee > left) return err('ERROR', `累计退款金额大于支付金额（可退${left}分）`);
    if (order.refunds.length >= MAX_REFUNDS) return err('ERROR', `订单退款次数已达上限（${MAX_REFUNDS}次）`);

    const at = now();
    const record: RefundRecord = { out_refund_no: input.out_refund_no, refund_id: ids.refundId(at), refund_fee: input.refund_fee, accepted_at: at };
    order.refunds.push(record);
    order.trade_state = 'REFUND';
    return accepted(record);
  }

  function refundQuery(q: { out_trade_no?: string; transaction_id?: string; out_refund_no?: string; refund_id?: string; offset?: number }): Answer {
    let order: Order | undefined;
    let only: RefundRecord | undefined;
    if (q.refund_id || q.out_refund_no) {
      for (const o of orders.values()) {
        only = o.refunds.find((r) => (q.refund_id ? r.refund_id === q.refund_id : r.out_refund_no === q.out_refund_no));
        if (only) {
          order = settle(o);
          break;
        }
      }
    } else {
      order = find(q);
    }
    if (!order || order.refunds.length === 0) return err('REFUNDNOTEXIST', '退款订单查询失败');
    const all = only ? [only] : order.refunds;
    const offset = only ? 0 : (q.offset ?? 0);
    if (offset >= all.length) return err('REFUNDNOTEXIST', '退款订单查询失败（offset超出范围）');
    const page = all.slice(offset, offset + 10);

    const fields: Record<string, string> = {
      transaction_id: order.transaction_id,
      out_trade_no: order.out_trade_no,
      total_fee: String(order.total_fee),
      fee_type: 'CNY',
      cash_fee: String(cashOf(order)),
      refund_count: String(page.length),
      ...(q.offset !== undefined ? { total_refund_count: String(all.length) } : {}),
    };
    page.forEach((r, n) => {
      const status = refundStatus(r);
      fields[`out_refund_no_${n}`] = r.out_refund_no;
      fields[`refund_id_${n}`] = r.refund_id;
      fields[`refund_channel_${n}`] = 'ORIGINAL';
      fields[`refund_fee_${n}`] = String(r.refund_fee);
      fields[`refund_status_${n}`] = status;
      fields[`refund_account_${n}`] = 'REFUND_SOURCE_UNSETTLED_FUNDS';
      fields[`refund_recv_accout_${n}`] = '支付用户的零钱'; // sic: WeChat spells it "accout"
      if (status === 'SUCCESS') fields[`refund_success_time_${n}`] = beijingDateTime(refundSuccessTime(r));
    });
    return { ok: true, fields };
  }

  /** The bill lines of one Beijing day (yyyyMMdd): payments, refunds requested that day, reversals of paid orders. */
  function billRecords(day: string): BillRecord[] {
    const records: BillRecord[] = [];
    for (const order of orders.values()) {
      settle(order);
      if (!order.paid_at) continue;
      const base = {
        transaction_id: order.transaction_id,
        out_trade_no: order.out_trade_no,
        openid: order.openid,
        body: order.body,
        total_fee: order.total_fee,
        discount_fee: discountOf(order),
        settlement_fee: settlementOf(order),
        ...(order.device_info ? { device_info: order.device_info } : {}),
        ...(order.attach ? { attach: order.attach } : {}),
      };
      if (beijingDay(order.paid_at) === day) records.push({ ...base, time: order.paid_at, kind: 'SUCCESS' });
      // A refund's line is on the bill of the day it was requested, settled or not (WeChat dates refund lines so).
      for (const r of order.refunds) {
        if (beijingDay(r.accepted_at) !== day) continue;
        const status = refundStatus(r);
        records.push({
          ...base,
          time: r.accepted_at,
          kind: 'REFUND',
          refund_id: r.refund_id,
          out_refund_no: r.out_refund_no,
          refund_fee: r.refund_fee,
          refund_status: status,
          refund_requested_at: r.accepted_at,
          ...(status === 'SUCCESS' ? { refund_succeeded_at: refundSuccessTime(r) } : {}),
        });
      }
      if (order.reversed_after_payment && order.revoked_at && beijingDay(order.revoked_at) === day) {
        const at = order.revoked_at;
        records.push({ ...base, time: at, kind: 'REVOKED', refund_fee: order.total_fee - refunded(order), refund_status: 'SUCCESS', refund_requested_at: at, refund_succeeded_at: at });
      }
    }
    return records.sort((a, b) => a.time.getTime() - b.time.getTime());
  }

  /** The customer confirmed the password: a waiting payment is paid. */
  function confirm(outTradeNo: string): boolean {
    const order = find({ out_trade_no: outTradeNo });
    if (!order || order.trade_state !== 'USERPAYING') return false;
    pay(order);
    return true;
  }

  /** The customer cancelled (or got the password wrong): a waiting payment fails. */
  function decline(outTradeNo: string): boolean {
    const order = find({ out_trade_no: outTradeNo });
    if (!order || order.trade_state !== 'USERPAYING') return false;
    order.trade_state = 'PAYERROR';
    order.last_error = PAYERROR_ERR;
    return true;
  }

  function issueCode(behaviour: Behaviour): string {
    let code = makeTestCode(behaviour);
    while (usedCodes.has(code) || issuedCodes.has(code)) code = makeTestCode(behaviour);
    const at = now();
    issuedCodes.set(code, at);
    store.saveCode({ code, issued_ms: at.getTime() });
    return code;
  }

  function reset(): void {
    orders.clear();
    byTransactionId.clear();
    usedCodes.clear();
    issuedCodes.clear();
    savedJson.clear();
    touched.clear();
    store.clear();
    reports = 0;
  }

  return {
    micropay: op(micropay),
    orderQuery: op(orderQuery),
    reverse: op(reverse),
    refund: op(refund),
    refundQuery: op(refundQuery),
    billRecords: op(billRecords),
    confirm: op(confirm),
    decline: op(decline),
    issueCode: op(issueCode),
    reset,
    close: () => {
      flush();
      store.close();
    },
    report: () => void reports++,
    reportCount: () => reports,
    orders: op(() => [...orders.values()].map(view)),
    order: op((outTradeNo: string) => {
      const o = orders.get(outTradeNo);
      return o && view(o);
    }),
    /** The order charged with this full code, if any (the phone page follows its code). */
    orderForCode: op((authCode: string) => {
      const outTradeNo = usedCodes.get(authCode);
      const o = outTradeNo ? orders.get(outTradeNo) : undefined;
      return o && view(o);
    }),
  };
}

// ---- the stored form of an order: JSON with instants as epoch milliseconds ----

type Stored = Omit<Order, 'created_at' | 'paid_at' | 'revoked_at' | 'refunds'> & {
  created_at: number;
  paid_at?: number;
  revoked_at?: number;
  refunds: (Omit<RefundRecord, 'accepted_at'> & { accepted_at: number })[];
};

function serialise(order: Order): string {
  const { paid_at: _paid, revoked_at: _revoked, ...rest } = order;
  const stored: Stored = {
    ...rest,
    created_at: order.created_at.getTime(),
    ...(order.paid_at ? { paid_at: order.paid_at.getTime() } : {}),
    ...(order.revoked_at ? { revoked_at: order.revoked_at.getTime() } : {}),
    refunds: order.refunds.map((r) => ({ ...r, accepted_at: r.accepted_at.getTime() })),
  };
  return JSON.stringify(stored);
}

function deserialise(json: string): Order {
  const s = JSON.parse(json) as Stored;
  const { paid_at, revoked_at, ...rest } = s;
  return {
    ...rest,
    query_calls: s.query_calls ?? 0,
    created_at: new Date(s.created_at),
    ...(paid_at !== undefined ? { paid_at: new Date(paid_at) } : {}),
    ...(revoked_at !== undefined ? { revoked_at: new Date(revoked_at) } : {}),
    refunds: s.refunds.map((r) => ({ ...r, accepted_at: new Date(r.accepted_at) })),
  };
}
