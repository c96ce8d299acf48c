import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ApiErrorCode } from '../../shared/api.ts';
import { ApiError } from '../payments/service.ts';

/** Every refusal leaves the API as `{error: {code, message}}`: mapped here, once. */

export function errorResponse(c: Context, status: ContentfulStatusCode, code: ApiErrorCode | 'INTERNAL_ERROR', message: string, headers?: Record<string, string>): Response {
  return c.json({ error: { code, message } }, status, headers);
}

export function fail(status: ApiError['status'], code: ApiErrorCode, message: string): never {
  throw new ApiError(status, code, message);
}

/** Answers 429 with Retry-After in whole seconds. */
export function tooManyAttempts(retryAfterMs: number, what: string): never {
  throw new RetryLater(retryAfterMs, what);
}

export class RetryLater extends ApiError {
  constructor(
    readonly retryAfterMs: number,
    what: string,
  ) {
    super(429, 'TOO_MANY_ATTEMPTS', `Too many ${what}: try again in ${Math.ceil(retryAfterMs / 1000)} s.`);
  }
}
