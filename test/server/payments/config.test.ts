import { describe, expect, it } from 'vitest';
import { FLOW_DEFAULTS, resolveFlowConfig } from '../../../server/payments/config.ts';

describe('resolveFlowConfig', () => {
  it('fills every optional timing from the defaults', () => {
    const c = resolveFlowConfig({ deadlineMs: 30_000, pollIntervalMs: 1_000, reverseMinAgeMs: 15_000, maxAmountFen: 100, timeZone: 'UTC', body: 'X' });
    expect(c).toMatchObject({ deadlineMs: 30_000, reverseMaxAttempts: FLOW_DEFAULTS.reverseMaxAttempts, leaseMs: FLOW_DEFAULTS.leaseMs, language: 'en' });
  });

  it('keeps a lease longer than a gateway call with failover', () => {
    expect(resolveFlowConfig({ gatewayTimeoutMs: 60_000 }).leaseMs).toBe(130_000);
    expect(resolveFlowConfig({ gatewayTimeoutMs: 5_000 }).leaseMs).toBe(FLOW_DEFAULTS.leaseMs);
  });

  it('refuses negative timings and a zero poll interval', () => {
    expect(() => resolveFlowConfig({ deadlineMs: -1 })).toThrow(RangeError);
    expect(() => resolveFlowConfig({ pollIntervalMs: 0 })).toThrow(/pollIntervalMs/);
    expect(() => resolveFlowConfig({ maxAmountFen: 1.5 })).toThrow(/maxAmountFen/);
  });
});
