import { createHmac, randomBytes, randomFillSync } from 'node:crypto';
import { localStamp } from './shop-time.ts';

/**
 * Server-made out_trade_no: shop-local timestamp + 12 random hex chars ("P20261128100000a1b2c3d4e5f6",
 * 27 chars; WeChat allows ≤32 of [0-9A-Za-z_-|*]). Made once when the payment is journaled and never
 * changed, so every query and reverse names the same order.
 */
export function newOutTradeNo(nowMs: number, timeZone: string): string {
  return `P${localStamp(nowMs, timeZone)}${randomHex6()}`;
}

/** Random bytes drawn from a pool filled 4 KiB at a time: one call into OpenSSL per 682 payments, not per payment. */
const pool = Buffer.alloc(4096);
let used = pool.length;
function randomHex6(): string {
  if (used + 6 > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  used += 6;
  return pool.toString('hex', used - 6, used);
}

export const OUT_TRADE_NO = /^[0-9A-Za-z_-]{1,32}$/;

/**
 * Fingerprint of a payment code to recognise an idempotent retry. An HMAC with a server secret, not
 * a bare hash: the journal keeps the first and last 4 digits, so a bare SHA-256 of the ten hidden
 * digits could be brute-forced in seconds.
 */
export function codeFingerprint(code: string, secret: string): string {
  return createHmac('sha256', secret).update(code).digest('hex');
}

export function newSecret(): string {
  return randomBytes(32).toString('hex');
}
