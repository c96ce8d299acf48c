import { maskCode } from '../../../shared/payment-code.ts';
import { createIdMint } from '../ids.ts';
import { memoryLedgerStore } from '../ledger-store.ts';
import { writeBack } from '../write-back.ts';
import { PAYERROR_ERR } from './answers.ts';
import { deserialise, serialise } from './stored.ts';
import type { LedgerOptions, Order, RefundRecord, SimOrder, SimRefundStatus } from './types.ts';

/** How long orders are kept: past the one-year refund window, so a late refund still gets TRADE_OVERDUE. */
export const LEDGER_RETENTION_MS = 400 * 24 * 3600_000;
/** At most this many orders are kept (the oldest go first). */
export const LEDGER_MAX_ORDERS = 50_000;
const PRUNE_EVERY_MS = 3600_000;
const ISSUED_CODE_RETENTION_MS = 24 * 3600_000;

/**
 * The books every part of the ledger reads and writes: the orders and their indexes, the codes
 * handed out, the store they are written back to, bounded retention, and the changes time alone
 * makes (applied lazily when an order is read, so a fake clock drives them without timers).
 */
export function createBooks(options: LedgerOptions) {
  const ids = createIdMint();
  const store = options.store ?? memoryLedgerStore();
  const unpaidRevokeMs = options.unpaidRevokeMs ?? 45_000;
  const maxOrders = options.maxOrders ?? LEDGER_MAX_ORDERS;
  const orders = new Map<string, Order>();
  const byTransactionId = new Map<string, Order>();
  const usedCodes = new Map<string, string>(); // auth_code → out_trade_no
  const issuedCodes = new Map<string, Date>(); // codes handed out by issueCode(), for their time to live

  const now = () => options.now();

  // ---- persistence: orders an operation looked at are written back when they changed ----
  const { touched, savedJson, flush, op } = writeBack<Order>({ store, serialise, current: (o) => orders.get(o.out_trade_no) === o, before: () => prune() });
  let lastPrune = 0;

  function index(order: Order): void {
    orders.set(order.out_trade_no, order);
    if (order.transaction_id) byTransactionId.set(order.transaction_id, order);
    if (order.auth_code) usedCodes.set(order.auth_code, order.out_trade_no);
  }

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

  function reset(): void {
    orders.clear();
    byTransactionId.clear();
    usedCodes.clear();
    issuedCodes.clear();
    savedJson.clear();
    touched.clear();
    store.clear();
  }

  return { options, now, ids, store, orders, byTransactionId, usedCodes, issuedCodes, touched, index, flush, op, settle, refundStatus, refundSuccessTime, refunded, find, view, reset };
}

export type Books = ReturnType<typeof createBooks>;
