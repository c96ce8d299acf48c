/**
 * What a scanned text is, so only payment codes of a wallet this till takes reach a gateway:
 * WeChat Pay (18 digits starting 10–15) and Alipay (16–24 digits starting 25–30) are charged,
 * each at its own gateway; UnionPay QuickPass (62 + 17 digits), collection codes and anything
 * else are refused with words a cashier can act on.
 */
export type CodeKind = 'wechat' | 'alipay' | 'unionpay' | 'collection' | 'unknown';

/** A wallet this till can charge. */
export type Wallet = 'wechat' | 'alipay';
export const WALLETS: readonly Wallet[] = ['wechat', 'alipay'];

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

export function isAlipayCode(text: string): boolean {
  return ALIPAY.test(text);
}

/** The wallet that charges `text`, or null when it is not a payment code this till takes. */
export function walletOfCode(text: string): Wallet | null {
  const kind = classifyCode(text);
  return kind === 'wechat' || kind === 'alipay' ? kind : null;
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

/** Why a scanned code cannot be charged here, in words a cashier can act on; null for a WeChat or an Alipay code. */
export function rejectCode(text: string): CodeVerdict | null {
  const kind = classifyCode(text);
  switch (kind) {
    case 'wechat':
    case 'alipay':
      return null;
    case 'unionpay':
      return { kind, zh: '这是云闪付付款码，本收银台不收云闪付。请顾客打开微信或支付宝付款码。', en: 'This is a UnionPay QuickPass code: not accepted here. Ask the customer to show a WeChat Pay or Alipay payment code.' };
    case 'collection':
      return { kind, zh: '这是收款码，不是付款码。请顾客打开微信“收付款”或支付宝“付钱”里的付款码。', en: 'This is a collection (receive money) code, not a payment code. Ask the customer to show the payment code in WeChat (Pay) or Alipay (Pay).' };
    default:
      return { kind, zh: '无法识别的条码，不是微信或支付宝付款码。请重新扫描顾客的付款码。', en: 'Not a WeChat Pay or Alipay payment code. Scan the customer’s payment code again.' };
  }
}

/** Why a code of a wallet this till has switched off cannot be charged (the server's WALLET_OFF). */
export const WALLET_OFF_TEXT: Readonly<Record<Wallet, { zh: string; en: string }>> = {
  wechat: { zh: '本收银台未开通微信支付，请顾客打开支付宝付款码。', en: 'WeChat Pay is not set up on this till. Ask the customer to show an Alipay payment code.' },
  alipay: { zh: '本收银台未开通支付宝，请顾客打开微信付款码。', en: 'Alipay is not set up on this till. Ask the customer to show a WeChat Pay payment code.' },
};
