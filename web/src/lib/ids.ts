/**
 * Idempotency keys for payments and refunds: ≤32 chars of [A-Za-z0-9_-] (shared/api.ts PAYMENT_ID).
 * A time part keeps them sortable in logs; 80 random bits from crypto make collisions moot.
 */
const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

export function newId(prefix: 'p' | 'r', now = Date.now()): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let rand = '';
  for (const b of bytes) rand += ALPHABET[b % 36];
  return `${prefix}${now.toString(36)}-${rand}`;
}
