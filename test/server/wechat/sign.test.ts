import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { canonicalString, isSignType, sign, verify, type SignType } from '../../../server/wechat/sign.ts';

// The official worked example (docs/wechat-protocol.md).
const OFFICIAL = {
  appid: 'wxd930ea5d5a258f4f',
  mch_id: '10000100',
  device_info: '1000',
  body: 'test',
  nonce_str: 'ibuaiVcKdpRxkhJA',
};
const OFFICIAL_KEY = '192006250b4c09247ec02edce69f6a2d';

describe('canonicalString', () => {
  it('joins the fields in ASCII order and appends the key, byte for byte as the official example', () => {
    expect(canonicalString(OFFICIAL, OFFICIAL_KEY)).toBe(
      'appid=wxd930ea5d5a258f4f&body=test&device_info=1000&mch_id=10000100&nonce_str=ibuaiVcKdpRxkhJA&key=192006250b4c09247ec02edce69f6a2d',
    );
  });

  it('drops empty and undefined values and the sign field itself', () => {
    const text = canonicalString({ b: '2', a: '', c: undefined, sign: 'ABC', d: '4' }, 'k');
    expect(text).toBe('b=2&d=4&key=k');
  });

  it('sorts by ASCII code, so upper case, digits and underscores come where ASCII puts them', () => {
    const text = canonicalString({ b: '1', B: '2', a_1: '3', a1: '4', a: '5', _x: '6' }, 'k');
    expect(text).toBe('B=2&_x=6&a=5&a1=4&a_1=3&b=1&key=k');
  });

  it('keeps raw values: no URL encoding, spaces, ampersands and Chinese as they are', () => {
    expect(canonicalString({ body: '店-A & B=C', attach: '{"a":1}' }, 'k')).toBe('attach={"a":1}&body=店-A & B=C&key=k');
  });

  it('keeps a value of a single space (only empty values are dropped)', () => {
    expect(canonicalString({ a: ' ' }, 'k')).toBe('a= &key=k');
  });
});

describe('sign', () => {
  it('gives the official MD5 signature', () => {
    expect(sign(OFFICIAL, OFFICIAL_KEY, 'MD5')).toBe('9A0A8659F005D6984697E2CA0A9CF3B7');
  });

  it('gives the official HMAC-SHA256 signature', () => {
    expect(sign(OFFICIAL, OFFICIAL_KEY, 'HMAC-SHA256')).toBe('6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6');
  });

  it('uses MD5 when no sign type is given', () => {
    expect(sign(OFFICIAL, OFFICIAL_KEY)).toBe('9A0A8659F005D6984697E2CA0A9CF3B7');
  });

  it('ignores empty fields and a stale sign field', () => {
    const noisy = { ...OFFICIAL, attach: '', detail: undefined, sign: 'STALE' };
    expect(sign(noisy, OFFICIAL_KEY, 'MD5')).toBe('9A0A8659F005D6984697E2CA0A9CF3B7');
  });

  it('signs sign_type as an ordinary field', () => {
    const withType = { ...OFFICIAL, sign_type: 'HMAC-SHA256' };
    expect(sign(withType, OFFICIAL_KEY, 'HMAC-SHA256')).not.toBe(sign(OFFICIAL, OFFICIAL_KEY, 'HMAC-SHA256'));
    const expected = createHash('md5')
      .update(
        'appid=wxd930ea5d5a258f4f&body=test&device_info=1000&mch_id=10000100&nonce_str=ibuaiVcKdpRxkhJA&sign_type=MD5&key=192006250b4c09247ec02edce69f6a2d',
      )
      .digest('hex')
      .toUpperCase();
    expect(sign({ ...OFFICIAL, sign_type: 'MD5' }, OFFICIAL_KEY, 'MD5')).toBe(expected);
  });

  it('hashes UTF-8 bytes, so Chinese values sign as WeChat signs them', () => {
    const expected = createHash('md5').update(Buffer.from('body=门店-收银&key=k', 'utf8')).digest('hex').toUpperCase();
    expect(sign({ body: '门店-收银' }, 'k', 'MD5')).toBe(expected);
  });

  it('is uppercase hex of the right length for each algorithm', () => {
    expect(sign({ a: '1' }, 'k', 'MD5')).toMatch(/^[0-9A-F]{32}$/);
    expect(sign({ a: '1' }, 'k', 'HMAC-SHA256')).toMatch(/^[0-9A-F]{64}$/);
  });
});

describe('verify', () => {
  const types: SignType[] = ['MD5', 'HMAC-SHA256'];

  it.each(types)('accepts an answer signed over every field, unknown ones included (%s)', (type) => {
    const answer: Record<string, string> = { return_code: 'SUCCESS', result_code: 'SUCCESS', coupon_fee_3: '100', total_fee: '1' };
    answer.sign = sign(answer, 'key', type);
    expect(verify(answer, 'key', type)).toBe(true);
  });

  it.each(types)('refuses an answer whose field was changed after signing (%s)', (type) => {
    const answer: Record<string, string> = { total_fee: '1', transaction_id: '4200000001' };
    answer.sign = sign(answer, 'key', type);
    expect(verify({ ...answer, total_fee: '100' }, 'key', type)).toBe(false);
  });

  it.each(types)('refuses an answer with an extra field the signer did not sign (%s)', (type) => {
    const answer: Record<string, string> = { total_fee: '1' };
    answer.sign = sign(answer, 'key', type);
    expect(verify({ ...answer, coupon_fee_3: '1' }, 'key', type)).toBe(false);
  });

  it('refuses a signature made with another key', () => {
    const answer: Record<string, string> = { a: '1' };
    answer.sign = sign(answer, 'other', 'MD5');
    expect(verify(answer, 'key', 'MD5')).toBe(false);
  });

  it('refuses an HMAC-signed answer checked as MD5 and the reverse', () => {
    const hmac: Record<string, string> = { a: '1' };
    hmac.sign = sign(hmac, 'key', 'HMAC-SHA256');
    expect(verify(hmac, 'key', 'MD5')).toBe(false);
    const md5: Record<string, string> = { a: '1' };
    md5.sign = sign(md5, 'key', 'MD5');
    expect(verify(md5, 'key', 'HMAC-SHA256')).toBe(false);
  });

  it('refuses a missing or empty signature', () => {
    expect(verify({ a: '1' }, 'key', 'MD5')).toBe(false);
    expect(verify({ a: '1', sign: '' }, 'key', 'MD5')).toBe(false);
  });

  it('refuses a lowercase signature (WeChat signs uppercase)', () => {
    const answer: Record<string, string> = { a: '1' };
    answer.sign = sign(answer, 'key', 'MD5').toLowerCase();
    expect(verify(answer, 'key', 'MD5')).toBe(false);
  });

  it('refuses a signature with multi-byte characters of the same length without throwing', () => {
    expect(verify({ a: '1', sign: '签'.repeat(32) }, 'key', 'MD5')).toBe(false);
  });
});

describe('verify (property)', () => {
  const fieldName = fc.stringMatching(/^[a-z_][a-z0-9_]{0,12}$/).filter((name) => name !== 'sign');
  const value = fc.string({ unit: 'binary', minLength: 1, maxLength: 20 });
  const signed = fc
    .tuple(fc.dictionary(fieldName, value, { minKeys: 1, maxKeys: 10 }), fc.constantFrom<SignType>('MD5', 'HMAC-SHA256'))
    .map(([fields, type]) => ({ fields: { ...fields, sign: sign(fields, 'key', type) } as Record<string, string>, type }));

  it('accepts what sign produced, and refuses it once any field’s value changes', () => {
    fc.assert(
      fc.property(signed, fc.nat(), value, ({ fields, type }, pick, replacement) => {
        expect(verify(fields, 'key', type)).toBe(true);
        const names = Object.keys(fields).filter((n) => n !== 'sign');
        const name = names[pick % names.length]!;
        fc.pre(fields[name] !== replacement);
        expect(verify({ ...fields, [name]: replacement }, 'key', type)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses an answer with a non-empty field added or a field removed', () => {
    fc.assert(
      fc.property(signed, fieldName, value, fc.nat(), ({ fields, type }, extraName, extraValue, pick) => {
        fc.pre(!(extraName in fields));
        expect(verify({ ...fields, [extraName]: extraValue }, 'key', type)).toBe(false);
        const names = Object.keys(fields).filter((n) => n !== 'sign');
        const { [names[pick % names.length]!]: _removed, ...rest } = fields;
        expect(verify(rest, 'key', type)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

describe('isSignType', () => {
  it('knows exactly the two v2 algorithms', () => {
    expect(isSignType('MD5')).toBe(true);
    expect(isSignType('HMAC-SHA256')).toBe(true);
    expect(isSignType('md5')).toBe(false);
    expect(isSignType('SHA256')).toBe(false);
    expect(isSignType(undefined)).toBe(false);
  });
});
