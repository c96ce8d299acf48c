import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeBatch, type WriteBatch } from '../../../../server/store/sqlite/write-batch.ts';

/** The writes of one event-loop turn committed together (server/store/sqlite/write-batch.ts). */
describe('SQLite write batch', () => {
  let dir: string;
  let db: Database.Database;
  let batch: WriteBatch;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'write-batch-'));
    db = new Database(join(dir, 'j.sqlite'));
    db.pragma('journal_mode = WAL');
    db.pragma('wal_autocheckpoint = 0');
    db.exec('CREATE TABLE t (id TEXT PRIMARY KEY, n INTEGER NOT NULL CHECK (n >= 0))');
    db.pragma('wal_checkpoint(TRUNCATE)');
    batch = writeBatch(db);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const insert = (id: string, n = 1) => () => db.prepare('INSERT INTO t (id, n) VALUES (?, ?)').run(id, n).changes;
  const ids = () => db.prepare('SELECT id FROM t ORDER BY id').pluck().all();
  /** Frames in the WAL (never checkpointed here): each commit appends the pages it changed. */
  const walFrames = () => (statSync(join(dir, 'j.sqlite-wal')).size - 32) / ((db.pragma('page_size', { simple: true }) as number) + 24);

  it('commits the writes asked for in one turn in one transaction: they add the WAL pages of one commit', async () => {
    await batch.run(insert('a'));
    const oneCommit = walFrames();
    await Promise.all([batch.run(insert('b')), batch.run(insert('c')), batch.run(insert('d'))]);
    expect(walFrames() - oneCommit).toBe(oneCommit);
    await batch.run(insert('e'));
    await batch.run(insert('f'));
    expect(walFrames()).toBe(4 * oneCommit);
    expect(ids()).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });

  it('lets each write see the ones before it in its turn, and answers each with its own result', async () => {
    const seen = batch.run(() => db.prepare('SELECT COUNT(*) FROM t').pluck().get());
    const results = await Promise.all([batch.run(insert('a')), batch.run(insert('b')), batch.run(() => db.prepare('SELECT COUNT(*) FROM t').pluck().get())]);
    expect(await seen).toBe(0);
    expect(results).toEqual([1, 1, 2]);
  });

  it('rolls back and rejects only the write that throws; the others of its turn are committed', async () => {
    const twoStatements = () => {
      db.prepare('INSERT INTO t (id, n) VALUES (?, ?)').run('half', 1);
      db.prepare('INSERT INTO t (id, n) VALUES (?, ?)').run('bad', -1);
    };
    const outcomes = await Promise.allSettled([batch.run(insert('a')), batch.run(twoStatements), batch.run(insert('b'))]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(ids()).toEqual(['a', 'b']);
  });

  it('rejects every write of a turn whose transaction cannot be had, and keeps none of them', async () => {
    const other = new Database(join(dir, 'j.sqlite'));
    db.pragma('busy_timeout = 0');
    other.exec('BEGIN IMMEDIATE');
    try {
      const outcomes = await Promise.allSettled([batch.run(insert('a')), batch.run(insert('b'))]);
      expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
      expect(await batch.run(insert('c')).catch((e: { code?: string }) => e.code)).toBe('SQLITE_BUSY');
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect(ids()).toEqual([]);
  });

  it('commits what is waiting when flushed, before the turn ends (the journal closing)', async () => {
    const written = batch.run(insert('a'));
    batch.flush();
    expect(ids()).toEqual(['a']);
    expect(await written).toBe(1);
  });
});
