import { describe, expect, it } from 'vitest';
import { AttemptLimiter, type AttemptVerdict } from '../../../server/terminals/rate-limit.ts';

const attempt = (verdict: AttemptVerdict) => {
  if (!verdict.allowed) throw new Error(`refused, retry after ${verdict.retryAfterMs} ms`);
  return verdict.attempt;
};

describe('AttemptLimiter', () => {
  it('allows `limit` failures per window per key, then tells when to retry', () => {
    let now = 0;
    const limiter = new AttemptLimiter({ limit: 5, windowMs: 60_000, now: () => now });
    for (let i = 0; i < 5; i++) expect(attempt(limiter.begin('ip-a')).failed()).toBe(4 - i);
    expect(limiter.begin('ip-a')).toEqual({ allowed: false, retryAfterMs: 60_000 });
    expect(limiter.begin('ip-b').allowed).toBe(true);
    now = 60_001;
    expect(limiter.begin('ip-a').allowed).toBe(true);
  });

  it('never limits successes', () => {
    const limiter = new AttemptLimiter({ limit: 2, windowMs: 60_000 });
    for (let i = 0; i < 10; i++) attempt(limiter.begin('t1')).succeeded();
    expect(limiter.left('t1')).toBe(2);
  });

  it('counts attempts still being checked, so concurrent guesses cannot all get through', () => {
    const limiter = new AttemptLimiter({ limit: 5, windowMs: 60_000 });
    const verdicts = Array.from({ length: 100 }, () => limiter.begin('t1'));
    expect(verdicts.filter((v) => v.allowed)).toHaveLength(5);
    expect(limiter.left('t1')).toBe(0);
  });

  it('takes a cancelled attempt back without clearing the streak', () => {
    const limiter = new AttemptLimiter({ limit: 3, windowMs: 60_000, lockAfter: 3, lockMs: 1_000 });
    attempt(limiter.begin('t1')).failed();
    attempt(limiter.begin('t1')).cancel();
    expect(limiter.left('t1')).toBe(2);
    attempt(limiter.begin('t1')).failed();
    expect(limiter.left('t1')).toBe(1);
  });

  it('locks a key out after repeated failures in a row, and a success resets the streak', () => {
    let now = 0;
    const limiter = new AttemptLimiter({ limit: 100, windowMs: 1_000, lockAfter: 3, lockMs: 900_000, now: () => now });
    attempt(limiter.begin('t1')).failed();
    attempt(limiter.begin('t1')).failed();
    attempt(limiter.begin('t1')).succeeded();
    attempt(limiter.begin('t1')).failed();
    expect(attempt(limiter.begin('t1')).failed()).toBe(1);
    expect(attempt(limiter.begin('t1')).failed()).toBe(0);
    now = 10;
    expect(limiter.begin('t1')).toEqual({ allowed: false, retryAfterMs: 899_990 });
    now = 900_001;
    expect(limiter.begin('t1').allowed).toBe(true);
  });

  it('lifts a lock-out at once when the guess that set it was right', () => {
    const limiter = new AttemptLimiter({ limit: 100, windowMs: 1_000, lockAfter: 2, lockMs: 900_000 });
    attempt(limiter.begin('t1')).failed();
    attempt(limiter.begin('t1')).succeeded();
    expect(limiter.begin('t1').allowed).toBe(true);
  });
});
