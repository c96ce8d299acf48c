import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../../server/store/sqlite.ts';
import { newPayment } from '../../support/journal-rows.ts';
import { eventually } from '../../support/eventually.ts';

const payment = (id: string) => newPayment({ id, terminal_id: `t_${id}` });

const until = (check: () => boolean, ms = 5_000): Promise<boolean> => eventually('the checkpoint', check, { timeoutMs: ms, intervalMs: 20 });

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'checkpoint-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('WAL checkpoints', () => {
  it('copies the WAL into the database file from a worker while the store stays open', async () => {
    const store = openSqliteStore(dir, { checkpointIntervalMs: 20 });
    const file = join(dir, 'micropay.sqlite');
    for (let i = 0; i < 50; i++) await store.insertPayment(payment(`p${i}`));
    // The main connection never checkpoints (automatic checkpoint off): only the worker can fill the file.
    expect(await until(() => statSync(file).size >= 20 * 4096)).toBe(true);
    expect((await store.payment('p49'))?.amount_fen).toBe(100);
    await store.close();
  });

  it('leaves the WAL alone when background checkpoints are off and few pages were written', async () => {
    const store = openSqliteStore(dir, { checkpointIntervalMs: 0 });
    const file = join(dir, 'micropay.sqlite');
    const before = statSync(file).size;
    for (let i = 0; i < 50; i++) await store.insertPayment(payment(`p${i}`));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(statSync(file).size).toBe(before); // under 1000 WAL pages SQLite's own checkpoint has not run
    await store.close();
  });
});
