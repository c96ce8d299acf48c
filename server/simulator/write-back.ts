import type { LedgerStore } from './ledger-store.ts';

/** What writing back needs to know of a ledger's record (a WeChat order, an Alipay trade). */
export interface WriteBackOptions<T extends { out_trade_no: string; created_at: Date }> {
  store: LedgerStore;
  serialise(record: T): string;
  /** Whether the record is still in the books (not pruned or reset since an operation touched it). */
  current(record: T): boolean;
  /** Runs before each operation (bounded retention). */
  before(): void;
}

/**
 * How a simulator ledger outlives a restart without a write per read: an operation marks the
 * records it looked at (`touched`), and afterwards each is serialised and saved only when its JSON
 * differs from what the store holds (`savedJson`). Shared by the WeChat and the Alipay ledgers.
 */
export function writeBack<T extends { out_trade_no: string; created_at: Date }>(o: WriteBackOptions<T>) {
  const touched = new Set<T>();
  const savedJson = new Map<string, string>();

  function flush(): void {
    if (!o.store.persistent) return touched.clear();
    for (const record of touched) {
      if (!o.current(record)) continue; // pruned or reset meanwhile
      const json = o.serialise(record);
      if (savedJson.get(record.out_trade_no) === json) continue;
      o.store.saveOrder(record.out_trade_no, record.created_at.getTime(), json);
      savedJson.set(record.out_trade_no, json);
    }
    touched.clear();
  }

  /** Runs one ledger operation and writes back what it changed. */
  const op =
    <A extends unknown[], R>(fn: (...args: A) => R) =>
    (...args: A): R => {
      try {
        o.before();
        return fn(...args);
      } finally {
        flush();
      }
    };

  return { touched, savedJson, flush, op };
}
