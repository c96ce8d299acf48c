import postgres from 'postgres';
import type {
  CashierRow,
  ChronologicalPage,
  CloseShiftResult,
  InsertPaymentResult,
  JournalScope,
  OpenShiftResult,
  PaymentGroupRow,
  RefundGroupRow,
  RefundWithPayment,
  ShiftRow,
  InsertRefundResult,
  NewPayment,
  NewRefund,
  PairingCodeRow,
  PaymentEvent,
  PaymentPatch,
  PaymentPageQuery,
  PaymentRow,
  PaymentTotalsRow,
  RefundPatch,
  RefundRow,
  ShopRow,
  Store,
  TerminalRow,
  TerminalTokenRow,
  Transition,
  ReconciliationDifferenceRow,
  ReconciliationRunRow,
  StoredReconciliation,
} from './types.ts';
import { DEFAULT_SHOP_ID } from './types.ts';
import type { Wallet } from '../../shared/payment-code.ts';
import type { Migration } from './migrations.ts';
import { PG_MIGRATIONS } from './postgres-migrations.ts';
import { sumTotals } from './totals.ts';

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
/** The pool, or one transaction's connection. */
type Query = postgres.Sql | postgres.TransactionSql;
/** A row or a set of column values, as the driver reads and serialises them. */
type Row = Record<string, any>;

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

const PAYMENT_COLUMNS = [
  'id', 'out_trade_no', 'terminal_id', 'amount_fen', 'description', 'auth_code_masked', 'auth_code_hash', 'status', 'step',
  'error_code', 'error_message', 'transaction_id', 'late_payment', 'cancel_requested', 'send_rejected', 'sent_at',
  'reverse_decided_at', 'reverse_reason', 'reverse_attempts', 'deadline_at', 'reverse_after', 'next_at', 'lease_owner',
  'lease_until', 'created_at', 'updated_at', 'shift_id', 'cashier', 'wallet', 'cancel_action', 'cash_fen', 'coupon_fen', 'settlement_fen', 'bank_type',
  'shop_id',
] as const;
const PAYMENT_COLUMN_SET: ReadonlySet<string> = new Set(PAYMENT_COLUMNS);
const REFUND_COLUMNS = [
  'id', 'payment_id', 'amount_fen', 'reason', 'status', 'step', 'error_code', 'error_message', 'refund_id', 'terminal_id', 'attempts',
  'next_at', 'lease_owner', 'lease_until', 'created_at', 'updated_at', 'shift_id', 'cashier', 'wallet',
] as const;
const REFUND_COLUMN_SET: ReadonlySet<string> = new Set(REFUND_COLUMNS);
/** Key of the advisory lock that serialises migrations (with the schema's hash as the second key). */
const MIGRATION_LOCK = 0x6d696372; // "micr"
/** A compare-and-set that keeps losing means something writes the row in a loop: stop, loudly. */
const MAX_RACES = 50;
/** Versions remembered for the payments this instance works on (settled ones are forgotten at once). */
const KNOWN_ROWS = 10_000;

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
    return new PgStore(sql, schema);
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
 * A condition that is always true and makes the statement's transaction commit without waiting
 * for the WAL flush (SET LOCAL synchronous_commit = off, from inside the one statement). In the
 * WHERE clause of the row written: a row is only written once the condition was evaluated.
 */
export const ASYNC_COMMIT = "set_config('synchronous_commit', 'off', true) = 'off'";
const REFUNDED = "(SELECT COALESCE(SUM(r.amount_fen), 0)::bigint FROM refunds r WHERE r.payment_id = p.id AND r.status = 'succeeded') AS refunded_fen";
const UNFINISHED_PAYMENT = "p.step NOT IN ('done', 'manual')";

/** No `after`: start at the range's first millisecond (every id sorts after ''). */
const pageParams = (p: ChronologicalPage) => ({
  from: p.fromMs,
  to: p.toMs,
  afterAt: p.after?.created_at ?? p.fromMs,
  afterId: p.after?.id ?? '',
  limit: p.limit,
});

/** A payments row as the flow sees it: the internal version taken out. */
function paymentFromDb(r: Row): { row: PaymentRow; version: number } {
  const { version, ...row } = r;
  return { row: row as unknown as PaymentRow, version: version as number };
}

const refundFromDb = (r: Row): RefundRow => r as unknown as RefundRow;
const TERMINAL_COLUMNS = 't.id, t.name, t.created_at, t.paired_at, t.role, t.shop_id';
// role and shop are left out for a till of the default shop, so its row reads as it always did.
const terminalFromDb = (r: Row): TerminalRow => ({
  id: r.id,
  name: r.name,
  created_at: r.created_at,
  paired_at: r.paired_at,
  ...(r.role === 'owner' || r.role === 'operator' ? { role: r.role } : {}),
  ...(r.shop_id !== DEFAULT_SHOP_ID ? { shop_id: r.shop_id } : {}),
});
const cashierFromDb = (r: Row): CashierRow => ({ id: r.id, name: r.name, pin_hash: r.pin_hash, created_at: r.created_at, removed_at: r.removed_at, shop_id: r.shop_id });
const shopFromDb = (r: Row): ShopRow => ({
  id: r.id,
  name: r.name,
  time_zone: r.time_zone,
  sub_mch_id: r.sub_mch_id,
  sub_appid: r.sub_appid,
  manager_pin_hash: r.manager_pin_hash,
  created_at: r.created_at,
});
const shiftFromDb = (r: Row): ShiftRow => ({
  id: r.id,
  terminal_id: r.terminal_id,
  shop_id: r.shop_id,
  cashier_id: r.cashier_id,
  cashier_name: r.cashier_name,
  opened_at: r.opened_at,
  closed_at: r.closed_at,
  closed_by: r.closed_by,
});

/** The wallet of a group: the payment's (a refund's group is its payment's). */
const WALLET_SQL = 'wallet';
const QUARTER_MS = 15 * 60_000;
const OPEN_STATUSES = "('processing', 'user_paying', 'needs_attention')";
const isUniqueViolation = (e: unknown): boolean => e instanceof Error && (e as { code?: string }).code === '23505';

/** The columns a patch sets (unknown keys ignored), undefined stored as NULL. */
function patchValues(patch: object, known: ReadonlySet<string>): { columns: string[]; values: Row } {
  const values: Row = {};
  const columns: string[] = [];
  for (const [c, v] of Object.entries(patch)) {
    if (!known.has(c)) continue;
    columns.push(c);
    values[c] = v ?? null;
  }
  return { columns, values };
}

interface Versioned {
  row: PaymentRow;
  version: number;
}

class PgStore implements PostgresStore {
  readonly #sql: Sql;
  readonly #channel: string;
  /** Rows this instance inserted, claimed or wrote last, with their version (see the header). */
  readonly #known = new Map<string, Versioned>();
  #closed = false;

  constructor(sql: Sql, readonly schema: string) {
    this.#sql = sql;
    // Notification channels are per database: the schema's name keeps deployments sharing one apart.
    this.#channel = `micropay_wake_${schema}`.slice(0, 63);
  }

  async #paymentVersioned(id: string): Promise<Versioned | undefined> {
    const [r] = await this.#sql`SELECT p.*, ${this.#sql.unsafe(REFUNDED)} FROM payments p WHERE p.id = ${id}`;
    return r && paymentFromDb(r);
  }

  /**
   * Keeps `v` for the next transition of its payment. Not for settled rows (nothing more to do)
   * nor succeeded ones (their refunded_fen moves with refunds, outside the version).
   */
  #remember(v: Versioned): void {
    const { row } = v;
    this.#known.delete(row.id);
    if (row.step === 'done' || row.step === 'manual' || row.status === 'succeeded') return;
    this.#known.set(row.id, v);
    if (this.#known.size > KNOWN_ROWS) this.#known.delete(this.#known.keys().next().value!);
  }

  async insertPayment(p: NewPayment): Promise<InsertPaymentResult> {
    const values: Row = {};
    for (const c of PAYMENT_COLUMNS) values[c] = (p as unknown as Row)[c] ?? null;
    values.wallet ??= 'wechat';
    values.shop_id ??= DEFAULT_SHOP_ID;
    const shiftId = p.shift_id;
    if (!shiftId) return this.#insertPayment(this.#sql, p, values);
    return this.#sql.begin(async (tx) => {
      // The shift's row lock puts this insert and a close of the shift (closeShift locks it for
      // update) one after the other: a payment never lands in a shift that closed meanwhile.
      const [shift] = await tx`SELECT closed_at FROM shifts WHERE id = ${shiftId} FOR SHARE`;
      const closed = !shift || shift.closed_at !== null;
      return this.#insertPayment(tx, p, values, closed);
    });
  }

  async #insertPayment(q: Query, p: NewPayment, values: Row, shiftClosed = false): Promise<InsertPaymentResult> {
    for (let attempt = 0; attempt < 3; attempt++) {
      if (!shiftClosed) {
        // Row and first journal event in one statement; a taken id or a busy terminal inserts nothing.
        const inserted = await q`
          WITH ins AS (INSERT INTO payments ${q(values, PAYMENT_COLUMNS)} ON CONFLICT DO NOTHING RETURNING id)
          INSERT INTO payment_events (payment_id, at, from_status, to_status, from_step, to_step, error_code)
          SELECT id, ${p.created_at}::bigint, NULL, ${p.status}::text, NULL, ${p.step}::text, ${p.error_code ?? null}::text FROM ins
          RETURNING payment_id`;
        if (inserted.length === 1) {
          const payment = { ...(values as unknown as PaymentRow), refunded_fen: 0 };
          this.#remember({ row: payment, version: 0 });
          return { kind: 'created', payment };
        }
      }
      const [existing] = await q`SELECT p.*, ${q.unsafe(REFUNDED)} FROM payments p WHERE p.id = ${p.id}`;
      if (existing) return { kind: 'exists', payment: paymentFromDb(existing).row };
      const [active] = await q`
        SELECT p.*, ${q.unsafe(REFUNDED)} FROM payments p
        WHERE p.terminal_id = ${p.terminal_id} AND p.status IN ('processing', 'user_paying') ORDER BY p.created_at LIMIT 1`;
      if (active) return { kind: 'terminal_busy', active: paymentFromDb(active).row };
      if (shiftClosed) return { kind: 'shift_closed' };
      // The payment in the way finished between the insert and these reads: try again.
    }
    throw new Error(`payment ${p.id} was not inserted: its out_trade_no ${p.out_trade_no} is taken`);
  }

  async payment(id: string): Promise<PaymentRow | undefined> {
    return (await this.#paymentVersioned(id))?.row;
  }

  async activePayment(terminalId: string): Promise<PaymentRow | undefined> {
    const [r] = await this.#sql`
      SELECT p.*, ${this.#sql.unsafe(REFUNDED)} FROM payments p
      WHERE p.terminal_id = ${terminalId} AND p.status IN ('processing', 'user_paying') ORDER BY p.created_at LIMIT 1`;
    return r && paymentFromDb(r).row;
  }

  async paymentsCreatedBetween(fromMs: number, toMs: number): Promise<PaymentRow[]> {
    const rows = await this.#sql`
      SELECT p.*, ${this.#sql.unsafe(REFUNDED)} FROM payments p
      WHERE p.created_at >= ${fromMs} AND p.created_at < ${toMs} ORDER BY p.created_at, p.id`;
    return rows.map((r) => paymentFromDb(r).row);
  }

  async paymentsPage(q: PaymentPageQuery): Promise<PaymentRow[]> {
    const sql = this.#sql;
    // The index range ends at the cursor's time (earlier pages are not read again); the row value breaks ties by id.
    const toMs = q.after ? Math.min(q.toMs, q.after.created_at + 1) : q.toMs;
    const match = [
      ...(q.amountFen !== undefined ? [sql`p.amount_fen = ${q.amountFen}`] : []),
      ...(q.tail !== undefined ? [sql`p.out_trade_no ILIKE ${`%${q.tail}`}`, sql`p.transaction_id ILIKE ${`%${q.tail}`}`] : []),
    ];
    const rows = await sql`
      SELECT p.*, ${sql.unsafe(REFUNDED)} FROM payments p
      WHERE p.created_at >= ${q.fromMs} AND p.created_at < ${toMs}
        ${q.shopId !== undefined ? sql`AND p.shop_id = ${q.shopId}` : sql``}
        ${q.terminalId !== undefined ? sql`AND p.terminal_id = ${q.terminalId}` : sql``}
        ${q.after ? sql`AND (p.created_at, p.id) < (${q.after.created_at}, ${q.after.id})` : sql``}
        ${match.length ? sql`AND (${match.reduce((all, one) => sql`${all} OR ${one}`)})` : sql``}
      ORDER BY p.created_at DESC, p.id DESC LIMIT ${q.limit}`;
    return rows.map((r) => paymentFromDb(r).row);
  }

  async paymentTotals(fromMs: number, toMs: number, shopId?: string): Promise<PaymentTotalsRow> {
    const sql = this.#sql;
    const shop = shopId === undefined ? sql`` : sql`AND p.shop_id = ${shopId}`;
    const payments = await sql`
      SELECT p.wallet AS wallet, COUNT(*)::bigint AS count, COUNT(*) FILTER (WHERE p.status = 'succeeded')::bigint AS succeeded_count,
             COALESCE(SUM(p.amount_fen) FILTER (WHERE p.status = 'succeeded'), 0)::bigint AS succeeded_fen,
             COALESCE(SUM(COALESCE(p.coupon_fen, 0)) FILTER (WHERE p.status = 'succeeded'), 0)::bigint AS coupon_fen,
             COALESCE(SUM(COALESCE(p.settlement_fen, p.amount_fen)) FILTER (WHERE p.status = 'succeeded'), 0)::bigint AS settlement_fen
      FROM payments p WHERE p.created_at >= ${fromMs} AND p.created_at < ${toMs} ${shop} GROUP BY p.wallet`;
    const refunds = await sql`
      SELECT p.wallet AS wallet, COALESCE(SUM(r.amount_fen), 0)::bigint AS refunded_fen FROM refunds r JOIN payments p ON p.id = r.payment_id
      WHERE r.status = 'succeeded' AND p.created_at >= ${fromMs} AND p.created_at < ${toMs} ${shop} GROUP BY p.wallet`;
    const n = (v: unknown): number => Number(v);
    return sumTotals(
      payments.map((t) => ({ wallet: String(t.wallet), count: n(t.count), succeeded_count: n(t.succeeded_count), succeeded_fen: n(t.succeeded_fen), coupon_fen: n(t.coupon_fen), settlement_fen: n(t.settlement_fen) })),
      refunds.map((r) => ({ wallet: String(r.wallet), refunded_fen: n(r.refunded_fen) })),
    );
  }

  async transitionPayment(id: string, decide: (current: PaymentRow) => PaymentPatch | undefined): Promise<Transition | undefined> {
    const sql = this.#sql;
    let current = this.#known.get(id);
    let fresh = current === undefined;
    for (let race = 0; race < MAX_RACES; race++) {
      current ??= await this.#paymentVersioned(id);
      if (!current) return undefined;
      const before = current.row;
      const patch = decide(before);
      const { columns, values } = patch ? patchValues(patch, PAYMENT_COLUMN_SET) : { columns: [], values: {} };
      if (columns.length === 0) {
        if (fresh) return { before, after: before, changed: false };
        // Nothing to do by a remembered row: make sure by the stored one.
        current = undefined;
        fresh = true;
        continue;
      }
      const after = { ...before, ...values } as PaymentRow;
      const eventCode = patch?.event_code;
      // Written only over the version decided on; another writer in between → read and decide again.
      const written =
        after.status !== before.status || after.step !== before.step || eventCode !== undefined
          ? await sql`
              WITH u AS (UPDATE payments SET ${sql(values, columns)}, version = version + 1 WHERE id = ${id} AND version = ${current.version} AND ${sql.unsafe(ASYNC_COMMIT)} RETURNING id)
              INSERT INTO payment_events (payment_id, at, from_status, to_status, from_step, to_step, error_code)
              SELECT id, ${after.updated_at}::bigint, ${before.status}::text, ${after.status}::text, ${before.step}::text, ${after.step}::text, ${eventCode ?? after.error_code}::text FROM u
              RETURNING payment_id`
          : await sql`UPDATE payments SET ${sql(values, columns)}, version = version + 1 WHERE id = ${id} AND version = ${current.version} AND ${sql.unsafe(ASYNC_COMMIT)} RETURNING id`;
      if (written.length === 1) {
        this.#remember({ row: after, version: current.version + 1 });
        return { before, after, changed: true };
      }
      this.#known.delete(id);
      current = undefined;
      fresh = true;
    }
    throw new Error(`payment ${id} kept changing under ${MAX_RACES} transitions in a row`);
  }

  async paymentEvents(id: string): Promise<PaymentEvent[]> {
    const rows = await this.#sql`
      SELECT payment_id, at, from_status, to_status, from_step, to_step, error_code FROM payment_events WHERE payment_id = ${id} ORDER BY seq`;
    return rows as unknown as PaymentEvent[];
  }

  async claimPayments(owner: string, now: number, leaseMs: number, dueBy: number, limit: number): Promise<PaymentRow[]> {
    // Rows another instance is claiming right now are skipped, not waited for.
    const rows = await this.#sql`
      UPDATE payments p SET lease_owner = ${owner}, lease_until = ${now + leaseMs}, version = p.version + 1
      WHERE p.id IN (
        SELECT id FROM payments p
        WHERE ${this.#sql.unsafe(UNFINISHED_PAYMENT)} AND p.next_at <= ${dueBy}
          AND (p.lease_owner IS NULL OR p.lease_until < ${now} OR p.lease_owner = ${owner})
        ORDER BY p.next_at LIMIT ${limit}
        FOR UPDATE SKIP LOCKED)
      RETURNING p.*, ${this.#sql.unsafe(REFUNDED)}`;
    return rows
      .map((r) => {
        const v = paymentFromDb(r);
        this.#remember(v);
        return v.row;
      })
      .sort((a, b) => a.next_at - b.next_at);
  }

  async claimPayment(id: string, owner: string, now: number, leaseMs: number): Promise<PaymentRow | undefined> {
    const [r] = await this.#sql`
      UPDATE payments p SET lease_owner = ${owner}, lease_until = ${now + leaseMs}, version = p.version + 1
      WHERE p.id = ${id} AND ${this.#sql.unsafe(UNFINISHED_PAYMENT)}
        AND (p.lease_owner IS NULL OR p.lease_until < ${now} OR p.lease_owner = ${owner})
      RETURNING p.*, ${this.#sql.unsafe(REFUNDED)}`;
    if (!r) return undefined;
    const v = paymentFromDb(r);
    this.#remember(v);
    return v.row;
  }

  async releasePayment(id: string, owner: string): Promise<void> {
    this.#known.delete(id);
    await this.#sql`UPDATE payments SET lease_owner = NULL, lease_until = NULL, version = version + 1 WHERE id = ${id} AND lease_owner = ${owner}`;
  }

  async insertRefund(r: NewRefund): Promise<InsertRefundResult> {
    const values: Row = {};
    for (const c of REFUND_COLUMNS) values[c] = (r as unknown as Row)[c] ?? null;
    return this.#sql.begin(async (tx): Promise<InsertRefundResult> => {
      // The payment's row lock makes refunds of one payment take turns: what is left is read after the previous one committed.
      const [locked] = await tx`SELECT p.*, ${tx.unsafe(REFUNDED)} FROM payments p WHERE p.id = ${r.payment_id} FOR UPDATE`;
      const [existing] = await tx`SELECT * FROM refunds WHERE id = ${r.id}`;
      if (existing) return { kind: 'exists', refund: refundFromDb(existing) };
      if (!locked) return { kind: 'payment_not_found' };
      const payment = paymentFromDb(locked).row;
      if (payment.status !== 'succeeded') return { kind: 'not_allowed', payment };
      const [reserved] = await tx`
        SELECT COALESCE(SUM(amount_fen), 0)::bigint AS fen FROM refunds WHERE payment_id = ${r.payment_id} AND status IN ('processing', 'succeeded')`;
      const remaining = payment.amount_fen - (reserved!.fen as number);
      if (r.amount_fen > remaining) return { kind: 'too_large', remaining_fen: Math.max(0, remaining) };
      values.wallet = payment.wallet;
      const [created] = await tx`INSERT INTO refunds ${tx(values, REFUND_COLUMNS)} RETURNING *`;
      return { kind: 'created', refund: refundFromDb(created!) };
    });
  }

  async refund(id: string): Promise<RefundRow | undefined> {
    const [r] = await this.#sql`SELECT * FROM refunds WHERE id = ${id}`;
    return r && refundFromDb(r);
  }

  async refundsOf(paymentId: string): Promise<RefundRow[]> {
    const rows = await this.#sql`SELECT * FROM refunds WHERE payment_id = ${paymentId} ORDER BY created_at, id`;
    return rows.map(refundFromDb);
  }

  async transitionRefund(id: string, decide: (current: RefundRow) => RefundPatch | undefined): Promise<RefundRow | undefined> {
    return this.#sql.begin(async (tx) => {
      const [r] = await tx`SELECT * FROM refunds WHERE id = ${id} FOR UPDATE`;
      if (!r) return undefined;
      const before = refundFromDb(r);
      const patch = decide(before);
      const { columns, values } = patch ? patchValues(patch, REFUND_COLUMN_SET) : { columns: [], values: {} };
      if (columns.length === 0) return before;
      const [after] = await tx`UPDATE refunds SET ${tx(values, columns)} WHERE id = ${id} RETURNING *`;
      return refundFromDb(after!);
    });
  }

  async claimRefunds(owner: string, now: number, leaseMs: number, dueBy: number, limit: number): Promise<RefundRow[]> {
    const rows = await this.#sql`
      UPDATE refunds SET lease_owner = ${owner}, lease_until = ${now + leaseMs}
      WHERE id IN (
        SELECT id FROM refunds
        WHERE step <> 'done' AND next_at <= ${dueBy} AND (lease_owner IS NULL OR lease_until < ${now} OR lease_owner = ${owner})
        ORDER BY next_at LIMIT ${limit}
        FOR UPDATE SKIP LOCKED)
      RETURNING *`;
    return rows.map(refundFromDb).sort((a, b) => a.next_at - b.next_at);
  }

  async createTerminal(t: TerminalRow, token: TerminalTokenRow, code: PairingCodeRow): Promise<void> {
    await this.#sql.begin(async (tx) => {
      await tx`INSERT INTO terminals (id, name, created_at, paired_at, role, shop_id)
               VALUES (${t.id}, ${t.name}, ${t.created_at}, ${t.paired_at}, ${t.role ?? 'till'}, ${t.shop_id ?? DEFAULT_SHOP_ID})`;
      await tx`INSERT INTO terminal_tokens (token_hash, terminal_id, created_at) VALUES (${token.token_hash}, ${token.terminal_id}, ${token.created_at})`;
      await tx`INSERT INTO pairing_codes (code_hash, terminal_id, expires_at) VALUES (${code.code_hash}, ${code.terminal_id}, ${code.expires_at})`;
    });
  }

  async terminal(id: string): Promise<TerminalRow | undefined> {
    const [r] = await this.#sql`SELECT ${this.#sql.unsafe(TERMINAL_COLUMNS)} FROM terminals t WHERE t.id = ${id}`;
    return r && terminalFromDb(r);
  }

  async terminalByTokenHash(tokenHash: string): Promise<TerminalRow | undefined> {
    const [r] = await this.#sql`
      SELECT ${this.#sql.unsafe(TERMINAL_COLUMNS)} FROM terminal_tokens k JOIN terminals t ON t.id = k.terminal_id WHERE k.token_hash = ${tokenHash}`;
    return r && terminalFromDb(r);
  }

  async listTerminals(shopId?: string): Promise<TerminalRow[]> {
    const sql = this.#sql;
    const rows = await sql`
      SELECT ${sql.unsafe(TERMINAL_COLUMNS)} FROM terminals t ${shopId === undefined ? sql`` : sql`WHERE t.shop_id = ${shopId}`} ORDER BY t.created_at, t.id`;
    return rows.map(terminalFromDb);
  }

  async rotateTerminal(terminalId: string, token: TerminalTokenRow, code: PairingCodeRow): Promise<boolean> {
    return this.#sql.begin(async (tx) => {
      // The terminal's row lock makes rotations, redemptions and removals of one terminal take turns.
      const [t] = await tx`UPDATE terminals SET paired_at = NULL WHERE id = ${terminalId} RETURNING id`;
      if (!t) return false;
      await tx`DELETE FROM terminal_tokens WHERE terminal_id = ${terminalId}`;
      await tx`DELETE FROM pairing_codes WHERE terminal_id = ${terminalId} AND used_at IS NULL`;
      await tx`INSERT INTO terminal_tokens (token_hash, terminal_id, created_at) VALUES (${token.token_hash}, ${token.terminal_id}, ${token.created_at})`;
      await tx`INSERT INTO pairing_codes (code_hash, terminal_id, expires_at) VALUES (${code.code_hash}, ${code.terminal_id}, ${code.expires_at})`;
      return true;
    });
  }

  async redeemPairingCode(codeHash: string, now: number, token: Omit<TerminalTokenRow, 'terminal_id'>): Promise<TerminalRow | undefined> {
    return this.#sql.begin(async (tx) => {
      const [used] = await tx`
        UPDATE pairing_codes SET used_at = ${now} WHERE code_hash = ${codeHash} AND used_at IS NULL AND expires_at > ${now} RETURNING terminal_id`;
      if (!used) return undefined;
      const terminalId = used.terminal_id as string;
      await tx`INSERT INTO terminal_tokens (token_hash, terminal_id, created_at) VALUES (${token.token_hash}, ${terminalId}, ${token.created_at})`;
      const [t] = await tx`UPDATE terminals t SET paired_at = ${now} WHERE t.id = ${terminalId} RETURNING ${tx.unsafe(TERMINAL_COLUMNS)}`;
      return t && terminalFromDb(t);
    });
  }

  async revokeTokens(terminalId: string): Promise<number> {
    return this.#sql.begin(async (tx) => {
      const revoked = (await tx`DELETE FROM terminal_tokens WHERE terminal_id = ${terminalId}`).count;
      await tx`UPDATE terminals SET paired_at = NULL WHERE id = ${terminalId}`;
      return revoked;
    });
  }

  async removeTerminal(terminalId: string): Promise<boolean> {
    return this.#sql.begin(async (tx) => {
      await tx`DELETE FROM terminal_tokens WHERE terminal_id = ${terminalId}`;
      await tx`DELETE FROM pairing_codes WHERE terminal_id = ${terminalId}`;
      return (await tx`DELETE FROM terminals WHERE id = ${terminalId}`).count === 1;
    });
  }

  async setting(key: string): Promise<string | undefined> {
    const [r] = await this.#sql`SELECT value FROM settings WHERE key = ${key}`;
    return r?.value as string | undefined;
  }

  async setSetting(key: string, value: string): Promise<void> {
    await this.#sql`INSERT INTO settings (key, value) VALUES (${key}, ${value}) ON CONFLICT (key) DO UPDATE SET value = excluded.value`;
  }

  async initSetting(key: string, value: string): Promise<string> {
    // Two statements: the read takes a new snapshot, so it sees the row a concurrent first start committed.
    await this.#sql`INSERT INTO settings (key, value) VALUES (${key}, ${value}) ON CONFLICT (key) DO NOTHING`;
    return (await this.setting(key))!;
  }

  async checkWritable(): Promise<void> {
    // Committed like every write here, it waits for the WAL flush: it fails when PostgreSQL cannot take one.
    await this.#sql`INSERT INTO settings (key, value) VALUES ('journal_probe', ${String(Date.now())}) ON CONFLICT (key) DO UPDATE SET value = excluded.value`;
  }

  // Cashiers and shifts, exports and reports

  async createCashier(cashier: CashierRow): Promise<boolean> {
    const wanted = cashier.name.toLowerCase();
    const shopId = cashier.shop_id ?? DEFAULT_SHOP_ID;
    try {
      return await this.#sql.begin(async (tx) => {
        // Names are compared here (lower() in SQL may fold ASCII only); creations take turns so two
        // cashiers named alike cannot both pass the comparison. The unique index is the backstop.
        await tx`LOCK TABLE cashiers IN SHARE ROW EXCLUSIVE MODE`;
        const active = await tx`SELECT name FROM cashiers WHERE removed_at IS NULL AND shop_id = ${shopId}`;
        if (active.some((r) => (r.name as string).toLowerCase() === wanted)) return false;
        await tx`INSERT INTO cashiers (id, name, pin_hash, created_at, removed_at, shop_id)
                 VALUES (${cashier.id}, ${cashier.name}, ${cashier.pin_hash}, ${cashier.created_at}, ${cashier.removed_at}, ${shopId})`;
        return true;
      });
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  async cashiers(shopId?: string): Promise<CashierRow[]> {
    const sql = this.#sql;
    const shop = shopId === undefined ? sql`` : sql`AND shop_id = ${shopId}`;
    return (await sql`SELECT * FROM cashiers WHERE removed_at IS NULL ${shop} ORDER BY created_at, id`).map(cashierFromDb);
  }

  async cashier(id: string): Promise<CashierRow | undefined> {
    const [r] = await this.#sql`SELECT * FROM cashiers WHERE id = ${id}`;
    return r && cashierFromDb(r);
  }

  async removeCashier(id: string, at: number): Promise<boolean> {
    return (await this.#sql`UPDATE cashiers SET removed_at = ${at} WHERE id = ${id} AND removed_at IS NULL`).count === 1;
  }

  async hasCashiers(shopId?: string): Promise<boolean> {
    const sql = this.#sql;
    const shop = shopId === undefined ? sql`` : sql`AND shop_id = ${shopId}`;
    const [r] = await sql`SELECT EXISTS (SELECT 1 FROM cashiers WHERE removed_at IS NULL ${shop}) AS any`;
    return r!.any === true;
  }

  async openShift(shift: Omit<ShiftRow, 'closed_at' | 'closed_by'>): Promise<OpenShiftResult> {
    for (let attempt = 0; attempt < 3; attempt++) {
      // One open shift per terminal is the partial unique index's rule: a second insert does nothing.
      const shopId = shift.shop_id ?? DEFAULT_SHOP_ID;
      const [opened] = await this.#sql`
        INSERT INTO shifts (id, terminal_id, cashier_id, cashier_name, opened_at, shop_id)
        VALUES (${shift.id}, ${shift.terminal_id}, ${shift.cashier_id}, ${shift.cashier_name}, ${shift.opened_at}, ${shopId})
        ON CONFLICT DO NOTHING RETURNING id`;
      if (opened) return { kind: 'opened', shift: { ...shift, shop_id: shopId, closed_at: null, closed_by: null } };
      const existing = await this.openShiftOf(shift.terminal_id);
      if (existing) return { kind: 'terminal_has_shift', shift: existing };
      // The shift in the way closed between the insert and the read: try again.
    }
    throw new Error(`shift ${shift.id} was not opened: its id is taken`);
  }

  async openShiftOf(terminalId: string): Promise<ShiftRow | undefined> {
    const [r] = await this.#sql`SELECT * FROM shifts WHERE terminal_id = ${terminalId} AND closed_at IS NULL`;
    return r && shiftFromDb(r);
  }

  async shift(id: string): Promise<ShiftRow | undefined> {
    const [r] = await this.#sql`SELECT * FROM shifts WHERE id = ${id}`;
    return r && shiftFromDb(r);
  }

  async closeShift(id: string, at: number, closedBy: string): Promise<CloseShiftResult> {
    return this.#sql.begin(async (tx): Promise<CloseShiftResult> => {
      // Locked for update: a payment being inserted into this shift (FOR SHARE) finishes first and is seen below.
      const [r] = await tx`SELECT * FROM shifts WHERE id = ${id} FOR UPDATE`;
      if (!r) return { kind: 'not_found' };
      const shift = shiftFromDb(r);
      if (shift.closed_at !== null) return { kind: 'already_closed', shift };
      const [active] = await tx`
        SELECT p.*, ${tx.unsafe(REFUNDED)} FROM payments p
        WHERE p.terminal_id = ${shift.terminal_id} AND p.status IN ('processing', 'user_paying') ORDER BY p.created_at LIMIT 1`;
      if (active) return { kind: 'payment_in_progress', active: paymentFromDb(active).row };
      await tx`UPDATE shifts SET closed_at = ${at}, closed_by = ${closedBy} WHERE id = ${id}`;
      return { kind: 'closed', shift: { ...shift, closed_at: at, closed_by: closedBy } };
    });
  }

  async shiftsOpenedBetween(fromMs: number, toMs: number, shopId?: string): Promise<ShiftRow[]> {
    const sql = this.#sql;
    const shop = shopId === undefined ? sql`` : sql`AND shop_id = ${shopId}`;
    return (await sql`SELECT * FROM shifts WHERE opened_at >= ${fromMs} AND opened_at < ${toMs} ${shop} ORDER BY opened_at, id`).map(shiftFromDb);
  }

  async paymentGroups(scope: JournalScope): Promise<PaymentGroupRow[]> {
    const sql = this.#sql;
    const where =
      'shiftId' in scope
        ? sql`shift_id = ${scope.shiftId}`
        : sql`created_at >= ${scope.fromMs} AND created_at < ${scope.toMs} ${scope.shopId === undefined ? sql`` : sql`AND shop_id = ${scope.shopId}`}`;
    const rows = await sql`
      SELECT (created_at / ${QUARTER_MS}) * ${QUARTER_MS} AS quarter, terminal_id, cashier, ${sql.unsafe(WALLET_SQL)} AS wallet, COUNT(*) AS count,
        COUNT(*) FILTER (WHERE status = 'succeeded') AS succeeded_count,
        COALESCE(SUM(amount_fen) FILTER (WHERE status = 'succeeded'), 0)::bigint AS succeeded_fen,
        COUNT(*) FILTER (WHERE status IN ${sql.unsafe(OPEN_STATUSES)}) AS open_count,
        COALESCE(SUM(amount_fen) FILTER (WHERE status IN ${sql.unsafe(OPEN_STATUSES)}), 0)::bigint AS open_fen
      FROM payments WHERE ${where} GROUP BY 1, 2, 3, 4`;
    return rows as unknown as PaymentGroupRow[];
  }

  async refundGroups(scope: JournalScope): Promise<RefundGroupRow[]> {
    const sql = this.#sql;
    const where =
      'shiftId' in scope
        ? sql`r.shift_id = ${scope.shiftId}`
        : sql`r.created_at >= ${scope.fromMs} AND r.created_at < ${scope.toMs} ${scope.shopId === undefined ? sql`` : sql`AND p.shop_id = ${scope.shopId}`}`;
    // Failed refunds returned nothing: only succeeded and still-processing ones are summed.
    const rows = await sql`
      SELECT (r.created_at / ${QUARTER_MS}) * ${QUARTER_MS} AS quarter, p.terminal_id AS terminal_id, r.cashier AS cashier, p.${sql.unsafe(WALLET_SQL)} AS wallet,
        COUNT(*) FILTER (WHERE r.status = 'succeeded') AS count,
        COALESCE(SUM(r.amount_fen) FILTER (WHERE r.status = 'succeeded'), 0)::bigint AS refunded_fen,
        COUNT(*) FILTER (WHERE r.status = 'processing') AS processing_count,
        COALESCE(SUM(r.amount_fen) FILTER (WHERE r.status = 'processing'), 0)::bigint AS processing_fen
      FROM refunds r JOIN payments p ON p.id = r.payment_id
      WHERE ${where} AND r.status <> 'failed' GROUP BY 1, 2, 3, 4`;
    return rows as unknown as RefundGroupRow[];
  }

  async openPaymentsOfShift(shiftId: string): Promise<PaymentRow[]> {
    const rows = await this.#sql`
      SELECT p.*, ${this.#sql.unsafe(REFUNDED)} FROM payments p
      WHERE p.shift_id = ${shiftId} AND p.status IN ${this.#sql.unsafe(OPEN_STATUSES)} ORDER BY p.created_at, p.id`;
    return rows.map((r) => paymentFromDb(r).row);
  }

  async paymentsChronological(page: ChronologicalPage): Promise<PaymentRow[]> {
    const { from, to, afterAt, afterId, limit } = pageParams(page);
    const rows = await this.#sql`
      SELECT p.*, ${this.#sql.unsafe(REFUNDED)} FROM payments p
      WHERE p.created_at >= ${from} AND p.created_at < ${to} AND (p.created_at, p.id) > (${afterAt}::bigint, ${afterId}::text)
        ${page.shopId === undefined ? this.#sql`` : this.#sql`AND p.shop_id = ${page.shopId}`}
      ORDER BY p.created_at, p.id LIMIT ${limit}`;
    return rows.map((r) => paymentFromDb(r).row);
  }

  async refundsChronological(page: ChronologicalPage): Promise<RefundWithPayment[]> {
    const { from, to, afterAt, afterId, limit } = pageParams(page);
    const refunds = (
      await this.#sql`
        SELECT r.* FROM refunds r
        ${page.shopId === undefined ? this.#sql`` : this.#sql`JOIN payments p ON p.id = r.payment_id AND p.shop_id = ${page.shopId}`}
        WHERE r.created_at >= ${from} AND r.created_at < ${to} AND (r.created_at, r.id) > (${afterAt}::bigint, ${afterId}::text)
        ORDER BY r.created_at, r.id LIMIT ${limit}`
    ).map(refundFromDb);
    if (refunds.length === 0) return [];
    const ids = [...new Set(refunds.map((r) => r.payment_id))];
    const payments = new Map(
      (await this.#sql`SELECT p.*, ${this.#sql.unsafe(REFUNDED)} FROM payments p WHERE p.id IN ${this.#sql(ids)}`).map((r) => {
        const { row } = paymentFromDb(r);
        return [row.id, row] as const;
      }),
    );
    return refunds.map((r) => ({ ...r, payment: payments.get(r.payment_id)! }));
  }

  // Shops

  async createShop(shop: ShopRow): Promise<boolean> {
    const wanted = shop.name?.toLowerCase();
    try {
      return await this.#sql.begin(async (tx) => {
        // As cashiers: names compared here (lower() may fold ASCII only), creations take turns.
        await tx`LOCK TABLE shops IN SHARE ROW EXCLUSIVE MODE`;
        const shops = await tx`SELECT id, name FROM shops`;
        if (shops.some((r) => r.id === shop.id || (wanted !== undefined && (r.name as string | null)?.toLowerCase() === wanted))) return false;
        await tx`INSERT INTO shops (id, name, time_zone, sub_mch_id, sub_appid, manager_pin_hash, created_at)
                 VALUES (${shop.id}, ${shop.name}, ${shop.time_zone}, ${shop.sub_mch_id}, ${shop.sub_appid}, ${shop.manager_pin_hash}, ${shop.created_at})`;
        return true;
      });
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  async shop(id: string): Promise<ShopRow | undefined> {
    const [r] = await this.#sql`SELECT * FROM shops WHERE id = ${id}`;
    return r && shopFromDb(r);
  }

  async listShops(): Promise<ShopRow[]> {
    return (await this.#sql`SELECT * FROM shops ORDER BY id <> ${DEFAULT_SHOP_ID}, created_at, id`).map(shopFromDb);
  }

  async setShopPin(id: string, pinHash: string | null): Promise<boolean> {
    return (await this.#sql`UPDATE shops SET manager_pin_hash = ${pinHash} WHERE id = ${id}`).count === 1;
  }

  async signalPayment(id: string): Promise<void> {
    await this.#sql`SELECT pg_notify(${this.#channel}, ${id})`;
  }

  async onPaymentSignal(listener: (id: string) => void): Promise<() => Promise<void>> {
    const { unlisten } = await this.#sql.listen(this.#channel, listener);
    return async () => {
      if (!this.#closed) await unlisten();
    };
  }

  async paymentsByOutTradeNo(outTradeNos: readonly string[]): Promise<PaymentRow[]> {
    const found: PaymentRow[] = [];
    for (let i = 0; i < outTradeNos.length; i += 1000) {
      const chunk = outTradeNos.slice(i, i + 1000);
      const rows = await this.#sql`SELECT p.*, ${this.#sql.unsafe(REFUNDED)} FROM payments p WHERE p.out_trade_no IN ${this.#sql(chunk)}`;
      found.push(...rows.map((r) => paymentFromDb(r).row));
    }
    return found;
  }

  async saveReconciliation({ run, differences }: StoredReconciliation): Promise<void> {
    await this.#sql.begin(async (tx) => {
      await tx`INSERT INTO reconciliations ${tx(run as unknown as Row, 'id', 'bill_date', 'shop_id', 'wallet', 'status', 'run_at', 'journal_count', 'bill_count', 'matched_count', 'error')}`;
      if (differences.length === 0) return;
      const rows = differences.map((d, seq) => ({ ...d, run_id: run.id, seq }));
      for (let i = 0; i < rows.length; i += 1000) {
        await tx`INSERT INTO reconciliation_differences ${tx(rows.slice(i, i + 1000), 'run_id', 'seq', 'kind', 'out_trade_no', 'out_refund_no', 'payment_id', 'transaction_id', 'journal_fen', 'bill_fen', 'journal_status', 'bill_status')}`;
      }
    });
  }

  async claimReconciliation(billDate: string, shopId: string, owner: string, now: number, until: number): Promise<boolean> {
    const rows = await this.#sql`
      INSERT INTO reconciliation_claims (bill_date, shop_id, owner, until) VALUES (${billDate}, ${shopId}, ${owner}, ${until})
      ON CONFLICT (bill_date, shop_id) DO UPDATE SET owner = excluded.owner, until = excluded.until
      WHERE reconciliation_claims.until <= ${now} OR reconciliation_claims.owner = excluded.owner
      RETURNING owner`;
    return rows.length === 1;
  }

  async latestReconciliation(billDate: string, shopId = DEFAULT_SHOP_ID, wallet: Wallet = 'wechat'): Promise<StoredReconciliation | undefined> {
    const [run] = await this.#sql`SELECT * FROM reconciliations WHERE bill_date = ${billDate} AND shop_id = ${shopId} AND wallet = ${wallet} ORDER BY run_at DESC, id DESC LIMIT 1`;
    if (!run) return undefined;
    const rows = await this.#sql`SELECT * FROM reconciliation_differences WHERE run_id = ${run.id} ORDER BY seq`;
    const differences = rows.map(({ run_id: _r, seq: _s, ...d }) => d as unknown as ReconciliationDifferenceRow);
    return { run: { ...run } as unknown as ReconciliationRunRow, differences };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#sql.end({ timeout: 5 });
  }
}
