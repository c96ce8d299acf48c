import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Checkpoints the WAL from a worker thread with a connection of its own. SQLite's automatic
 * checkpoint runs inside the COMMIT that crosses 1000 WAL pages — on whichever payment made it —
 * and copies pages into the database file with fsyncs of both files: every few dozen payments
 * the event loop, and every terminal with it, stood still for several fsyncs. Here the copy and
 * its fsyncs run beside the event loop. PASSIVE: it never waits for, nor blocks, the writer.
 *
 * The caller turns the main connection's automatic checkpoint off while the worker runs and
 * gets `onStopped` if the worker dies, to turn it back on (the WAL must never grow unbounded).
 * When the WAL has grown past `walLimitBytes`, `onOverLimit` asks the writing connection to empty
 * it between two of its writes (store/sqlite.ts): the worker has copied most frames by then.
 */
export interface Checkpointer {
  close(): Promise<void>;
}

const WORKER = `
const { statSync } = require('node:fs');
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.library);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 0');
const passive = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
const walPath = workerData.path + '-wal';
const walBytes = () => {
  try {
    return statSync(walPath).size;
  } catch {
    return 0;
  }
};
let timer;
const round = () => {
  try {
    passive.get();
    // Writes kept coming faster than PASSIVE rounds could finish them, so SQLite never restarted
    // the WAL and it only grew. A checkpoint that empties the file must hold off writers, and a
    // second thread rarely finds the gap between two of them: the writing connection does it.
    const bytes = walBytes();
    if (bytes > workerData.walLimitBytes) parentPort.postMessage({ walBytes: bytes });
  } catch {
    // Busy with another checkpointer (another process) or a long reader: the next round tries again.
  }
  timer = setTimeout(round, workerData.intervalMs);
};
parentPort.on('message', () => {
  clearTimeout(timer);
  db.close();
  parentPort.close();
});
round();
`;

export function startCheckpointer(
  path: string,
  intervalMs: number,
  walLimitBytes: number,
  onStopped: (error?: unknown) => void,
  onOverLimit: () => void,
): Checkpointer {
  const library = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER, { eval: true, workerData: { path, intervalMs, walLimitBytes, library } });
  let closing = false;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('message', () => onOverLimit());
  worker.once('error', (error) => {
    if (!closing) onStopped(error);
  });
  worker.once('exit', (code) => {
    if (!closing) onStopped(new Error(`checkpoint worker exited with code ${code}`));
  });
  worker.unref(); // never the reason a process stays alive
  return {
    async close() {
      closing = true;
      worker.postMessage('stop');
      const timeout = setTimeout(() => void worker.terminate(), 2_000);
      await exited;
      clearTimeout(timeout);
    },
  };
}
