import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ApiErrorCode } from '../../shared/api.ts';
import { Refusal } from '../payments/errors.ts';

/** Every refusal leaves the API as `{error: {code, message}}`: mapped here, once. */

/** The HTTP status of each refusal code, for the domain's Refusals (server/payments/errors.ts) and the routes' own. */
export const REFUSAL_STATUS: Record<ApiErrorCode, ApiError['status']> = {
  UNAUTHORIZED: 401,
  INVALID_JSON: 400,
  INVALID_ID: 400,
  INVALID_AMOUNT: 400,
  AMOUNT_TOO_LARGE: 422,
  INVALID_AUTH_CODE: 400,
  CODE_NOT_ACCEPTED: 422,
  WALLET_OFF: 422,
  INVALID_DESCRIPTION: 400,
  ID_CONFLICT: 409,
  PAYMENT_IN_PROGRESS: 409,
  NOT_FOUND: 404,
  NOT_CANCELABLE: 409,
  PIN_REQUIRED: 403,
  PIN_WRONG: 403,
  TOO_MANY_ATTEMPTS: 429,
  REFUND_NOT_ALLOWED: 409,
  REFUND_TOO_LARGE: 409,
  INVALID_PAIRING_CODE: 400,
  UNKNOWN_TERMINAL: 404,
  BODY_TOO_LARGE: 413,
  INVALID_DATE: 400,
  INVALID_REASON: 400,
  NOT_YOUR_PAYMENT: 403,
  HTTPS_REQUIRED: 403,
  JOURNAL_UNAVAILABLE: 503,
  SHIFT_REQUIRED: 409,
  SHIFT_OPEN: 409,
  NO_CASHIERS: 409,
  INVALID_CASHIER: 400,
  CASHIER_EXISTS: 409,
  INVALID_PIN: 400,
  NOT_YOUR_SHIFT: 403,
  READ_ONLY_TERMINAL: 403,
  INVALID_PERIOD: 400,
  INVALID_RANGE: 400,
  INVALID_LIMIT: 400,
  INVALID_CURSOR: 400,
  INVALID_QUERY: 400,
  TRAINING_MODE: 422,
};

/** An error the API answers with `{error: {code, message}}` and `status`. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 422 | 429 | 503,
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** A domain Refusal as the API's error, with its code's status. */
export function fromRefusal(refusal: Refusal): ApiError {
  return new ApiError(REFUSAL_STATUS[refusal.code], refusal.code, refusal.message);
}

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
