/**
 * Guessing limits for short secrets (pairing codes, the manager PIN), kept in memory per key
 * (an IP address, a terminal): after `limit` failures within `windowMs` the key must wait, and
 * after `lockAfter` failures in a row it is locked out for `lockMs`. Only failures count, so a
 * manager doing several refunds in a row is never slowed down; a success clears the streak.
 *
 * An attempt is reserved before the secret is checked and counted as a failure at once, then
 * taken back if the secret was right. Checking is asynchronous (scrypt): with a check first and
 * a count after, a hundred concurrent guesses all passed the check before the first failure
 * was recorded.
 */
export interface AttemptLimiterOptions {
  limit: number;
  windowMs: number;
  lockAfter?: number;
  lockMs?: number;
  now?: () => number;
}

export type AttemptVerdict = { allowed: true; attempt: Attempt } | { allowed: false; retryAfterMs: number };

/** A reserved attempt: settle it exactly once. */
export interface Attempt {
  /** The secret was right: the attempt is taken back and the streak of failures cleared. */
  succeeded(): void;
  /** The secret was wrong (it stays counted): how many more wrong tries are left before a wait. */
  failed(): number;
  /** It was no guess after all (nothing to check against, or refused for load): taken back, the streak kept. */
  cancel(): void;
}

interface KeyState {
  /** Times of the failures (and reserved attempts) within the window. */
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

  /** How long `key` must wait before its next attempt (0: it may try now); reserves nothing. */
  waitMs(key: string): number {
    const now = this.#options.now();
    return this.#waitMs(this.#state(key, now), now);
  }

  #waitMs(state: KeyState, now: number): number {
    if (state.lockedUntil > now) return state.lockedUntil - now;
    if (state.attempts.length >= this.#options.limit) return state.attempts[0]! + this.#options.windowMs - now;
    return 0;
  }

  /** Reserves an attempt for `key` (call before checking the secret), or says how long to wait. */
  begin(key: string): AttemptVerdict {
    const now = this.#options.now();
    const state = this.#state(key, now);
    const wait = this.#waitMs(state, now);
    if (wait > 0) return { allowed: false, retryAfterMs: wait };
    const before = { failures: state.failures, lockedUntil: state.lockedUntil };
    state.attempts.push(now);
    state.failures++;
    const locks = state.failures >= this.#options.lockAfter;
    if (locks) {
      state.lockedUntil = now + this.#options.lockMs;
      state.failures = 0;
    }
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      return true;
    };
    const takeBack = (): void => {
      const index = state.attempts.lastIndexOf(now);
      if (index >= 0) state.attempts.splice(index, 1);
      if (locks) state.lockedUntil = before.lockedUntil;
    };
    return {
      allowed: true,
      attempt: {
        succeeded: () => {
          if (!settle()) return;
          takeBack();
          state.failures = 0;
        },
        failed: () => {
          settle();
          return this.#left(state, this.#options.now());
        },
        cancel: () => {
          if (!settle()) return;
          takeBack();
          state.failures = locks ? before.failures : Math.max(0, state.failures - 1);
        },
      },
    };
  }

  /** Wrong tries `key` has left before it must wait (0 while it waits). */
  left(key: string): number {
    const now = this.#options.now();
    return this.#left(this.#state(key, now), now);
  }

  #left(state: KeyState, now: number): number {
    if (state.lockedUntil > now) return 0;
    return Math.max(0, Math.min(this.#options.limit - state.attempts.length, this.#options.lockAfter - state.failures));
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
