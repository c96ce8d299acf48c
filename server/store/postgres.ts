import postgres from 'postgres';
import type { Store } from './types.ts';
import type { Migration } from './migrations.ts';
import { PG_MIGRATIONS } from './postgres-migrations.ts';
import { pgContext } from './postgres/context.ts';
import { pgJournal } from './postgres/journal.ts';
import { pgPayments } from './postgres/payments.ts';
import { pgReconciliations } from './postgres/reconciliations.ts';
import { pgRefunds } from './postgres/refunds.ts';
import { pgSettings } from './postgres/settings.ts';
import { pgShifts } from './postgres/shifts.ts';
import { pgShops } from './postgres/shops.ts';
import { pgTerminals } from './postgres/terminals.ts';

export { ASYNC_COMMIT } from './postgres/rows.ts';

/**
 * The journal on PostgreSQL (postgres.js, one pool per instance) for chains: several server
 * instances share one database, and every rule the flow relies on is enforced by it, not by
 * the process: the unique id and one-payment-per-terminal index, leases taken with
 * `FOR UPDATE SKIP LOCKED`, and transitions that only write over the version they read.
 *
 * Durability, the same model as the SQLite journal (server/payments/README.md): the commits that
 * create a handle WeChat cannot give back (the payment insert with its out_trade_no, the refund
 * insert with its out_refund_no) wait for PostgreSQL's WAL flush, as does everything else, except
 * a payment's transitions: they commit with synchronous_commit off, visible to every instance at
 * once but flushed by PostgreSQL's WAL writer a moment later. A database crash in that moment
 * takes the row back a step, and recovery asks WeChat again, which settles the same outcome. So
 * a payment waits for one flush, not one per transition.
 *
 * Round trips on the hot path: an insert is one statement (row and journal event together); a
 * transition is one compare-and-set write when this instance knows the row's version (it
 * inserted, claimed or last wrote it), else a read first. A stale version loses the compare
 * and the row is read again, so knowing a version is only ever a shortcut, never a risk.
 */

export interface PostgresStoreOptions {
  /** Connections in the pool (default: the URL's `max` parameter, else 10). */
  max?: number;
  /** Where PostgreSQL's notices go (default: dropped). */
  onNotice?: (message: string) => void;
  /** Shown in pg_stat_activity (default micropay-pos); the server adds its INSTANCE_ID. */
  applicationName?: string;
  /** Called with every statement sent (benchmarks count round trips with it). */
  onQuery?: (query: string) => void;
}

/** A store on PostgreSQL, with the cross-instance wake-up a payment's lease holder listens to. */
export interface PostgresStore extends Store {
  /** The schema the tables live in (the first of the connection's search_path). */
  readonly schema: string;
}

type Sql = postgres.Sql;

/** BIGINT as a JavaScript number, refused when it could not be one exactly (money must not round). */
const int8 = {
  to: 20,
  from: [20],
  serialize: (x: number | bigint) => String(x),
  parse: (x: string): number => {
    const n = Number(x);
    if (!Number.isSafeInteger(n)) throw new RangeError(`BIGINT ${x} is beyond what a JavaScript number holds exactly`);
    return n;
  },
};

/** Key of the advisory lock that serialises migrations (with the schema's hash as the second key). */
const MIGRATION_LOCK = 0x6d696372; // "micr"

export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
  const sql: Sql = postgres(url, {
    // postgres.js reads ?max= from the URL as text, and a text max makes a pool of one connection.
    max: options.max ?? poolSize(url),
    types: { int8 },
    fetch_types: false,
    onnotice: (notice) => options.onNotice?.(notice.message ?? String(notice)),
    connection: { application_name: (options.applicationName ?? 'micropay-pos').slice(0, 63) },
    ...(options.onQuery ? { debug: (_connection: number, query: string) => options.onQuery!(query) } : {}),
  });
  try {
    const [row] = await sql`SELECT current_schema() AS schema`;
    const schema = row?.schema as string | null;
    if (!schema) throw new Error('the connection has no schema to create tables in: the search_path names none that exists');
    await migratePostgres(sql, PG_MIGRATIONS);
    return pgStore(sql, schema);
  } catch (error) {
    await sql.end({ timeout: 1 });
    throw error;
  }
}

/** The URL's `max` parameter as a number of connections (default 10). */
function poolSize(url: string): number {
  let text: string | null;
  try {
    text = new URL(url).searchParams.get('max');
  } catch {
    return 10; // postgres.js parses what URL cannot (several hosts) and says what is wrong
  }
  if (text === null) return 10;
  const max = Number(text);
  if (!Number.isSafeInteger(max) || max < 1 || max > 1000) throw new RangeError(`DATABASE_URL: max=${text} is not a pool size (1 to 1000 connections)`);
  return max;
}

/**
 * Applies the numbered migrations not yet recorded, each in its own transaction under an
 * advisory lock of this schema, so instances starting together apply each migration once and
 * the later ones wait, then find it done.
 */
export async function migratePostgres(sql: Sql, migrations: readonly Migration[]): Promise<number[]> {
  const done: number[] = [];
  for (const m of migrations) {
    const applied = await sql.begin(async (tx) => {
      await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK}, hashtext(current_schema()))`;
      await tx`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`;
      const [seen] = await tx`SELECT 1 AS one FROM schema_migrations WHERE version = ${m.version}`;
      if (seen) return false;
      await tx.unsafe(m.sql).simple();
      await tx`INSERT INTO schema_migrations (version, name, applied_at) VALUES (${m.version}, ${m.name}, ${Date.now()})`;
      return true;
    });
    if (applied) done.push(m.version);
  }
  return done;
}

/**
 * The journal's tables, one part each (server/store/postgres/), composed into one Store over one
 * pool, with the cross-instance wake-up of a payment's lease holder.
 */
function pgStore(sql: Sql, schema: string): PostgresStore {
  const ctx = pgContext(sql);
  // Notification channels are per database: the schema's name keeps deployments sharing one apart.
  const channel = `micropay_wake_${schema}`.slice(0, 63);
  let closed = false;
  return {
    schema,
    ...pgPayments(ctx),
    ...pgRefunds(ctx),
    ...pgTerminals(ctx),
    ...pgSettings(ctx),
    ...pgShifts(ctx),
    ...pgJournal(ctx),
    ...pgReconciliations(ctx),
    ...pgShops(ctx),
    async signalPayment(id: string): Promise<void> {
      await sql`SELECT pg_notify(${channel}, ${id})`;
    },

    async onPaymentSignal(listener: (id: string) => void): Promise<() => Promise<void>> {
      const { unlisten } = await sql.listen(channel, listener);
      return async () => {
        if (!closed) await unlisten();
      };
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await sql.end({ timeout: 5 });
    },
  };
}
