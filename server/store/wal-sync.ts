import { close, fsync, open, openSync } from 'node:fs';

/**
 * Makes a SQLite WAL file durable with fsync on libuv's thread pool instead of inside COMMIT.
 *
 * Why: synchronous=FULL fsyncs the WAL inside COMMIT, and better-sqlite3 runs COMMIT on the
 * event loop, so every terminal's request stands still for the 1–7 ms a disk takes. Committing at
 * NORMAL (the frames are written to the WAL, in the OS cache) and then fsyncing the WAL file here
 * gives the same guarantee when the promise resolves — fsync flushes the file, whichever
 * descriptor asks — while the event loop serves other work. A checkpoint that runs in between
 * syncs the WAL itself before copying and the database file after, and the WAL is only
 * rewritten from its start after such a complete checkpoint, so a commit is never lost between
 * its write and this fsync.
 *
 * Group commit: callers that arrive while an fsync runs share the next one, so N terminals
 * paying at once cost about two fsync times, not N.
 */
export class WalSync {
  #fd: number | undefined;
  #inFlight: Promise<void> | undefined;
  #next: Promise<void> | undefined;
  #closed = false;

  constructor(
    private readonly walPath: string,
    /** fs.fsync; tests hold it to see who waits for the disk. */
    private readonly fsyncFile: (fd: number, done: (error: NodeJS.ErrnoException | null) => void) => void = fsync,
  ) {
    try {
      this.#fd = openSync(walPath, 'r'); // SQLite made it when the store opened; else opened on first use
    } catch {
      this.#fd = undefined;
    }
  }

  /** Resolves when every commit made before this call is on disk. */
  sync(): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('the journal is closed'));
    // An fsync already running may have started before our commit was written: wait for the next.
    if (!this.#inFlight) return this.#start();
    this.#next ??= this.#inFlight.then(this.#startNext, this.#startNext);
    return this.#next;
  }

  readonly #startNext = (): Promise<void> => {
    this.#next = undefined;
    return this.#start();
  };

  #start(): Promise<void> {
    const run: Promise<void> = this.#fsync().finally(() => {
      if (this.#inFlight === run) this.#inFlight = undefined;
    });
    this.#inFlight = run;
    return run;
  }

  async #fsync(): Promise<void> {
    // Opened once: our own SQLite connection keeps the WAL file in place while the store is open.
    this.#fd ??= await new Promise<number>((resolve, reject) => open(this.walPath, 'r', (e, fd) => (e ? reject(e) : resolve(fd))));
    const fd = this.#fd;
    await new Promise<void>((resolve, reject) => this.fsyncFile(fd, (e) => (e ? reject(e) : resolve())));
  }

  /** Waits for fsyncs in progress, then closes the descriptor. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([this.#inFlight, this.#next]);
    await Promise.allSettled([this.#inFlight]);
    const fd = this.#fd;
    this.#fd = undefined;
    if (fd !== undefined) await new Promise<void>((resolve) => close(fd, () => resolve()));
  }
}
