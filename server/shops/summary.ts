import type { ChainSummary, DayTotals, ShopSummary, WalletTotals } from '../../shared/api.ts';
import { WALLETS } from '../../shared/payment-code.ts';
import { localDayRange } from '../payments/shop-time.ts';
import type { PaymentTotalsRow, Store } from '../store/types.ts';
import type { ShopDirectory } from './shops.ts';

/**
 * The chain's day for an operator: each shop's own day (its midnight to midnight, in its time
 * zone) summed by the database, one short query pair per shop, and the chain's sums.
 */

export type SummaryStore = Pick<Store, 'paymentTotals' | 'listTerminals'>;

type Sums = Omit<WalletTotals, 'wallet'>;

const net = <T extends Omit<Sums, 'net_fen'>>(t: T): T & { net_fen: number } => ({ ...t, net_fen: t.succeeded_fen - t.refunded_fen });

const add = (a: Sums, b: Sums): Sums => ({
  count: a.count + b.count,
  succeeded_count: a.succeeded_count + b.succeeded_count,
  succeeded_fen: a.succeeded_fen + b.succeeded_fen,
  refunded_fen: a.refunded_fen + b.refunded_fen,
  net_fen: a.net_fen + b.net_fen,
});

/** One shop's day as the API shows totals: with net sums, overall and per wallet. */
function shopTotals(t: PaymentTotalsRow): DayTotals {
  return { ...net(t), by_wallet: t.by_wallet.map(net) };
}

/** The chain's sums: the shops' added up, overall and per wallet (a wallet only when some shop took it). */
function chainTotals(shops: readonly DayTotals[]): DayTotals {
  const zero: Sums = { count: 0, succeeded_count: 0, succeeded_fen: 0, refunded_fen: 0, net_fen: 0 };
  const perWallet = new Map<WalletTotals['wallet'], Sums>();
  let all = zero;
  for (const t of shops) {
    const { by_wallet, ...sums } = t;
    all = add(all, sums);
    for (const { wallet, ...w } of by_wallet ?? []) perWallet.set(wallet, add(perWallet.get(wallet) ?? zero, w));
  }
  const by_wallet = WALLETS.flatMap((wallet) => {
    const w = perWallet.get(wallet);
    return w ? [{ wallet, ...w }] : [];
  });
  return { ...all, by_wallet };
}

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
      totals: shopTotals(t),
    });
  }
  return { date, shops: lines, totals: chainTotals(lines.map((l) => l.totals)) };
}
