import { PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, type DayTotals, type PaymentList } from '../../shared/api.ts';
import { parseYuan } from '../../shared/money.ts';
import type { PaymentPageQuery, PaymentTotalsRow, Store } from '../store/types.ts';
import { Refusal } from './errors.ts';
import { isCalendarDate, localDayRange } from './shop-time.ts';
import { paymentView } from './view.ts';

/**
 * A shop day's payments a page at a time, newest first, with the totals of the whole day. A page
 * is an index range read (store.paymentsPage) and the totals are summed by the database, so a
 * day of 50,000 payments answers as fast as a day of fifty and never holds up the event loop
 * (the whole day at once took 2.1 s and stalled every other request).
 */

import type { PaymentListQuery as ListParameters } from '../../shared/api.ts';

/** The list's parameters as a client sends them, and the shop the server confines them to. */
export type PaymentListQuery = ListParameters & {
  /** One shop's payments, its days in its own time zone (absent: every shop's, in the server's zone). */
  shop?: { id: string; timeZone: string };
};

/**
 * What a search text matches: an amount, the tail of a number (transaction_id is digits; our
 * out_trade_no ends in hex), or either when it could be both ("2580").
 */
export function parseSearch(q: string): { amountFen?: number; tail?: string } | undefined {
  const text = q.trim().replace(/^[¥￥]\s*/, '').replace(/\s*元$/, '').replace(/,/g, '');
  if (text === '') return {};
  // "0042" is a number's tail, never an amount.
  const amount = /^0\d/.test(text) ? null : parseYuan(text);
  const tail = /^[0-9A-Za-z]{4,32}$/.test(text) ? text : undefined;
  if ((amount === null || amount === 0) && tail === undefined) return undefined;
  return { ...(amount ? { amountFen: amount } : {}), ...(tail ? { tail } : {}) };
}

/** The cursor is the last row's (created_at, id), opaque to clients. */
export function encodeCursor(row: { created_at: number; id: string }): string {
  return Buffer.from(`${row.created_at}:${row.id}`).toString('base64url');
}

export function decodeCursor(cursor: string): { created_at: number; id: string } | undefined {
  const match = /^(\d{1,16}):([A-Za-z0-9_-]{1,32})$/.exec(Buffer.from(cursor, 'base64url').toString());
  return match ? { created_at: Number(match[1]), id: match[2]! } : undefined;
}

export async function listPayments(store: Store, timeZone: string, query: PaymentListQuery): Promise<PaymentList> {
  const { date } = query;
  if (!isCalendarDate(date)) throw new Refusal('INVALID_DATE', `"date" must be a day as YYYY-MM-DD (got "${date}").`);
  const limit = query.limit ?? PAGE_LIMIT_DEFAULT;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > PAGE_LIMIT_MAX) {
    throw new Refusal('INVALID_LIMIT', `"limit" must be a whole number from 1 to ${PAGE_LIMIT_MAX}.`);
  }
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  if (query.cursor !== undefined && !after) throw new Refusal('INVALID_CURSOR', '"cursor" must be the next_cursor of a previous page.');
  const search = query.q === undefined ? {} : parseSearch(query.q);
  if (!search) throw new Refusal('INVALID_QUERY', '"q" must be an amount in yuan (25.8, 25.80) or at least 4 trailing characters of an order or transaction number.');

  const { from, to } = localDayRange(date, query.shop?.timeZone ?? timeZone);
  const page: PaymentPageQuery = { fromMs: from, toMs: to, limit: limit + 1, ...search };
  if (after) page.after = after;
  if (query.terminal) page.terminalId = query.terminal;
  if (query.shop) page.shopId = query.shop.id;
  // One row more than asked tells whether an older page exists, without a count.
  const [rows, totals] = await Promise.all([store.paymentsPage(page), store.paymentTotals(from, to, query.shop?.id)]);
  const more = rows.length > limit;
  const shown = more ? rows.slice(0, limit) : rows;
  return {
    date,
    payments: shown.map(paymentView),
    totals: dayTotals(totals),
    next_cursor: more ? encodeCursor(shown[shown.length - 1]!) : null,
  };
}

/** A day's sums as the API shows them (the payment list, the operator's summary). */
export function dayTotals(totals: PaymentTotalsRow): DayTotals {
  // The shop's takings are what the wallet settles (shop-funded coupons are not paid to it); coupons apart.
  return {
    ...totals,
    net_fen: totals.settlement_fen - totals.refunded_fen,
    by_wallet: totals.by_wallet.map((w) => ({ ...w, net_fen: w.settlement_fen - w.refunded_fen })),
  };
}
