import { randomInt } from 'node:crypto';

/**
 * Test payment codes, like card networks' test card numbers: the first six digits choose how
 * the simulated gateway behaves, the other twelve are free, so every code is fresh (each code
 * is single-use, as at WeChat). All are valid WeChat codes: 18 digits starting 13.
 */
export const BEHAVIOURS = {
  success: { prefix: '130000', en: 'Paid at once', zh: '立即支付成功' },
  password: { prefix: '130001', en: 'Needs the password; paid when the customer confirms (declines → PAYERROR)', zh: '需输入密码，顾客确认后支付成功' },
  password_declined: { prefix: '130002', en: 'Needs the password, then declined (PAYERROR) after a moment', zh: '需输入密码，随后支付失败（PAYERROR）' },
  systemerror_paid: { prefix: '130003', en: 'Answers SYSTEMERROR, but the order is paid (query finds SUCCESS)', zh: '返回 SYSTEMERROR，实际已支付' },
  bankerror: { prefix: '130004', en: 'Answers BANKERROR; the order is not paid (query finds NOTPAY, reverse closes it)', zh: '返回 BANKERROR，实际未支付' },
  slow: { prefix: '130005', en: 'Paid, but the answer comes later than the client timeout', zh: '已支付，但应答慢于客户端超时' },
  notenough: { prefix: '130006', en: 'Balance too low (NOTENOUGH)', zh: '余额不足（NOTENOUGH）' },
  authcode_expired: { prefix: '130007', en: 'Code expired (AUTHCODEEXPIRE)', zh: '付款码过期（AUTHCODEEXPIRE）' },
  reverse_recall: { prefix: '130008', en: 'Needs the password and never confirms; the first reverse answers recall=Y', zh: '需输入密码且不确认；首次撤销返回 recall=Y' },
  forged_signature: { prefix: '130009', en: 'Answers SUCCESS with a forged signature; the order is not paid', zh: '返回伪造签名的成功应答，实际未支付' },
} as const;

export type Behaviour = keyof typeof BEHAVIOURS;

/** Any WeChat-shaped code without a known prefix pays at once. */
export function behaviourOf(authCode: string): Behaviour {
  for (const [name, b] of Object.entries(BEHAVIOURS)) if (authCode.startsWith(b.prefix)) return name as Behaviour;
  return 'success';
}

/** A fresh, never-seen-before test code for `behaviour`. */
export function makeTestCode(behaviour: Behaviour = 'success'): string {
  let rest = '';
  for (let i = 0; i < 12; i++) rest += String(randomInt(10));
  return BEHAVIOURS[behaviour].prefix + rest;
}

export const BEHAVIOUR_NAMES = Object.keys(BEHAVIOURS) as Behaviour[];

export function isBehaviour(value: unknown): value is Behaviour {
  return typeof value === 'string' && Object.hasOwn(BEHAVIOURS, value);
}

export interface TestCodeInfo {
  behaviour: Behaviour;
  prefix: string;
  zh: string;
  en: string;
}

/** The customer-facing list of test codes (for the README, the phone page and GET /control/behaviours). */
export function testCodeList(): TestCodeInfo[] {
  return BEHAVIOUR_NAMES.map((behaviour) => ({ behaviour, ...BEHAVIOURS[behaviour] }));
}

/** The same list as a markdown table, so the README shows exactly what the simulator does. */
export function testCodeMarkdown(): string {
  const rows = testCodeList().map((t) => `| \`${t.prefix}\` + 12 digits | \`${t.behaviour}\` | ${t.en} | ${t.zh} |`);
  return ['| Code | Behaviour | What happens | 说明 |', '|---|---|---|---|', ...rows].join('\n');
}
