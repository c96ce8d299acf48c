/** Server state read through @tanstack/svelte-query: one place for keys, intervals and fetchers. */
import { infiniteQueryOptions, queryOptions } from '@tanstack/svelte-query';
import type { Api, Health, ListQuery } from './api.ts';
import { KEYS, browserStorage, readJson, writeJson } from './local-store.ts';

export const queryKeys = {
  health: ['health'] as const,
  terminal: ['terminal'] as const,
  terminals: ['terminals'] as const,
  payments: (query: Omit<ListQuery, 'cursor'>) => ['payments', query] as const,
  payment: (id: string) => ['payment', id] as const,
  refunds: (id: string) => ['refunds', id] as const,
};

/**
 * Polled all the time: it keeps the server link fresh (banner, Charge key). 'always' so it also
 * runs when the browser thinks it is offline. The last answer is remembered, so a training till
 * shows its banner from the first frame (no jump when it arrives), offline too.
 */
export const healthQuery = (api: Api) =>
  queryOptions({
    queryKey: queryKeys.health,
    queryFn: async () => {
      const health = await api.health();
      writeJson(browserStorage(), KEYS.health, health);
      return health;
    },
    initialData: () => readJson<Health>(browserStorage(), KEYS.health),
    initialDataUpdatedAt: 0,
    refetchInterval: 5000,
    retry: false,
    networkMode: 'always',
  });

export const terminalQuery = (api: Api) =>
  queryOptions({ queryKey: queryKeys.terminal, queryFn: api.terminal, staleTime: 60_000, retry: 1 });

export const terminalsQuery = (api: Api) =>
  queryOptions({ queryKey: queryKeys.terminals, queryFn: api.terminals, staleTime: 60_000 });

/** A day's payments a page at a time (newest first); kept on screen when the server goes away. */
export const paymentPagesQuery = (api: Api, query: Omit<ListQuery, 'cursor'>) =>
  infiniteQueryOptions({
    queryKey: queryKeys.payments(query),
    queryFn: ({ pageParam }) => api.payments({ ...query, ...(pageParam ? { cursor: pageParam } : {}) }),
    initialPageParam: '',
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    refetchInterval: 10_000,
    networkMode: 'always',
    retry: false,
  });

/** This terminal's last few sales of today, beside the checkout. */
export const recentQuery = (api: Api, date: string, terminal: string) =>
  queryOptions({
    queryKey: queryKeys.payments({ date, limit: 5, terminal }),
    queryFn: () => api.payments({ date, limit: 5, terminal }),
    refetchInterval: 15_000,
    networkMode: 'always',
    retry: false,
    enabled: terminal !== '',
  });

export const paymentQuery = (api: Api, id: string) =>
  queryOptions({ queryKey: queryKeys.payment(id), queryFn: () => api.payment(id) });

export const refundsQuery = (api: Api, id: string) =>
  queryOptions({ queryKey: queryKeys.refunds(id), queryFn: () => api.refunds(id) });

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** The shop's calendar day (YYYY-MM-DD) in its time zone; the server's "today" is the same day. */
export function shopDate(timeZone: string, at = new Date()): string {
  let f = dayFormats.get(timeZone);
  if (!f) dayFormats.set(timeZone, (f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })));
  return f.format(at);
}

export function shiftDate(date: string, days: number): string {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
