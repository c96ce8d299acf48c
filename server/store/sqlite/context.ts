import type Database from 'better-sqlite3';
import type { WalSync } from '../wal-sync.ts';
import type { PaymentRow, RefundRow } from '../types.ts';
import { isUniqueViolation, paymentFromDb, refundFromDb, type DbRow } from './rows.ts';
import { writeBatch } from './write-batch.ts';

/**
 * What the per-table parts of the SQLite journal share: the connection, the durability wait of
 * the inserts, the cached UPDATE statements, the row reads several parts need, and the one lease
 * helper the recovery sweeps of payments and refunds claim their due rows with, and the batch
 * that commits payments' writes of one event-loop turn together (write-batch.ts).
 */
export function sqliteContext(
  db: Database.Database,
  /** Absent when every commit is already durable (synchronous=FULL) or there is no file. */
  walSync: WalSync | undefined,
) {
  /** UPDATE statements by table and column list: patches come in a handful of shapes, prepared once each. */
  const updates = new Map<string, Database.Statement>();
  const paymentSelect = 'SELECT * FROM payments_v';
  const shared = {
    payment: db.prepare(`${paymentSelect} WHERE id = ?`),
    active: db.prepare(`${paymentSelect} WHERE terminal_id = ? AND status IN ('processing', 'user_paying') ORDER BY created_at LIMIT 1`),
    refund: db.prepare('SELECT * FROM refunds WHERE id = ?'),
  };

  /** Waits for the commits made so far to be on disk (see wal-sync.ts). */
  const sync = async (): Promise<void> => {
    await walSync?.sync();
  };

  /** Resolves once the commits made so far are on disk (see wal-sync.ts). */
  async function durable<T>(result: T): Promise<T> {
    await walSync?.sync();
    return result;
  }

  /** `UPDATE <table> SET <columns> WHERE id = @id`, prepared on first use of that column list. */
  function update(table: 'payments' | 'refunds', columns: readonly string[]): Database.Statement {
    const key = `${table}:${columns.join(',')}`;
    let statement = updates.get(key);
    if (!statement) {
      statement = db.prepare(`UPDATE ${table} SET ${columns.map((c) => `${c} = @${c}`).join(', ')} WHERE id = @id`);
      updates.set(key, statement);
    }
    return statement;
  }

  function paymentNow(id: string): PaymentRow | undefined {
    const r = shared.payment.get(id) as DbRow | undefined;
    return r && paymentFromDb(r);
  }

  function refundNow(id: string): RefundRow | undefined {
    const r = shared.refund.get(id) as DbRow | undefined;
    return r && refundFromDb(r);
  }

  /** One transaction: the due ids whose lease is free, each leased to `owner` unless another took it first. */
  function claimDue<Row>(
    due: Database.Statement,
    lease: Database.Statement,
    read: (id: string) => Row,
    c: { owner: string; now: number; leaseMs: number; dueBy: number; limit: number },
  ): Row[] {
    return db
      .transaction(() => {
        const ids = due.pluck().all({ owner: c.owner, now: c.now, dueBy: c.dueBy, limit: c.limit }) as string[];
        return ids.filter((id) => lease.run({ id, owner: c.owner, now: c.now, until: c.now + c.leaseMs }).changes === 1).map(read);
      })
      .immediate();
  }

  /**
   * Inserts in one transaction unless `taken()` says the name or id is in use. Names are compared
   * in `taken` (lower() in SQL folds ASCII only); the unique index is the backstop, and its
   * refusal (another process won the race) is answered the same: false.
   */
  function insertUnlessTaken(taken: () => boolean, insert: () => void): boolean {
    const run = db.transaction((): boolean => {
      if (taken()) return false;
      insert();
      return true;
    });
    try {
      return run.immediate();
    } catch (e) {
      if (isUniqueViolation(e)) return false;
      throw e;
    }
  }

  return { db, shared, sync, durable, update, paymentNow, refundNow, claimDue, insertUnlessTaken, writes: writeBatch(db) };
}

export type SqliteContext = ReturnType<typeof sqliteContext>;
