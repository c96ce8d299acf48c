/**
 * Every timing and limit of the payment flow. The API maps the contract's env vars onto it
 * (PAY_DEADLINE_MS, PAY_POLL_INTERVAL_MS, PAY_REVERSE_MIN_AGE_MS; GATEWAY_TIMEOUT_MS belongs to
 * the WeChat client). Defaults follow WeChat's guidance (docs/wechat-protocol.md), polling faster
 * than its 10 s suggestion so the cashier sees the answer soon after the customer confirms.
 */
export interface FlowConfig {
  /** From submission: still open then → reverse. */
  deadlineMs: number;
  /** Between two order queries while the outcome is open. */
  pollIntervalMs: number;
  /** Never reverse earlier than this after submission (WeChat: 15 s). */
  reverseMinAgeMs: number;
  maxAmountFen: number;
  /** IANA zone of the shop: days, totals and WeChat's time_start/time_expire. */
  timeZone: string;
  /** WeChat's `body` prefix, e.g. the shop name. */
  body: string;
  spbillCreateIp?: string;
  /** The WeChat client's timeout (GATEWAY_TIMEOUT_MS): leases are kept longer than a call with failover. */
  gatewayTimeoutMs?: number;
  /** Reverse calls before the payment is flagged needs_attention (background tries go on). */
  reverseMaxAttempts?: number;
  /** First reverse retry delay; doubles each retry up to reverseBackoffMaxMs. */
  reverseBackoffMs?: number;
  reverseBackoffMaxMs?: number;
  /**
   * How long after submission a payment the cashier was told did not go through (WeChat had no
   * such order, or the micropay failed) is still checked for a charge arriving late: a payment
   * code lives about a minute, so 3 minutes covers it. A charge found is reversed automatically.
   */
  lateChargeWatchMs?: number;
  /** Between two of those checks. */
  lateChargeCheckMs?: number;
  /** Pace of background work on needs_attention payments and unsettled refunds. */
  attentionIntervalMs?: number;
  /** Row lease of the instance working on a payment; must outlast one gateway call with failover. */
  leaseMs?: number;
  /** How often the recovery worker looks for due work (other instances' expired leases included). */
  sweepIntervalMs?: number;
  /** create() answers once the first gateway answer is in, or after this long (then the client polls). */
  respondWithinMs?: number;
  /** refund() waits this long for refundquery to confirm before answering "processing". */
  refundConfirmMs?: number;
  /** Language of the error messages stored with payments. */
  language?: 'zh' | 'en';
}

export type ResolvedFlowConfig = Required<Omit<FlowConfig, 'spbillCreateIp' | 'gatewayTimeoutMs'>> & Pick<FlowConfig, 'spbillCreateIp' | 'gatewayTimeoutMs'>;

export const FLOW_DEFAULTS: ResolvedFlowConfig = {
  deadlineMs: 45_000,
  pollIntervalMs: 2_000,
  reverseMinAgeMs: 15_000,
  maxAmountFen: 10_000_000,
  timeZone: 'Asia/Shanghai',
  body: 'Shop-POS',
  spbillCreateIp: '127.0.0.1',
  reverseMaxAttempts: 6,
  reverseBackoffMs: 1_000,
  reverseBackoffMaxMs: 30_000,
  attentionIntervalMs: 60_000,
  lateChargeWatchMs: 180_000,
  lateChargeCheckMs: 10_000,
  leaseMs: 60_000,
  sweepIntervalMs: 5_000,
  respondWithinMs: 3_000,
  refundConfirmMs: 4_000,
  language: 'en',
};

export function resolveFlowConfig(config: Partial<FlowConfig>): ResolvedFlowConfig {
  const merged = { ...FLOW_DEFAULTS };
  for (const [k, v] of Object.entries(config)) if (v !== undefined) (merged as Record<string, unknown>)[k] = v;
  for (const k of ['deadlineMs', 'pollIntervalMs', 'reverseMinAgeMs', 'reverseBackoffMs', 'attentionIntervalMs', 'lateChargeWatchMs', 'lateChargeCheckMs', 'leaseMs', 'sweepIntervalMs'] as const) {
    const v = merged[k];
    if (!Number.isFinite(v) || v < 0) throw new RangeError(`FlowConfig.${k} must be a non-negative number of ms, got ${v}`);
  }
  // A lease must outlive one gateway call on the main host plus one on the backup host.
  if (merged.gatewayTimeoutMs !== undefined) merged.leaseMs = Math.max(merged.leaseMs, 2 * merged.gatewayTimeoutMs + 10_000);
  if (merged.pollIntervalMs <= 0) throw new RangeError('FlowConfig.pollIntervalMs must be positive');
  if (merged.lateChargeCheckMs <= 0) throw new RangeError('FlowConfig.lateChargeCheckMs must be positive');
  if (!Number.isSafeInteger(merged.maxAmountFen) || merged.maxAmountFen <= 0) throw new RangeError('FlowConfig.maxAmountFen must be a positive integer');
  return merged;
}
