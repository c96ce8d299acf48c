import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { Worker } from 'node:worker_threads';

/**
 * The manager PIN is stored as `scrypt$N$r$p$salt$hash`: a short PIN is guessable offline from a
 * plain hash, so it gets a salted, memory-hard one (and online guessing is rate-limited).
 *
 * Checks run scrypt in a worker thread of their own, not on libuv's thread pool: the pool also
 * runs the journal's fsync that every payment waits for, and a burst of PIN guesses (each
 * scrypt holds a pool thread for tens of milliseconds) stalled other terminals' payments for
 * seconds. One thread also bounds the CPU a burst can take.
 */

const PARAMS = { N: 16_384, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
const MAX_MEMORY = 64 * 1024 * 1024;

function derive(pin: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(pin.normalize('NFKC'), salt, KEY_LENGTH, { ...options, maxmem: MAX_MEMORY }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** Setting a PIN is rare and done by the CLI: the thread pool is fine there. */
export async function hashPin(pin: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(pin, salt, PARAMS);
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPin(pin: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) throw new Error('the stored manager PIN hash has an unknown format');
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scryptThread.derive(pin.normalize('NFKC'), Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(r), p: Number(p) }, expected.length);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

const WORKER = `
const { parentPort } = require('node:worker_threads');
const { scryptSync } = require('node:crypto');
parentPort.on('message', ({ id, pin, salt, N, r, p, keyLength, maxmem }) => {
  try {
    const key = scryptSync(pin, Buffer.from(salt), keyLength, { N, r, p, maxmem });
    parentPort.postMessage({ id, key });
  } catch (error) {
    parentPort.postMessage({ id, error: String((error && error.message) || error) });
  }
});
`;

interface Pending {
  resolve: (key: Buffer) => void;
  reject: (error: Error) => void;
}

/** One worker thread, started on first use; it keeps the process alive only while a check runs. */
class ScryptThread {
  #worker: Worker | undefined;
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;

  derive(pin: string, salt: Buffer, params: { N: number; r: number; p: number }, keyLength: number): Promise<Buffer> {
    const worker = this.#start();
    const id = ++this.#nextId;
    return new Promise<Buffer>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      if (this.#pending.size === 1) worker.ref();
      worker.postMessage({ id, pin, salt, ...params, keyLength, maxmem: MAX_MEMORY });
    });
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(WORKER, { eval: true });
    worker.unref();
    worker.on('message', (message: { id: number; key?: Uint8Array; error?: string }) => {
      const pending = this.#pending.get(message.id);
      if (!pending) return;
      this.#settle(message.id);
      if (message.key) pending.resolve(Buffer.from(message.key));
      else pending.reject(new Error(`scrypt failed: ${message.error ?? 'no key'}`));
    });
    const fail = (error: Error) => {
      if (this.#worker !== worker) return;
      this.#worker = undefined; // the next check starts a new thread
      for (const [id, pending] of [...this.#pending]) {
        this.#settle(id);
        pending.reject(error);
      }
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the scrypt thread exited with code ${code}`)));
    this.#worker = worker;
    return worker;
  }

  #settle(id: number): void {
    this.#pending.delete(id);
    if (this.#pending.size === 0) this.#worker?.unref();
  }
}

const scryptThread = new ScryptThread();
