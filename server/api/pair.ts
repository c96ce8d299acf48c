import { Hono } from 'hono';
import type { PairResult } from '../../shared/api.ts';
import { clientAddress, type ApiDeps, type ApiEnv } from './context.ts';
import { fail, tooManyAttempts } from './errors.ts';
import { jsonBody } from './validate.ts';

/** POST /api/pair {code} → {token, terminal}: one try per code, and a few tries per minute per address. */
export function pairRoutes(deps: ApiDeps) {
  return new Hono<ApiEnv>().post('/', async (c) => {
    const address = clientAddress(c);
    const body = await jsonBody(c);
    const verdict = deps.limits.pairing.begin(address);
    if (!verdict.allowed) tooManyAttempts(verdict.retryAfterMs, 'pairing attempts');
    let paired: Awaited<ReturnType<typeof deps.terminals.pair>>;
    try {
      paired = typeof body.code === 'string' ? await deps.terminals.pair(body.code.trim()) : undefined;
    } catch (error) {
      verdict.attempt.cancel();
      throw error;
    }
    if (!paired) {
      verdict.attempt.failed();
      deps.log.warn('pairing refused', { address });
      fail(400, 'INVALID_PAIRING_CODE', 'This pairing link is unknown, used or expired: ask the manager for a new one (npm run terminal -- rotate <name>).');
    }
    verdict.attempt.succeeded();
    deps.log.info('terminal paired', { terminal: paired.terminal.id, name: paired.terminal.name, address });
    return c.json({ token: paired.token, terminal: { id: paired.terminal.id, name: paired.terminal.name } } satisfies PairResult);
  });
}
