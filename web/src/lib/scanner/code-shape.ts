/**
 * The one code shape the wedge knows in advance: a WeChat payment code, 18 digits starting 10–15
 * (docs/wechat-protocol.md). Knowing it lets a complete code be accepted the moment its last digit
 * arrives, and lets a slow scanner's digits be held back while they could still become one.
 */
import { isWechatCode } from '../../../../shared/payment-code.ts';

export const WECHAT_CODE_LENGTH = 18;

/** True while `text` can still grow into a WeChat payment code. */
export function isWechatPrefix(text: string): boolean {
  if (text.length === 0 || text.length > WECHAT_CODE_LENGTH) return false;
  if (text.charCodeAt(0) !== 49 /* '1' */) return false;
  if (text.length >= 2) {
    const second = text.charCodeAt(1) - 48;
    if (second < 0 || second > 5) return false;
  }
  for (let i = 2; i < text.length; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
  }
  return true;
}

export function isCompleteWechatCode(text: string): boolean {
  return isWechatCode(text);
}
