import type { MiddlewareHandler } from 'hono';
import type { TerminalRegistry } from '../terminals/registry.ts';
import { DEFAULT_SHOP_ID, shopOf, type TerminalRow } from '../store/types.ts';
import type { ShopDirectory } from '../shops/shops.ts';
import type { ApiEnv } from './context.ts';
import { errorResponse } from './errors.ts';

// Auth schemes are case-insensitive: "bearer" and "BEARER" are Bearer too.
const BEARER = /^Bearer\s+([A-Za-z0-9_-]+)\s*$/i;

/** What an owner terminal may do besides reading. */
const OWNER_WRITES = new Set(['POST /api/terminal/unpair']);
/** Where a payment is taken (POST). */
const PAYMENTS_PATH = '/api/payments';
/** The chain's routes, an operator token's only ones. */
export const OPERATOR_PREFIX = '/api/operator/';
/**
 * Every API route but pairing and health: a paired terminal's token, else 401. An owner terminal
 * (the owner's report link) only reads: it never takes a payment, cancels, refunds, opens or
 * closes a shift, or changes cashiers (403 READ_ONLY_TERMINAL). An operator token reads the
 * chain's summary under /api/operator/ and nothing of any shop; only it reads there (403 WRONG_ROLE).
 * Every other route sees the terminal's own shop only (set here as `shop`).
 */
export function terminalAuth(terminals: TerminalRegistry, shops: ShopDirectory | undefined, defaults: { name: string; timeZone: string }): MiddlewareHandler<ApiEnv> {
  return async function requireTerminal(c, next) {
    const match = BEARER.exec(c.req.header('authorization') ?? '');
    let terminal: TerminalRow | undefined;
    if (match && c.req.method === 'POST' && c.req.path === PAYMENTS_PATH) {
      // Taking a payment reads the terminal's shift next: both in one query (one round trip per payment fewer).
      const found = await terminals.authenticateWithShift(match[1]!);
      terminal = found?.terminal;
      c.set('shiftStatus', found?.shift);
    } else if (match) {
      terminal = await terminals.authenticate(match[1]!);
    }
    if (!terminal) {
      return errorResponse(c, 401, 'UNAUTHORIZED', 'This device is not paired, or its pairing was replaced: open a new pairing link.', { 'www-authenticate': 'Bearer' });
    }
    c.set('terminal', terminal);
    c.set('shop', shops ? await shops.require(shopOf(terminal)) : { id: DEFAULT_SHOP_ID, ...defaults });
    const method = c.req.method;
    const operator = terminal.role === 'operator';
    if (operator !== c.req.path.startsWith(OPERATOR_PREFIX)) {
      return errorResponse(
        c,
        403,
        'WRONG_ROLE',
        operator ? 'This is an operator token: it reads the chain summary (/api/operator/summary) and no shop’s payments.' : 'Only an operator token reads the chain summary.',
      );
    }
    if (terminal.role === 'owner' && method !== 'GET' && method !== 'HEAD' && !OWNER_WRITES.has(`${method} ${c.req.path}`)) {
      return errorResponse(c, 403, 'READ_ONLY_TERMINAL', 'This device is the owner’s read-only link: it shows the report and the history, and takes no payments, refunds or shifts.');
    }
    await next();
  };
}
