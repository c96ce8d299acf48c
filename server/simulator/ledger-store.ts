import { chmodSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

/**
 * Where the simulator's ledger lives between restarts: one SQLite file (DATA_DIR/simulator.sqlite
 * under `npm start`, SIMULATOR_LEDGER for `npm run simulator`), so a training payment can still be
 * refunded, queried and billed after a restart. Each order is one row of JSON; the ledger keeps
 * its working copy in memory and writes back what an operation changed. Without a file nothing
 * is written (tests, a throwaway simulator).
 *
 * The file is held with an exclusive lock while open: two simulators on one file would each
 * keep their own copy and overwrite each other, so the second one is refused (LedgerInUseError).
 */
export class LedgerInUseError extends Error {
  override readonly name = 'LedgerInUseError';
}

export interface StoredCode {
  code: string;
  issued_ms: number;
}

export interface LedgerStore {
  /** False for the in-memory ledger: callers skip serialising. */
  readonly persistent: boolean;
  loadOrders(): string[];
  saveOrder(outTradeNo: string, createdMs: number, json: string): void;
  deleteOrders(outTradeNos: string[]): void;
  loadCodes(): StoredCode[];
  saveCode(code: StoredCode): void;
  deleteCodesIssuedBefore(ms: number): void;
  clear(): void;
  close(): void;
}

export function memoryLedgerStore(): LedgerStore {
  const none = () => {};
  return {
    persistent: false,
    loadOrders: () => [],
    saveOrder: none,
    deleteOrders: none,
    loadCodes: () => [],
    saveCode: none,
    deleteCodesIssuedBefore: none,
    clear: none,
    close: none,
  };
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS sim_orders (
  out_trade_no TEXT PRIMARY KEY,
  created_ms INTEGER NOT NULL,
  data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sim_orders_created ON sim_orders (created_ms);
CREATE TABLE IF NOT EXISTS sim_codes (
  code TEXT PRIMARY KEY,
  issued_ms INTEGER NOT NULL
);
`;

export function sqliteLedgerStore(file: string): LedgerStore {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const db = new Database(file, { timeout: 200 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    // Takes the exclusive lock now, so a second simulator on this file fails at start, not mid-payment.
    db.exec('BEGIN EXCLUSIVE; COMMIT;');
    db.exec(SCHEMA);
    chmodSync(file, 0o600); // owner-only, like the journal beside it
  } catch (error) {
    db.close();
    const code = (error as { code?: string }).code;
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
      throw new LedgerInUseError(`the simulator ledger ${file} is in use by another simulator`);
    }
    throw error;
  }
  const insertOrder = db.prepare('INSERT INTO sim_orders (out_trade_no, created_ms, data) VALUES (?, ?, ?) ON CONFLICT (out_trade_no) DO UPDATE SET data = excluded.data, created_ms = excluded.created_ms');
  const deleteOrder = db.prepare('DELETE FROM sim_orders WHERE out_trade_no = ?');
  const insertCode = db.prepare('INSERT OR REPLACE INTO sim_codes (code, issued_ms) VALUES (?, ?)');
  const deleteOrders = db.transaction((nos: string[]) => {
    for (const no of nos) deleteOrder.run(no);
  });
  // After close() (the server stopping) a late request still gets its answer; it is just not kept.
  const ifOpen =
    <A extends unknown[]>(fn: (...args: A) => void) =>
    (...args: A): void => {
      if (db.open) fn(...args);
    };
  return {
    persistent: true,
    loadOrders: () => (db.prepare('SELECT data FROM sim_orders ORDER BY created_ms').all() as { data: string }[]).map((r) => r.data),
    saveOrder: ifOpen((outTradeNo: string, createdMs: number, json: string) => void insertOrder.run(outTradeNo, createdMs, json)),
    deleteOrders: ifOpen((nos: string[]) => void deleteOrders(nos)),
    loadCodes: () => db.prepare('SELECT code, issued_ms FROM sim_codes').all() as StoredCode[],
    saveCode: ifOpen((c: StoredCode) => void insertCode.run(c.code, c.issued_ms)),
    deleteCodesIssuedBefore: ifOpen((ms: number) => void db.prepare('DELETE FROM sim_codes WHERE issued_ms < ?').run(ms)),
    clear: ifOpen(() => void db.exec('DELETE FROM sim_orders; DELETE FROM sim_codes;')),
    close: () => {
      if (db.open) db.close();
    },
  };
}
