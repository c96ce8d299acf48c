/**
 * This tablet's pairing: the terminal token (from POST /api/pair with a one-time code) and the
 * terminal's name, kept in localStorage. No token → the pairing screen.
 */
import type { Api, TerminalDetails, TerminalInfo } from './api.ts';
import { KEYS, readJson, writeJson, type KeyValue } from './local-store.ts';

export class Session {
  #token = $state<string | null>(null);
  #terminal = $state.raw<TerminalInfo | undefined>(undefined);
  #pairing = $state(false);
  #error = $state.raw<unknown>(undefined);
  /** The shop's time zone ("today", times shown); the server's default until it has told us. */
  #timeZone = $state('Asia/Shanghai');
  /** 'owner': the owner's read-only link, which shows the report instead of the checkout. */
  #role = $state<'till' | 'owner'>('till');

  constructor(private readonly store: KeyValue | undefined) {
    this.#token = store?.getItem(KEYS.token) ?? null;
    const saved = readJson<TerminalInfo & { role?: 'till' | 'owner' }>(store, KEYS.terminal);
    if (saved) this.#terminal = { id: saved.id, name: saved.name };
    if (saved?.role === 'owner') this.#role = 'owner';
  }

  get token(): string | null { return this.#token; }
  get paired(): boolean { return this.#token !== null; }
  get terminal(): TerminalInfo | undefined { return this.#terminal; }
  get pairing(): boolean { return this.#pairing; }
  /** Why the last pairing attempt failed (an ApiFailure, usually). */
  get error(): unknown { return this.#error; }
  get timeZone(): string { return this.#timeZone; }
  get role(): 'till' | 'owner' { return this.#role; }

  /** Reads the token lazily so the Api always sends the current one. */
  readonly tokenGetter = (): string | null => this.#token;

  async pair(api: Api, code: string): Promise<boolean> {
    const trimmed = code.trim();
    if (!trimmed || this.#pairing) return false;
    this.#pairing = true;
    this.#error = undefined;
    try {
      const { token, terminal } = await api.pair(trimmed);
      this.#token = token;
      this.#terminal = terminal;
      this.store?.setItem(KEYS.token, token);
      writeJson(this.store, KEYS.terminal, terminal);
      return true;
    } catch (err) {
      this.#error = err;
      return false;
    } finally {
      this.#pairing = false;
    }
  }

  /** Takes the terminal's name (it may have been renamed) and the shop's time zone from the server. */
  remember(details: TerminalDetails): void {
    this.#terminal = details.terminal;
    if (details.time_zone) this.#timeZone = details.time_zone;
    this.#role = details.role === 'owner' ? 'owner' : 'till';
    writeJson(this.store, KEYS.terminal, { ...details.terminal, role: this.#role });
  }

  unpair(): void {
    this.#token = null;
    this.#terminal = undefined;
    this.#role = 'till';
    this.store?.removeItem(KEYS.token);
    this.store?.removeItem(KEYS.terminal);
  }
}
