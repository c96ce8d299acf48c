import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type {
  FlowStep,
  InsertPaymentResult,
  InsertRefundResult,
  NewPayment,
  NewRefund,
  PairingCodeRow,
  PaymentEvent,
  PaymentPageQuery,
  PaymentPatch,
  PaymentRow,
  PaymentTotalsRow,
  RefundPatch,
  RefundRow,
  ReverseReason,
  Store,
  ShopRow,
  TerminalRow,
  TerminalTokenRow,
  Transition,
  CashierRow,
  ChronologicalPage,
  CloseShiftResult,
  JournalScope,
  OpenShiftResult,
  PaymentGroupRow,
  RefundGroupRow,
  RefundWithPayment,
  ShiftRow,
  ReconciliationDifferenceRow,
  ReconciliationRunRow,
  StoredReconciliation,
} from './types.ts';
import { DEFAULT_SHOP_ID } from './types.ts';
import type { PaymentStatus, RefundStatus } from '../../shared/api.ts';
import { MIGRATIONS } from './migrations.ts';
import { sumTotals } from './totals.ts';
import type { Wallet } from '../../shared/payment-code.ts';
import { startCheckpointer, type Checkpointer } from './checkpointer.ts';
import { DataDirError, journalCause, ownerOnlyFile, prepareDataDir } from './data-dir.ts';
import { WalSync } from './wal-sync.ts';

/**
 * The journal on SQLite (better-sqlite3) in WAL mode, so readers run beside the writer.
 *
 * Durability, chosen for money: every commit survives a killed process (WAL + OS cache). Against
 * a power cut, the commits that create a handle WeChat cannot give back are fsynced before the
 * insert resolves: the payment insert holds the only out_trade_no we could query by, the refund
 * insert the out_refund_no. The fsync runs off the event loop (wal-sync.ts), shared by inserts
 * that arrive together. Every later transition runs at NORMAL: if a power cut loses it, the row
 * falls back to an earlier step and recovery re-asks WeChat, which settles the same outcome
 * (queries are safe, reverse and refund are idempotent by number). That keeps at most one fsync
 * per payment instead of one per transition.
 *
 * Mutations run in BEGIN IMMEDIATE transactions, so several processes on one file stay safe.
 */
export interface SqliteStoreOptions {
  fileName?: string;
  /** 'full' fsyncs every commit inside COMMIT (slower, for disks with a fast fsync or maximal caution). */
  synchronous?: 'inserts' | 'full';
  /**
   * How often a worker thread checkpoints the WAL into the database file (default 250 ms); 0 =
   * SQLite's automatic checkpoint inside the committing call, on the event loop.
   */
  checkpointIntervalMs?: number;
  /** The fsync the inserts wait for (default fs.fsync; tests hold it back). */
  fsync?: ConstructorParameters<typeof WalSync>[1];
  /**
   * The size the WAL file is brought back to (default 16 MiB). Under sustained writes the
   * checkpoints never catch up with the end of the WAL, so SQLite never restarts it and the file
   * only grew (479 MB seen); past this size the checkpointer empties it (checkpointer.ts).
   */
  walLimitBytes?: number;
}

export const DEFAULT_WAL_LIMIT_BYTES = 16 * 1024 * 1024;
const BUSY_TIMEOUT_MS = 5_000;
/** The settings row checkWritable rewrites. */
const PROBE_KEY = 'journal_probe';
/** The journal's file in DATA_DIR. */
export const SQLITE_FILE_NAME = 'micropay.sqlite';

export function openSqliteStore(dataDir: string, options: SqliteStoreOptions = {}): Store {
  if (dataDir === ':memory:') return openDatabase(':memory:', options);
  const path = join(prepareDataDir(dataDir), options.fileName ?? SQLITE_FILE_NAME);
  try {
    for (const file of [path, `${path}-wal`, `${path}-shm`]) if (file === path || existsSync(file)) ownerOnlyFile(file);
    return openDatabase(path, options);
  } catch (error) {
    if (error instanceof DataDirError) throw error;
    throw new DataDirError(`journal ${path}: ${journalCause(error)}`);
  }
}

function openDatabase(path: string, options: SqliteStoreOptions): Store {
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    const walLimitBytes = options.walLimitBytes ?? DEFAULT_WAL_LIMIT_BYTES;
    // Whenever the WAL restarts from its beginning, SQLite cuts the file back to this size.
    db.pragma(`journal_size_limit = ${walLimitBytes}`);
    migrate(db);
    const full = options.synchronous === 'full';
    const onDisk = path !== ':memory:';
    const intervalMs = options.checkpointIntervalMs ?? 250;
    let checkpointer: Checkpointer | undefined;
    if (onDisk && intervalMs > 0) {
      let truncating = false;
      checkpointer = startCheckpointer(
        path,
        intervalMs,
        walLimitBytes,
        () => {
          // The worker is gone: SQLite checkpoints inline again, so the WAL stays bounded.
          if (db.open) db.pragma('wal_autocheckpoint = 1000');
        },
        () => {
          if (truncating) return;
          truncating = true;
          // Between two requests' writes: the worker copied most frames already, this copies the
          // rest and empties the file. Never waits: busy (the worker's round, a reader in
          // another process) means the worker asks again next round.
          setImmediate(() => {
            truncating = false;
            if (!db.open) return;
            db.pragma('busy_timeout = 0');
            try {
              db.pragma('wal_checkpoint(TRUNCATE)');
            } catch {
              // Busy: next round.
            } finally {
              db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
            }
          });
        },
      );
      db.pragma('wal_autocheckpoint = 0');
    }
    return new SqliteStore(db, full || !onDisk ? undefined : new WalSync(`${path}-wal`, options.fsync), checkpointer);
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * Applies the numbered migrations not yet recorded in schema_migrations, each in its own
 * transaction. Foreign keys are off meanwhile (a migration may rebuild a table others refer to,
 * the way SQLite's documentation does it) and checked before each commit. Deleted content is
 * overwritten and the WAL emptied afterwards: a migration may remove a secret.
 */
export function migrate(db: Database.Database): number[] {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  const applied = new Set(db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[]);
  const pending = MIGRATIONS.filter((m) => !applied.has(m.version));
  if (pending.length === 0) return [];
  const foreignKeys = db.pragma('foreign_keys', { simple: true }) as number;
  const secureDelete = db.pragma('secure_delete', { simple: true }) as number;
  db.pragma('foreign_keys = OFF');
  db.pragma('secure_delete = ON');
  try {
    for (const m of pending) {
      db.transaction(() => {
        db.exec(m.sql);
        const broken = db.pragma('foreign_key_check') as unknown[];
        if (broken.length > 0) throw new Error(`migration ${m.version} (${m.name}) leaves ${broken.length} rows with a broken reference`);
        db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, Date.now());
      }).immediate();
    }
  } finally {
    db.pragma(`foreign_keys = ${foreignKeys ? 'ON' : 'OFF'}`);
    db.pragma(`secure_delete = ${secureDelete ? 'ON' : 'OFF'}`);
  }
  if (db.pragma('journal_mode', { simple: true }) === 'wal') db.pragma('wal_checkpoint(TRUNCATE)');
  return pending.map((m) => m.version);
}

type SqlValue = string | number | null;
type DbRow = Record<string, SqlValue>;

const PAYMENT_COLUMNS = [
  'id', 'out_trade_no', 'terminal_id', 'amount_fen', 'description', 'auth_code_masked', 'auth_code_hash', 'status', 'step',
  'error_code', 'error_message', 'transaction_id', 'late_payment', 'cancel_requested', 'send_rejected', 'sent_at',
  'reverse_decided_at', 'reverse_reason', 'reverse_attempts', 'deadline_at', 'reverse_after', 'next_at', 'lease_owner',
  'lease_until', 'created_at', 'updated_at', 'shift_id', 'cashier', 'wallet', 'cancel_action', 'cash_fen', 'coupon_fen', 'settlement_fen', 'bank_type',
  'shop_id',
] as const;
/** A day's sums per wallet, for the whole journal (`totals`) or one shop (`shopTotals`). */
const DAY_SUMS = `SELECT wallet, COUNT(*) AS count, COALESCE(SUM(status = 'succeeded'), 0) AS succeeded_count,
    COALESCE(SUM(CASE WHEN status = 'succeeded' THEN amount_fen ELSE 0 END), 0) AS succeeded_fen,
    COALESCE(SUM(CASE WHEN status = 'succeeded' THEN COALESCE(coupon_fen, 0) ELSE 0 END), 0) AS coupon_fen,
    COALESCE(SUM(CASE WHEN status = 'succeeded' THEN COALESCE(settlement_fen, amount_fen) ELSE 0 END), 0) AS settlement_fen
  FROM payments`;
const BOOLEAN_COLUMNS = new Set(['late_payment', 'cancel_requested', 'send_rejected']);
const UNFINISHED_PAYMENT = "step NOT IN ('done', 'manual')";
const REFUND_COLUMNS = [
  'id', 'payment_id', 'amount_fen', 'reason', 'status', 'step', 'error_code', 'error_message', 'refund_id', 'terminal_id', 'attempts',
  'next_at', 'lease_owner', 'lease_until', 'created_at', 'updated_at', 'shift_id', 'cashier', 'wallet',
] as const;

const toSql = (column: string, value: unknown): SqlValue => {
  if (value === undefined || value === null) return null;
  if (BOOLEAN_COLUMNS.has(column)) return value ? 1 : 0;
  if (typeof value === 'string' || typeof value === 'number') return value;
  throw new TypeError(`cannot store ${typeof value} in ${column}`);
};

const str = (v: SqlValue | undefined): string => String(v);
const optStr = (v: SqlValue | undefined): string | null => (v === null || v === undefined ? null : String(v));
const num = (v: SqlValue | undefined): number => Number(v);
const optNum = (v: SqlValue | undefined): number | null => (v === null || v === undefined ? null : Number(v));

function paymentFromDb(r: DbRow): PaymentRow {
  return {
    id: str(r.id),
    wallet: (optStr(r.wallet) ?? 'wechat') as Wallet,
    out_trade_no: str(r.out_trade_no),
    terminal_id: str(r.terminal_id),
    amount_fen: num(r.amount_fen),
    description: optStr(r.description),
    auth_code_masked: str(r.auth_code_masked),
    auth_code_hash: str(r.auth_code_hash),
    status: str(r.status) as PaymentStatus,
    step: str(r.step) as FlowStep,
    error_code: optStr(r.error_code),
    error_message: optStr(r.error_message),
    transaction_id: optStr(r.transaction_id),
    refunded_fen: num(r.refunded_fen ?? 0),
    late_payment: r.late_payment === 1,
    cancel_requested: r.cancel_requested === 1,
    send_rejected: r.send_rejected === 1,
    sent_at: optNum(r.sent_at),
    reverse_decided_at: optNum(r.reverse_decided_at),
    reverse_reason: optStr(r.reverse_reason) as ReverseReason | null,
    reverse_attempts: num(r.reverse_attempts),
    cancel_action: optStr(r.cancel_action) as PaymentRow['cancel_action'],
    deadline_at: num(r.deadline_at),
    reverse_after: num(r.reverse_after),
    next_at: num(r.next_at),
    lease_owner: optStr(r.lease_owner),
    lease_until: optNum(r.lease_until),
    created_at: num(r.created_at),
    updated_at: num(r.updated_at),
    shift_id: optStr(r.shift_id),
    cashier: optStr(r.cashier),
    cash_fen: optNum(r.cash_fen),
    coupon_fen: optNum(r.coupon_fen),
    settlement_fen: optNum(r.settlement_fen),
    bank_type: optStr(r.bank_type),
    shop_id: str(r.shop_id ?? DEFAULT_SHOP_ID),
  };
}

function refundFromDb(r: DbRow): RefundRow {
  return {
    id: str(r.id),
    payment_id: str(r.payment_id),
    wallet: (optStr(r.wallet) ?? 'wechat') as Wallet,
    amount_fen: num(r.amount_fen),
    reason: optStr(r.reason),
    status: str(r.status) as RefundStatus,
    step: str(r.step) as RefundRow['step'],
    error_code: optStr(r.error_code),
    error_message: optStr(r.error_message),
    refund_id: optStr(r.refund_id),
    terminal_id: optStr(r.terminal_id),
    attempts: num(r.attempts),
    next_at: num(r.next_at),
    lease_owner: optStr(r.lease_owner),
    lease_until: optNum(r.lease_until),
    created_at: num(r.created_at),
    updated_at: num(r.updated_at),
    shift_id: optStr(r.shift_id),
    cashier: optStr(r.cashier),
  };
}

// role and shop are left out for a till of the default shop, so its row reads as it always did.
const terminalFromDb = (r: DbRow): TerminalRow => ({
  id: str(r.id),
  name: str(r.name),
  created_at: num(r.created_at),
  paired_at: optNum(r.paired_at),
  ...(r.role === 'owner' || r.role === 'operator' ? { role: r.role } : {}),
  ...(r.shop_id !== null && r.shop_id !== undefined && r.shop_id !== DEFAULT_SHOP_ID ? { shop_id: str(r.shop_id) } : {}),
});

const cashierFromDb = (r: DbRow): CashierRow => ({
  id: str(r.id),
  name: str(r.name),
  pin_hash: str(r.pin_hash),
  created_at: num(r.created_at),
  removed_at: optNum(r.removed_at),
  shop_id: str(r.shop_id ?? DEFAULT_SHOP_ID),
});

const shopFromDb = (r: DbRow): ShopRow => ({
  id: str(r.id),
  name: optStr(r.name),
  time_zone: optStr(r.time_zone),
  sub_mch_id: optStr(r.sub_mch_id),
  sub_appid: optStr(r.sub_appid),
  manager_pin_hash: optStr(r.manager_pin_hash),
  created_at: num(r.created_at),
});

const shiftFromDb = (r: DbRow): ShiftRow => ({
  id: str(r.id),
  terminal_id: str(r.terminal_id),
  shop_id: str(r.shop_id ?? DEFAULT_SHOP_ID),
  cashier_id: str(r.cashier_id),
  cashier_name: str(r.cashier_name),
  opened_at: num(r.opened_at),
  closed_at: optNum(r.closed_at),
  closed_by: optStr(r.closed_by),
});

/** The wallet of a group: the payment's (a refund's group is its payment's). */
const WALLET_SQL = 'wallet';
const QUARTER_MS = 15 * 60_000;
const OPEN_STATUSES = "('processing', 'user_paying', 'needs_attention')";

const paymentGroupFromDb = (r: DbRow): PaymentGroupRow => ({
  quarter: num(r.quarter),
  terminal_id: str(r.terminal_id),
  cashier: optStr(r.cashier),
  wallet: str(r.wallet),
  count: num(r.count),
  succeeded_count: num(r.succeeded_count),
  succeeded_fen: num(r.succeeded_fen),
  open_count: num(r.open_count),
  open_fen: num(r.open_fen),
});

const refundGroupFromDb = (r: DbRow): RefundGroupRow => ({
  quarter: num(r.quarter),
  terminal_id: str(r.terminal_id),
  cashier: optStr(r.cashier),
  wallet: str(r.wallet),
  count: num(r.count),
  refunded_fen: num(r.refunded_fen),
  processing_count: num(r.processing_count),
  processing_fen: num(r.processing_fen),
});

const isUniqueViolation = (e: unknown): boolean =>
  e instanceof Error && 'code' in e && (e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY');

/** The statements of cashiers, shifts, exports and reports (server/shifts/, server/exports/, server/reports/). */
function shopDayStatements(db: Database.Database) {
  const q = (ms: string) => `(${ms} / ${QUARTER_MS}) * ${QUARTER_MS}`;
  const paymentGroups = (where: string) =>
    db.prepare(
      `SELECT ${q('created_at')} AS quarter, terminal_id, cashier, ${WALLET_SQL} AS wallet, COUNT(*) AS count,
         SUM(status = 'succeeded') AS succeeded_count,
         COALESCE(SUM(CASE WHEN status = 'succeeded' THEN amount_fen END), 0) AS succeeded_fen,
         SUM(status IN ${OPEN_STATUSES}) AS open_count,
         COALESCE(SUM(CASE WHEN status IN ${OPEN_STATUSES} THEN amount_fen END), 0) AS open_fen
       FROM payments WHERE ${where} GROUP BY 1, 2, 3, 4`,
    );
  // Failed refunds returned nothing: only succeeded and still-processing ones are summed.
  const refundGroups = (where: string) =>
    db.prepare(
      `SELECT ${q('r.created_at')} AS quarter, p.terminal_id AS terminal_id, r.cashier AS cashier, p.${WALLET_SQL} AS wallet,
         SUM(r.status = 'succeeded') AS count,
         COALESCE(SUM(CASE WHEN r.status = 'succeeded' THEN r.amount_fen END), 0) AS refunded_fen,
         SUM(r.status = 'processing') AS processing_count,
         COALESCE(SUM(CASE WHEN r.status = 'processing' THEN r.amount_fen END), 0) AS processing_fen
       FROM refunds r JOIN payments p ON p.id = r.payment_id
       WHERE ${where} AND r.status != 'failed' GROUP BY 1, 2, 3, 4`,
    );
  const page = 'created_at >= @from AND created_at < @to AND (created_at, id) > (@afterAt, @afterId) ORDER BY created_at, id LIMIT @limit';
  const shopPage = 'shop_id = @shop AND created_at >= @from AND created_at < @to AND (created_at, id) > (@afterAt, @afterId) ORDER BY created_at, id LIMIT @limit';
  const refundPage = page.replace(/\b(created_at|id)\b/g, 'r.$1');
  return {
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
    insertCashier: db.prepare(
      'INSERT INTO cashiers (id, name, pin_hash, created_at, removed_at, shop_id) VALUES (@id, @name, @pin_hash, @created_at, @removed_at, @shop_id)',
    ),
    cashiers: db.prepare('SELECT * FROM cashiers WHERE removed_at IS NULL ORDER BY created_at, id'),
    shopCashiers: db.prepare('SELECT * FROM cashiers WHERE removed_at IS NULL AND shop_id = ? ORDER BY created_at, id'),
    hasShopCashiers: db.prepare('SELECT EXISTS (SELECT 1 FROM cashiers WHERE removed_at IS NULL AND shop_id = ?)').pluck(),
    cashier: db.prepare('SELECT * FROM cashiers WHERE id = ?'),
    removeCashier: db.prepare('UPDATE cashiers SET removed_at = ? WHERE id = ? AND removed_at IS NULL'),
    hasCashiers: db.prepare('SELECT EXISTS (SELECT 1 FROM cashiers WHERE removed_at IS NULL)').pluck(),
    insertShift: db.prepare(
      'INSERT INTO shifts (id, terminal_id, cashier_id, cashier_name, opened_at, shop_id) VALUES (@id, @terminal_id, @cashier_id, @cashier_name, @opened_at, @shop_id)',
    ),
    openShiftOf: db.prepare('SELECT * FROM shifts WHERE terminal_id = ? AND closed_at IS NULL'),
    shift: db.prepare('SELECT * FROM shifts WHERE id = ?'),
    closeShift: db.prepare('UPDATE shifts SET closed_at = ?, closed_by = ? WHERE id = ? AND closed_at IS NULL'),
    shiftsOpenedBetween: db.prepare('SELECT * FROM shifts WHERE opened_at >= ? AND opened_at < ? ORDER BY opened_at, id'),
    shopShiftsOpenedBetween: db.prepare('SELECT * FROM shifts WHERE shop_id = ? AND opened_at >= ? AND opened_at < ? ORDER BY opened_at, id'),
    paymentGroupsBetween: paymentGroups('created_at >= ? AND created_at < ?'),
    shopPaymentGroupsBetween: paymentGroups('shop_id = ? AND created_at >= ? AND created_at < ?'),
    shopRefundGroupsBetween: refundGroups('p.shop_id = ? AND r.created_at >= ? AND r.created_at < ?'),
    paymentGroupsOfShift: paymentGroups('shift_id = ?'),
    refundGroupsBetween: refundGroups('r.created_at >= ? AND r.created_at < ?'),
    refundGroupsOfShift: refundGroups('r.shift_id = ?'),
    openPaymentsOfShift: db.prepare(`SELECT * FROM payments_v WHERE shift_id = ? AND status IN ${OPEN_STATUSES} ORDER BY created_at, id`),
    paymentsChronological: db.prepare(`SELECT * FROM payments_v WHERE ${page}`),
    refundsChronological: db.prepare(`SELECT * FROM refunds WHERE ${page}`),
    shopPaymentsChronological: db.prepare(`SELECT * FROM payments_v WHERE ${shopPage}`),
    shopRefundsChronological: db.prepare(
      `SELECT r.* FROM refunds r JOIN payments p ON p.id = r.payment_id WHERE p.shop_id = @shop AND ${refundPage}`,
    ),
    insertShop: db.prepare(
      `INSERT INTO shops (id, name, time_zone, sub_mch_id, sub_appid, manager_pin_hash, created_at)
       VALUES (@id, @name, @time_zone, @sub_mch_id, @sub_appid, @manager_pin_hash, @created_at)`,
    ),
    shop: db.prepare('SELECT * FROM shops WHERE id = ?'),
    shops: db.prepare(`SELECT * FROM shops ORDER BY id != '${DEFAULT_SHOP_ID}', created_at, id`),
    setShopPin: db.prepare('UPDATE shops SET manager_pin_hash = ? WHERE id = ?'),
  };
}

/** No `after`: start at the range's first millisecond (every id sorts after ''). */
const pageParams = (p: ChronologicalPage) => ({
  from: p.fromMs,
  to: p.toMs,
  afterAt: p.after?.created_at ?? p.fromMs,
  afterId: p.after?.id ?? '',
  limit: p.limit,
});

const PAYMENT_COLUMN_SET: ReadonlySet<string> = new Set(PAYMENT_COLUMNS);
const REFUND_COLUMN_SET: ReadonlySet<string> = new Set(REFUND_COLUMNS);

class SqliteStore implements Store {
  private readonly q;
  /** UPDATE statements by table and column list: patches come in a handful of shapes, prepared once each. */
  private readonly updates = new Map<string, Database.Statement>();
  /** Page queries by the filters they use (a dozen shapes), prepared once each. */
  private readonly pages = new Map<string, Database.Statement>();
  /** The hot transactions, wrapped once (better-sqlite3 builds several functions per wrap). */
  private readonly tx;
  /** Cashiers, shifts, exports and reports. */
  private readonly d: ReturnType<typeof shopDayStatements>;

  constructor(
    private readonly db: Database.Database,
    /** Absent when every commit is already durable (synchronous=FULL) or there is no file. */
    private readonly walSync: WalSync | undefined,
    private readonly checkpointer?: Checkpointer,
  ) {
    const paymentSelect = 'SELECT * FROM payments_v';
    this.q = {
      payment: db.prepare(`${paymentSelect} WHERE id = ?`),
      active: db.prepare(`${paymentSelect} WHERE terminal_id = ? AND status IN ('processing', 'user_paying') ORDER BY created_at LIMIT 1`),
      createdBetween: db.prepare(`${paymentSelect} WHERE created_at >= ? AND created_at < ? ORDER BY created_at, id`),
      totals: db.prepare(`${DAY_SUMS} WHERE created_at >= ? AND created_at < ? GROUP BY wallet`),
      refundedTotal: db.prepare(
        `SELECT p.wallet AS wallet, COALESCE(SUM(r.amount_fen), 0) AS refunded_fen FROM refunds r JOIN payments p ON p.id = r.payment_id
         WHERE r.status = 'succeeded' AND p.created_at >= ? AND p.created_at < ? GROUP BY p.wallet`,
      ),
      shopTotals: db.prepare(`${DAY_SUMS} WHERE shop_id = ? AND created_at >= ? AND created_at < ? GROUP BY wallet`),
      shopRefundedTotal: db.prepare(
        `SELECT p.wallet AS wallet, COALESCE(SUM(r.amount_fen), 0) AS refunded_fen FROM refunds r JOIN payments p ON p.id = r.payment_id
         WHERE r.status = 'succeeded' AND p.shop_id = ? AND p.created_at >= ? AND p.created_at < ? GROUP BY p.wallet`,
      ),
      insertPayment: db.prepare(
        `INSERT INTO payments (${PAYMENT_COLUMNS.join(', ')}) VALUES (${PAYMENT_COLUMNS.map((c) => '@' + c).join(', ')})`,
      ),
      insertEvent: db.prepare(
        'INSERT INTO payment_events (payment_id, at, from_status, to_status, from_step, to_step, error_code) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      events: db.prepare('SELECT * FROM payment_events WHERE payment_id = ? ORDER BY seq'),
      dueIds: db.prepare(
        `SELECT id FROM payments WHERE ${UNFINISHED_PAYMENT} AND next_at <= @dueBy
           AND (lease_owner IS NULL OR lease_until < @now OR lease_owner = @owner) ORDER BY next_at LIMIT @limit`,
      ),
      lease: db.prepare(
        `UPDATE payments SET lease_owner = @owner, lease_until = @until WHERE id = @id AND ${UNFINISHED_PAYMENT}
           AND (lease_owner IS NULL OR lease_until < @now OR lease_owner = @owner)`,
      ),
      release: db.prepare('UPDATE payments SET lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?'),
      refund: db.prepare('SELECT * FROM refunds WHERE id = ?'),
      refundsOf: db.prepare('SELECT * FROM refunds WHERE payment_id = ? ORDER BY created_at, id'),
      reservedRefunds: db.prepare("SELECT COALESCE(SUM(amount_fen), 0) FROM refunds WHERE payment_id = ? AND status IN ('processing', 'succeeded')").pluck(),
      insertRefund: db.prepare(
        `INSERT INTO refunds (${REFUND_COLUMNS.join(', ')}) VALUES (${REFUND_COLUMNS.map((c) => '@' + c).join(', ')})`,
      ),
      dueRefundIds: db.prepare(
        `SELECT id FROM refunds WHERE step != 'done' AND next_at <= @dueBy
           AND (lease_owner IS NULL OR lease_until < @now OR lease_owner = @owner) ORDER BY next_at LIMIT @limit`,
      ),
      leaseRefund: db.prepare(
        `UPDATE refunds SET lease_owner = @owner, lease_until = @until WHERE id = @id AND step != 'done'
           AND (lease_owner IS NULL OR lease_until < @now OR lease_owner = @owner)`,
      ),
      insertTerminal: db.prepare(
        'INSERT INTO terminals (id, name, created_at, paired_at, role, shop_id) VALUES (@id, @name, @created_at, @paired_at, @role, @shop_id)',
      ),
      terminal: db.prepare('SELECT * FROM terminals WHERE id = ?'),
      terminalByToken: db.prepare('SELECT t.* FROM terminal_tokens k JOIN terminals t ON t.id = k.terminal_id WHERE k.token_hash = ?'),
      terminals: db.prepare('SELECT * FROM terminals ORDER BY created_at, id'),
      shopTerminals: db.prepare('SELECT * FROM terminals WHERE shop_id = ? ORDER BY created_at, id'),
      insertToken: db.prepare('INSERT INTO terminal_tokens (token_hash, terminal_id, created_at) VALUES (@token_hash, @terminal_id, @created_at)'),
      revokeTokens: db.prepare('DELETE FROM terminal_tokens WHERE terminal_id = ?'),
      setPaired: db.prepare('UPDATE terminals SET paired_at = ? WHERE id = ?'),
      deleteTerminal: db.prepare('DELETE FROM terminals WHERE id = ?'),
      insertPairing: db.prepare('INSERT INTO pairing_codes (code_hash, terminal_id, expires_at) VALUES (@code_hash, @terminal_id, @expires_at)'),
      consumePairing: db.prepare('UPDATE pairing_codes SET used_at = ? WHERE code_hash = ? AND used_at IS NULL AND expires_at > ? RETURNING terminal_id').pluck(),
      dropUnusedCodes: db.prepare('DELETE FROM pairing_codes WHERE terminal_id = ? AND used_at IS NULL'),
      dropAllCodes: db.prepare('DELETE FROM pairing_codes WHERE terminal_id = ?'),
      setting: db.prepare('SELECT value FROM settings WHERE key = ?').pluck(),
      shiftClosedAt: db.prepare('SELECT closed_at FROM shifts WHERE id = ?').pluck(),
      initSetting: db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING'),
      setSetting: db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
    };
    this.d = shopDayStatements(db);
    this.tx = {
      insertPayment: db.transaction((p: NewPayment) => this.insertPaymentNow(p)),
      transitionPayment: db.transaction((id: string, decide: (current: PaymentRow) => PaymentPatch | undefined) => this.transitionPaymentNow(id, decide)),
      claimPayment: db.transaction((id: string, owner: string, now: number, leaseMs: number) =>
        this.q.lease.run({ id, owner, now, until: now + leaseMs }).changes === 1 ? this.paymentNow(id) : undefined,
      ),
    };
  }

  /** Resolves once the commits made so far are on disk (see wal-sync.ts). */
  private async durable<T>(result: T): Promise<T> {
    await this.walSync?.sync();
    return result;
  }

  /** `UPDATE <table> SET <columns> WHERE id = @id`, prepared on first use of that column list. */
  private update(table: 'payments' | 'refunds', columns: readonly string[]): Database.Statement {
    const key = `${table}:${columns.join(',')}`;
    let statement = this.updates.get(key);
    if (!statement) {
      statement = this.db.prepare(`UPDATE ${table} SET ${columns.map((c) => `${c} = @${c}`).join(', ')} WHERE id = @id`);
      this.updates.set(key, statement);
    }
    return statement;
  }

  private paymentNow(id: string): PaymentRow | undefined {
    const r = this.q.payment.get(id) as DbRow | undefined;
    return r && paymentFromDb(r);
  }

  private refundNow(id: string): RefundRow | undefined {
    const r = this.q.refund.get(id) as DbRow | undefined;
    return r && refundFromDb(r);
  }

  async insertPayment(p: NewPayment): Promise<InsertPaymentResult> {
    let result: InsertPaymentResult;
    try {
      result = this.tx.insertPayment.immediate(p);
    } catch (e) {
      // Another process won the race between our read and our insert: the unique indexes said no.
      if (!isUniqueViolation(e)) throw e;
      result = this.tx.insertPayment.immediate(p);
    }
    // Also for 'exists': the row we answer about may be another request's commit still in flight.
    return this.durable(result);
  }

  private insertPaymentNow(p: NewPayment): InsertPaymentResult {
    const existing = this.paymentNow(p.id);
    if (existing) return { kind: 'exists', payment: existing };
    const active = (this.q.active.get(p.terminal_id) as DbRow | undefined) ?? undefined;
    if (active) return { kind: 'terminal_busy', active: paymentFromDb(active) };
    // A shift closed between the route's look-up and this insert: the payment must not land in it.
    if (p.shift_id && this.q.shiftClosedAt.get(p.shift_id) !== null) return { kind: 'shift_closed' };
    const values: Record<string, SqlValue> = {};
    for (const c of PAYMENT_COLUMNS) values[c] = toSql(c, (p as Record<string, unknown>)[c]);
    values.wallet ??= 'wechat';
    values.shop_id ??= DEFAULT_SHOP_ID;
    this.q.insertPayment.run(values);
    this.q.insertEvent.run(p.id, p.created_at, null, p.status, null, p.step, p.error_code ?? null);
    // The row is exactly what was written (a new payment has no refunds): no need to read it back.
    return { kind: 'created', payment: paymentFromDb({ ...values, refunded_fen: 0 }) };
  }

  async payment(id: string): Promise<PaymentRow | undefined> {
    return this.paymentNow(id);
  }

  async activePayment(terminalId: string): Promise<PaymentRow | undefined> {
    const r = this.q.active.get(terminalId) as DbRow | undefined;
    return r && paymentFromDb(r);
  }

  async paymentsCreatedBetween(fromMs: number, toMs: number): Promise<PaymentRow[]> {
    return (this.q.createdBetween.all(fromMs, toMs) as DbRow[]).map(paymentFromDb);
  }

  async paymentsPage(query: PaymentPageQuery): Promise<PaymentRow[]> {
    const { fromMs, toMs, limit, after, terminalId, shopId, amountFen, tail } = query;
    const where = ['created_at >= @fromMs', 'created_at < @toMs'];
    const params: Record<string, SqlValue> = { fromMs, toMs, limit };
    if (shopId !== undefined) {
      where.unshift('shop_id = @shopId');
      params.shopId = shopId;
    }
    if (terminalId !== undefined) {
      where.push('terminal_id = @terminalId');
      params.terminalId = terminalId;
    }
    if (after) {
      // The index range ends at the cursor's time (so earlier pages are not read again); the row value breaks ties by id.
      params.toMs = Math.min(toMs, after.created_at + 1);
      where.push('(created_at, id) < (@afterAt, @afterId)');
      params.afterAt = after.created_at;
      params.afterId = after.id;
    }
    const match: string[] = [];
    if (amountFen !== undefined) {
      match.push('amount_fen = @amountFen');
      params.amountFen = amountFen;
    }
    if (tail !== undefined) {
      match.push("out_trade_no LIKE '%' || @tail", "transaction_id LIKE '%' || @tail");
      params.tail = tail;
    }
    if (match.length) where.push(`(${match.join(' OR ')})`);
    const sql = `SELECT * FROM payments_v WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT @limit`;
    let statement = this.pages.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.pages.set(sql, statement);
    }
    return (statement.all(params) as DbRow[]).map(paymentFromDb);
  }

  async paymentTotals(fromMs: number, toMs: number, shopId?: string): Promise<PaymentTotalsRow> {
    const args = shopId === undefined ? [fromMs, toMs] : [shopId, fromMs, toMs];
    const totals = (shopId === undefined ? this.q.totals : this.q.shopTotals).all(...args) as DbRow[];
    const refunded = (shopId === undefined ? this.q.refundedTotal : this.q.shopRefundedTotal).all(...args) as DbRow[];
    const payments = totals.map((r) => ({
      wallet: str(r.wallet),
      count: num(r.count),
      succeeded_count: num(r.succeeded_count),
      succeeded_fen: num(r.succeeded_fen),
      coupon_fen: num(r.coupon_fen),
      settlement_fen: num(r.settlement_fen),
    }));
    const refunds = refunded.map((r) => ({ wallet: str(r.wallet), refunded_fen: num(r.refunded_fen) }));
    return sumTotals(payments, refunds);
  }

  async transitionPayment(id: string, decide: (current: PaymentRow) => PaymentPatch | undefined): Promise<Transition | undefined> {
    return this.tx.transitionPayment.immediate(id, decide);
  }

  private transitionPaymentNow(id: string, decide: (current: PaymentRow) => PaymentPatch | undefined): Transition | undefined {
    const before = this.paymentNow(id);
    if (!before) return undefined;
    const patch = decide(before);
    const columns = patch ? Object.keys(patch).filter((c) => PAYMENT_COLUMN_SET.has(c)) : [];
    if (columns.length === 0) return { before, after: before, changed: false };
    const values: Record<string, SqlValue> = { id };
    for (const c of columns) values[c] = toSql(c, (patch as Record<string, unknown>)[c]);
    this.update('payments', columns).run(values);
    // The row after the update is the row before with the patch's stored values (refunds are
    // not touched here): built in memory instead of read back.
    const after = { ...before };
    for (const c of columns) (after as Record<string, unknown>)[c] = BOOLEAN_COLUMNS.has(c) ? values[c] === 1 : values[c];
    if (after.status !== before.status || after.step !== before.step || patch?.event_code !== undefined) {
      this.q.insertEvent.run(id, after.updated_at, before.status, after.status, before.step, after.step, patch?.event_code ?? after.error_code);
    }
    return { before, after, changed: true };
  }

  async paymentEvents(id: string): Promise<PaymentEvent[]> {
    return (this.q.events.all(id) as DbRow[]).map((r) => ({
      payment_id: str(r.payment_id),
      at: num(r.at),
      from_status: optStr(r.from_status) as PaymentStatus | null,
      to_status: str(r.to_status) as PaymentStatus,
      from_step: optStr(r.from_step) as FlowStep | null,
      to_step: str(r.to_step) as FlowStep,
      error_code: optStr(r.error_code),
    }));
  }

  async claimPayments(owner: string, now: number, leaseMs: number, dueBy: number, limit: number): Promise<PaymentRow[]> {
    return this.claimDue(this.q.dueIds, this.q.lease, (id) => this.paymentNow(id)!, { owner, now, leaseMs, dueBy, limit });
  }

  /** One transaction: the due ids whose lease is free, each leased to `owner` unless another took it first. */
  private claimDue<Row>(
    due: Database.Statement,
    lease: Database.Statement,
    read: (id: string) => Row,
    c: { owner: string; now: number; leaseMs: number; dueBy: number; limit: number },
  ): Row[] {
    return this.db
      .transaction(() => {
        const ids = due.pluck().all({ owner: c.owner, now: c.now, dueBy: c.dueBy, limit: c.limit }) as string[];
        return ids.filter((id) => lease.run({ id, owner: c.owner, now: c.now, until: c.now + c.leaseMs }).changes === 1).map(read);
      })
      .immediate();
  }

  async claimPayment(id: string, owner: string, now: number, leaseMs: number): Promise<PaymentRow | undefined> {
    return this.tx.claimPayment.immediate(id, owner, now, leaseMs);
  }

  async releasePayment(id: string, owner: string): Promise<void> {
    this.q.release.run(id, owner);
  }

  async insertRefund(r: NewRefund): Promise<InsertRefundResult> {
    const insert = this.db.transaction((): InsertRefundResult => {
      const existing = this.refundNow(r.id);
      if (existing) return { kind: 'exists', refund: existing };
      const payment = this.paymentNow(r.payment_id);
      if (!payment) return { kind: 'payment_not_found' };
      if (payment.status !== 'succeeded') return { kind: 'not_allowed', payment };
      const remaining = payment.amount_fen - Number(this.q.reservedRefunds.get(r.payment_id));
      if (r.amount_fen > remaining) return { kind: 'too_large', remaining_fen: Math.max(0, remaining) };
      const values: Record<string, SqlValue> = {};
      for (const c of REFUND_COLUMNS) values[c] = toSql(c, (r as Record<string, unknown>)[c]);
      values.wallet = payment.wallet;
      this.q.insertRefund.run(values);
      return { kind: 'created', refund: this.refundNow(r.id)! };
    });
    return this.durable(insert.immediate());
  }

  async refund(id: string): Promise<RefundRow | undefined> {
    return this.refundNow(id);
  }

  async refundsOf(paymentId: string): Promise<RefundRow[]> {
    return (this.q.refundsOf.all(paymentId) as DbRow[]).map(refundFromDb);
  }

  async transitionRefund(id: string, decide: (current: RefundRow) => RefundPatch | undefined): Promise<RefundRow | undefined> {
    return this.db
      .transaction(() => {
        const before = this.refundNow(id);
        if (!before) return undefined;
        const patch = decide(before);
        if (!patch) return before;
        const columns = Object.keys(patch).filter((c) => REFUND_COLUMN_SET.has(c));
        if (columns.length === 0) return before;
        const values: Record<string, SqlValue> = { id };
        for (const c of columns) values[c] = toSql(c, (patch as Record<string, unknown>)[c]);
        this.update('refunds', columns).run(values);
        return this.refundNow(id);
      })
      .immediate();
  }

  async claimRefunds(owner: string, now: number, leaseMs: number, dueBy: number, limit: number): Promise<RefundRow[]> {
    return this.claimDue(this.q.dueRefundIds, this.q.leaseRefund, (id) => this.refundNow(id)!, { owner, now, leaseMs, dueBy, limit });
  }

  async createTerminal(t: TerminalRow, token: TerminalTokenRow, code: PairingCodeRow): Promise<void> {
    this.db
      .transaction(() => {
        this.q.insertTerminal.run({ ...t, role: t.role ?? 'till', shop_id: t.shop_id ?? DEFAULT_SHOP_ID });
        this.q.insertToken.run(token);
        this.q.insertPairing.run(code);
      })
      .immediate();
  }

  async terminal(id: string): Promise<TerminalRow | undefined> {
    const r = this.q.terminal.get(id) as DbRow | undefined;
    return r && terminalFromDb(r);
  }

  async terminalByTokenHash(tokenHash: string): Promise<TerminalRow | undefined> {
    const r = this.q.terminalByToken.get(tokenHash) as DbRow | undefined;
    return r && terminalFromDb(r);
  }

  async listTerminals(shopId?: string): Promise<TerminalRow[]> {
    return ((shopId === undefined ? this.q.terminals.all() : this.q.shopTerminals.all(shopId)) as DbRow[]).map(terminalFromDb);
  }

  async rotateTerminal(terminalId: string, token: TerminalTokenRow, code: PairingCodeRow): Promise<boolean> {
    return this.db
      .transaction(() => {
        if (!this.q.terminal.get(terminalId)) return false;
        this.q.revokeTokens.run(terminalId);
        this.q.dropUnusedCodes.run(terminalId);
        this.q.setPaired.run(null, terminalId);
        this.q.insertToken.run(token);
        this.q.insertPairing.run(code);
        return true;
      })
      .immediate();
  }

  async redeemPairingCode(codeHash: string, now: number, token: Omit<TerminalTokenRow, 'terminal_id'>): Promise<TerminalRow | undefined> {
    return this.db
      .transaction(() => {
        const terminalId = this.q.consumePairing.get(now, codeHash, now) as string | undefined;
        if (terminalId === undefined) return undefined;
        this.q.insertToken.run({ ...token, terminal_id: terminalId });
        this.q.setPaired.run(now, terminalId);
        const r = this.q.terminal.get(terminalId) as DbRow | undefined;
        return r && terminalFromDb(r);
      })
      .immediate();
  }

  async revokeTokens(terminalId: string): Promise<number> {
    return this.db
      .transaction(() => {
        const revoked = this.q.revokeTokens.run(terminalId).changes;
        this.q.setPaired.run(null, terminalId);
        return revoked;
      })
      .immediate();
  }

  async removeTerminal(terminalId: string): Promise<boolean> {
    return this.db
      .transaction(() => {
        this.q.revokeTokens.run(terminalId);
        this.q.dropAllCodes.run(terminalId);
        return this.q.deleteTerminal.run(terminalId).changes === 1;
      })
      .immediate();
  }

  async setting(key: string): Promise<string | undefined> {
    return (this.q.setting.get(key) as string | undefined) ?? undefined;
  }

  async setSetting(key: string, value: string): Promise<void> {
    this.q.setSetting.run(key, value);
  }

  async initSetting(key: string, value: string): Promise<string> {
    return this.db
      .transaction(() => {
        this.q.initSetting.run(key, value);
        return this.q.setting.get(key) as string;
      })
      .immediate();
  }

  async checkWritable(): Promise<void> {
    this.q.setSetting.run(PROBE_KEY, String(Date.now()));
    await this.walSync?.sync();
  }

  // Cashiers and shifts

  async createCashier(cashier: CashierRow): Promise<boolean> {
    const insert = this.db.transaction((): boolean => {
      const wanted = cashier.name.toLowerCase();
      const shopId = cashier.shop_id ?? DEFAULT_SHOP_ID;
      // lower() in SQL folds ASCII only: names are compared here, the index is the backstop.
      if ((this.d.shopCashiers.all(shopId) as DbRow[]).some((r) => str(r.name).toLowerCase() === wanted)) return false;
      this.d.insertCashier.run({ ...cashier, shop_id: shopId });
      return true;
    });
    try {
      return insert.immediate();
    } catch (e) {
      if (isUniqueViolation(e)) return false;
      throw e;
    }
  }

  async cashiers(shopId?: string): Promise<CashierRow[]> {
    return ((shopId === undefined ? this.d.cashiers.all() : this.d.shopCashiers.all(shopId)) as DbRow[]).map(cashierFromDb);
  }

  async cashier(id: string): Promise<CashierRow | undefined> {
    const r = this.d.cashier.get(id) as DbRow | undefined;
    return r && cashierFromDb(r);
  }

  async removeCashier(id: string, at: number): Promise<boolean> {
    return this.d.removeCashier.run(at, id).changes === 1;
  }

  async hasCashiers(shopId?: string): Promise<boolean> {
    return (shopId === undefined ? this.d.hasCashiers.get() : this.d.hasShopCashiers.get(shopId)) === 1;
  }

  async openShift(shift: Omit<ShiftRow, 'closed_at' | 'closed_by'>): Promise<OpenShiftResult> {
    const open = this.db.transaction((): OpenShiftResult => {
      const existing = this.d.openShiftOf.get(shift.terminal_id) as DbRow | undefined;
      if (existing) return { kind: 'terminal_has_shift', shift: shiftFromDb(existing) };
      const row = { ...shift, shop_id: shift.shop_id ?? DEFAULT_SHOP_ID };
      this.d.insertShift.run(row);
      return { kind: 'opened', shift: { ...row, closed_at: null, closed_by: null } };
    });
    try {
      return open.immediate();
    } catch (e) {
      // Another process opened one between our read and our insert: the unique index said no.
      if (!isUniqueViolation(e)) throw e;
      return open.immediate();
    }
  }

  async openShiftOf(terminalId: string): Promise<ShiftRow | undefined> {
    const r = this.d.openShiftOf.get(terminalId) as DbRow | undefined;
    return r && shiftFromDb(r);
  }

  async shift(id: string): Promise<ShiftRow | undefined> {
    const r = this.d.shift.get(id) as DbRow | undefined;
    return r && shiftFromDb(r);
  }

  async closeShift(id: string, at: number, closedBy: string): Promise<CloseShiftResult> {
    return this.db
      .transaction((): CloseShiftResult => {
        const r = this.d.shift.get(id) as DbRow | undefined;
        if (!r) return { kind: 'not_found' };
        const shift = shiftFromDb(r);
        if (shift.closed_at !== null) return { kind: 'already_closed', shift };
        const active = this.q.active.get(shift.terminal_id) as DbRow | undefined;
        if (active) return { kind: 'payment_in_progress', active: paymentFromDb(active) };
        this.d.closeShift.run(at, closedBy, id);
        return { kind: 'closed', shift: { ...shift, closed_at: at, closed_by: closedBy } };
      })
      .immediate();
  }

  async shiftsOpenedBetween(fromMs: number, toMs: number, shopId?: string): Promise<ShiftRow[]> {
    const rows = shopId === undefined ? this.d.shiftsOpenedBetween.all(fromMs, toMs) : this.d.shopShiftsOpenedBetween.all(shopId, fromMs, toMs);
    return (rows as DbRow[]).map(shiftFromDb);
  }

  async paymentGroups(scope: JournalScope): Promise<PaymentGroupRow[]> {
    const rows =
      'shiftId' in scope
        ? this.d.paymentGroupsOfShift.all(scope.shiftId)
        : scope.shopId === undefined
          ? this.d.paymentGroupsBetween.all(scope.fromMs, scope.toMs)
          : this.d.shopPaymentGroupsBetween.all(scope.shopId, scope.fromMs, scope.toMs);
    return (rows as DbRow[]).map(paymentGroupFromDb);
  }

  async refundGroups(scope: JournalScope): Promise<RefundGroupRow[]> {
    const rows =
      'shiftId' in scope
        ? this.d.refundGroupsOfShift.all(scope.shiftId)
        : scope.shopId === undefined
          ? this.d.refundGroupsBetween.all(scope.fromMs, scope.toMs)
          : this.d.shopRefundGroupsBetween.all(scope.shopId, scope.fromMs, scope.toMs);
    return (rows as DbRow[]).map(refundGroupFromDb);
  }

  async openPaymentsOfShift(shiftId: string): Promise<PaymentRow[]> {
    return (this.d.openPaymentsOfShift.all(shiftId) as DbRow[]).map(paymentFromDb);
  }

  async paymentsChronological(page: ChronologicalPage): Promise<PaymentRow[]> {
    const rows = page.shopId === undefined ? this.d.paymentsChronological.all(pageParams(page)) : this.d.shopPaymentsChronological.all({ ...pageParams(page), shop: page.shopId });
    return (rows as DbRow[]).map(paymentFromDb);
  }

  async refundsChronological(page: ChronologicalPage): Promise<RefundWithPayment[]> {
    const rows = page.shopId === undefined ? this.d.refundsChronological.all(pageParams(page)) : this.d.shopRefundsChronological.all({ ...pageParams(page), shop: page.shopId });
    const refunds = (rows as DbRow[]).map(refundFromDb);
    return refunds.map((r) => ({ ...r, payment: this.paymentNow(r.payment_id)! }));
  }

  async paymentsByOutTradeNo(outTradeNos: readonly string[]): Promise<PaymentRow[]> {
    const found: PaymentRow[] = [];
    // Bound parameters come in chunks well under SQLite's limit of 32,766 per statement.
    for (let i = 0; i < outTradeNos.length; i += 500) {
      const chunk = outTradeNos.slice(i, i + 500);
      const rows = this.db.prepare(`SELECT * FROM payments_v WHERE out_trade_no IN (${chunk.map(() => '?').join(', ')})`).all(...chunk) as DbRow[];
      found.push(...rows.map(paymentFromDb));
    }
    return found;
  }

  async saveReconciliation({ run, differences }: StoredReconciliation): Promise<void> {
    this.db
      .transaction(() => {
        this.d.insertReconciliation.run(run);
        differences.forEach((d, seq) => this.d.insertDifference.run({ ...d, run_id: run.id, seq }));
      })
      .immediate();
    await this.walSync?.sync();
  }

  async latestReconciliation(billDate: string, shopId = DEFAULT_SHOP_ID, wallet: Wallet = 'wechat'): Promise<StoredReconciliation | undefined> {
    const run = this.d.latestReconciliation.get(billDate, shopId, wallet) as ReconciliationRunRow | undefined;
    if (!run) return undefined;
    const differences = (this.d.differencesOf.all(run.id) as (ReconciliationDifferenceRow & { run_id?: string; seq?: number })[]).map(({ run_id: _r, seq: _s, ...d }) => d);
    return { run: { ...run }, differences };
  }

  // Shops

  async createShop(shop: ShopRow): Promise<boolean> {
    const insert = this.db.transaction((): boolean => {
      const wanted = shop.name?.toLowerCase();
      // lower() in SQL folds ASCII only: names are compared here, the index is the backstop.
      const shops = (this.d.shops.all() as DbRow[]).map(shopFromDb);
      if (shops.some((s) => s.id === shop.id || (wanted !== undefined && s.name?.toLowerCase() === wanted))) return false;
      this.d.insertShop.run(shop);
      return true;
    });
    try {
      return insert.immediate();
    } catch (e) {
      if (isUniqueViolation(e)) return false;
      throw e;
    }
  }

  async shop(id: string): Promise<ShopRow | undefined> {
    const r = this.d.shop.get(id) as DbRow | undefined;
    return r && shopFromDb(r);
  }

  async listShops(): Promise<ShopRow[]> {
    return (this.d.shops.all() as DbRow[]).map(shopFromDb);
  }

  async setShopPin(id: string, pinHash: string | null): Promise<boolean> {
    return this.d.setShopPin.run(pinHash, id).changes === 1;
  }

  async close(): Promise<void> {
    await this.walSync?.close();
    await this.checkpointer?.close();
    if (this.db.open) this.db.close();
  }
}
