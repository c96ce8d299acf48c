import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../../server/store/migrations.ts';
import { openSqliteStore } from '../../../server/store/sqlite.ts';
import { sha256 } from '../../../server/terminals/secrets.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A data directory as the first release left it: migration 1 only, a paired terminal, the old pairing secret. */
function releaseOneDatabase(secret: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'migrate-'));
  dirs.push(dir);
  const db = new Database(join(dir, 'micropay.sqlite'));
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  db.exec(MIGRATIONS[0]!.sql);
  db.prepare('INSERT INTO schema_migrations VALUES (1, ?, 0)').run(MIGRATIONS[0]!.name);
  db.prepare('INSERT INTO terminals (id, name, token_hash, created_at) VALUES (?, ?, ?, ?)').run('t-old', 'Front till', sha256('old-device-token-0123456789'), Date.UTC(2026, 0, 2));
  db.prepare('INSERT INTO pairing_codes (code_hash, terminal_id, expires_at, used_at) VALUES (?, ?, ?, ?)').run('code-hash', 't-old', Date.UTC(2026, 0, 3), Date.UTC(2026, 0, 2));
  db.prepare('INSERT INTO settings (key, value) VALUES (?, ?), (?, ?), (?, ?)').run('pairing_secret', secret, 'paired_at:t-old', '2026-01-02T08:30:00.000Z', 'manager_pin', 'scrypt$x');
  db.close();
  return dir;
}

describe('migration 2: terminal tokens', () => {
  it('keeps existing tokens and pairing times, and deletes the pairing secret from the file', async () => {
    const secret = 'S3cr3tPairingSecretThatDerivedTokens_0123456';
    const dir = releaseOneDatabase(secret);
    const store = openSqliteStore(dir);
    const terminal = await store.terminalByTokenHash(sha256('old-device-token-0123456789'));
    expect(terminal).toEqual({ id: 't-old', name: 'Front till', created_at: Date.UTC(2026, 0, 2), paired_at: Date.parse('2026-01-02T08:30:00.000Z') });
    expect(await store.setting('pairing_secret')).toBeUndefined();
    expect(await store.setting('paired_at:t-old')).toBeUndefined();
    expect(await store.setting('manager_pin')).toBe('scrypt$x');
    await store.close();
    // Neither the database file nor its WAL still holds the secret's bytes.
    for (const file of ['micropay.sqlite', 'micropay.sqlite-wal']) {
      const path = join(dir, file);
      if (existsSync(path)) expect(readFileSync(path).includes(Buffer.from(secret))).toBe(false);
    }
    const db = new Database(join(dir, 'micropay.sqlite'), { readonly: true });
    expect(db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all()).toEqual(MIGRATIONS.map((m) => m.version));
    expect(db.pragma('foreign_key_check')).toEqual([]);
    expect(db.prepare("SELECT name FROM pragma_table_info('terminals')").pluck().all()).not.toContain('token_hash');
    db.close();
  });
});
