import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { classifyCode, isWechatCode, maskCode, rejectCode, walletOfCode } from '../../shared/payment-code.ts';

const digits = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: n, maxLength: n });

describe('classifyCode', () => {
  it.each(['10', '11', '12', '13', '14', '15'])('knows an 18-digit code starting %s as WeChat', (prefix) => {
    expect(classifyCode(`${prefix}${'1234567890123456'}`)).toBe('wechat');
  });

  it('knows any 18 digits starting 10–15 as WeChat (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 10, max: 15 }), digits(16), (prefix, rest) => {
        expect(classifyCode(`${prefix}${rest}`)).toBe('wechat');
        expect(isWechatCode(`${prefix}${rest}`)).toBe(true);
      }),
    );
  });

  it.each([
    ['16 prefix', '161234567890123456'],
    ['09 prefix', '091234567890123456'],
    ['17 digits', '13123456789012345'],
    ['19 digits', '1312345678901234567'],
    ['letters', '13123456789012345a'],
  ])('does not take a code with %s for WeChat', (_label, code) => {
    expect(classifyCode(code)).not.toBe('wechat');
  });

  it('trims the spaces and line end a scanner may add', () => {
    expect(classifyCode(' 134567890123456789\r\n')).toBe('wechat');
    expect(isWechatCode(' 134567890123456789')).toBe(false); // the strict check is for already-clean codes
  });

  it('knows Alipay codes: 16–24 digits starting 25–30', () => {
    expect(classifyCode('2812345678901234')).toBe('alipay');
    expect(classifyCode('301234567890123456789012')).toBe('alipay');
    expect(classifyCode('281234567890123')).toBe('unknown'); // 15 digits
    expect(classifyCode('3012345678901234567890123')).toBe('unknown'); // 25 digits
  });

  it('knows UnionPay QuickPass codes: 19 digits starting 62', () => {
    expect(classifyCode('6212345678901234567')).toBe('unionpay');
    expect(classifyCode('621234567890123456')).toBe('unknown');
  });

  it.each(['wxp://f2f0abc', 'weixin://wxpay/bizpayurl?pr=abc', 'https://qr.alipay.com/fkx123', 'HTTPS://QR.ALIPAY.COM/x', 'https://qr.95516.com/00010000/xyz'])(
    'knows %s as a collection code, not a payment code',
    (text) => {
      expect(classifyCode(text)).toBe('collection');
    },
  );

  it('calls anything else unknown', () => {
    for (const text of ['', 'hello', '6901234567892', 'https://example.com/qr.alipay.com/x']) expect(classifyCode(text)).toBe('unknown');
  });
});

describe('maskCode', () => {
  it('keeps only the first and last four digits', () => {
    expect(maskCode('134567890123456789')).toBe('1345**********6789');
  });

  it('hides short codes entirely', () => {
    expect(maskCode('12345678')).toBe('********');
    expect(maskCode('')).toBe('');
  });

  it('never shows more than eight characters of the code and keeps its length (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'0123456789'), maxLength: 30 }), (code) => {
        const masked = maskCode(code);
        expect(masked).toHaveLength(code.length);
        expect(masked.replaceAll('*', '').length).toBe(code.length > 8 ? 8 : 0);
      }),
    );
  });
});

describe('rejectCode', () => {
  it('lets a WeChat code and an Alipay code through, each to its wallet', () => {
    expect(rejectCode('134567890123456789')).toBeNull();
    expect(rejectCode('2812345678901234')).toBeNull();
    expect(walletOfCode('134567890123456789')).toBe('wechat');
    expect(walletOfCode('280000123456789012')).toBe('alipay');
    expect(walletOfCode('6212345678901234567')).toBeNull();
  });

  it.each([
    ['unionpay', '6212345678901234567', /UnionPay QuickPass code: not accepted here/, /本收银台不收云闪付/],
    ['collection', 'wxp://f2f0abc', /collection/, /收款码/],
    ['unknown', 'hello', /Not a WeChat Pay or Alipay payment code/, /不是微信或支付宝付款码/],
  ])('tells the cashier what a %s code is, in English and Chinese', (kind, text, en, zh) => {
    const verdict = rejectCode(text);
    expect(verdict).toMatchObject({ kind });
    expect(verdict!.en).toMatch(en);
    expect(verdict!.zh).toMatch(zh);
  });
});
