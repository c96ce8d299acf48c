import { Hono } from 'hono';
import { REPORT_PERIODS, type ReportPeriod } from '../../shared/shop-day.ts';
import { localDate } from '../payments/shop-time.ts';
import type { ApiDeps, ApiEnv, ShopDayOf } from './context.ts';
import { fail } from './errors.ts';
import type { ManagerPinGuard } from './manager-pin.ts';
import { calendarDate } from './validate.ts';

/**
 * GET /api/report?period=day|week|month&date=YYYY-MM-DD: the owner's report. An owner terminal
 * (the owner's read-only link) reads it as it is; a till needs the manager PIN.
 */
export function reportRoutes(deps: ApiDeps, shopDay: ShopDayOf, pin: ManagerPinGuard) {
  const now = deps.now ?? (() => new Date());
  return new Hono<ApiEnv>().get('/', async (c) => {
    const period = c.req.query('period') ?? 'day';
    if (!(REPORT_PERIODS as readonly string[]).includes(period)) fail(400, 'INVALID_PERIOD', `"period" must be one of ${REPORT_PERIODS.join(', ')} (got "${period}").`);
    const shop = c.get('shop');
    const date = calendarDate(c.req.query('date') ?? localDate(now().getTime(), shop.timeZone));
    const terminal = c.get('terminal');
    if (terminal.role !== 'owner') await pin.require(terminal.id, c.req.header('x-manager-pin'), 'The report', shop.id);
    return c.json(await shopDay(shop).reports.build(period as ReportPeriod, date));
  });
}
