import type { ReconciliationDifference, ReconciliationResult, WalletReconciliation } from '../../shared/api.ts';
import type { Wallet } from '../../shared/payment-code.ts';
import type { ReconciliationDifferenceRow, StoredReconciliation } from '../store/types.ts';

/**
 * A shop's day as the API, the command and the daily job see it: each wallet's latest stored run,
 * combined. The rules (docs/operations.md "Reconciliation") live here once.
 */

/** A wallet found no bill while the shop took nothing in it that day: nothing to compare, nothing to wait for. */
const isIdle = (status: string, journalCount: number) => status === 'no_bill' && journalCount === 0;
const compared = (status: string) => status === 'matched' || status === 'differences';

/** A wallet's day needs no new run: it was compared, or there is nothing to compare. */
export const isSettled = ({ run }: StoredReconciliation): boolean => compared(run.status) || isIdle(run.status, run.journal_count);

/** Every wallet of a combined result is settled (a result without wallets: by its status). */
export function isSettledResult(result: ReconciliationResult): boolean {
  if (!result.wallets) return compared(result.status);
  return result.wallets.every((w) => compared(w.status) || isIdle(w.status, w.counts.journal));
}

/**
 * The day as a whole, from each wallet's latest run: differences when any wallet has some (they
 * need the manager), else error, else no_bill, else matched. A wallet that is idle (no bill, and
 * nothing of it in the journal) does not hold the day at no_bill unless every wallet is.
 */
export function combine(date: string, shopId: string, runs: readonly StoredReconciliation[]): ReconciliationResult {
  const active = runs.filter(({ run }) => !isIdle(run.status, run.journal_count));
  const judged = active.length > 0 ? active : runs;
  const has = (status: string) => judged.some((r) => r.run.status === status);
  const status = has('differences') ? 'differences' : has('error') ? 'error' : has('no_bill') ? 'no_bill' : 'matched';
  const sum = (field: 'journal_count' | 'bill_count' | 'matched_count') => runs.reduce((n, r) => n + r.run[field], 0);
  const wallets: WalletReconciliation[] = runs.map(({ run, differences }) => ({
    wallet: run.wallet,
    status: run.status,
    counts: { journal: run.journal_count, bill: run.bill_count, matched: run.matched_count },
    differences: differences.length,
    run_at: new Date(run.run_at).toISOString(),
    ...(run.error !== null ? { error: run.error } : {}),
  }));
  const errors = runs.flatMap((r) => (r.run.error !== null ? [r.run.error] : []));
  return {
    date,
    shop: shopId,
    status,
    counts: { journal: sum('journal_count'), bill: sum('bill_count'), matched: sum('matched_count') },
    differences: runs.flatMap((r) => r.differences.map((d) => toDifference(d, r.run.wallet))),
    wallets,
    run_at: new Date(Math.max(...runs.map((r) => r.run.run_at))).toISOString(),
    ...(errors.length > 0 ? { error: errors.join('; ') } : {}),
  };
}

function toDifference(d: ReconciliationDifferenceRow, wallet: Wallet): ReconciliationDifference {
  const out: ReconciliationDifference = { kind: d.kind, wallet, out_trade_no: d.out_trade_no };
  if (d.out_refund_no !== null) out.out_refund_no = d.out_refund_no;
  if (d.payment_id !== null) out.payment_id = d.payment_id;
  if (d.transaction_id !== null) out.transaction_id = d.transaction_id;
  out.journal_fen = d.journal_fen;
  out.bill_fen = d.bill_fen;
  out.journal_status = d.journal_status;
  out.bill_status = d.bill_status;
  return out;
}
