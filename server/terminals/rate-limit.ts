/**
 * Guessing limits for short secrets (pairing codes, the manager PIN), kept in memory per key
 * (an IP address, a terminal): after `limit` failures within `windowMs` the key must wait, and
 * after `lockAfter` failures in a row it is locked out for `lockMs`. Only failures count, so a
 * manager doing several refunds in a row is never slowed down; a success clears the streak.
 */
export interface AttemptLimiterOptions {
  limit: number;
  windowMs: number;
  lockAfter?: number;
  lockMs?: number;
  now?: () => number;
}

export interface AttemptVerdict {
  allowed: boolean;
  retryAfterMs: number;
}

interface KeyState {
  /** Times of the failures within the window. */
  attempts: number[];
  failures: number;
  lockedUntil: number;
}

export class AttemptLimiter {
  readonly #options: Required<AttemptLimiterOptions>;
  readonly #keys = new Map<string, KeyState>();

  constructor(options: AttemptLimiterOptions) {
    if (options.limit < 1 || options.windowMs < 1) throw new RangeError('limit and windowMs must be positive');
    this.#options = { lockAfter: Infinity, lockMs: 0, now: Date.now, ...options };
  }

  /** Whether `key` may try now (call before checking the secret). */
  check(key: string): AttemptVerdict {
    const now = this.#options.now();
    const state = this.#state(key, now);
    if (state.lockedUntil > now) return { allowed: false, retryAfterMs: state.lockedUntil - now };
    if (state.attempts.length >= this.#options.limit) {
      return { allowed: false, retryAfterMs: state.attempts[0]! + this.#options.windowMs - now };
    }
    return { allowed: true, retryAfterMs: 0 };
  }

  failed(key: string): void {
    const now = this.#options.now();
    const state = this.#state(key, now);
    state.attempts.push(now);
    state.failures++;
    if (state.failures >= this.#options.lockAfter) {
      state.lockedUntil = now + this.#options.lockMs;
      state.failures = 0;
    }
  }

  succeeded(key: string): void {
    const state = this.#keys.get(key);
    if (state) state.failures = 0;
  }

  #state(key: string, now: number): KeyState {
    let state = this.#keys.get(key);
    if (!state) {
      state = { attempts: [], failures: 0, lockedUntil: 0 };
      this.#keys.set(key, state);
    }
    const windowStart = now - this.#options.windowMs;
    while (state.attempts.length > 0 && state.attempts[0]! <= windowStart) state.attempts.shift();
    this.#prune(now);
    return state;
  }

  /** Forget idle keys so a scan over many IPs cannot grow the map without bound. */
  #prune(now: number): void {
    if (this.#keys.size < 1_000) return;
    for (const [key, state] of this.#keys) {
      const last = state.attempts.at(-1) ?? 0;
      if (state.lockedUntil <= now && state.failures === 0 && last <= now - this.#options.windowMs) this.#keys.delete(key);
    }
  }
}
