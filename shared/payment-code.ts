/** What a scanned text is, so only WeChat payment codes ever reach the gateway (docs/wechat-protocol.md). */
export type CodeKind = 'wechat' | 'alipay' | 'unionpay' | 'collection' | 'unknown';

const WECHAT = /^1[0-5]\d{16}$/;
const ALIPAY = /^(?:2[5-9]|30)\d{14,22}$/;
const UNIONPAY = /^62\d{17}$/;
const COLLECTION = /^(?:wxp:\/\/|weixin:\/\/|https?:\/\/(?:qr\.alipay\.com|payapp\.weixin\.qq\.com|wx\.tenpay\.com|qr\.95516\.com)\/)/i;

export function classifyCode(text: string): CodeKind {
  const code = text.trim();
  if (WECHAT.test(code)) return 'wechat';
  if (ALIPAY.test(code)) return 'alipay';
  if (UNIONPAY.test(code)) return 'unionpay';
  if (COLLECTION.test(code)) return 'collection';
  return 'unknown';
}

export function isWechatCode(text: string): boolean {
  return WECHAT.test(text);
}

/** A payment code is a one-minute secret: logs and the journal keep only the first and last 4 digits. */
export function maskCode(code: string): string {
  if (code.length <= 8) return '*'.repeat(code.length);
  return `${code.slice(0, 4)}${'*'.repeat(code.length - 8)}${code.slice(-4)}`;
}

export interface CodeVerdict {
  kind: CodeKind;
  zh: string;
  en: string;
}

/** Why a scanned code cannot be charged here, in words a cashier can act on; null for a WeChat code. */
export function rejectCode(text: string): CodeVerdict | null {
  const kind = classifyCode(text);
  switch (kind) {
    case 'wechat':
      return null;
    case 'alipay':
      return { kind, zh: '这是支付宝付款码，本收银台暂只支持微信支付。请顾客打开微信付款码。', en: 'This is an Alipay code. Only WeChat Pay is supported here: ask the customer to open the WeChat payment code.' };
    case 'unionpay':
      return { kind, zh: '这是云闪付付款码，本收银台暂只支持微信支付。请顾客打开微信付款码。', en: 'This is a UnionPay QuickPass code. Only WeChat Pay is supported here: ask the customer to open the WeChat payment code.' };
    case 'collection':
      return { kind, zh: '这是收款码，不是付款码。请顾客打开微信“收付款”里的付款码。', en: 'This is a collection (receive money) code, not a payment code. Ask the customer to open Pay in WeChat and show the payment code.' };
    default:
      return { kind, zh: '无法识别的条码，不是微信付款码。请重新扫描顾客的微信付款码。', en: 'Not a WeChat payment code. Scan the customer’s WeChat payment code again.' };
  }
}
