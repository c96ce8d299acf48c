import { Hono, type Context } from 'hono';
import { addDays } from '../reports/periods.ts';
import type { ApiDeps, ApiEnv, ShopDayOf } from './context.ts';
import { fail } from './errors.ts';
import type { ManagerPinGuard } from './manager-pin.ts';
import { calendarDate, preferredLanguage } from './validate.ts';
import type { CsvExport, DayRange } from '../exports/index.ts';

/** Longest range one export covers: a year of days. */
const MAX_DAYS = 366;

/** GET /api/exports/payments.csv and /refunds.csv?from=&to=[&lang=zh|en], with the manager PIN (owner terminals too). */
export function exportRoutes(deps: ApiDeps, shopDay: ShopDayOf, pin: ManagerPinGuard) {
  function range(c: Context): DayRange {
    const from = c.req.query('from');
    const to = c.req.query('to');
    if (!from || !to) fail(400, 'INVALID_RANGE', '"from" and "to" are required: the first and last shop day, YYYY-MM-DD.');
    calendarDate(from);
    calendarDate(to);
    if (from > to) fail(400, 'INVALID_RANGE', `"from" (${from}) is after "to" (${to}).`);
    if (addDays(from, MAX_DAYS - 1) < to) fail(400, 'INVALID_RANGE', `One export covers at most ${MAX_DAYS} days.`);
    return { from, to };
  }

  const lang = (c: Context): 'zh' | 'en' => {
    const asked = c.req.query('lang');
    return asked === 'zh' || asked === 'en' ? asked : preferredLanguage(c);
  };

  const send = (c: Context, csv: CsvExport): Response =>
    c.body(csv.stream, 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${csv.filename}"`,
      'cache-control': 'no-store',
    });

  return new Hono<ApiEnv>()
    .get('/payments.csv', async (c) => {
      const r = range(c);
      await pin.require(c.get('terminal').id, c.req.header('x-manager-pin'), 'An export', c.get('shop').id);
      return send(c, await shopDay(c.get('shop')).exports.payments(r, lang(c)));
    })
    .get('/refunds.csv', async (c) => {
      const r = range(c);
      await pin.require(c.get('terminal').id, c.req.header('x-manager-pin'), 'An export', c.get('shop').id);
      return send(c, await shopDay(c.get('shop')).exports.refunds(r, lang(c)));
    });
}
