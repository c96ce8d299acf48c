/* What the ledger answers, before app.ts wraps it in WeChat's envelope. */

/** A ledger answer before the envelope: fields of a SUCCESS result, or a business error. */
export type Answer =
  | { ok: true; fields: Record<string, string>; forged?: boolean; delayMs?: number }
  | { ok: false; code: string; des: string; fields?: Record<string, string>; delayMs?: number };

/** The live gateway's answer to a payment code that was already used (a real 2024 micropay answer). */
export const CODE_USED = { code: 'AUTH_CODE_INVALID', des: '101 每个二维码仅限使用一次，请刷新再试' } as const;

export const err = (code: string, des: string, extra: Partial<Answer> = {}): Answer => ({ ok: false, code, des, ...extra }) as Answer;
export const USERPAYING_ERR = { code: 'USERPAYING', des: '需要用户输入支付密码' };
export const PAYERROR_ERR = { code: 'TRADE_ERROR', des: '支付失败，用户取消支付或密码错误' };
