import type { ChainSummary, DayTotals, ShopSummary } from '../../shared/api.ts';
import { localDayRange } from '../payments/shop-time.ts';
import type { Store } from '../store/types.ts';
import type { ShopDirectory } from './shops.ts';

/**
 * The chain's day for an operator: each shop's own day (its midnight to midnight, in its time
 * zone) summed by the database, one short query pair per shop, and the chain's sums.
 */

export type SummaryStore = Pick<Store, 'paymentTotals' | 'listTerminals'>;

const ZERO: DayTotals = { count: 0, succeeded_count: 0, succeeded_fen: 0, refunded_fen: 0, net_fen: 0 };

export async function chainSummary(store: SummaryStore, shops: ShopDirectory, date: string): Promise<ChainSummary> {
  const lines: ShopSummary[] = [];
  for (const shop of await shops.list()) {
    const { from, to } = localDayRange(date, shop.timeZone);
    const [t, terminals] = await Promise.all([store.paymentTotals(from, to, shop.id), store.listTerminals(shop.id)]);
    lines.push({
      id: shop.id,
      name: shop.name,
      time_zone: shop.timeZone,
      sub_mch_id: shop.merchant?.sub_mch_id ?? null,
      // Operator tokens sit in the default shop's table but take no payments.
      terminals: terminals.filter((x) => x.role !== 'operator').length,
      totals: { ...t, net_fen: t.succeeded_fen - t.refunded_fen },
    });
  }
  const totals = lines.reduce<DayTotals>(
    (sum, { totals: t }) => ({
      count: sum.count + t.count,
      succeeded_count: sum.succeeded_count + t.succeeded_count,
      succeeded_fen: sum.succeeded_fen + t.succeeded_fen,
      refunded_fen: sum.refunded_fen + t.refunded_fen,
      net_fen: sum.net_fen + t.net_fen,
    }),
    ZERO,
  );
  return { date, shops: lines, totals };
}
