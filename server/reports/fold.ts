import type { Bucket, GroupLine, Takings, WalletLine } from '../../shared/shop-day.ts';
import type { PaymentGroupRow, RefundGroupRow } from '../store/types.ts';

/**
 * Folds the database's quarter-hour groups (store paymentGroups / refundGroups) into the figures
 * people read: totals, and lines by any key (hour, day, wallet, terminal, cashier). Pure, so the
 * hand-over report and the owner's report add up the same way.
 */

export const emptyTakings = (): Takings => ({
  count: 0,
  succeeded_count: 0,
  succeeded_fen: 0,
  refund_count: 0,
  refunded_fen: 0,
  net_fen: 0,
  open_count: 0,
  open_fen: 0,
});

function addPayments(t: Takings, g: PaymentGroupRow): void {
  t.count += g.count;
  t.succeeded_count += g.succeeded_count;
  t.succeeded_fen += g.succeeded_fen;
  t.open_count += g.open_count;
  t.open_fen += g.open_fen;
  t.net_fen = t.succeeded_fen - t.refunded_fen;
}

function addRefunds(t: Takings, g: RefundGroupRow): void {
  t.refund_count += g.count;
  t.refunded_fen += g.refunded_fen;
  t.net_fen = t.succeeded_fen - t.refunded_fen;
}

export function totalsOf(payments: readonly PaymentGroupRow[], refunds: readonly RefundGroupRow[]): Takings {
  const t = emptyTakings();
  for (const g of payments) addPayments(t, g);
  for (const g of refunds) addRefunds(t, g);
  return t;
}

type Keyed = { quarter: number; terminal_id: string; cashier: string | null; wallet: string };

/** Takings per key, in the order the keys were first met (callers sort). */
export function groupBy<K>(payments: readonly PaymentGroupRow[], refunds: readonly RefundGroupRow[], key: (g: Keyed) => K): Map<K, Takings> {
  const lines = new Map<K, Takings>();
  const line = (k: K): Takings => {
    let t = lines.get(k);
    if (!t) lines.set(k, (t = emptyTakings()));
    return t;
  };
  for (const g of payments) addPayments(line(key(g)), g);
  for (const g of refunds) addRefunds(line(key(g)), g);
  return lines;
}

/** Lines by key with a display name, biggest takings first (then by name, for a stable order). */
export function linesBy(
  payments: readonly PaymentGroupRow[],
  refunds: readonly RefundGroupRow[],
  key: (g: Keyed) => string | null,
  name: (key: string | null) => string | null,
): GroupLine[] {
  return [...groupBy(payments, refunds, key)]
    .map(([k, t]) => ({ key: k, name: name(k), ...t }))
    .sort((a, b) => b.succeeded_fen - a.succeeded_fen || (a.name ?? '').localeCompare(b.name ?? ''));
}

/** Buckets for every key of `keys` (empty ones too, so a chart has all its bars). */
export function bucketsOf(payments: readonly PaymentGroupRow[], refunds: readonly RefundGroupRow[], keys: readonly string[], key: (g: Keyed) => string): Bucket[] {
  const lines = groupBy(payments, refunds, key);
  return keys.map((k) => {
    const t = lines.get(k) ?? emptyTakings();
    return { key: k, succeeded_count: t.succeeded_count, succeeded_fen: t.succeeded_fen, refunded_fen: t.refunded_fen };
  });
}

export function walletLines(payments: readonly PaymentGroupRow[], refunds: readonly RefundGroupRow[]): WalletLine[] {
  return linesBy(payments, refunds, (g) => g.wallet, (k) => k).map((l) => ({
    wallet: l.key!,
    succeeded_count: l.succeeded_count,
    succeeded_fen: l.succeeded_fen,
    refunded_fen: l.refunded_fen,
    net_fen: l.net_fen,
  }));
}
