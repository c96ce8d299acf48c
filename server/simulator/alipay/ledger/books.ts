import { randomInt } from 'node:crypto';
import { maskCode } from '../../../../shared/payment-code.ts';
import { formatYuan } from '../../../../shared/money.ts';
import { memoryLedgerStore } from '../../ledger-store.ts';
import { writeBack } from '../../write-back.ts';
import { LEDGER_MAX_ORDERS, LEDGER_RETENTION_MS } from '../../ledger/books.ts';
import { beijingDateTime, beijingDay } from '../../time.ts';
import { REFUND_WINDOW_MS } from './answers.ts';
import { deserialiseTrade, serialiseTrade } from './stored.ts';
import type { AlipayLedgerOptions, SimAlipayTrade, Trade } from './types.ts';

/**
 * The books every part of the simulated Alipay reads and writes: the trades and their indexes,
 * the codes handed out, the store they are written back to, bounded retention, and the changes
 * time alone makes (applied lazily when a trade is read, so a fake clock drives them).
 */
const ISSUED_CODE_RETENTION_MS = 24 * 3600_000;

export function createBooks(options: AlipayLedgerOptions) {
  const trades = new Map<string, Trade>();
  const byTradeNo = new Map<string, Trade>();
  const usedCodes = new Map<string, string>(); // auth_code → out_trade_no
  const issuedCodes = new Map<string, Date>();
  const cancelRetries = new Set<string>(); // reverse_recall trades whose first cancel asked for a retry
  let seq = 0;
  const store = options.store ?? memoryLedgerStore();

  const now = () => options.now();

  // ---- persistence: trades an operation looked at are written back when they changed ----
  const { touched, savedJson, flush, op } = writeBack<Trade>({ store, serialise: serialiseTrade, current: (t) => trades.get(t.out_trade_no) === t, before: () => prune() });
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
    // Handed-out codes are kept well past their time to live, so an expired one still answers as expired.
    for (const [code, issued] of issuedCodes) if (at - issued.getTime() > ISSUED_CODE_RETENTION_MS) issuedCodes.delete(code);
    store.deleteCodesIssuedBefore(at - ISSUED_CODE_RETENTION_MS);
  }

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

  return { options, trades, byTradeNo, usedCodes, issuedCodes, cancelRetries, store, touched, savedJson, now, index, flush, op, yuan, refunded, tradeNo, settle, close, find, amounts, paidFields, pay, view, waiting };
}

export type Books = ReturnType<typeof createBooks>;
