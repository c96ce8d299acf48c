import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** The two v2 signature algorithms. Answers carry no sign_type: verify with the request's. */
export type SignType = 'MD5' | 'HMAC-SHA256';

export type Fields = Readonly<Record<string, string | undefined>>;

/**
 * The string WeChat signs: every non-empty field but `sign`, keys in ASCII order,
 * `k=v` joined by `&`, raw values (no URL encoding), then `&key=<API key>`.
 */
export function canonicalString(fields: Fields, key: string): string {
  let out = '';
  for (const name of Object.keys(fields).sort()) {
    const value = fields[name];
    if (name === 'sign' || value === undefined || value === '') continue;
    out += `${name}=${value}&`;
  }
  return `${out}key=${key}`;
}

/** Uppercase hex signature of `fields` (docs/wechat-protocol.md, Signing). */
export function sign(fields: Fields, key: string, signType: SignType = 'MD5'): string {
  const text = canonicalString(fields, key);
  const digest =
    signType === 'MD5'
      ? createHash('md5').update(text, 'utf8').digest('hex')
      : createHmac('sha256', key).update(text, 'utf8').digest('hex');
  return digest.toUpperCase();
}

/** True when `fields.sign` is the signature of every other field; constant-time compare. */
export function verify(fields: Fields, key: string, signType: SignType = 'MD5'): boolean {
  const given = fields.sign;
  if (!given) return false;
  const expected = Buffer.from(sign(fields, key, signType), 'latin1');
  const actual = Buffer.from(given, 'utf8');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

export function isSignType(value: unknown): value is SignType {
  return value === 'MD5' || value === 'HMAC-SHA256';
}
