import type { AttemptLimiter } from '../terminals/rate-limit.ts';
import { TerminalError, type TerminalRegistry } from '../terminals/registry.ts';
import { DEFAULT_SHOP_ID } from '../store/types.ts';
import type { ApiLog } from './context.ts';
import { fail, PinWrong, tooManyAttempts } from './errors.ts';

/**
 * The manager PIN check every PIN route shares (refunds, unpairing, cashiers, exports, the
 * report on a till), and the cashier PIN check of a shift's sign-in. A guess is reserved with the
 * terminal's attempt limiter before the PIN is checked, so concurrent guesses count at once; a
 * terminal has at most one check running, and the whole server `maxConcurrent` with a short
 * queue: a burst is refused with 429 instead of queueing scrypt work behind itself.
 */
export interface PinCheckLimits {
  /** PIN checks running at once across all terminals (default 2). */
  maxConcurrent?: number;
  /** Checks waiting for a turn before more are refused (default 8). */
  maxQueued?: number;
}

const BUSY_RETRY_MS = 1_000;
/** Cashier PIN guesses are counted per terminal apart from the manager PIN's. */
const limiterKey = (terminalId: string, pin: 'manager' | 'cashier'): string => (pin === 'manager' ? terminalId : `cashier:${terminalId}`);

export class ManagerPinGuard {
  readonly #terminals: TerminalRegistry;
  readonly #limiter: AttemptLimiter;
  readonly #log: ApiLog;
  readonly #maxConcurrent: number;
  readonly #maxQueued: number;
  readonly #checking = new Set<string>();
  readonly #queue: (() => void)[] = [];
  #running = 0;

  constructor(terminals: TerminalRegistry, limiter: AttemptLimiter, log: ApiLog, limits: PinCheckLimits = {}) {
    this.#terminals = terminals;
    this.#limiter = limiter;
    this.#log = log;
    this.#maxConcurrent = limits.maxConcurrent ?? 2;
    this.#maxQueued = limits.maxQueued ?? 8;
  }

  /**
   * Refuses at once (429) a terminal that must wait or has a check running, before a route reads
   * its body or looks anything up: a burst of guesses costs little more than its authentication.
   * `pin` 'cashier': the terminal's cashier PIN guesses, counted apart from the manager PIN's.
   */
  refuseEarly(terminalId: string, pin: 'manager' | 'cashier' = 'manager'): void {
    if (this.#checking.has(terminalId)) tooManyAttempts(BUSY_RETRY_MS, 'PIN checks at once from this terminal');
    const wait = this.#limiter.waitMs(limiterKey(terminalId, pin));
    if (wait > 0) tooManyAttempts(wait, 'wrong PINs');
  }

  /** Resolves when `pin` is the manager PIN of the terminal's shop; throws the API's refusal otherwise. */
  async require(terminalId: string, pin: string | undefined, what: string, shopId: string = DEFAULT_SHOP_ID): Promise<void> {
    if (pin === undefined || pin === '') fail(403, 'PIN_REQUIRED', `${what} needs the manager PIN (header X-Manager-Pin).`);
    if (!(await this.#terminals.pinConfigured(shopId))) {
      fail(403, 'PIN_REQUIRED', shopId === DEFAULT_SHOP_ID ? 'No manager PIN is set: set MANAGER_PIN or run `npm run terminal -- pin <pin>`.' : `No manager PIN is set for this shop: run \`npm run terminal -- pin <pin> --shop ${shopId}\`.`);
    }
    await this.#guarded(terminalId, 'manager', async () => ((await this.#terminals.checkPin(pin, shopId)) ? true : undefined));
  }

  /**
   * A cashier's PIN (server/shifts/): what `identify` finds for it, under the same limits as the
   * manager PIN, counted per terminal apart from it; 403 PIN_WRONG when it finds nothing.
   */
  async cashier<T>(terminalId: string, identify: () => Promise<T | undefined>): Promise<T> {
    return this.#guarded(terminalId, 'cashier', identify);
  }

  async #guarded<T>(terminalId: string, pin: 'manager' | 'cashier', check: () => Promise<T | undefined>): Promise<T> {
    if (this.#checking.has(terminalId)) tooManyAttempts(BUSY_RETRY_MS, 'PIN checks at once from this terminal');
    const verdict = this.#limiter.begin(limiterKey(terminalId, pin));
    if (!verdict.allowed) tooManyAttempts(verdict.retryAfterMs, 'wrong PINs');
    const { attempt } = verdict;
    if (this.#running >= this.#maxConcurrent && this.#queue.length >= this.#maxQueued) {
      attempt.cancel();
      tooManyAttempts(BUSY_RETRY_MS, 'PIN checks at once');
    }
    this.#checking.add(terminalId);
    let found: T | undefined;
    try {
      found = await this.#turn(check);
    } catch (error) {
      attempt.cancel();
      if (error instanceof TerminalError) fail(403, 'PIN_REQUIRED', error.message);
      throw error;
    } finally {
      this.#checking.delete(terminalId);
    }
    if (found !== undefined) {
      attempt.succeeded();
      return found;
    }
    const left = attempt.failed();
    this.#log.warn(`wrong ${pin} PIN`, { terminal: terminalId, attempts_left: left });
    throw new PinWrong(left, pin);
  }

  async #turn<T>(check: () => Promise<T>): Promise<T> {
    if (this.#running >= this.#maxConcurrent) await new Promise<void>((resolve) => this.#queue.push(resolve));
    else this.#running++;
    try {
      return await check();
    } finally {
      // The slot passes straight to the next in line, or frees up.
      const next = this.#queue.shift();
      if (next) next();
      else this.#running--;
    }
  }
}
