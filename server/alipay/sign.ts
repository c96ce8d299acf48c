import { sign as rsaSign, verify as rsaVerify, type KeyObject } from 'node:crypto';

/**
 * RSA2 (SHA256withRSA) as the classic openapi gateway uses it.
 * Requests: every parameter but `sign`, with a non-empty value, sorted by name (byte order),
 * joined as `name=value` with `&`, values raw (not URL-encoded), UTF-8; the signature is base64.
 * Answers: the signature covers the exact text of the `<method>_response` value as sent
 * (response.ts cuts it out), never a re-serialisation.
 */

export type Params = Record<string, string | undefined>;

export function signContent(params: Params): string {
  return Object.keys(params)
    .filter((name) => name !== 'sign' && params[name] !== undefined && params[name] !== '')
    .sort()
    .map((name) => `${name}=${params[name]}`)
    .join('&');
}

export function rsa2Sign(content: string, privateKey: KeyObject): string {
  return rsaSign('sha256', Buffer.from(content, 'utf8'), privateKey).toString('base64');
}

/** false for a wrong signature and for one that is not base64 of the key's size. */
export function rsa2Verify(content: string, signature: string, publicKey: KeyObject): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) return false;
  try {
    return rsaVerify('sha256', Buffer.from(content, 'utf8'), publicKey, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

/** The request's parameters with `sign` added. */
export function signParams(params: Params, privateKey: KeyObject): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) if (value !== undefined && value !== '') out[name] = value;
  out.sign = rsa2Sign(signContent(out), privateKey);
  return out;
}
