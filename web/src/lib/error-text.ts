/**
 * The one place an error becomes words for the cashier: an API refusal, a payment's or refund's
 * stored code, or no answer at all. Texts come from the shared catalogue (the server's own codes
 * and WeChat's), in the cashier's language; the server's messages are for developers and raw
 * codes appear only in a payment's detail, never here.
 */
import type { ApiErrorBody } from '../../../shared/api.ts';
import { API_ERRORS, describeError, isApiErrorCode, knownError, type Operation } from '../../../shared/error-catalogue.ts';
import { ApiFailure } from './api.ts';
import { MESSAGES } from './messages.ts';
import type { Lang } from './i18n.svelte.ts';

export function errorText(error: unknown, lang: Lang, operation: Operation = 'micropay'): string {
  if (error instanceof ApiFailure) {
    if (error.network) return MESSAGES['error.network'][lang];
    if (isApiErrorCode(error.code)) return API_ERRORS[error.code][lang];
    return knownError(error.code, operation)?.[lang] ?? MESSAGES['error.server'][lang].replace('{code}', error.code);
  }
  if (isErrorBody(error)) return describeError(error.code, operation)[lang];
  return MESSAGES['error.unexpected'][lang];
}

function isErrorBody(value: unknown): value is ApiErrorBody {
  return typeof value === 'object' && value !== null && typeof (value as ApiErrorBody).code === 'string' && !(value instanceof Error);
}
