import type { ChainSummary, DayTotals, ShopSummary, WalletTotals } from '../../shared/api.ts';
import { WALLETS, type Wallet } from '../../shared/payment-code.ts';
import { dayTotals } from '../payments/list.ts';
import { localDayRange } from '../payments/shop-time.ts';
import { sumTotals } from '../store/totals.ts';
import type { Store } from '../store/types.ts';
import type { ShopDirectory } from './shops.ts';

/**
 * The chain's day for an operator: each shop's own day (its midnight to midnight, in its time
 * zone) summed by the database, one short query pair per shop, and the chain's sums.
 */

export type SummaryStore = Pick<Store, 'paymentTotals' | 'listTerminals'>;

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
      totals: dayTotals(t),
    });
  }
  return { date, shops: lines, totals: chainTotals(lines.map((l) => l.totals)) };
}

/** The shops' days added up, overall and per wallet (a wallet only when some shop took it). */
function chainTotals(shops: readonly DayTotals[]): DayTotals {
  let all: Omit<DayTotals, 'by_wallet'> = dayTotals(sumTotals([], []));
  const perWallet = new Map<Wallet, WalletTotals>();
  for (const { by_wallet = [], ...sums } of shops) {
    all = add(all, sums);
    for (const w of by_wallet) perWallet.set(w.wallet, add(perWallet.get(w.wallet), w));
  }
  return { ...all, by_wallet: WALLETS.flatMap((wallet) => perWallet.get(wallet) ?? []) };
}

/** `b`'s sums added to `a`'s: every number (counts and fen); other fields stay `a`'s. */
function add<T extends object>(a: T | undefined, b: T): T {
  if (!a) return { ...b };
  const out = { ...a } as Record<string, unknown>;
  for (const [key, value] of Object.entries(b)) if (typeof value === 'number') out[key] = ((out[key] as number | undefined) ?? 0) + value;
  return out as T;
}
