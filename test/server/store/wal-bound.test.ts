import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../../server/store/sqlite.ts';
import type { Store } from '../../../server/store/types.ts';
import { eventually } from '../../support/eventually.ts';

let dir: string;
let store: Store | undefined;

afterEach(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const walSize = () => {
  const path = join(dir, 'micropay.sqlite-wal');
  return existsSync(path) ? statSync(path).size : 0;
};

const until = async (condition: () => boolean, timeoutMs = 10_000): Promise<void> => {
  await eventually('the WAL condition', condition, { timeoutMs, intervalMs: 20 });
};

describe('WAL size under sustained writes', () => {
  it('stays bounded while 60 MB are written without a pause for the checkpoints, and shrinks back afterwards', async () => {
    dir = mkdtempSync(join(tmpdir(), 'wal-bound-'));
    const limit = 4 * 1024 * 1024;
    store = openSqliteStore(dir, { walLimitBytes: limit, checkpointIntervalMs: 20 });
    let largest = 0;
    const value = () => randomBytes(12_000).toString('base64'); // 16 KB that do not compress
    for (let i = 0; i < 3_840; i++) {
      await store.setSetting(`blob-${i % 8}`, value());
      // Requests a few milliseconds apart (about 25 MB/s of journal, several times a busy
      // shop's): the event loop turns, but the WAL is never idle long enough for SQLite to
      // restart it on its own. Without the bound it grew by every byte written.
      if (i % 8 === 7) {
        largest = Math.max(largest, walSize());
        await new Promise((r) => setTimeout(r, 5));
      }
    }
    largest = Math.max(largest, walSize());
    expect(largest).toBeGreaterThan(0);
    expect(largest).toBeLessThan(4 * limit);
    await until(() => walSize() <= limit);
    expect(await store.setting('blob-7')).toHaveLength(16_000);
  });
});
