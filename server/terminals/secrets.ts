import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Random secrets and their stored forms: only hashes of tokens and pairing codes reach the database. */

export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Equal-time comparison of two texts of any length. */
export function sameText(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}
