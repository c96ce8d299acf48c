import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../../server/store/sqlite.ts';
import type { NewPayment } from '../../../server/store/types.ts';

const payment = (id: string): NewPayment => ({
  id, out_trade_no: `o_${id}`, terminal_id: `t_${id}`, amount_fen: 100, description: null, auth_code_masked: '1300**********1234',
  auth_code_hash: 'h', status: 'processing', step: 'send', error_code: null, error_message: null, transaction_id: null,
  late_payment: false, cancel_requested: false, send_rejected: false, sent_at: null, reverse_decided_at: null, reverse_reason: null,
  reverse_attempts: 0, deadline_at: 45_000, reverse_after: 15_000, next_at: 0, created_at: 0, updated_at: 0,
});

const until = async (check: () => boolean, ms = 5_000): Promise<boolean> => {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return check();
};

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
