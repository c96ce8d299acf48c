import { createBills } from './bills.ts';
import { createBooks } from './books.ts';
import { createOrders } from './orders.ts';
import { createRefunds } from './refunds.ts';
import type { LedgerOptions } from './types.ts';

/**
 * The simulated gateway's books: every order, refund and reversal, and the rules WeChat applies
 * to them. Pure logic over an injectable clock; the HTTP envelope (XML, signatures) lives in
 * app.ts. Time-driven changes (a declined password, a refund settling) are applied lazily when
 * an order is read, so a fake clock drives them without timers. Every operation writes the
 * orders it changed to the ledger store (ledger-store.ts), so the books survive a restart.
 *
 * The parts: books.ts (state, persistence, retention), orders.ts (micropay, orderquery, reverse,
 * the phone's confirm/decline, issued codes), refunds.ts (refund, refundquery), bills.ts (the
 * day's bill lines); fields.ts holds the money fields they share.
 */
export type { Answer } from './answers.ts';
export { CODE_USED } from './answers.ts';
export { LEDGER_MAX_ORDERS, LEDGER_RETENTION_MS } from './books.ts';
export { couponFen } from './fields.ts';
export type { BillRecord, LedgerOptions, MicropayInput, RefundInput, SimOrder, SimRefund, SimRefundStatus, SimTradeState } from './types.ts';

export function createLedger(options: LedgerOptions) {
  const books = createBooks(options);
  const { op, orders, usedCodes, view } = books;
  const { micropay, orderQuery, reverse, confirm, decline, issueCode } = createOrders(books);
  const { refund, refundQuery } = createRefunds(books);
  const { billRecords } = createBills(books);
  let reports = 0;

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
    reset: () => {
      books.reset();
      reports = 0;
    },
    close: () => {
      books.flush();
      books.store.close();
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
