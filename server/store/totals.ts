import { WALLETS, type Wallet } from '../../shared/payment-code.ts';
import type { PaymentTotalsRow, WalletTotalsRow } from './types.ts';

/** A day's totals from the database's sums per wallet (both stores group by wallet, the sums are added here). */
export function sumTotals(
  payments: readonly { wallet: string; count: number; succeeded_count: number; succeeded_fen: number; coupon_fen: number; settlement_fen: number }[],
  refunds: readonly { wallet: string; refunded_fen: number }[],
): PaymentTotalsRow {
  const zero = (): WalletTotalsRow => ({ count: 0, succeeded_count: 0, succeeded_fen: 0, coupon_fen: 0, settlement_fen: 0, refunded_fen: 0 });
  const per = new Map<Wallet, WalletTotalsRow>();
  const of = (wallet: string): WalletTotalsRow => {
    const w = wallet as Wallet;
    if (!per.has(w)) per.set(w, zero());
    return per.get(w)!;
  };
  for (const p of payments) Object.assign(of(p.wallet), { count: p.count, succeeded_count: p.succeeded_count, succeeded_fen: p.succeeded_fen, coupon_fen: p.coupon_fen, settlement_fen: p.settlement_fen });
  for (const r of refunds) of(r.wallet).refunded_fen = r.refunded_fen;
  const all = zero();
  const by_wallet: PaymentTotalsRow['by_wallet'] = [];
  for (const wallet of WALLETS) {
    const t = per.get(wallet);
    if (!t) continue;
    by_wallet.push({ wallet, ...t });
    all.count += t.count;
    all.succeeded_count += t.succeeded_count;
    all.succeeded_fen += t.succeeded_fen;
    all.coupon_fen += t.coupon_fen;
    all.settlement_fen += t.settlement_fen;
    all.refunded_fen += t.refunded_fen;
  }
  return { ...all, by_wallet };
}
