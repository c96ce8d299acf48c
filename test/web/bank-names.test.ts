import { describe, expect, it } from 'vitest';
import { bankName } from '../../web/src/lib/bank-names.ts';

describe('bankName', () => {
  it.each([
    ['CMB_DEBIT', '招商银行借记卡', 'China Merchants Bank debit card'],
    ['ICBC_CREDIT', '工商银行信用卡', 'ICBC credit card'],
    ['OTHERS', '微信零钱', 'WeChat balance'],
    ['XYZB_CREDIT', '信用卡（XYZB）', 'Credit card (XYZB)'],
    ['SOMETHING', '银行卡（SOMETHING）', 'Bank card (SOMETHING)'],
  ])('names %s as %s / %s', (code, zh, en) => {
    expect(bankName(code, 'zh')).toBe(zh);
    expect(bankName(code, 'en')).toBe(en);
  });
});
