import { randomBytes } from 'node:crypto';
import { DEFAULT_SHOP_ID, shopOf, type ShiftStatus, type Store, type TerminalRole, type TerminalRow } from '../store/types.ts';
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
  'createTerminal' | 'terminal' | 'terminalByTokenHash' | 'terminalWithShiftByTokenHash' | 'listTerminals' | 'rotateTerminal' | 'redeemPairingCode' | 'revokeTokens' | 'removeTerminal' | 'setting' | 'setSetting' | 'shop' | 'setShopPin'
>;

export interface Terminal {
  id: string;
  name: string;
  /** 'owner': the owner's read-only report link; 'operator': the chain's summary. */
  role: TerminalRole;
  shop_id: string;
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
    readonly code: 'INVALID_NAME' | 'NAME_TAKEN' | 'UNKNOWN_TERMINAL' | 'UNKNOWN_SHOP' | 'INVALID_PIN' | 'NO_PIN',
    message: string,
  ) {
    super(message);
  }
}

export interface TerminalRegistryOptions {
  store: TerminalStore;
  /** MANAGER_PIN from the environment: when set it wins over a PIN set by command (the default shop's only). */
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

  /**
   * Creates a terminal of a shop (default: the default shop) with a token and a first pairing
   * code. Names are unique across the chain (the CLI finds terminals by name).
   */
  async add(name: string, role: TerminalRole = 'till', shopId: string = DEFAULT_SHOP_ID): Promise<IssuedPairing> {
    const clean = name.trim();
    if (!TERMINAL_NAME.test(clean)) throw new TerminalError('INVALID_NAME', `"${name}" is not a terminal name: 1 to 40 letters, digits, spaces, ".", "_" or "-", starting with a letter or digit`);
    if (await this.byName(clean)) throw new TerminalError('NAME_TAKEN', `a terminal named "${clean}" exists already (use: rotate ${clean})`);
    if (!(await this.#store.shop(shopId))) throw new TerminalError('UNKNOWN_SHOP', `no shop ${shopId} (list them: npm run shop -- list)`);
    const now = this.#now();
    const row: TerminalRow = { id: `t-${randomBytes(6).toString('hex')}`, name: clean, created_at: now, paired_at: null, role, ...(shopId !== DEFAULT_SHOP_ID ? { shop_id: shopId } : {}) };
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

  /** Like authenticate, with the terminal's shift status read in the same query (taking a payment needs both). */
  async authenticateWithShift(token: string): Promise<{ terminal: TerminalRow; shift: ShiftStatus } | undefined> {
    if (token.length < TOKEN_LENGTH.min || token.length > TOKEN_LENGTH.max) return undefined;
    return this.#store.terminalWithShiftByTokenHash(sha256(token));
  }

  /** Signs every device of the terminal out at once; the terminal stays, and a new link pairs it again. */
  async unpair(terminalId: string): Promise<number> {
    return this.#store.revokeTokens(terminalId);
  }

  /** Deletes the terminal, its tokens and links; its payments stay in the journal under its id. */
  async remove(terminalId: string): Promise<void> {
    if (!(await this.#store.removeTerminal(terminalId))) throw new TerminalError('UNKNOWN_TERMINAL', `no terminal ${terminalId}`);
  }

  /** Every terminal, or one shop's. */
  async list(shopId?: string): Promise<Terminal[]> {
    return (await this.#store.listTerminals(shopId)).map(view);
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
    const terminals = await this.list(DEFAULT_SHOP_ID);
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

  // Manager PIN: each shop's own. The default shop's is MANAGER_PIN or the one set by
  // `terminal -- pin` (a setting, as before shops); another shop's is kept in its row.

  async setPin(pin: string, shopId: string = DEFAULT_SHOP_ID): Promise<void> {
    const hash = await hashPin(pin);
    if (shopId === DEFAULT_SHOP_ID) await this.#store.setSetting(PIN_KEY, hash);
    else if (!(await this.#store.setShopPin(shopId, hash))) throw new TerminalError('UNKNOWN_SHOP', `no shop ${shopId}`);
  }

  async pinConfigured(shopId: string = DEFAULT_SHOP_ID): Promise<boolean> {
    return (shopId === DEFAULT_SHOP_ID && this.#envPin !== undefined) || (await this.#storedPin(shopId)) !== undefined;
  }

  /** true/false for the shop's configured PIN; throws NO_PIN when the shop has none. */
  async checkPin(pin: string, shopId: string = DEFAULT_SHOP_ID): Promise<boolean> {
    if (shopId === DEFAULT_SHOP_ID && this.#envPin !== undefined) return sameText(pin, this.#envPin);
    const stored = await this.#storedPin(shopId);
    if (stored === undefined) {
      throw new TerminalError(
        'NO_PIN',
        shopId === DEFAULT_SHOP_ID
          ? 'No manager PIN is set: set MANAGER_PIN or run `npm run terminal -- pin <pin>`.'
          : `No manager PIN is set for this shop: run \`npm run terminal -- pin <pin> --shop ${shopId}\`.`,
      );
    }
    return this.#verifyPin(pin, stored);
  }

  async #storedPin(shopId: string): Promise<string | undefined> {
    if (shopId === DEFAULT_SHOP_ID) return this.#store.setting(PIN_KEY);
    return (await this.#store.shop(shopId))?.manager_pin_hash ?? undefined;
  }

  #newCredentials(): { token: string; code: string; expires: number } {
    return { token: randomSecret(32), code: randomSecret(16), expires: this.#now() + PAIRING_TTL_MS };
  }
}

function view(row: TerminalRow): Terminal {
  const terminal: Terminal = { id: row.id, name: row.name, role: row.role ?? 'till', shop_id: shopOf(row), created_at: new Date(row.created_at).toISOString() };
  if (row.paired_at !== null) terminal.paired_at = new Date(row.paired_at).toISOString();
  return terminal;
}
