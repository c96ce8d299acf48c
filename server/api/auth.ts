import type { MiddlewareHandler } from 'hono';
import type { TerminalRegistry } from '../terminals/registry.ts';
import type { ApiEnv } from './context.ts';
import { errorResponse } from './errors.ts';

// Auth schemes are case-insensitive: "bearer" and "BEARER" are Bearer too.
const BEARER = /^Bearer\s+([A-Za-z0-9_-]+)\s*$/i;

/** What an owner terminal may do besides reading. */
const OWNER_WRITES = new Set(['POST /api/terminal/unpair']);

/**
 * Every API route but pairing and health: a paired terminal's token, else 401. An owner terminal
 * (the owner's report link) only reads: it never takes a payment, cancels, refunds, opens or
 * closes a shift, or changes cashiers (403 READ_ONLY_TERMINAL).
 */
export function terminalAuth(terminals: TerminalRegistry): MiddlewareHandler<ApiEnv> {
  return async function requireTerminal(c, next) {
    const match = BEARER.exec(c.req.header('authorization') ?? '');
    const terminal = match ? await terminals.authenticate(match[1]!) : undefined;
    if (!terminal) {
      return errorResponse(c, 401, 'UNAUTHORIZED', 'This device is not paired, or its pairing was replaced: open a new pairing link.', { 'www-authenticate': 'Bearer' });
    }
    c.set('terminal', terminal);
    const method = c.req.method;
    if (terminal.role === 'owner' && method !== 'GET' && method !== 'HEAD' && !OWNER_WRITES.has(`${method} ${c.req.path}`)) {
      return errorResponse(c, 403, 'READ_ONLY_TERMINAL', 'This device is the owner’s read-only link: it shows the report and the history, and takes no payments, refunds or shifts.');
    }
    await next();
  };
}
