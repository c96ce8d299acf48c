import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../server/store/sqlite.ts';

/**
 * A DATA_DIR that cannot hold the journal stops `npm start` and the CLI with one line naming the
 * path and the cause. The read-only cases mount a read-only tmpfs over the directory in a mount
 * namespace of the test's own (unshare), so nothing outside the test sees it.
 */

const root = mkdtempSync(join(tmpdir(), 'pos-datadir-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

type Program = 'start' | 'cli';
const ENTRY: Record<Program, string[]> = { start: ['server/start.ts'], cli: ['server/cli/terminal.ts', 'list'] };

function run(program: Program, dataDir: string, readOnlyMount?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const node = [process.execPath, '--import', 'tsx', ...ENTRY[program]];
  const [command, ...args] = readOnlyMount
    ? ['unshare', '-rm', 'sh', '-c', 'mount -t tmpfs -o ro tmpfs "$0" && exec "$@"', readOnlyMount, ...node]
    : node;
  const proc = spawn(command!, args, {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, SKIP_WEB_BUILD: '1', HOST: '127.0.0.1', PORT: '0', DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d) => (stdout += d));
  proc.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => proc.on('exit', (code) => resolve({ code, stdout, stderr })));
}

const file = join(root, 'not-a-folder');
writeFileSync(file, 'x');
const readOnly = join(root, 'read-only');
mkdirSync(readOnly);

describe.each<Program>(['start', 'cli'])('%s with a DATA_DIR that cannot hold the journal', (program) => {
  it.each([
    ['is a file', file, undefined, `DATA_DIR ${file}: is a file, not a folder`],
    ['has a missing parent', join(root, 'no-such-disk', 'pos'), undefined, `DATA_DIR ${join(root, 'no-such-disk', 'pos')}: its parent folder ${join(root, 'no-such-disk')} does not exist`],
    ['is read-only', readOnly, readOnly, `DATA_DIR ${readOnly}: cannot be written: read-only file system (EROFS)`],
    ['is missing on a read-only disk', join(readOnly, 'pos'), readOnly, `DATA_DIR ${join(readOnly, 'pos')}: cannot be created: read-only file system (EROFS)`],
  ])('stops with one line when DATA_DIR %s', async (_, dataDir, mount, expected) => {
    const result = await run(program, dataDir, mount);
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(expected);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });
});

describe('data files', () => {
  it('keeps DATA_DIR owner-only (0700) and the database, its WAL and shared memory 0600, tightening older ones', async () => {
    const dir = join(root, 'modes');
    mkdirSync(dir, { mode: 0o755 });
    writeFileSync(join(dir, 'micropay.sqlite'), '', { mode: 0o644 });
    const store = openSqliteStore(dir);
    await store.setSetting('x', 'y');
    const mode = (name: string) => statSync(join(dir, name)).mode & 0o777;
    expect(mode('.')).toBe(0o700);
    for (const name of ['micropay.sqlite', 'micropay.sqlite-wal', 'micropay.sqlite-shm']) expect([name, mode(name)]).toEqual([name, 0o600]);
    await store.close();
  });

  it('creates a new DATA_DIR owner-only', async () => {
    const dir = join(root, 'fresh');
    const store = openSqliteStore(dir);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'micropay.sqlite')).mode & 0o777).toBe(0o600);
    await store.close();
  });
});
