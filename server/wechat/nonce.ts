import { randomBytes } from 'node:crypto';

/** A fresh nonce_str: 32 hex characters (WeChat's limit) from the CSPRNG, never Math.random. */
export function nonceStr(): string {
  return randomBytes(16).toString('hex');
}
