import { describe, expect, it } from 'vitest';
import { AttemptLimiter } from '../../../server/terminals/rate-limit.ts';

describe('AttemptLimiter', () => {
  it('allows `limit` failures per window per key, then tells when to retry', () => {
    let now = 0;
    const limiter = new AttemptLimiter({ limit: 5, windowMs: 60_000, now: () => now });
    for (let i = 0; i < 5; i++) {
      expect(limiter.check('ip-a').allowed).toBe(true);
      limiter.failed('ip-a');
    }
    expect(limiter.check('ip-a')).toEqual({ allowed: false, retryAfterMs: 60_000 });
    expect(limiter.check('ip-b').allowed).toBe(true);
    now = 60_001;
    expect(limiter.check('ip-a').allowed).toBe(true);
  });

  it('never limits successes', () => {
    const limiter = new AttemptLimiter({ limit: 2, windowMs: 60_000 });
    for (let i = 0; i < 10; i++) {
      expect(limiter.check('t1').allowed).toBe(true);
      limiter.succeeded('t1');
    }
  });

  it('locks a key out after repeated failures in a row, and a success resets the streak', () => {
    let now = 0;
    const limiter = new AttemptLimiter({ limit: 100, windowMs: 1_000, lockAfter: 3, lockMs: 900_000, now: () => now });
    limiter.failed('t1');
    limiter.failed('t1');
    limiter.succeeded('t1');
    limiter.failed('t1');
    limiter.failed('t1');
    expect(limiter.check('t1').allowed).toBe(true);
    limiter.failed('t1');
    now = 10;
    expect(limiter.check('t1')).toEqual({ allowed: false, retryAfterMs: 899_990 });
    now = 900_001;
    expect(limiter.check('t1').allowed).toBe(true);
  });
});
