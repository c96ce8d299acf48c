import { closeSync, fsync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WalSync } from '../../../server/store/wal-sync.ts';
import { openSqliteStore } from '../../../server/store/sqlite.ts';
import { newPayment } from '../../support/journal-rows.ts';

/** An fsync that completes only when the test says so, counting calls. */
function heldFsync() {
  const waiting: (() => void)[] = [];
  const calls: number[] = [];
  const fn = (fd: number, done: (error: NodeJS.ErrnoException | null) => void): void => {
    calls.push(fd);
    waiting.push(() => fsync(fd, done));
  };
  return { fn, calls, release: () => waiting.splice(0).forEach((go) => go()) };
}

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 20));

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'walsync-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('WalSync', () => {
  it('makes a caller that arrives during an fsync wait for the next one, and callers arriving together share it', async () => {
    const file = join(dir, 'f-wal');
    closeSync(openSync(file, 'w'));
    const held = heldFsync();
    const sync = new WalSync(file, held.fn);
    const done: string[] = [];
    const first = sync.sync().then(() => done.push('first'));
    await tick();
    expect(held.calls).toHaveLength(1);
    const second = sync.sync().then(() => done.push('second'));
    const third = sync.sync().then(() => done.push('third'));
    await tick();
    expect(held.calls).toHaveLength(1); // the next fsync starts only after the running one
    held.release();
    await first;
    await tick();
    expect(done).toEqual(['first']); // its fsync may have started before their commits
    expect(held.calls).toHaveLength(2); // one more fsync for both
    held.release();
    await Promise.all([second, third]);
    expect(done).toEqual(['first', 'second', 'third']);
    await sync.close();
  });

  it('reports a failed fsync to its callers and recovers for the next', async () => {
    const file = join(dir, 'f-wal');
    closeSync(openSync(file, 'w'));
    let fail = true;
    const sync = new WalSync(file, (fd, done) => (fail ? done(Object.assign(new Error('EIO'), { code: 'EIO' })) : fsync(fd, done)));
    await expect(sync.sync()).rejects.toThrow('EIO');
    fail = false;
    await expect(sync.sync()).resolves.toBeUndefined();
    await sync.close();
    await expect(sync.sync()).rejects.toThrow('closed');
  });
});

describe('the store with an fsync off the event loop', () => {
  const payment = (id: string, terminal: string) => newPayment({ id, terminal_id: terminal });

  it('answers an insert only after the WAL file was fsynced, and shares one fsync among inserts that wait together', async () => {
    const held = heldFsync();
    const store = openSqliteStore(dir, { fsync: held.fn });
    let answered = 0;
    const a = store.insertPayment(payment('p1', 't1')).then((r) => (answered++, r));
    await tick();
    expect(held.calls).toHaveLength(1);
    expect(answered).toBe(0); // committed, not yet on disk: the caller must not send it to WeChat yet
    const b = store.insertPayment(payment('p2', 't2')).then((r) => (answered++, r));
    const c = store.insertPayment(payment('p3', 't3')).then((r) => (answered++, r));
    await tick();
    expect(answered).toBe(0);
    held.release();
    expect((await a).kind).toBe('created');
    await tick();
    expect(answered).toBe(1);
    expect(held.calls).toHaveLength(2);
    held.release();
    expect([(await b).kind, (await c).kind]).toEqual(['created', 'created']);
    // Later transitions ride on the WAL without an fsync of their own.
    await store.transitionPayment('p1', () => ({ step: 'query' }));
    expect(held.calls).toHaveLength(2);
    await store.close();
  });
});
