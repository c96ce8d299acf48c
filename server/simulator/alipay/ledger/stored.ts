import type { Refund, Trade } from './types.ts';

// ---- the stored form of a trade: JSON with instants as epoch milliseconds ----

type Stored = Omit<Trade, 'created_at' | 'paid_at' | 'closed_at' | 'refunds'> & {
  created_at: number;
  paid_at?: number;
  closed_at?: number;
  refunds: (Omit<Refund, 'at'> & { at: number })[];
};

export function serialiseTrade(trade: Trade): string {
  const { paid_at: _paid, closed_at: _closed, ...rest } = trade;
  const stored: Stored = {
    ...rest,
    created_at: trade.created_at.getTime(),
    ...(trade.paid_at ? { paid_at: trade.paid_at.getTime() } : {}),
    ...(trade.closed_at ? { closed_at: trade.closed_at.getTime() } : {}),
    refunds: trade.refunds.map((r) => ({ ...r, at: r.at.getTime() })),
  };
  return JSON.stringify(stored);
}

export function deserialiseTrade(json: string): Trade {
  const s = JSON.parse(json) as Stored;
  const { paid_at, closed_at, ...rest } = s;
  return {
    ...rest,
    created_at: new Date(s.created_at),
    ...(paid_at !== undefined ? { paid_at: new Date(paid_at) } : {}),
    ...(closed_at !== undefined ? { closed_at: new Date(closed_at) } : {}),
    refunds: s.refunds.map((r) => ({ ...r, at: new Date(r.at) })),
  };
}
