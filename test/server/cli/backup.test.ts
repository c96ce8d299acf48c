import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runBackupCli } from '../../../server/cli/backup.ts';
import { openSqliteStore } from '../../../server/store/sqlite.ts';
import type { Store } from '../../../server/store/types.ts';
import { newPayment } from '../../support/journal-rows.ts';

async function cli(args: string[], env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runBackupCli(args, { env, out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err: err.join('\n'), last: out.at(-1) ?? '' };
}

describe('npm run backup', () => {
  let dir: string;
  let live: Store;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'backup-'));
    // No checkpoints: the commits stay in the -wal file, where a plain file copy misses them.
    live = openSqliteStore(join(dir, 'data'), { checkpointIntervalMs: 0 });
  });
  afterEach(async () => {
    await live.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('copies the live journal, commits still in its WAL included, into a file that opens as a journal', async () => {
    for (let i = 0; i < 25; i++) await live.insertPayment(newPayment({ id: `p${i}`, terminal_id: `t${i}` }));
    await live.transitionPayment('p3', () => ({ status: 'succeeded', step: 'done', transaction_id: 'tx3', updated_at: 1 }));
    expect(statSync(join(dir, 'data', 'micropay.sqlite-wal')).size).toBeGreaterThan(0);
    const result = await cli([join(dir, 'copy.sqlite')], { DATA_DIR: join(dir, 'data') });
    expect(result.code, result.err).toBe(0);
    expect(JSON.parse(result.last)).toMatchObject({ file: join(dir, 'copy.sqlite'), payments: 25 });
    expect(statSync(join(dir, 'copy.sqlite')).mode & 0o777).toBe(0o600);
    // Restored the way the usage says: the copy as the journal of another data directory.
    const restoredDir = join(dir, 'restored');
    mkdirSync(restoredDir);
    copyFileSync(join(dir, 'copy.sqlite'), join(restoredDir, 'micropay.sqlite'));
    const restored = openSqliteStore(restoredDir);
    try {
      expect(await restored.payment('p3')).toMatchObject({ status: 'succeeded', transaction_id: 'tx3' });
      expect(await restored.paymentsCreatedBetween(0, Number.MAX_SAFE_INTEGER)).toHaveLength(25);
    } finally {
      await restored.close();
    }
  });

  it('is needed: a file copy of the live journal misses the commits in its WAL', async () => {
    for (let i = 0; i < 5; i++) await live.insertPayment(newPayment({ id: `p${i}`, terminal_id: `t${i}` }));
    mkdirSync(join(dir, 'naive'));
    copyFileSync(join(dir, 'data', 'micropay.sqlite'), join(dir, 'naive', 'micropay.sqlite'));
    const naive = openSqliteStore(join(dir, 'naive'));
    try {
      expect((await naive.paymentsCreatedBetween(0, Number.MAX_SAFE_INTEGER)).length).toBeLessThan(5);
    } finally {
      await naive.close();
    }
  });

  it('never overwrites a file and says what to name instead', async () => {
    expect((await cli([join(dir, 'copy.sqlite')], { DATA_DIR: join(dir, 'data') })).code).toBe(0);
    const again = await cli([join(dir, 'copy.sqlite')], { DATA_DIR: join(dir, 'data') });
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/exists already/);
  });

  it('points at pg_dump when the journal is PostgreSQL, and at usage without a file', async () => {
    const pg = await cli([join(dir, 'x')], { DATABASE_URL: 'postgres://127.0.0.1/pos' });
    expect(pg.code).toBe(2);
    expect(pg.err).toMatch(/pg_dump/);
    expect((await cli([], {})).err).toMatch(/Usage: npm run backup -- <file>/);
  });
});
