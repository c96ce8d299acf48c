import type { MiddlewareHandler } from 'hono';
import { fromThisMachine } from './loopback.ts';

/**
 * Content-Security-Policy of the web app: scripts, styles, connections and workers from this
 * origin only, no frames, no plugins. The app keeps its token and a pending payment code in
 * localStorage, so an injected script must have nowhere to load from or send to. The
 * simulator's pages (inline script and style, simulator mode only) are left out.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function contentSecurityPolicy(): MiddlewareHandler {
  return async function setContentSecurityPolicy(c, next) {
    await next();
    if (!c.req.path.startsWith('/simulator/')) c.res.headers.set('content-security-policy', CONTENT_SECURITY_POLICY);
  };
}

export const PLAIN_HTTP_REFUSAL =
  'This POS runs in live mode: over plain HTTP the manager PIN, terminal tokens and payment codes would cross the shop network unencrypted, so it answers this machine only. ' +
  'Serve HTTPS: run `npm run cert` on the server, then start it with the TLS_CERT and TLS_KEY it prints (README: HTTPS on the shop network). ' +
  'To accept the risk instead, start it with ALLOW_INSECURE_HTTP=1.';

/** Live mode over plain HTTP: every client but this machine is refused (403 HTTPS_REQUIRED) before anything is read. */
export function refusePlainHttpFromNetwork(): MiddlewareHandler {
  return async function plainHttpLoopbackOnly(c, next) {
    if (fromThisMachine(c)) return next();
    if (c.req.path.startsWith('/api/')) return c.json({ error: { code: 'HTTPS_REQUIRED', message: PLAIN_HTTP_REFUSAL } }, 403, { connection: 'close' });
    return c.text(PLAIN_HTTP_REFUSAL, 403, { connection: 'close' });
  };
}
