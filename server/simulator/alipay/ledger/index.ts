import { createBills } from './bills.ts';
import { createBooks } from './books.ts';
import { createRefunds } from './refunds.ts';
import { createTrades } from './trades.ts';
import type { AlipayLedgerOptions } from './types.ts';

/**
 * The simulated Alipay's books: trades, refunds and cancels, and the rules Alipay applies to
 * them. Pure logic over an injectable clock; the gateway envelope (form parameters, RSA2,
 * JSON answers) lives in app.ts. Time-driven changes (a customer who declines after a while, a
 * refund becoming visible to the refund query, the refund window ending) are applied lazily
 * when a trade is read, so a fake clock drives them without timers. Like WeChat's ledger, every
 * operation writes the trades it changed to its ledger store (a SQLite file beside WeChat's under
 * `npm start`), so a training sale can be queried, refunded and billed after a restart; trades are
 * kept for the same time and number as WeChat's orders.
 *
 * The parts, as WeChat's ledger/: books.ts (state, persistence, retention, what time changes),
 * trades.ts (trade.pay, trade.query, trade.cancel, the phone's confirm/decline, issued codes),
 * refunds.ts (trade.refund, refund query), bills.ts (the day's bill lines); answers.ts holds
 * Alipay's windows and answer shapes, stored.ts a trade's stored form.
 */
export type { AlipayLedgerOptions, BillLine, PayInput, SimAlipayStatus, SimAlipayTrade, SimAnswer } from './types.ts';

export function createAlipayLedger(options: AlipayLedgerOptions) {
  const books = createBooks(options);
  const { trades, byTradeNo, usedCodes, issuedCodes, cancelRetries, savedJson, touched, store, flush, op, view } = books;
  const { tradePay, tradeQuery, tradeCancel, confirm, decline, issueCode } = createTrades(books);
  const { tradeRefund, refundQuery } = createRefunds(books);
  const { billLines } = createBills(books);

  return {
    tradePay: op(tradePay),
    tradeQuery: op(tradeQuery),
    tradeCancel: op(tradeCancel),
    tradeRefund: op(tradeRefund),
    refundQuery: op(refundQuery),
    billLines: op(billLines),
    confirm: op(confirm),
    decline: op(decline),
    issueCode,
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
