import type { Context } from 'hono';
import type { CreatePaymentRequest, RefundRequest } from '../../shared/api.ts';
import { PAYMENT_ID } from '../../shared/api.ts';
import { API_ERRORS } from '../../shared/error-catalogue.ts';
import { rejectCode } from '../../shared/payment-code.ts';
import type { PaymentListQuery } from '../payments/list.ts';
import { isTestCode } from '../simulator/test-codes.ts';
import { isCalendarDate } from '../payments/shop-time.ts';
import { isXmlText } from '../wechat/xml.ts';
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

export function clientId(value: unknown, field = 'id'): string {
  if (typeof value !== 'string' || !PAYMENT_ID.test(value)) fail(400, 'INVALID_ID', `"${field}" must be 1 to 32 characters of A-Z, a-z, 0-9, "_" or "-".`);
  return value;
}

export function amountFen(value: unknown, maxAmountFen: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) fail(400, 'INVALID_AMOUNT', '"amount_fen" must be a positive whole number of fen (1 yuan = 100 fen).');
  if (value > maxAmountFen) fail(422, 'AMOUNT_TOO_LARGE', `"amount_fen" ${value} is above this shop's limit of ${maxAmountFen} fen.`);
  return value;
}

const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Free text that goes to WeChat (a payment's description, a refund's reason): short, one line,
 * and only characters XML can carry. U+FFFE, U+FFFF and lone surrogates pass JSON, but no
 * request holding them can be sent: refused here, where the cashier can still correct them.
 */
function shortText(value: unknown, field: string, max: number, code: 'INVALID_DESCRIPTION' | 'INVALID_REASON'): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length > max || CONTROL.test(value)) fail(400, code, `"${field}" must be one line of text of at most ${max} characters.`);
  if (!isXmlText(value)) fail(400, code, `"${field}" holds a character that cannot be sent to WeChat Pay (U+FFFE, U+FFFF or half of a surrogate pair): remove it.`);
  const text = value.trim();
  return text === '' ? undefined : text;
}

/**
 * `trainingMode` (the simulator without SIMULATOR_ACCEPT_ANY_CODE=1): only the simulator's test
 * codes are taken, so a real customer's code can never "pay" on a till that moves no money.
 */
export function createPaymentRequest(body: Json, maxAmountFen: number, lang: 'zh' | 'en', trainingMode = false): CreatePaymentRequest {
  const id = clientId(body.id);
  const amount_fen = amountFen(body.amount_fen, maxAmountFen);
  if (typeof body.auth_code !== 'string' || body.auth_code.trim() === '') fail(400, 'INVALID_AUTH_CODE', '"auth_code" must be the scanned payment code as text.');
  const auth_code = body.auth_code.trim();
  const verdict = rejectCode(auth_code);
  if (verdict) fail(422, 'NOT_WECHAT_CODE', verdict[lang]);
  if (trainingMode && !isTestCode(auth_code)) fail(422, 'TRAINING_MODE', API_ERRORS.TRAINING_MODE[lang]);
  const request: CreatePaymentRequest = { id, amount_fen, auth_code };
  const description = shortText(body.description, 'description', 64, 'INVALID_DESCRIPTION');
  if (description !== undefined) request.description = description;
  return request;
}

export function refundRequest(body: Json, maxAmountFen: number): RefundRequest {
  const request: RefundRequest = { id: clientId(body.id), amount_fen: amountFen(body.amount_fen, maxAmountFen) };
  const reason = shortText(body.reason, 'reason', 80, 'INVALID_REASON');
  if (reason !== undefined) request.reason = reason;
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
