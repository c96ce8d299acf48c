import { Hono } from 'hono';
import { localDate } from '../payments/shop-time.ts';
import { chainSummary, type SummaryStore } from '../shops/summary.ts';
import type { ShopDirectory } from '../shops/shops.ts';
import type { ApiDeps, ApiEnv } from './context.ts';
import { calendarDate } from './validate.ts';

/**
 * /api/operator: the chain's routes, for an operator token only (auth.ts refuses every other
 * terminal, and refuses an operator token everywhere else). GET /summary?date=YYYY-MM-DD: every
 * shop's day and the chain's sums (default: today in the server's time zone).
 */
export function operatorRoutes(deps: ApiDeps, store: SummaryStore, shops: ShopDirectory) {
  const now = deps.now ?? (() => new Date());
  return new Hono<ApiEnv>().get('/summary', async (c) => {
    const date = calendarDate(c.req.query('date') ?? localDate(now().getTime(), deps.timeZone));
    return c.json(await chainSummary(store, shops, date));
  });
}
