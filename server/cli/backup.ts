import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { ownerOnlyFile } from '../store/data-dir.ts';
import { SQLITE_FILE_NAME } from '../store/sqlite.ts';
import { loadCliConfig } from './journal.ts';
import { runWhenInvoked, type CliIo } from './main.ts';

/**
 * `npm run backup -- <file>`: a consistent copy of the SQLite journal, safe while the server
 * runs and takes payments. It uses SQLite's online backup API: copying the database file of a
 * live WAL journal can miss the commits still in its -wal file or catch a page half written.
 * The copy is checked (PRAGMA integrity_check) before it is reported. The last stdout line is
 * JSON {"file","bytes","payments"}. With DATABASE_URL the journal is PostgreSQL's: pg_dump backs
 * it up (README "Backups").
 */

export const BACKUP_USAGE = `Usage: npm run backup -- <file>

  Copies the SQLite journal in DATA_DIR to <file> (a new file), while the server runs.
  Restore: stop the server, put the copy in DATA_DIR as ${SQLITE_FILE_NAME}, delete
  ${SQLITE_FILE_NAME}-wal and ${SQLITE_FILE_NAME}-shm there, start the server.`;

export async function runBackupCli(args: readonly string[], io: CliIo): Promise<number> {
  if (args.length !== 1 || args[0] === '' || args[0] === '--help' || args[0] === '-h') {
    io.err(BACKUP_USAGE);
    return 2;
  }
  const config = loadCliConfig(io);
  if (typeof config === 'number') return config;
  if (config.databaseUrl) {
    io.err('DATABASE_URL is set: the journal is in PostgreSQL. Back it up with pg_dump (see README "Backups").');
    return 2;
  }
  const source = join(config.dataDir, SQLITE_FILE_NAME);
  const target = resolve(args[0]!);
  if (!existsSync(source)) {
    io.err(`No journal at ${source} (DATA_DIR): nothing to back up.`);
    return 1;
  }
  if (existsSync(target)) {
    io.err(`${target} exists already: name a new file (a backup never overwrites one).`);
    return 2;
  }
  // It holds what the journal holds (token hashes, the PIN's hash): owner-only from the start, like the journal.
  ownerOnlyFile(target);
  const db = new Database(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    await db.backup(target);
  } finally {
    db.close();
  }
  const copy = new Database(target, { readonly: true });
  try {
    const verdict = copy.pragma('integrity_check', { simple: true });
    if (verdict !== 'ok') {
      io.err(`The copy at ${target} failed its integrity check (${String(verdict)}): do not rely on it.`);
      return 1;
    }
    const payments = copy.prepare('SELECT COUNT(*) FROM payments').pluck().get() as number;
    io.out(`Backed up the journal (${payments} payments) to ${target}`);
    io.out(JSON.stringify({ file: target, bytes: statSync(target).size, payments }));
    return 0;
  } finally {
    copy.close();
  }
}

await runWhenInvoked(import.meta.url, runBackupCli);
