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
  coupon: {
    prefix: '130010',
    en: 'Paid with a coupon (a tenth of the amount, 1 fen to ¥5): coupon_fee, cash_fee < total_fee, settlement_total_fee; orderquery adds coupon_count, coupon_id_0…',
    zh: '使用代金券支付（金额的十分之一，1分至5元）：coupon_fee、cash_fee 小于 total_fee、settlement_total_fee',
  },
  accept_paid: { prefix: '130011', en: 'Answers SYSTEMERROR while the order is ACCEPT (awaiting the debit); the first query sees ACCEPT, the next SUCCESS', zh: '返回 SYSTEMERROR，订单为 ACCEPT（等待扣款），首次查询为 ACCEPT，之后为 SUCCESS' },
  query_systemerror: { prefix: '130012', en: 'Answers SYSTEMERROR, paid; the first 3 orderqueries answer SYSTEMERROR too, then SUCCESS', zh: '返回 SYSTEMERROR，实际已支付；前 3 次查询也返回 SYSTEMERROR，之后为 SUCCESS' },
  promotion: { prefix: '130013', en: 'Paid with a discount reported only in promotion_detail (JSON), no coupon_* fields', zh: '立减优惠支付，仅以 promotion_detail（JSON）返回，无 coupon_* 字段' },
} as const;

export type Behaviour = keyof typeof BEHAVIOURS;

/** Any WeChat-shaped code without a known prefix pays at once. */
export function behaviourOf(authCode: string): Behaviour {
  for (const [name, b] of Object.entries(BEHAVIOURS)) if (authCode.startsWith(b.prefix)) return name as Behaviour;
  return 'success';
}

/**
 * Whether `code` is one of the simulator's test codes: 18 digits starting with a known
 * behaviour prefix. The product's training mode takes only these (README: the simulator).
 */
export function isTestCode(code: string): boolean {
  return /^\d{18}$/.test(code) && Object.values(BEHAVIOURS).some((b) => code.startsWith(b.prefix));
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

// ---- Alipay --------------------------------------------------------------------------------
// Alipay test codes mirror the WeChat ones: `28` + the same four behaviour digits + 12 free
// digits, so one table (BEHAVIOURS above) gives both prefixes. 18 digits starting 28 are valid
// Alipay codes (16–24 digits starting 25–30). Alipay answers in its own terms, so each behaviour
// the Alipay simulator (server/simulator/alipay/) implements says here what it does there.

/** What each behaviour does at the Alipay simulator; a WeChat behaviour missing here is not offered for Alipay. */
export const ALIPAY_BEHAVIOURS = {
  success: { en: 'Paid at once (10000, TRADE_SUCCESS)', zh: '立即支付成功（10000，TRADE_SUCCESS）' },
  password: { en: 'Waits for the customer (10003, WAIT_BUYER_PAY); paid on confirm, closed on decline', zh: '等待顾客确认（10003，WAIT_BUYER_PAY），确认后支付成功，拒绝则关闭' },
  password_declined: { en: 'Waits for the customer (10003), then the customer declines and the trade closes', zh: '等待顾客确认（10003），随后顾客拒绝，交易关闭' },
  systemerror_paid: { en: 'Answers 20000 (outcome unknown), but the trade is paid (query finds TRADE_SUCCESS)', zh: '返回 20000（结果未知），实际已支付' },
  bankerror: { en: 'Answers 40004 ACQ.SYSTEM_ERROR; the trade is not paid (query finds WAIT_BUYER_PAY, cancel closes it)', zh: '返回 ACQ.SYSTEM_ERROR，实际未支付（撤销后关闭）' },
  slow: { en: 'Paid, but the answer comes later than the client timeout', zh: '已支付，但应答慢于客户端超时' },
  notenough: { en: 'Balance too low (ACQ.BUYER_BALANCE_NOT_ENOUGH); the trade closes', zh: '余额不足（ACQ.BUYER_BALANCE_NOT_ENOUGH）' },
  authcode_expired: { en: 'Code expired or invalid (ACQ.PAYMENT_AUTH_CODE_INVALID); no trade', zh: '付款码无效或过期（ACQ.PAYMENT_AUTH_CODE_INVALID）' },
  reverse_recall: { en: 'Waits for the customer and never confirms; the first cancel answers retry_flag=Y', zh: '等待顾客确认且不确认；首次撤销返回 retry_flag=Y' },
  forged_signature: { en: 'Answers 10000 with a forged signature; the trade is not paid', zh: '返回伪造签名的成功应答，实际未支付' },
} as const satisfies Partial<Record<Behaviour, { en: string; zh: string }>>;

export type AlipayBehaviour = keyof typeof ALIPAY_BEHAVIOURS;

export const ALIPAY_BEHAVIOUR_NAMES = Object.keys(ALIPAY_BEHAVIOURS) as AlipayBehaviour[];

/** `28` + the WeChat prefix's four behaviour digits. */
export function alipayPrefix(behaviour: AlipayBehaviour): string {
  return `28${BEHAVIOURS[behaviour].prefix.slice(2)}`;
}

export function isAlipayBehaviour(value: unknown): value is AlipayBehaviour {
  return typeof value === 'string' && Object.hasOwn(ALIPAY_BEHAVIOURS, value);
}

/** Any Alipay-shaped code without a known prefix pays at once. */
export function alipayBehaviourOf(authCode: string): AlipayBehaviour {
  for (const behaviour of ALIPAY_BEHAVIOUR_NAMES) if (authCode.startsWith(alipayPrefix(behaviour))) return behaviour;
  return 'success';
}

/** A fresh Alipay test code (18 digits) for `behaviour`. */
export function makeAlipayTestCode(behaviour: AlipayBehaviour = 'success'): string {
  let rest = '';
  for (let i = 0; i < 12; i++) rest += String(randomInt(10));
  return alipayPrefix(behaviour) + rest;
}

/** True for a code with one of the Alipay test prefixes. */
export function isAlipayTestCode(code: string): boolean {
  return /^\d{18}$/.test(code) && ALIPAY_BEHAVIOUR_NAMES.some((b) => code.startsWith(alipayPrefix(b)));
}

export function alipayTestCodeList(): TestCodeInfo[] {
  return ALIPAY_BEHAVIOUR_NAMES.map((behaviour) => ({ behaviour, prefix: alipayPrefix(behaviour), ...ALIPAY_BEHAVIOURS[behaviour] }));
}

/** The Alipay codes as a markdown table for the README. */
export function alipayTestCodeMarkdown(): string {
  const rows = alipayTestCodeList().map((t) => `| \`${t.prefix}\` + 12 digits | \`${t.behaviour}\` | ${t.en} | ${t.zh} |`);
  return ['| Code | Behaviour | What happens | 说明 |', '|---|---|---|---|', ...rows].join('\n');
}
