import { describe, expect, it } from 'vitest';
import { classifyCode } from '../../../../shared/payment-code.ts';
import {
  ALIPAY_BEHAVIOUR_NAMES,
  BEHAVIOURS,
  alipayBehaviourOf,
  alipayPrefix,
  alipayTestCodeList,
  alipayTestCodeMarkdown,
  isAlipayTestCode,
  makeAlipayTestCode,
} from '../../../../server/simulator/test-codes.ts';

describe('Alipay test codes', () => {
  it.each(ALIPAY_BEHAVIOUR_NAMES)('gives %s the prefix 28 + the same four digits as its WeChat code', (behaviour) => {
    expect(alipayPrefix(behaviour)).toBe(`28${BEHAVIOURS[behaviour].prefix.slice(2)}`);
    const code = makeAlipayTestCode(behaviour);
    expect(code).toMatch(new RegExp(`^${alipayPrefix(behaviour)}\\d{12}$`));
    expect(classifyCode(code)).toBe('alipay');
    expect(alipayBehaviourOf(code)).toBe(behaviour);
    expect(isAlipayTestCode(code)).toBe(true);
  });

  it('starts with 280000 (pays at once) and 280001 (waits for the customer)', () => {
    expect(alipayPrefix('success')).toBe('280000');
    expect(alipayPrefix('password')).toBe('280001');
  });

  it('treats any other Alipay code as success, and a WeChat code as no Alipay test code', () => {
    expect(alipayBehaviourOf('2599999999999999')).toBe('success');
    expect(isAlipayTestCode('130000123456789012')).toBe(false);
  });

  it('lists every Alipay behaviour for the README with both languages', () => {
    expect(alipayTestCodeList()).toHaveLength(ALIPAY_BEHAVIOUR_NAMES.length);
    const table = alipayTestCodeMarkdown();
    for (const behaviour of ALIPAY_BEHAVIOUR_NAMES) expect(table).toContain(`| \`${alipayPrefix(behaviour)}\` + 12 digits | \`${behaviour}\` |`);
  });
});
