/** Server state read through @tanstack/svelte-query: one place for keys, intervals and fetchers. */
import { queryOptions } from '@tanstack/svelte-query';
import type { Api } from './api.ts';

export const queryKeys = {
  health: ['health'] as const,
  terminal: ['terminal'] as const,
  payments: (date: string) => ['payments', date] as const,
  payment: (id: string) => ['payment', id] as const,
};

/** Polled all the time: it drives the "server unreachable" banner. 'always' so it also runs when the browser thinks it is offline. */
export const healthQuery = (api: Api) =>
  queryOptions({ queryKey: queryKeys.health, queryFn: api.health, refetchInterval: 5000, retry: false, networkMode: 'always' });

export const terminalQuery = (api: Api) =>
  queryOptions({ queryKey: queryKeys.terminal, queryFn: api.terminal, staleTime: 60_000, retry: 1 });

export const paymentsQuery = (api: Api, date: string) =>
  queryOptions({ queryKey: queryKeys.payments(date), queryFn: () => api.payments(date), refetchInterval: 10_000 });

export const paymentQuery = (api: Api, id: string) =>
  queryOptions({ queryKey: queryKeys.payment(id), queryFn: () => api.payment(id) });

/** The shop's calendar day (YYYY-MM-DD) in its time zone; the server's "today" is the same day. */
export function shopDate(timeZone: string, at = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

export function shiftDate(date: string, days: number): string {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
