import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../../server/store/migrations.ts';
import { openSqliteStore } from '../../../server/store/sqlite.ts';
import type { Store } from '../../../server/store/types.ts';
import { newPayment } from '../../support/journal-rows.ts';
import { storeContract } from './contract.ts';

storeContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'store-'));
  const handles: Store[] = [openSqliteStore(dir)];
  const closeAll = async () => {
    for (const h of handles.splice(0)) await h.close();
  };
  return {
    store: handles[0]!,
    async second() {
      const other = openSqliteStore(dir);
      handles.push(other);
      return other;
    },
    async reopen() {
      await closeAll();
      const again = openSqliteStore(dir);
      handles.push(again);
      return again;
    },
    async cleanup() {
      await closeAll();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('openSqliteStore', () => {
  let dir: string;
  let store: Store;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'store-'));
    store = openSqliteStore(dir);
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('records numbered migrations and runs in WAL mode', async () => {
    await store.close();
    const db = new Database(join(dir, 'micropay.sqlite'));
    expect(db.prepare('SELECT version FROM schema_migrations').pluck().all()).toEqual(MIGRATIONS.map((m) => m.version));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    store = openSqliteStore(dir); // reopening applies nothing twice
    expect(await store.payment('none')).toBeUndefined();
  });

  it('opens with every commit fsynced when asked for synchronous full', async () => {
    const full = openSqliteStore(dir, { fileName: 'full.sqlite', synchronous: 'full' });
    await full.insertPayment(newPayment());
    expect((await full.payment('p1'))?.id).toBe('p1');
    await full.close();
  });
});
