import type { ServerResponse } from 'node:http';
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

/**
 * What hono's secureHeaders() sets by default, less HSTS: a shop may serve plain HTTP on a host
 * name that once had HTTPS, and HSTS would lock its tablets out of it.
 */
export const SECURITY_HEADERS: readonly (readonly [string, string])[] = [
  ['cross-origin-resource-policy', 'same-origin'],
  ['cross-origin-opener-policy', 'same-origin'],
  ['origin-agent-cluster', '?1'],
  ['referrer-policy', 'no-referrer'],
  ['x-content-type-options', 'nosniff'],
  ['x-dns-prefetch-control', 'off'],
  ['x-download-options', 'noopen'],
  ['x-frame-options', 'SAMEORIGIN'],
  ['x-permitted-cross-domain-policies', 'none'],
  ['x-xss-protection', '0'],
];

/**
 * nosniff, frame and referrer policies for every answer, and the CSP for all but the simulator's
 * pages. Served by Node (the Node adapter passes its ServerResponse as `outgoing`), they go on the
 * ServerResponse before the handler runs and Node merges them into the answer's head: setting
 * them on a finished Response instead turned its plain header object into a web Headers object,
 * ten validated set() calls and a conversion back, on every API answer. Without Node (app.request
 * in tests) they are set on the Response.
 */
export function securityHeaders(): MiddlewareHandler {
  return async function setSecurityHeaders(c, next) {
    const csp = !c.req.path.startsWith('/simulator/');
    const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
    if (outgoing && !outgoing.headersSent) {
      for (const [name, value] of SECURITY_HEADERS) outgoing.setHeader(name, value);
      if (csp) outgoing.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
      return next();
    }
    await next();
    for (const [name, value] of SECURITY_HEADERS) c.res.headers.set(name, value);
    if (csp) c.res.headers.set('content-security-policy', CONTENT_SECURITY_POLICY);
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
