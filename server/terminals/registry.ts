import { randomBytes } from 'node:crypto';
import type { Store, TerminalRow } from '../store/types.ts';
import { hashPin, verifyPin } from './pin.ts';
import { randomSecret, sameText, sha256, tokenForCode } from './secrets.ts';

/**
 * Terminals are paired devices with their own bearer tokens. A pairing code is one-time and
 * short-lived; the token it hands out is derived from it (HMAC with a server secret), so the
 * CLI that creates a terminal can print the very token the paired device will get, and the
 * database holds only hashes of both. Issuing a new code for a terminal rotates its token:
 * the previous device and any older code stop working.
 */

export type TerminalStore = Pick<
  Store,
  'createTerminal' | 'terminal' | 'terminalByTokenHash' | 'listTerminals' | 'replaceToken' | 'createPairingCode' | 'consumePairingCode' | 'setting' | 'setSetting'
>;

export interface Terminal {
  id: string;
  name: string;
  created_at: string;
  paired_at?: string;
}

export interface IssuedPairing {
  terminal: Terminal;
  /** The one-time code for the pairing link (`#/pair/<code>`). */
  code: string;
  /** The terminal's token from now on (the one the code hands out). */
  token: string;
  expires_at: string;
}

export const PAIRING_TTL_MS = 24 * 60 * 60 * 1000;
export const TERMINAL_NAME = /^[\p{L}\p{N}][\p{L}\p{N} ._-]{0,39}$/u;
const SECRET_KEY = 'pairing_secret';
const PIN_KEY = 'manager_pin';
const FIRST_TERMINAL_KEY = 'first_terminal';
const pairedKey = (id: string) => `paired_at:${id}`;

export class TerminalError extends Error {
  override readonly name = 'TerminalError';
  constructor(
    readonly code: 'INVALID_NAME' | 'NAME_TAKEN' | 'UNKNOWN_TERMINAL' | 'INVALID_PIN' | 'NO_PIN',
    message: string,
  ) {
    super(message);
  }
}

export interface TerminalRegistryOptions {
  store: TerminalStore;
  /** MANAGER_PIN from the environment: when set it wins over a PIN set by command. */
  envPin?: string;
  now?: () => number;
}

export class TerminalRegistry {
  readonly #store: TerminalStore;
  readonly #envPin: string | undefined;
  readonly #now: () => number;

  constructor(options: TerminalRegistryOptions) {
    this.#store = options.store;
    this.#envPin = options.envPin;
    this.#now = options.now ?? Date.now;
  }

  /** Creates a terminal with its first pairing code. Names are unique (the CLI finds terminals by name). */
  async add(name: string): Promise<IssuedPairing> {
    const clean = name.trim();
    if (!TERMINAL_NAME.test(clean)) throw new TerminalError('INVALID_NAME', `"${name}" is not a terminal name: 1 to 40 letters, digits, spaces, ".", "_" or "-", starting with a letter or digit`);
    if (await this.byName(clean)) throw new TerminalError('NAME_TAKEN', `a terminal named "${clean}" exists already (use: pair ${clean})`);
    const code = randomSecret(16);
    const token = tokenForCode(await this.#serverSecret(), code);
    const row = await this.#store.createTerminal({ id: `t-${randomBytes(6).toString('hex')}`, name: clean, token_hash: sha256(token), created_at: this.#now() });
    const expires = await this.#saveCode(row.id, code);
    return { terminal: await this.#view(row), code, token, expires_at: new Date(expires).toISOString() };
  }

  /** A new pairing code for an existing terminal; its token changes now (the old device is signed out). */
  async reissue(terminalId: string): Promise<IssuedPairing> {
    const row = await this.#store.terminal(terminalId);
    if (!row) throw new TerminalError('UNKNOWN_TERMINAL', `no terminal ${terminalId}`);
    const code = randomSecret(16);
    const token = tokenForCode(await this.#serverSecret(), code);
    await this.#store.replaceToken(row.id, sha256(token));
    const expires = await this.#saveCode(row.id, code);
    return { terminal: await this.#view(row), code, token, expires_at: new Date(expires).toISOString() };
  }

  /** Consumes a pairing code: the token and terminal, or undefined for an unknown, used, expired or superseded code. */
  async pair(code: string): Promise<{ token: string; terminal: Terminal } | undefined> {
    if (code.length < 8 || code.length > 64) return undefined;
    const terminalId = await this.#store.consumePairingCode(sha256(code), this.#now());
    if (terminalId === undefined) return undefined;
    const token = tokenForCode(await this.#serverSecret(), code);
    const row = await this.#store.terminalByTokenHash(sha256(token));
    // A later code for the same terminal rotated the token: this older code no longer pairs.
    if (!row || row.id !== terminalId) return undefined;
    await this.#store.setSetting(pairedKey(row.id), new Date(this.#now()).toISOString());
    return { token, terminal: await this.#view(row) };
  }

  async authenticate(token: string): Promise<TerminalRow | undefined> {
    if (token.length < 20 || token.length > 128) return undefined;
    return this.#store.terminalByTokenHash(sha256(token));
  }

  async list(): Promise<Terminal[]> {
    return Promise.all((await this.#store.listTerminals()).map((row) => this.#view(row)));
  }

  async byName(name: string): Promise<TerminalRow | undefined> {
    const wanted = name.trim().toLowerCase();
    return (await this.#store.listTerminals()).find((t) => t.name.toLowerCase() === wanted);
  }

  /**
   * The link `npm start` prints while no device has paired yet: a terminal of its own
   * ("Terminal 1"), with a fresh code on every start until that link is used. Terminals made
   * with the CLI are never touched (their tokens may be in use without a pairing).
   */
  async firstTerminalPairing(): Promise<IssuedPairing | undefined> {
    const terminals = await this.list();
    if (terminals.some((t) => t.paired_at !== undefined)) return undefined;
    const firstId = await this.#store.setting(FIRST_TERMINAL_KEY);
    if (terminals.length === 0) {
      const issued = await this.add('Terminal 1');
      await this.#store.setSetting(FIRST_TERMINAL_KEY, issued.terminal.id);
      return issued;
    }
    if (firstId !== undefined && terminals.some((t) => t.id === firstId)) return this.reissue(firstId);
    return undefined;
  }

  // Manager PIN

  async setPin(pin: string): Promise<void> {
    await this.#store.setSetting(PIN_KEY, await hashPin(pin));
  }

  async pinConfigured(): Promise<boolean> {
    return this.#envPin !== undefined || (await this.#store.setting(PIN_KEY)) !== undefined;
  }

  /** true/false for a configured PIN; throws NO_PIN when none is set anywhere. */
  async checkPin(pin: string): Promise<boolean> {
    if (this.#envPin !== undefined) return sameText(pin, this.#envPin);
    const stored = await this.#store.setting(PIN_KEY);
    if (stored === undefined) throw new TerminalError('NO_PIN', 'No manager PIN is set: set MANAGER_PIN or run `npm run terminal -- pin <pin>`.');
    return verifyPin(pin, stored);
  }

  async #saveCode(terminalId: string, code: string): Promise<number> {
    const expires = this.#now() + PAIRING_TTL_MS;
    await this.#store.createPairingCode({ code_hash: sha256(code), terminal_id: terminalId, expires_at: expires });
    return expires;
  }

  async #view(row: TerminalRow): Promise<Terminal> {
    const paired = await this.#store.setting(pairedKey(row.id));
    const view: Terminal = { id: row.id, name: row.name, created_at: new Date(row.created_at).toISOString() };
    if (paired !== undefined) view.paired_at = paired;
    return view;
  }

  /** Created once per data directory, read each time (pairing is rare; the CLI runs in another process). */
  async #serverSecret(): Promise<string> {
    const existing = await this.#store.setting(SECRET_KEY);
    if (existing !== undefined) return existing;
    await this.#store.setSetting(SECRET_KEY, randomSecret(32));
    return (await this.#store.setting(SECRET_KEY))!;
  }
}
