/**
 * Whether this till may take payments now: with cashiers set up (server side), a cashier signs
 * in with their PIN to open a shift on this terminal first. Asked of GET /api/shifts/current on
 * start, every 30 s, when the page comes back into view and on the way to the checkout. When the
 * server cannot be reached, what was last known stands (the checkout has its own offline rules).
 */
import type { CurrentShift, ShiftReport } from '../../../shared/shop-day.ts';
import type { Api } from './api.ts';

const POLL_MS = 30_000;

export class ShiftGate {
  #current = $state.raw<CurrentShift | undefined>(undefined);
  #started = false;

  constructor(
    private readonly api: Pick<Api, 'call'>,
    private readonly paired: () => boolean,
  ) {}

  /** The shop has cashiers and none is on shift here: the checkout waits for a sign-in. */
  get blocking(): boolean {
    return this.#current?.cashiers_required === true && !this.#current.shift;
  }

  get shift(): ShiftReport | null {
    return this.#current?.shift ?? null;
  }

  set(current: CurrentShift): void {
    this.#current = current;
  }

  /** Asks the server; true when it answered, false when what was last known stands. */
  async refresh(): Promise<boolean> {
    if (!this.paired()) return false;
    try {
      this.#current = await this.api.call<CurrentShift>('GET', '/api/shifts/current');
      return true;
    } catch {
      // Unreachable or refused: keep what was last known.
      return false;
    }
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    void this.refresh();
    setInterval(() => void this.refresh(), POLL_MS);
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') void this.refresh();
    });
  }
}
