import type { MiddlewareHandler } from 'hono';
import type { TerminalRegistry } from '../terminals/registry.ts';
import type { ApiEnv } from './context.ts';
import { errorResponse } from './errors.ts';

// Auth schemes are case-insensitive: "bearer" and "BEARER" are Bearer too.
const BEARER = /^Bearer\s+([A-Za-z0-9_-]+)\s*$/i;

/** Every API route but pairing and health: a paired terminal's token, else 401. */
export function terminalAuth(terminals: TerminalRegistry): MiddlewareHandler<ApiEnv> {
  return async function requireTerminal(c, next) {
    const match = BEARER.exec(c.req.header('authorization') ?? '');
    const terminal = match ? await terminals.authenticate(match[1]!) : undefined;
    if (!terminal) {
      return errorResponse(c, 401, 'UNAUTHORIZED', 'This device is not paired, or its pairing was replaced: open a new pairing link.', { 'www-authenticate': 'Bearer' });
    }
    c.set('terminal', terminal);
    await next();
  };
}
