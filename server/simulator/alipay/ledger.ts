import { randomInt } from 'node:crypto';
import { maskCode } from '../../../shared/payment-code.ts';
import { formatYuan } from '../../../shared/money.ts';
import { alipayBehaviourOf, makeAlipayTestCode, type AlipayBehaviour } from '../test-codes.ts';
import { beijingDateTime, beijingDay } from '../time.ts';
import { memoryLedgerStore, type LedgerStore } from '../ledger-store.ts';
import { LEDGER_MAX_ORDERS, LEDGER_RETENTION_MS } from '../ledger/books.ts';
import { deserialiseTrade, serialiseTrade } from './stored.ts';

/**
 * The simulated Alipay's books: trades, refunds and cancels, and the rules Alipay applies to
 * them. Pure logic over an injectable clock; the gateway envelope (form parameters, RSA2,
 * JSON answers) lives in app.ts. Time-driven changes (a customer who declines after a while, a
 * refund becoming visible to the refund query, the refund window ending) are applied lazily
 * when a trade is read, so a fake clock drives them without timers. Like WeChat's ledger, every
 * operation writes the trades it changed to its ledger store (a SQLite file beside WeChat's under
 * `npm start`), so a training sale can be queried, refunded and billed after a restart; trades are
 * kept for the same time and number as WeChat's orders.
 */

export type SimAlipayStatus = 'WAIT_BUYER_PAY' | 'TRADE_CLOSED' | 'TRADE_SUCCESS' | 'TRADE_FINISHED';

/** An answer before the envelope: the fields of `<method>_response` after code and msg. */
export interface SimAnswer {
  code: '10000' | '10003' | '20000' | '40004';
  msg: string;
  sub_code?: string;
  sub_msg?: string;
  fields: Record<string, unknown>;
  /** Signed with a key that is not Alipay's (the forged_signature behaviour). */
  forged?: boolean;
  /** Held back this long before it is sent (the slow behaviour). */
  delayMs?: number;
}

/** What GET /control/alipay/orders shows. A cancel tombstone has total_fen 0 and no code. */
export interface SimAlipayTrade {
  out_trade_no: string;
  trade_no: string;
  total_fen: number;
  trade_status: SimAlipayStatus;
  auth_code_masked: string;
  subject: string;
  store_id?: string;
  terminal_id?: string;
  refunds: Array<{ out_request_no: string; refund_fen: number }>;
  pay_calls: number;
  cancel_calls: number;
  /** close or refund, once a cancel acted on the trade. */
  cancel_action?: 'close' | 'refund';
  created_at: string;
  paid_at?: string;
  behaviour?: AlipayBehaviour;
}

export interface Refund {
  out_request_no: string;
  refund_fen: number;
  at: Date;
  reason?: string;
}

export interface Trade {
  out_trade_no: string;
  trade_no: string;
  total_fen: number;
  status: SimAlipayStatus;
  auth_code: string;
  behaviour?: AlipayBehaviour;
  subject: string;
  store_id?: string;
  terminal_id?: string;
  operator_id?: string;
  buyer_logon_id: string;
  buyer_user_id: string;
  created_at: Date;
  paid_at?: Date;
  closed_at?: Date;
  cancel_action?: 'close' | 'refund';
  refunds: Refund[];
  pay_calls: number;
  cancel_calls: number;
  /** A cancel for an out_trade_no nobody paid with: blocks a late pay with that number. */
  tombstone: boolean;
  /** The refusal a retried pay answers again. */
  refusal?: { sub_code: string; sub_msg: string };
}

export interface PayInput {
  out_trade_no: string;
  total_fen: number;
  auth_code: string;
  subject: string;
  store_id?: string;
  terminal_id?: string;
  operator_id?: string;
}

export interface AlipayLedgerOptions {
  now: () => Date;
  slowMs: number;
  passwordDeclineMs: number;
  /** How long after trade.refund the refund query sees it (Alipay: query ≥ 10 s later to be sure). */
  refundSettleMs: number;
  codeTtlMs: number;
  /** Where trades outlive a restart (default: in memory only). */
  store?: LedgerStore;
}

export interface BillLine {
  time: Date;
  kind: 'payment' | 'refund';
  trade: Readonly<Trade>;
  amount_fen: number;
  out_request_no?: string;
}

/** A paid trade can be cancelled (money back) only the day it was paid. */
const CANCEL_WINDOW_MS = 24 * 3600_000;
/** Face-to-face trades can be refunded for three months; then they are TRADE_FINISHED. */
const REFUND_WINDOW_MS = 92 * 24 * 3600_000;

const ok = (fields: Record<string, unknown>, extra: Partial<SimAnswer> = {}): SimAnswer => ({ code: '10000', msg: 'Success', fields, ...extra });
const failure = (sub_code: string, sub_msg: string, fields: Record<string, unknown> = {}): SimAnswer => ({ code: '40004', msg: 'Business Failed', sub_code, sub_msg, fields });
const zeroAmounts = { buyer_pay_amount: '0.00', invoice_amount: '0.00', point_amount: '0.00', receipt_amount: '0.00' };
const UNKNOWN_ERROR: Pick<SimAnswer, 'code' | 'msg' | 'sub_code' | 'sub_msg'> = { code: '20000', msg: 'Service Currently Unavailable', sub_code: 'isp.unknow-error', sub_msg: '系统繁忙' };

export function createAlipayLedger(options: AlipayLedgerOptions) {
  const trades = new Map<string, Trade>();
  const byTradeNo = new Map<string, Trade>();
  const usedCodes = new Map<string, string>(); // auth_code → out_trade_no
  const issuedCodes = new Map<string, Date>();
  const cancelRetries = new Set<string>(); // reverse_recall trades whose first cancel asked for a retry
  let seq = 0;
  const store = options.store ?? memoryLedgerStore();

  const now = () => options.now();

  // ---- persistence: trades an operation looked at are written back when they changed ----
  const touched = new Set<Trade>();
  const savedJson = new Map<string, string>();
  let lastPrune = 0;

  function index(t: Trade): void {
    trades.set(t.out_trade_no, t);
    if (t.trade_no) byTradeNo.set(t.trade_no, t);
    if (t.auth_code) usedCodes.set(t.auth_code, t.out_trade_no);
  }
  for (const json of store.loadOrders()) {
    const t = deserialiseTrade(json);
    index(t);
    savedJson.set(t.out_trade_no, json);
  }
  for (const c of store.loadCodes()) issuedCodes.set(c.code, new Date(c.issued_ms));

  function flush(): void {
    if (!store.persistent) return touched.clear();
    for (const t of touched) {
      if (trades.get(t.out_trade_no) !== t) continue; // pruned or reset meanwhile
      const json = serialiseTrade(t);
      if (savedJson.get(t.out_trade_no) === json) continue;
      store.saveOrder(t.out_trade_no, t.created_at.getTime(), json);
      savedJson.set(t.out_trade_no, json);
    }
    touched.clear();
  }

  /** Bounded retention, as WeChat's ledger: older than LEDGER_RETENTION_MS or beyond the newest LEDGER_MAX_ORDERS. */
  function prune(): void {
    const at = now().getTime();
    if (at - lastPrune < 3600_000 && trades.size <= LEDGER_MAX_ORDERS) return;
    lastPrune = at;
    const kept = [...trades.values()].filter((t) => at - t.created_at.getTime() <= LEDGER_RETENTION_MS).sort((a, b) => a.created_at.getTime() - b.created_at.getTime());
    const keep = new Set(kept.slice(Math.max(0, kept.length - LEDGER_MAX_ORDERS)));
    const gone = [...trades.values()].filter((t) => !keep.has(t));
    for (const t of gone) {
      trades.delete(t.out_trade_no);
      byTradeNo.delete(t.trade_no);
      savedJson.delete(t.out_trade_no);
      if (usedCodes.get(t.auth_code) === t.out_trade_no) usedCodes.delete(t.auth_code);
    }
    if (gone.length > 0) store.deleteOrders(gone.map((t) => t.out_trade_no));
    for (const [code, issued] of issuedCodes) if (at - issued.getTime() > 24 * 3600_000) issuedCodes.delete(code);
    store.deleteCodesIssuedBefore(at - 24 * 3600_000);
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
  const yuan = (fen: number) => formatYuan(fen);
  const refunded = (t: Trade) => t.refunds.reduce((sum, r) => sum + r.refund_fen, 0);

  function tradeNo(at: Date): string {
    seq = (seq + 1) % 100_000;
    let tail = '';
    for (let i = 0; i < 10; i++) tail += String(randomInt(10));
    return `${beijingDay(at)}22001${String(seq).padStart(5, '0')}${tail}`;
  }

  /** Applies what time alone changes. */
  function settle(t: Trade): Trade {
    touched.add(t);
    const ms = now().getTime();
    if (t.status === 'WAIT_BUYER_PAY' && t.behaviour === 'password_declined' && ms - t.created_at.getTime() >= options.passwordDeclineMs) close(t);
    if (t.status === 'TRADE_SUCCESS' && t.paid_at && ms - t.paid_at.getTime() > REFUND_WINDOW_MS) t.status = 'TRADE_FINISHED';
    return t;
  }

  function close(t: Trade): void {
    t.status = 'TRADE_CLOSED';
    t.closed_at = now();
  }

  function find(q: { out_trade_no?: string; trade_no?: string }): Trade | undefined {
    const t = q.trade_no ? byTradeNo.get(q.trade_no) : q.out_trade_no ? trades.get(q.out_trade_no) : undefined;
    return t && !t.tombstone ? settle(t) : undefined;
  }

  /** The amounts every pay and query answer carries ("0.00" until paid). */
  function amounts(t: Trade): Record<string, unknown> {
    const paid = t.paid_at !== undefined;
    const value = paid ? yuan(t.total_fen) : '0.00';
    return { buyer_pay_amount: value, invoice_amount: value, point_amount: '0.00', receipt_amount: value };
  }

  function paidFields(t: Trade): Record<string, unknown> {
    return {
      trade_no: t.trade_no,
      out_trade_no: t.out_trade_no,
      buyer_logon_id: t.buyer_logon_id,
      total_amount: yuan(t.total_fen),
      ...amounts(t),
      ...(t.paid_at ? { gmt_payment: beijingDateTime(t.paid_at), fund_bill_list: [{ fund_channel: 'ALIPAYACCOUNT', amount: yuan(t.total_fen) }] } : {}),
      ...(t.store_id ? { store_name: `门店 ${t.store_id}` } : {}),
      buyer_user_id: t.buyer_user_id,
    };
  }

  function pay(t: Trade): void {
    t.status = 'TRADE_SUCCESS';
    t.paid_at = now();
    delete t.refusal;
  }

  /** What a pay for an existing trade answers: a retry with the same code and amount gets its current state. */
  function answerFor(t: Trade): SimAnswer {
    const delayMs = t.behaviour === 'slow' ? options.slowMs : 0;
    switch (t.status) {
      case 'TRADE_SUCCESS':
      case 'TRADE_FINISHED':
        return ok(paidFields(t), { delayMs });
      case 'WAIT_BUYER_PAY':
        if (t.behaviour === 'forged_signature') return ok({ ...paidFields(t), ...forgedPaid(t) }, { forged: true });
        if (t.behaviour === 'bankerror') return failure('ACQ.SYSTEM_ERROR', '系统错误', { out_trade_no: t.out_trade_no, ...amounts(t) });
        return { code: '10003', msg: ' order success pay inprocess', fields: paidFields(t) };
      case 'TRADE_CLOSED':
        if (t.refusal) return failure(t.refusal.sub_code, t.refusal.sub_msg, { out_trade_no: t.out_trade_no, ...amounts(t) });
        return failure('ACQ.TRADE_HAS_CLOSE', '交易已经关闭', { out_trade_no: t.out_trade_no });
    }
  }

  const forgedPaid = (t: Trade) => ({
    buyer_pay_amount: yuan(t.total_fen),
    receipt_amount: yuan(t.total_fen),
    invoice_amount: yuan(t.total_fen),
    gmt_payment: beijingDateTime(now()),
  });

  function tradePay(input: PayInput): SimAnswer {
    const existing = trades.get(input.out_trade_no);
    if (existing) {
      settle(existing);
      existing.pay_calls += 1;
      if (existing.tombstone) return failure('ACQ.TRADE_HAS_CLOSE', '交易已经关闭', { out_trade_no: input.out_trade_no });
      const retry = existing.auth_code === input.auth_code && existing.total_fen === input.total_fen;
      if (retry) return answerFor(existing);
      if (existing.status === 'TRADE_SUCCESS' || existing.status === 'TRADE_FINISHED') return failure('ACQ.TRADE_HAS_SUCCESS', '交易已被支付', { out_trade_no: input.out_trade_no });
      if (existing.status === 'TRADE_CLOSED') return failure('ACQ.TRADE_HAS_CLOSE', '交易已经关闭', { out_trade_no: input.out_trade_no });
      return failure('ACQ.CONTEXT_INCONSISTENT', '交易信息被篡改', { out_trade_no: input.out_trade_no });
    }

    const behaviour = alipayBehaviourOf(input.auth_code);
    const issued = issuedCodes.get(input.auth_code);
    const expired = issued !== undefined && now().getTime() - issued.getTime() > options.codeTtlMs;
    // A code is single-use, as at Alipay; an expired, used or invalid code creates no trade.
    if (usedCodes.has(input.auth_code) || behaviour === 'authcode_expired' || expired) {
      return failure('ACQ.PAYMENT_AUTH_CODE_INVALID', '支付失败，获取顾客账户信息失败，请顾客刷新付款码后重新收款，如再次收款失败，请联系管理员处理。[SOUNDWAVE_PARSER_FAIL]', { out_trade_no: input.out_trade_no, ...zeroAmounts });
    }

    const created = now();
    const t: Trade = {
      out_trade_no: input.out_trade_no,
      trade_no: tradeNo(created),
      total_fen: input.total_fen,
      status: 'WAIT_BUYER_PAY',
      auth_code: input.auth_code,
      behaviour,
      subject: input.subject,
      ...(input.store_id ? { store_id: input.store_id } : {}),
      ...(input.terminal_id ? { terminal_id: input.terminal_id } : {}),
      ...(input.operator_id ? { operator_id: input.operator_id } : {}),
      buyer_logon_id: `1${randomInt(30, 90)}******${String(randomInt(100)).padStart(2, '0')}`,
      buyer_user_id: `2088${String(randomInt(1e9)).padStart(9, '0')}${String(randomInt(1000)).padStart(3, '0')}`,
      created_at: created,
      refunds: [],
      pay_calls: 1,
      cancel_calls: 0,
      tombstone: false,
    };
    index(t);
    touched.add(t);

    switch (behaviour) {
      case 'success':
      case 'slow':
        pay(t);
        return answerFor(t);
      case 'systemerror_paid':
        pay(t);
        return { ...UNKNOWN_ERROR, fields: {} };
      case 'notenough':
        t.refusal = { sub_code: 'ACQ.BUYER_BALANCE_NOT_ENOUGH', sub_msg: '买家余额不足' };
        close(t);
        return answerFor(t);
      default: // password, password_declined, reverse_recall, bankerror, forged_signature: unpaid, waiting
        return answerFor(t);
    }
  }

  function tradeQuery(q: { out_trade_no?: string; trade_no?: string }): SimAnswer {
    const t = find(q);
    if (!t) return failure('ACQ.TRADE_NOT_EXIST', '交易不存在', q.out_trade_no ? { out_trade_no: q.out_trade_no, ...zeroAmounts } : {});
    return ok({
      trade_no: t.trade_no,
      out_trade_no: t.out_trade_no,
      buyer_logon_id: t.buyer_logon_id,
      trade_status: t.status,
      total_amount: yuan(t.total_fen),
      ...amounts(t),
      ...(t.paid_at ? { send_pay_date: beijingDateTime(t.paid_at), fund_bill_list: [{ fund_channel: 'ALIPAYACCOUNT', amount: yuan(t.total_fen) }] } : {}),
      ...(t.store_id ? { store_id: t.store_id } : {}),
      ...(t.terminal_id ? { terminal_id: t.terminal_id } : {}),
      buyer_user_id: t.buyer_user_id,
    });
  }

  function tradeCancel(q: { out_trade_no?: string; trade_no?: string }): SimAnswer {
    const existing = q.trade_no ? byTradeNo.get(q.trade_no) : q.out_trade_no ? trades.get(q.out_trade_no) : undefined;
    const base = (t: { out_trade_no: string }) => ({ out_trade_no: t.out_trade_no });
    if (!existing || existing.tombstone) {
      if (!q.out_trade_no) return failure('ACQ.TRADE_NOT_EXIST', '交易不存在', { retry_flag: 'N' });
      if (existing) {
        touched.add(existing);
        existing.cancel_calls += 1;
        return ok({ ...base(existing), retry_flag: 'N' });
      }
      // No trade: nothing to close. A pay that arrives later with this number must not charge anyone.
      const created = now();
      const tombstone: Trade = {
        out_trade_no: q.out_trade_no,
        trade_no: '',
        total_fen: 0,
        status: 'TRADE_CLOSED',
        auth_code: '',
        subject: '',
        buyer_logon_id: '',
        buyer_user_id: '',
        created_at: created,
        closed_at: created,
        refunds: [],
        pay_calls: 0,
        cancel_calls: 1,
        tombstone: true,
      };
      index(tombstone);
      touched.add(tombstone);
      return ok({ out_trade_no: q.out_trade_no, retry_flag: 'N' });
    }
    const t = settle(existing);
    t.cancel_calls += 1;
    const acted = (action: 'close' | 'refund') => ok({ trade_no: t.trade_no, out_trade_no: t.out_trade_no, retry_flag: 'N', action });
    if (t.behaviour === 'reverse_recall' && t.status === 'WAIT_BUYER_PAY' && !cancelRetries.has(t.out_trade_no)) {
      cancelRetries.add(t.out_trade_no);
      return failure('ACQ.SYSTEM_ERROR', '系统错误', { ...base(t), retry_flag: 'Y' });
    }
    switch (t.status) {
      case 'WAIT_BUYER_PAY':
        close(t);
        t.cancel_action = 'close';
        return acted('close');
      case 'TRADE_CLOSED':
        // Cancel again: the same answer as the cancel that closed it.
        return acted(t.cancel_action ?? 'close');
      case 'TRADE_FINISHED':
        return failure('ACQ.TRADE_HAS_FINISHED', '交易已经完结', { ...base(t), retry_flag: 'N' });
      case 'TRADE_SUCCESS':
        if (t.refunds.length > 0) return failure('ACQ.CANCEL_NOT_ALLOWED', '交易已发生过退款，不允许撤销，请走退款流程', { ...base(t), retry_flag: 'N' });
        if (now().getTime() - t.paid_at!.getTime() > CANCEL_WINDOW_MS) return failure('ACQ.TRADE_CANCEL_TIME_OUT', '超过撤销时间范围', { ...base(t), retry_flag: 'N' });
        close(t);
        t.cancel_action = 'refund';
        return acted('refund');
    }
  }

  function tradeRefund(input: { out_trade_no?: string; trade_no?: string; out_request_no: string; refund_fen: number; reason?: string }): SimAnswer {
    const t = find(input);
    if (!t) return failure('ACQ.TRADE_NOT_EXIST', '交易不存在');
    const accepted = (r: Refund, fundChange: boolean) =>
      ok({
        trade_no: t.trade_no,
        out_trade_no: t.out_trade_no,
        buyer_logon_id: t.buyer_logon_id,
        fund_change: fundChange ? 'Y' : 'N',
        refund_fee: yuan(refunded(t)),
        gmt_refund_pay: beijingDateTime(r.at),
        send_back_fee: fundChange ? yuan(r.refund_fen) : '0.00',
        buyer_user_id: t.buyer_user_id,
      });
    // The same out_request_no again is the same refund: answered again, never paid out twice.
    const again = t.refunds.find((r) => r.out_request_no === input.out_request_no);
    if (again) {
      if (again.refund_fen !== input.refund_fen) return failure('ACQ.DISCORDANT_REPEAT_REQUEST', '不一致的请求');
      return accepted(again, false);
    }
    if (t.status === 'TRADE_FINISHED') return failure('ACQ.TRADE_HAS_FINISHED', '交易已完结');
    if (t.status !== 'TRADE_SUCCESS') return failure('ACQ.TRADE_STATUS_ERROR', '交易状态非法');
    const left = t.total_fen - refunded(t);
    if (input.refund_fen > left) return failure('ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', `退款金额超限（可退${yuan(left)}元）`);
    const refund: Refund = { out_request_no: input.out_request_no, refund_fen: input.refund_fen, at: now(), ...(input.reason ? { reason: input.reason } : {}) };
    t.refunds.push(refund);
    if (refunded(t) === t.total_fen) close(t);
    return accepted(refund, true);
  }

  function refundQuery(q: { out_trade_no?: string; trade_no?: string; out_request_no: string }): SimAnswer {
    const t = find(q);
    if (!t) return failure('ACQ.TRADE_NOT_EXIST', '交易不存在');
    const r = t.refunds.find((x) => x.out_request_no === q.out_request_no);
    const visible = r && now().getTime() - r.at.getTime() >= options.refundSettleMs;
    // Not received (or not yet visible): Alipay answers 10000 without the refund's fields.
    if (!r || !visible) return ok({ trade_no: t.trade_no, out_trade_no: t.out_trade_no });
    return ok({
      trade_no: t.trade_no,
      out_trade_no: t.out_trade_no,
      out_request_no: r.out_request_no,
      total_amount: yuan(t.total_fen),
      refund_amount: yuan(r.refund_fen),
      refund_status: 'REFUND_SUCCESS',
      ...(r.reason ? { refund_reason: r.reason } : {}),
    });
  }

  /** Bill lines whose time falls in [from, to): payments, refunds, and cancels that gave money back. */
  function billLines(from: Date, to: Date): BillLine[] {
    const lines: BillLine[] = [];
    const inRange = (d: Date) => d >= from && d < to;
    for (const t of trades.values()) {
      if (t.tombstone) continue;
      settle(t);
      if (!t.paid_at) continue;
      if (inRange(t.paid_at)) lines.push({ time: t.paid_at, kind: 'payment', trade: t, amount_fen: t.total_fen });
      for (const r of t.refunds) if (inRange(r.at)) lines.push({ time: r.at, kind: 'refund', trade: t, amount_fen: r.refund_fen, out_request_no: r.out_request_no });
      if (t.cancel_action === 'refund' && t.closed_at && inRange(t.closed_at)) {
        lines.push({ time: t.closed_at, kind: 'refund', trade: t, amount_fen: t.total_fen - refunded(t), out_request_no: t.trade_no });
      }
    }
    return lines.sort((a, b) => a.time.getTime() - b.time.getTime());
  }

  function view(t: Trade): SimAlipayTrade {
    settle(t);
    return {
      out_trade_no: t.out_trade_no,
      trade_no: t.trade_no,
      total_fen: t.total_fen,
      trade_status: t.status,
      auth_code_masked: t.auth_code ? maskCode(t.auth_code) : '',
      subject: t.subject,
      ...(t.store_id ? { store_id: t.store_id } : {}),
      ...(t.terminal_id ? { terminal_id: t.terminal_id } : {}),
      refunds: t.refunds.map((r) => ({ out_request_no: r.out_request_no, refund_fen: r.refund_fen })),
      pay_calls: t.pay_calls,
      cancel_calls: t.cancel_calls,
      ...(t.cancel_action ? { cancel_action: t.cancel_action } : {}),
      created_at: t.created_at.toISOString(),
      ...(t.paid_at ? { paid_at: t.paid_at.toISOString() } : {}),
      ...(t.behaviour ? { behaviour: t.behaviour } : {}),
    };
  }

  /** Only trades waiting for the customer's confirmation can be confirmed or declined. */
  function waiting(outTradeNo: string): Trade | undefined {
    const t = find({ out_trade_no: outTradeNo });
    const confirmable = t?.status === 'WAIT_BUYER_PAY' && t.behaviour !== 'bankerror' && t.behaviour !== 'forged_signature';
    return confirmable ? t : undefined;
  }

  return {
    tradePay: op(tradePay),
    tradeQuery: op(tradeQuery),
    tradeCancel: op(tradeCancel),
    tradeRefund: op(tradeRefund),
    refundQuery: op(refundQuery),
    billLines: op(billLines),
    /** The customer confirmed on the phone: a waiting trade is paid. */
    confirm: op((outTradeNo: string): boolean => {
      const t = waiting(outTradeNo);
      if (!t) return false;
      pay(t);
      return true;
    }),
    /** The customer declined: Alipay has no failed state, the unpaid trade closes. */
    decline: op((outTradeNo: string): boolean => {
      const t = waiting(outTradeNo);
      if (!t) return false;
      close(t);
      return true;
    }),
    issueCode(behaviour: AlipayBehaviour): string {
      let code = makeAlipayTestCode(behaviour);
      while (usedCodes.has(code) || issuedCodes.has(code)) code = makeAlipayTestCode(behaviour);
      const issued = now();
      issuedCodes.set(code, issued);
      store.saveCode({ code, issued_ms: issued.getTime() });
      return code;
    },
    reset(): void {
      trades.clear();
      byTradeNo.clear();
      usedCodes.clear();
      issuedCodes.clear();
      cancelRetries.clear();
      savedJson.clear();
      touched.clear();
      store.clear();
    },
    close(): void {
      flush();
      store.close();
    },
    trades: op(() => [...trades.values()].filter((t) => !t.tombstone).map(view)),
    trade: op((outTradeNo: string) => {
      const t = trades.get(outTradeNo);
      return t && !t.tombstone ? view(t) : undefined;
    }),
    tradeForCode: op((authCode: string) => {
      const outTradeNo = usedCodes.get(authCode);
      const t = outTradeNo ? trades.get(outTradeNo) : undefined;
      return t && view(t);
    }),
    /** Is this out_trade_no known at all (tombstones included)? */
    hasTrade: (outTradeNo: string) => trades.has(outTradeNo),
  };
}

export type AlipayLedger = ReturnType<typeof createAlipayLedger>;
