import { randomBytes, randomInt } from 'node:crypto';
import { beijingDay } from './time.ts';

function digits(n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += String(randomInt(10));
  return out;
}

/** Mints WeChat-shaped identifiers; a per-instance counter keeps them unique even with a frozen clock. */
export function createIdMint() {
  let seq = 0;
  const next = () => String(++seq % 10_000).padStart(4, '0');
  return {
    /** 28 digits like WeChat's `4200001234202611281234567890`. */
    transactionId: (now: Date) => `420000${next()}${beijingDay(now)}${digits(10)}`,
    /** 29 digits like WeChat's `50300001234202611281234567890`. */
    refundId: (now: Date) => `50300${next()}${beijingDay(now)}${digits(12)}`,
    /** 10 digits like a coupon or promotion id (`2683768328`). */
    couponId: () => `2${digits(9)}`,
    /** 28 characters like a real openid (`oUpF8uMuAJO_M2pxb1Q9zNjWeS6o`). */
    openid: () => `o${randomBytes(21).toString('base64url').slice(0, 27)}`,
  };
}

/** 32 random alphanumerics for an answer's nonce_str. */
export function nonceStr(): string {
  return randomBytes(24).toString('base64url').replace(/[-_]/g, 'x').slice(0, 32);
}
