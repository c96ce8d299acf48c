import { Hono, type Context, type ErrorHandler, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { Refusal } from '../payments/errors.ts';
import { isStorageFailure, journalCause } from '../store/data-dir.ts';
import { terminalAuth } from './auth.ts';
import type { ApiDeps, ApiEnv, ApiLog } from './context.ts';
import { ApiError, errorResponse, fromRefusal, PinWrong, RetryLater } from './errors.ts';
import { healthRoutes } from './health.ts';
import { ManagerPinGuard } from './manager-pin.ts';
import { pairRoutes } from './pair.ts';
import { paymentRoutes } from './payments.ts';
import { terminalListRoutes, terminalRoutes } from './terminal.ts';
import { shopDayRoutes } from './shop-day.ts';
import { reconciliationRoutes } from './reconciliations.ts';

export type { ApiDeps, ApiLog } from './context.ts';

/** Request bodies are a few hundred bytes; anything near this is a mistake or an attack. */
export const MAX_BODY_BYTES = 16 * 1024;

/**
 * The HTTP API (docs/http-api.md) under /api. Pairing and health are open; everything
 * after the auth middleware needs a terminal's bearer token (unknown paths included, so the
 * API's shape is not discoverable without one).
 */
export function createApi(deps: ApiDeps) {
  const api = new Hono<ApiEnv>().basePath('/api');
  api.onError(apiErrorHandler(deps.log));
  api.use(accessLog(deps.log));
  api.use(limitBody(MAX_BODY_BYTES));
  const pin = new ManagerPinGuard(deps.terminals, deps.limits.pin, deps.log, deps.pinChecks);
  const routes = api
    .route('/health', healthRoutes(deps))
    .route('/pair', pairRoutes(deps))
    .use(terminalAuth(deps.terminals))
    .route('/terminal', terminalRoutes(deps, pin))
    .route('/terminals', terminalListRoutes(deps))
    .route('/payments', paymentRoutes(deps, pin));
  if (deps.shopDay) routes.route('/', shopDayRoutes(deps, deps.shopDay, pin));
  if (deps.reconciler) routes.route('/', reconciliationRoutes(deps.reconciler, pin));
  routes.all('*', (c) => errorResponse(c, 404, 'NOT_FOUND', `No API route ${c.req.method} ${c.req.path}.`));
  return routes;
}

/**
 * Hono's bodyLimit, without its cost on every request: it touches `c.req.raw.body`, which makes
 * the Node adapter build a full web Request and stream (tens of microseconds per request, on
 * GETs too). A declared Content-Length is checked as a number, and the body is left for the
 * adapter's direct read; only a body of unknown length (chunked) goes through bodyLimit's
 * counting reader.
 */
function limitBody(maxSize: number): MiddlewareHandler {
  // The connection closes with the answer: the rest of an oversized body is never read.
  const tooLarge = (c: Context) => errorResponse(c, 413, 'BODY_TOO_LARGE', `The request body is larger than ${maxSize} bytes.`, { connection: 'close' });
  const counting = bodyLimit({ maxSize, onError: tooLarge });
  return async function limitRequestBody(c, next) {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next(); // never a body (the adapter gives none)
    const length = c.req.header('content-length');
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) {
      return parseInt(length, 10) > maxSize ? tooLarge(c) : next();
    }
    return counting(c, next);
  };
}

export function apiErrorHandler(log: ApiLog): ErrorHandler {
  return (error: Error, c: Context) => {
    if (error instanceof RetryLater) {
      return errorResponse(c, 429, error.code, error.message, { 'retry-after': String(Math.ceil(error.retryAfterMs / 1000)) });
    }
    if (error instanceof PinWrong) return errorResponse(c, 403, error.code, error.message, undefined, { attempts_left: error.attemptsLeft });
    if (error instanceof Refusal) error = fromRefusal(error);
    if (error instanceof ApiError) return errorResponse(c, error.status, error.code, error.message);
    if (isStorageFailure(error)) {
      log.error('journal write failed', { method: c.req.method, path: c.req.path, error: journalCause(error) });
      return errorResponse(c, 503, 'JOURNAL_UNAVAILABLE', 'The server cannot write its journal (disk full, read-only or failing), so it did not do this. Tell the manager. Retrying with the same payment id later is safe: it never charges twice.');
    }
    log.error('request failed', { method: c.req.method, path: c.req.path, error: error.message, stack: error.stack });
    return errorResponse(c, 500, 'INTERNAL_ERROR', 'The server failed to answer this request. Retrying with the same payment id is safe: it never charges twice.');
  };
}

/**
 * One line per request: method, path, status, time. Bodies and headers (tokens, PINs) are never
 * logged. Successful reads (the web app polls a payment several times a second) go to debug.
 */
function accessLog(log: ApiLog) {
  return async function logRequest(c: Context<ApiEnv>, next: () => Promise<void>) {
    const started = performance.now();
    await next();
    const terminal = c.get('terminal') as { id: string } | undefined;
    const routine = (c.req.method === 'GET' || c.req.method === 'HEAD') && c.res.status < 400;
    log[routine ? 'debug' : 'info']('http', {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 100) / 100,
      ...(terminal ? { terminal: terminal.id } : {}),
    });
  };
}
