/**
 * The code shapes the wedge knows in advance (docs/wechat-protocol.md): a WeChat payment code,
 * 18 digits starting 10–15, and an Alipay payment code, 16–24 digits starting 25–30. Knowing
 * them lets a slow scanner's digits be held back while they could still become one, and lets a
 * complete WeChat code (fixed length) be accepted the moment its last digit arrives; an Alipay
 * code's length varies, so a slow one is accepted when the digits stop.
 */
import { isAlipayCode, isWechatCode } from '../../../../shared/payment-code.ts';

export const WECHAT_CODE_LENGTH = 18;
const ALIPAY_MAX_LENGTH = 24;

/** True while `text` can still grow into a WeChat payment code. */
export function isWechatPrefix(text: string): boolean {
  if (text.length === 0 || text.length > WECHAT_CODE_LENGTH) return false;
  if (text.charCodeAt(0) !== 49 /* '1' */) return false;
  if (text.length >= 2) {
    const second = text.charCodeAt(1) - 48;
    if (second < 0 || second > 5) return false;
  }
  return allDigitsFrom(text, 2);
}

/** True while `text` can still grow into an Alipay payment code (25…29 or 30, then digits). */
export function isAlipayPrefix(text: string): boolean {
  if (text.length === 0 || text.length > ALIPAY_MAX_LENGTH) return false;
  const first = text[0];
  if (first !== '2' && first !== '3') return false;
  if (text.length >= 2) {
    const second = text.charCodeAt(1) - 48;
    if (first === '2' ? second < 5 || second > 9 : second !== 0) return false;
  }
  return allDigitsFrom(text, 2);
}

/** True while `text` can still grow into a payment code of either wallet. */
export function isPaymentCodePrefix(text: string): boolean {
  return isWechatPrefix(text) || isAlipayPrefix(text);
}

export function isCompleteWechatCode(text: string): boolean {
  return isWechatCode(text);
}

/** A whole payment code of either wallet, once no more digits can come. */
export function isCompletePaymentCode(text: string): boolean {
  return isWechatCode(text) || isAlipayCode(text);
}

function allDigitsFrom(text: string, start: number): boolean {
  for (let i = start; i < text.length; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
  }
  return true;
}
