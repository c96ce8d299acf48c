import { randomBytes } from 'node:crypto';
import type { Store, TerminalRole, TerminalRow } from '../store/types.ts';
import { hashPin, verifyPin } from './pin.ts';
import { randomSecret, sameText, sha256 } from './secrets.ts';

/**
 * Terminals are paired devices with their own bearer tokens. Tokens are random and the database
 * keeps only their hashes, one row each, so a copy of the database yields no token. A terminal
 * may hold several: the one the CLI prints (for scripts) and one per device that paired with a
 * one-time, short-lived link. `rotate` revokes them all with the unused links and issues a new
 * token and link; unpairing revokes them all; `remove` deletes the terminal.
 */

export type TerminalStore = Pick<
  Store,
  'createTerminal' | 'terminal' | 'terminalByTokenHash' | 'listTerminals' | 'rotateTerminal' | 'redeemPairingCode' | 'revokeTokens' | 'removeTerminal' | 'setting' | 'setSetting'
>;

export interface Terminal {
  id: string;
  name: string;
  /** 'owner': the owner's read-only report link. */
  role: TerminalRole;
  created_at: string;
  paired_at?: string;
}

export interface IssuedPairing {
  terminal: Terminal;
  /** The one-time code for the pairing link (`#/pair/<code>`). */
  code: string;
  /** A token of the terminal, valid at once (scripts use it; a device pairing with the code gets one of its own). */
  token: string;
  expires_at: string;
}

export const PAIRING_TTL_MS = 24 * 60 * 60 * 1000;
export const TERMINAL_NAME = /^[\p{L}\p{N}][\p{L}\p{N} ._-]{0,39}$/u;
const PIN_KEY = 'manager_pin';
const FIRST_TERMINAL_KEY = 'first_terminal';
/** Tokens are 32 random bytes (43 characters of base64url); anything far off that is not one. */
const TOKEN_LENGTH = { min: 20, max: 128 };

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
  /** Checks a PIN against its stored scrypt hash (default: in a worker thread of its own, pin.ts). */
  verifyPin?: (pin: string, stored: string) => Promise<boolean>;
  now?: () => number;
}

export class TerminalRegistry {
  readonly #store: TerminalStore;
  readonly #envPin: string | undefined;
  readonly #verifyPin: (pin: string, stored: string) => Promise<boolean>;
  readonly #now: () => number;

  constructor(options: TerminalRegistryOptions) {
    this.#store = options.store;
    this.#envPin = options.envPin;
    this.#verifyPin = options.verifyPin ?? verifyPin;
    this.#now = options.now ?? Date.now;
  }

  /** Creates a terminal with a token and a first pairing code. Names are unique (the CLI finds terminals by name). */
  async add(name: string, role: TerminalRole = 'till'): Promise<IssuedPairing> {
    const clean = name.trim();
    if (!TERMINAL_NAME.test(clean)) throw new TerminalError('INVALID_NAME', `"${name}" is not a terminal name: 1 to 40 letters, digits, spaces, ".", "_" or "-", starting with a letter or digit`);
    if (await this.byName(clean)) throw new TerminalError('NAME_TAKEN', `a terminal named "${clean}" exists already (use: rotate ${clean})`);
    const now = this.#now();
    const row: TerminalRow = { id: `t-${randomBytes(6).toString('hex')}`, name: clean, created_at: now, paired_at: null, role };
    const { token, code, expires } = this.#newCredentials();
    await this.#store.createTerminal(row, { token_hash: sha256(token), terminal_id: row.id, created_at: now }, { code_hash: sha256(code), terminal_id: row.id, expires_at: expires });
    return { terminal: view(row), code, token, expires_at: new Date(expires).toISOString() };
  }

  /** Revokes every token and unused link of the terminal (its devices are signed out now) and issues a new token and link. */
  async rotate(terminalId: string): Promise<IssuedPairing> {
    const row = await this.#store.terminal(terminalId);
    if (!row) throw new TerminalError('UNKNOWN_TERMINAL', `no terminal ${terminalId}`);
    const { token, code, expires } = this.#newCredentials();
    const done = await this.#store.rotateTerminal(row.id, { token_hash: sha256(token), terminal_id: row.id, created_at: this.#now() }, { code_hash: sha256(code), terminal_id: row.id, expires_at: expires });
    if (!done) throw new TerminalError('UNKNOWN_TERMINAL', `no terminal ${terminalId}`);
    return { terminal: view({ ...row, paired_at: null }), code, token, expires_at: new Date(expires).toISOString() };
  }

  /** Uses a pairing code up: a new token of the terminal, or undefined for an unknown, used, expired or revoked code. */
  async pair(code: string): Promise<{ token: string; terminal: Terminal } | undefined> {
    if (code.length < 8 || code.length > 64) return undefined;
    const token = randomSecret(32);
    const row = await this.#store.redeemPairingCode(sha256(code), this.#now(), { token_hash: sha256(token), created_at: this.#now() });
    return row && { token, terminal: view(row) };
  }

  async authenticate(token: string): Promise<TerminalRow | undefined> {
    if (token.length < TOKEN_LENGTH.min || token.length > TOKEN_LENGTH.max) return undefined;
    return this.#store.terminalByTokenHash(sha256(token));
  }

  /** Signs every device of the terminal out at once; the terminal stays, and a new link pairs it again. */
  async unpair(terminalId: string): Promise<number> {
    return this.#store.revokeTokens(terminalId);
  }

  /** Deletes the terminal, its tokens and links; its payments stay in the journal under its id. */
  async remove(terminalId: string): Promise<void> {
    if (!(await this.#store.removeTerminal(terminalId))) throw new TerminalError('UNKNOWN_TERMINAL', `no terminal ${terminalId}`);
  }

  async list(): Promise<Terminal[]> {
    return (await this.#store.listTerminals()).map(view);
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
    if (firstId !== undefined && terminals.some((t) => t.id === firstId)) return this.rotate(firstId);
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
    return this.#verifyPin(pin, stored);
  }

  #newCredentials(): { token: string; code: string; expires: number } {
    return { token: randomSecret(32), code: randomSecret(16), expires: this.#now() + PAIRING_TTL_MS };
  }
}

function view(row: TerminalRow): Terminal {
  const terminal: Terminal = { id: row.id, name: row.name, role: row.role ?? 'till', created_at: new Date(row.created_at).toISOString() };
  if (row.paired_at !== null) terminal.paired_at = new Date(row.paired_at).toISOString();
  return terminal;
}
