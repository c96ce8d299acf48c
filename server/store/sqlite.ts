import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Store } from './types.ts';
import { MIGRATIONS } from './migrations.ts';
import { startCheckpointer, type Checkpointer } from './checkpointer.ts';
import { DataDirError, journalCause, ownerOnlyFile, prepareDataDir } from './data-dir.ts';
import { WalSync } from './wal-sync.ts';
import { sqliteContext } from './sqlite/context.ts';
import { sqliteJournal } from './sqlite/journal.ts';
import { sqlitePayments } from './sqlite/payments.ts';
import { sqliteReconciliations } from './sqlite/reconciliations.ts';
import { sqliteRefunds } from './sqlite/refunds.ts';
import { sqliteSettings } from './sqlite/settings.ts';
import { sqliteShifts } from './sqlite/shifts.ts';
import { sqliteShops } from './sqlite/shops.ts';
import { sqliteTerminals } from './sqlite/terminals.ts';


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
    return sqliteStore(db, full || !onDisk ? undefined : new WalSync(`${path}-wal`, options.fsync), checkpointer);
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

/**
 * The journal's tables, one part each (server/store/sqlite/), composed into one Store over one
 * connection.
 */
function sqliteStore(db: Database.Database, walSync: WalSync | undefined, checkpointer?: Checkpointer): Store {
  const ctx = sqliteContext(db, walSync);
  return {
    ...sqlitePayments(ctx),
    ...sqliteRefunds(ctx),
    ...sqliteTerminals(ctx),
    ...sqliteSettings(ctx),
    ...sqliteShifts(ctx),
    ...sqliteJournal(ctx),
    ...sqliteReconciliations(ctx),
    ...sqliteShops(ctx),
    async close(): Promise<void> {
      await walSync?.close();
      await checkpointer?.close();
      if (db.open) db.close();
    },
  };
}
