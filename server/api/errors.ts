import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ApiErrorCode } from '../../shared/api.ts';
import { ApiError } from '../payments/service.ts';

/** Every refusal leaves the API as `{error: {code, message}}`: mapped here, once. */

export function errorResponse(
  c: Context,
  status: ContentfulStatusCode,
  code: ApiErrorCode | 'INTERNAL_ERROR',
  message: string,
  headers?: Record<string, string>,
  extra?: Record<string, unknown>,
): Response {
  return c.json({ error: { code, message, ...extra } }, status, headers);
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

/** 403 PIN_WRONG with how many wrong tries are left before the terminal must wait (contract: attempts_left). */
export class PinWrong extends ApiError {
  constructor(
    readonly attemptsLeft: number,
    pin: 'manager' | 'cashier' = 'manager',
  ) {
    const wrong = pin === 'manager' ? 'The manager PIN is wrong' : 'No cashier has this PIN';
    super(403, 'PIN_WRONG', attemptsLeft > 0 ? `${wrong}: ${attemptsLeft} more ${attemptsLeft === 1 ? 'try' : 'tries'} before a wait.` : `${wrong}: no tries left for now, wait before the next one.`);
  }
}
