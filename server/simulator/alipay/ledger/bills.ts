import type { Books } from './books.ts';
import type { BillLine } from './types.ts';

/** The lines of a day's trade bill, from the books. */
export function createBills(books: Books) {
  const { trades, settle, refunded } = books;

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

  return { billLines };
}
