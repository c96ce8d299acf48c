import type { Wallet } from '../../../shared/payment-code.ts';
import { DEFAULT_SHOP_ID, type ReconciliationDifferenceRow, type ReconciliationRunRow, type StoredReconciliation } from '../types.ts';
import type { SqliteContext } from './context.ts';

/** Reconciliation runs and their differences (server/reconciliation/). */
export function sqliteReconciliations(ctx: SqliteContext) {
  const { db, sync } = ctx;
  const q = {
    insertReconciliation: db.prepare(
      `INSERT INTO reconciliations (id, bill_date, shop_id, wallet, status, run_at, journal_count, bill_count, matched_count, error)
       VALUES (@id, @bill_date, @shop_id, @wallet, @status, @run_at, @journal_count, @bill_count, @matched_count, @error)`,
    ),
    insertDifference: db.prepare(
      `INSERT INTO reconciliation_differences (run_id, seq, kind, out_trade_no, out_refund_no, payment_id, transaction_id, journal_fen, bill_fen, journal_status, bill_status)
       VALUES (@run_id, @seq, @kind, @out_trade_no, @out_refund_no, @payment_id, @transaction_id, @journal_fen, @bill_fen, @journal_status, @bill_status)`,
    ),
    latestReconciliation: db.prepare('SELECT * FROM reconciliations WHERE bill_date = ? AND shop_id = ? AND wallet = ? ORDER BY run_at DESC, id DESC LIMIT 1'),
    differencesOf: db.prepare('SELECT * FROM reconciliation_differences WHERE run_id = ? ORDER BY seq'),
    claim: db.prepare(
      `INSERT INTO reconciliation_claims (bill_date, shop_id, owner, until) VALUES (@billDate, @shopId, @owner, @until)
       ON CONFLICT (bill_date, shop_id) DO UPDATE SET owner = excluded.owner, until = excluded.until
       WHERE reconciliation_claims.until <= @now OR reconciliation_claims.owner = excluded.owner`,
    ),
  };

  return {
    async saveReconciliation({ run, differences }: StoredReconciliation): Promise<void> {
      db
        .transaction(() => {
          q.insertReconciliation.run(run);
          differences.forEach((d, seq) => q.insertDifference.run({ ...d, run_id: run.id, seq }));
        })
        .immediate();
      await sync();
    },

    async claimReconciliation(billDate: string, shopId: string, owner: string, now: number, until: number): Promise<boolean> {
      const claimed = q.claim.run({ billDate, shopId, owner, now, until }).changes === 1;
      await sync();
      return claimed;
    },

    async latestReconciliation(billDate: string, shopId = DEFAULT_SHOP_ID, wallet: Wallet = 'wechat'): Promise<StoredReconciliation | undefined> {
      const run = q.latestReconciliation.get(billDate, shopId, wallet) as ReconciliationRunRow | undefined;
      if (!run) return undefined;
      const differences = (q.differencesOf.all(run.id) as (ReconciliationDifferenceRow & { run_id?: string; seq?: number })[]).map(({ run_id: _r, seq: _s, ...d }) => d);
      return { run: { ...run }, differences };
    },
  };
}
