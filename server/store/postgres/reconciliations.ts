import type { Wallet } from '../../../shared/payment-code.ts';
import { DEFAULT_SHOP_ID, type ReconciliationDifferenceRow, type ReconciliationRunRow, type StoredReconciliation } from '../types.ts';
import type { PgContext } from './context.ts';
import type { Row } from './rows.ts';

/** Reconciliation runs and their differences (server/reconciliation/). */
export function pgReconciliations(ctx: PgContext) {
  const { sql } = ctx;

  return {
    async saveReconciliation({ run, differences }: StoredReconciliation): Promise<void> {
      await sql.begin(async (tx) => {
        await tx`INSERT INTO reconciliations ${tx(run as unknown as Row, 'id', 'bill_date', 'shop_id', 'wallet', 'status', 'run_at', 'journal_count', 'bill_count', 'matched_count', 'error')}`;
        if (differences.length === 0) return;
        const rows = differences.map((d, seq) => ({ ...d, run_id: run.id, seq }));
        for (let i = 0; i < rows.length; i += 1000) {
          await tx`INSERT INTO reconciliation_differences ${tx(rows.slice(i, i + 1000), 'run_id', 'seq', 'kind', 'out_trade_no', 'out_refund_no', 'payment_id', 'transaction_id', 'journal_fen', 'bill_fen', 'journal_status', 'bill_status')}`;
        }
      });
    },

    async claimReconciliation(billDate: string, shopId: string, owner: string, now: number, until: number): Promise<boolean> {
      const rows = await sql`
        INSERT INTO reconciliation_claims (bill_date, shop_id, owner, until) VALUES (${billDate}, ${shopId}, ${owner}, ${until})
        ON CONFLICT (bill_date, shop_id) DO UPDATE SET owner = excluded.owner, until = excluded.until
        WHERE reconciliation_claims.until <= ${now} OR reconciliation_claims.owner = excluded.owner
        RETURNING owner`;
      return rows.length === 1;
    },

    async latestReconciliation(billDate: string, shopId = DEFAULT_SHOP_ID, wallet: Wallet = 'wechat'): Promise<StoredReconciliation | undefined> {
      const [run] = await sql`SELECT * FROM reconciliations WHERE bill_date = ${billDate} AND shop_id = ${shopId} AND wallet = ${wallet} ORDER BY run_at DESC, id DESC LIMIT 1`;
      if (!run) return undefined;
      const rows = await sql`SELECT * FROM reconciliation_differences WHERE run_id = ${run.id} ORDER BY seq`;
      const differences = rows.map(({ run_id: _r, seq: _s, ...d }) => d as unknown as ReconciliationDifferenceRow);
      return { run: { ...run } as unknown as ReconciliationRunRow, differences };
    },
  };
}
