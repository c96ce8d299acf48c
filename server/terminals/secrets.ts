import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Random secrets and their stored forms: only hashes of tokens and pairing codes reach the database. */

export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The token a pairing code hands out, derived from the code with a server secret: the CLI can
 * print the same token the paired device receives, while neither is stored in clear.
 */
export function tokenForCode(serverSecret: string, code: string): string {
  return createHmac('sha256', serverSecret).update(`terminal-token:${code}`).digest('base64url');
}

/** Equal-time comparison of two texts of any length. */
export function sameText(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}
