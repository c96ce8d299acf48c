import { accessSync, chmodSync, closeSync, constants, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * DATA_DIR holds the journal (payments, token hashes, the PIN hash) and the TLS keys: it is
 * created owner-only (0700) and its files are 0600. A directory that cannot hold them stops the
 * start with one line naming the path and the cause, not a stack trace.
 */
export class DataDirError extends Error {
  override readonly name = 'DataDirError';
}

const CAUSES: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the disk',
  ENOTDIR: 'a part of the path is a file',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the path is too long',
};

/** "read-only file system (EROFS)" for a Node error, its message otherwise. */
export function cause(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code && CAUSES[code]) return `${CAUSES[code]} (${code})`;
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}

/** "attempt to write a readonly database (SQLITE_READONLY)" for SQLite errors, as `cause` for file errors. */
export function journalCause(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && code.startsWith('SQLITE_')) return `${(error as Error).message} (${code})`;
  return cause(error);
}

const STORAGE_FAILURES = /^(SQLITE_(FULL|IOERR|READONLY|CANTOPEN|CORRUPT|NOTADB|PERM)|ENOSPC|EIO|EROFS|EDQUOT)/;

/** An error that says the journal's storage failed (full, read-only, I/O), not the request. */
export function isStorageFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && STORAGE_FAILURES.test(code);
}

/**
 * Makes sure `dir` can hold the journal: creates it (only its last part: a missing parent is
 * more likely a wrong path or an unmounted disk than a wish), refuses a file or a directory
 * this process cannot write, and keeps it owner-only.
 */
export function prepareDataDir(dir: string, label = 'DATA_DIR'): string {
  const where = `${label} ${dir}`;
  let stat;
  try {
    stat = statSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new DataDirError(`${where}: cannot be read: ${cause(error)}`);
    const parent = dirname(dir);
    if (!existsSync(parent)) throw new DataDirError(`${where}: its parent folder ${parent} does not exist (create it, or check the path)`);
    try {
      mkdirSync(dir, { mode: 0o700 });
    } catch (mkdirError) {
      throw new DataDirError(`${where}: cannot be created: ${cause(mkdirError)}`);
    }
    return dir;
  }
  if (!stat.isDirectory()) throw new DataDirError(`${where}: is a file, not a folder`);
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (error) {
    throw new DataDirError(`${where}: cannot be written: ${cause(error)}`);
  }
  ownerOnly(dir, stat, 0o700);
  return dir;
}

/** Creates `path` empty and owner-only if it is missing (SQLite gives its -wal and -shm the same mode), else makes it owner-only. */
export function ownerOnlyFile(path: string): void {
  if (!existsSync(path)) {
    closeSync(openSync(path, 'a', 0o600));
    return;
  }
  ownerOnly(path, statSync(path), 0o600);
}

/** Tightens the mode of a file or folder this process owns (another user's is left to them). */
function ownerOnly(path: string, stat: { mode: number; uid: number }, mode: number): void {
  if ((stat.mode & 0o777) === mode || (process.getuid && stat.uid !== process.getuid())) return;
  try {
    chmodSync(path, mode);
  } catch {
    // A file system without modes (some network mounts): nothing more can be done here.
  }
}
