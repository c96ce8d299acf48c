import type { Order, RefundRecord } from './types.ts';

// ---- the stored form of an order: JSON with instants as epoch milliseconds ----

type Stored = Omit<Order, 'created_at' | 'paid_at' | 'revoked_at' | 'refunds'> & {
  created_at: number;
  paid_at?: number;
  revoked_at?: number;
  refunds: (Omit<RefundRecord, 'accepted_at'> & { accepted_at: number })[];
};

export function serialise(order: Order): string {
  const { paid_at: _paid, revoked_at: _revoked, ...rest } = order;
  const stored: Stored = {
    ...rest,
    created_at: order.created_at.getTime(),
    ...(order.paid_at ? { paid_at: order.paid_at.getTime() } : {}),
    ...(order.revoked_at ? { revoked_at: order.revoked_at.getTime() } : {}),
    refunds: order.refunds.map((r) => ({ ...r, accepted_at: r.accepted_at.getTime() })),
  };
  return JSON.stringify(stored);
}

export function deserialise(json: string): Order {
  const s = JSON.parse(json) as Stored;
  const { paid_at, revoked_at, ...rest } = s;
  return {
    ...rest,
    query_calls: s.query_calls ?? 0,
    created_at: new Date(s.created_at),
    ...(paid_at !== undefined ? { paid_at: new Date(paid_at) } : {}),
    ...(revoked_at !== undefined ? { revoked_at: new Date(revoked_at) } : {}),
    refunds: s.refunds.map((r) => ({ ...r, accepted_at: new Date(r.accepted_at) })),
  };
}
