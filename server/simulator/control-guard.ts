import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { fromThisMachine } from '../loopback.ts';

/**
 * The guard in front of the simulator's control API (/control/*): it confirms payments and
 * resets the ledger, so it answers this machine only, or a request carrying the token printed
 * at start (header X-Simulator-Token; the phone page takes it from its link's #token=…).
 * A POST must say Content-Type: application/json, which a cross-site form or simple request
 * cannot, and its body is bounded, chunked or not (a 300 MB chunked body used to be read whole).
 */
export const CONTROL_TOKEN_HEADER = 'x-simulator-token';
export const MAX_CONTROL_BODY_BYTES = 4 * 1024;

export interface ControlGuardOptions {
  /** Lets other machines in with header X-Simulator-Token; none: this machine only. */
  token?: string;
}

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

const refuse = (c: Context, status: 403 | 413 | 415, code: string, message: string) =>
  // The connection closes: an unread body is not read to its end first.
  c.json({ error: { code, message } }, status, { connection: 'close' });

export function controlGuard(options: ControlGuardOptions = {}): MiddlewareHandler {
  const expected = options.token ? digest(options.token) : undefined;
  const limited = bodyLimit({
    maxSize: MAX_CONTROL_BODY_BYTES,
    onError: (c) => refuse(c, 413, 'BODY_TOO_LARGE', `A control request body is at most ${MAX_CONTROL_BODY_BYTES} bytes.`),
  });
  return async function guardControl(c, next) {
    if (!fromThisMachine(c)) {
      const given = c.req.header(CONTROL_TOKEN_HEADER);
      if (!expected || !given || !timingSafeEqual(digest(given), expected)) {
        return refuse(c, 403, 'FORBIDDEN', `The simulator's control API answers this machine only, or a request with header X-Simulator-Token (the token the server printed at start).`);
      }
    }
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const type = c.req.header('content-type') ?? '';
    if (!/^application\/json\s*(;|$)/i.test(type)) {
      return refuse(c, 415, 'UNSUPPORTED_MEDIA_TYPE', 'Send control requests with Content-Type: application/json (a body of {} is fine).');
    }
    return limited(c, next);
  };
}
