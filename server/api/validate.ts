import type { Context } from 'hono';
import type { CreatePaymentRequest } from '../../shared/api.ts';
import { API_ERRORS } from '../../shared/error-catalogue.ts';
import { walletOfCode, type Wallet } from '../../shared/payment-code.ts';
import type { PaymentListQuery } from '../payments/list.ts';
import { isAlipayTestCode, isTestCode } from '../simulator/test-codes.ts';
import { isCalendarDate } from '../payments/shop-time.ts';
import { clientId, paymentRequest } from '../payments/validate.ts';
import { fail } from './errors.ts';

/** Request bodies checked field by field, so each mistake gets its own error code and a sentence. */

type Json = Record<string, unknown>;

export async function jsonBody(c: Context): Promise<Json> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    fail(400, 'INVALID_JSON', 'The request body is not valid JSON.');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) fail(400, 'INVALID_JSON', 'The request body must be a JSON object.');
  return body as Json;
}

export { clientId, refundRequest } from '../payments/validate.ts';

/**
 * `trainingMode` (a wallet on the simulator without SIMULATOR_ACCEPT_ANY_CODE=1), for every wallet
 * or per wallet: only the simulator's test codes of that wallet are taken, so a real customer's
 * code can never "pay" where no money moves.
 */
export function createPaymentRequest(body: Json, maxAmountFen: number, lang: 'zh' | 'en', trainingMode: boolean | Partial<Record<Wallet, boolean>> = false): CreatePaymentRequest {
  const request = paymentRequest(body, maxAmountFen, lang);
  const wallet = walletOfCode(request.auth_code)!;
  const training = typeof trainingMode === 'boolean' ? trainingMode : (trainingMode[wallet] ?? false);
  const isTest = wallet === 'alipay' ? isAlipayTestCode : isTestCode;
  if (training && !isTest(request.auth_code)) fail(422, 'TRAINING_MODE', API_ERRORS.TRAINING_MODE[lang]);
  return request;
}

/** YYYY-MM-DD that is a real calendar day. */
export function calendarDate(value: string): string {
  if (!isCalendarDate(value)) fail(400, 'INVALID_DATE', `"date" must be a day as YYYY-MM-DD, e.g. 2026-11-28 (got "${value}").`);
  return value;
}

/** The list's query parameters (limit, cursor, terminal, q) checked for shape; the service checks their meaning. */
export function listQuery(date: string, params: Record<string, string>): PaymentListQuery {
  const query: PaymentListQuery = { date };
  if (params.limit !== undefined) {
    if (!/^\d{1,4}$/.test(params.limit)) fail(400, 'INVALID_LIMIT', '"limit" must be a whole number from 1 to 200.');
    query.limit = Number(params.limit);
  }
  if (params.cursor) {
    if (params.cursor.length > 200) fail(400, 'INVALID_CURSOR', '"cursor" must be the next_cursor of a previous page.');
    query.cursor = params.cursor;
  }
  if (params.terminal) query.terminal = clientId(params.terminal, 'terminal');
  if (params.q !== undefined && params.q.trim() !== '') {
    if (params.q.length > 40) fail(400, 'INVALID_QUERY', '"q" must be an amount in yuan or at least 4 trailing characters of an order or transaction number.');
    query.q = params.q;
  }
  return query;
}

export function preferredLanguage(c: Context): 'zh' | 'en' {
  return /^\s*zh/i.test(c.req.header('accept-language') ?? '') ? 'zh' : 'en';
}
