import { PAYMENT_ID, type CreatePaymentRequest, type RefundRequest } from '../../shared/api.ts';
import { rejectCode } from '../../shared/payment-code.ts';
import { isXmlText } from '../wechat/xml.ts';
import { Refusal } from './errors.ts';

/**
 * The one check of a payment or refund request, field by field, so each mistake gets its own code
 * and a sentence. The API runs it on the JSON body; the service runs it again on what it is given,
 * so it is safe on its own.
 */

type Fields = Readonly<Record<string, unknown>>;

export const DESCRIPTION_MAX = 64;
export const REASON_MAX = 80;

export function clientId(value: unknown, field = 'id'): string {
  if (typeof value !== 'string' || !PAYMENT_ID.test(value)) throw new Refusal('INVALID_ID', `"${field}" must be 1 to 32 characters of A-Z, a-z, 0-9, "_" or "-".`);
  return value;
}

export function amountFen(value: unknown, maxAmountFen: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) throw new Refusal('INVALID_AMOUNT', '"amount_fen" must be a positive whole number of fen (1 yuan = 100 fen).');
  if (value > maxAmountFen) throw new Refusal('AMOUNT_TOO_LARGE', `"amount_fen" ${value} is above this shop's limit of ${maxAmountFen} fen.`);
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
  if (typeof value !== 'string' || value.length > max || CONTROL.test(value)) throw new Refusal(code, `"${field}" must be one line of text of at most ${max} characters.`);
  if (!isXmlText(value)) throw new Refusal(code, `"${field}" holds a character that cannot be sent to WeChat Pay (U+FFFE, U+FFFF or half of a surrogate pair): remove it.`);
  const text = value.trim();
  return text === '' ? undefined : text;
}

/** A payment request with its code and description trimmed; a code of no wallet this till takes is refused in `lang`. */
export function paymentRequest(body: Fields, maxAmountFen: number, lang: 'zh' | 'en' = 'en'): CreatePaymentRequest {
  const id = clientId(body.id);
  const amount_fen = amountFen(body.amount_fen, maxAmountFen);
  if (typeof body.auth_code !== 'string' || body.auth_code.trim() === '') throw new Refusal('INVALID_AUTH_CODE', '"auth_code" must be the scanned payment code as text.');
  const auth_code = body.auth_code.trim();
  const verdict = rejectCode(auth_code);
  if (verdict) throw new Refusal('CODE_NOT_ACCEPTED', verdict[lang]);
  const request: CreatePaymentRequest = { id, amount_fen, auth_code };
  const description = shortText(body.description, 'description', DESCRIPTION_MAX, 'INVALID_DESCRIPTION');
  if (description !== undefined) request.description = description;
  return request;
}

/** A refund request with its reason trimmed. */
export function refundRequest(body: Fields, maxAmountFen: number): RefundRequest {
  const request: RefundRequest = { id: clientId(body.id), amount_fen: amountFen(body.amount_fen, maxAmountFen) };
  const reason = shortText(body.reason, 'reason', REASON_MAX, 'INVALID_REASON');
  if (reason !== undefined) request.reason = reason;
  return request;
}
