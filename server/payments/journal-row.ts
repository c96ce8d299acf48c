import type { Attribution } from './service.ts';

/**
 * The columns a new payment row and a new refund row share: journaled as processing before any
 * gateway call, leased to this instance (which drives it at once), due now, and attributed to
 * the shift and cashier at the till.
 */
export function newJournalRow(now: number, owner: string, leaseMs: number, by: Attribution | undefined) {
  return {
    status: 'processing' as const,
    error_code: null,
    error_message: null,
    next_at: now,
    lease_owner: owner,
    lease_until: now + leaseMs,
    created_at: now,
    updated_at: now,
    shift_id: by?.shift_id ?? null,
    cashier: by?.cashier ?? null,
  };
}
