/**
 * The one place an error becomes words for the cashier: an API refusal, a payment's or refund's
 * stored code, or no answer at all. Texts come from the shared catalogue (the server's own codes
 * and WeChat's), in the cashier's language; the server's messages are for developers and raw
 * codes appear only in a payment's detail, never here.
 */
import type { ApiErrorBody } from '../../../shared/api.ts';
import { ALIPAY_OPERATION, API_ERRORS, describeAlipayError, describeError, isApiErrorCode, knownError, type Operation } from '../../../shared/error-catalogue.ts';
import type { Wallet } from '../../../shared/payment-code.ts';
import { ApiFailure } from './api.ts';
import { MESSAGES } from './messages.ts';
import type { Lang } from './i18n.svelte.ts';

/** `wallet`: whose code a payment's or refund's stored error is (Alipay's codes have their own texts). */
export function errorText(error: unknown, lang: Lang, operation: Operation = 'micropay', wallet: Wallet = 'wechat'): string {
  if (error instanceof ApiFailure) {
    if (error.network) return MESSAGES['error.network'][lang];
    if (isApiErrorCode(error.code)) return API_ERRORS[error.code][lang];
    return knownError(error.code, operation)?.[lang] ?? MESSAGES['error.server'][lang].replace('{code}', error.code);
  }
  if (isErrorBody(error)) return (wallet === 'alipay' ? describeAlipayError(error.code, ALIPAY_OPERATION[operation]) : describeError(error.code, operation))[lang];
  return MESSAGES['error.unexpected'][lang];
}

function isErrorBody(value: unknown): value is ApiErrorBody {
  return typeof value === 'object' && value !== null && typeof (value as ApiErrorBody).code === 'string' && !(value instanceof Error);
}
