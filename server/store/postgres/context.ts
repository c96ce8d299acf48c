import type postgres from 'postgres';
import type { PaymentRow } from '../types.ts';
import { paymentFromDb, REFUNDED } from './rows.ts';

/** Versions remembered for the payments this instance works on (settled ones are forgotten at once). */
const KNOWN_ROWS = 10_000;

export interface Versioned {
  row: PaymentRow;
  version: number;
}

/**
 * What the per-table parts of the PostgreSQL journal share: the pool, and the versions of the
 * payments this instance inserted, claimed or wrote last (see the header of postgres.ts).
 */
export function pgContext(sql: postgres.Sql) {
  /** Rows this instance inserted, claimed or wrote last, with their version (see the header). */
  const known = new Map<string, Versioned>();

  async function paymentVersioned(id: string): Promise<Versioned | undefined> {
    const [r] = await sql`SELECT p.*, ${sql.unsafe(REFUNDED)} FROM payments p WHERE p.id = ${id}`;
    return r && paymentFromDb(r);
  }

  /**
   * Keeps `v` for the next transition of its payment. Not for settled rows (nothing more to do)
   * nor succeeded ones (their refunded_fen moves with refunds, outside the version).
   */
  function remember(v: Versioned): void {
    const { row } = v;
    known.delete(row.id);
    if (row.step === 'done' || row.step === 'manual' || row.status === 'succeeded') return;
    known.set(row.id, v);
    if (known.size > KNOWN_ROWS) known.delete(known.keys().next().value!);
  }

  return { sql, known, paymentVersioned, remember };
}

export type PgContext = ReturnType<typeof pgContext>;
