import { Hono, type Context } from 'hono';
import { DateOutsideWindow, type Reconciler } from '../reconciliation/reconciler.ts';
import { reconciliationCsv } from '../reconciliation/csv.ts';
import type { ApiEnv } from './context.ts';
import { fail } from './errors.ts';
import type { ManagerPinGuard } from './manager-pin.ts';
import { jsonBody, preferredLanguage } from './validate.ts';

/**
 * POST /api/reconciliations {date} runs the comparison of the terminal's shop's journal with each
 * wallet's bill of that Beijing day now; GET /api/reconciliations?date= gives the latest result,
 * and /api/reconciliations.csv?date=[&lang=] its differences as CSV. All with the manager PIN
 * (the shop's). A terminal sees its own shop's reconciliations only.
 */
export function reconciliationRoutes(reconciler: Reconciler, pin: ManagerPinGuard) {
  const checked = (date: unknown): string => {
    if (typeof date !== 'string' || date === '') fail(400, 'INVALID_DATE', '"date" is required: the bill day, YYYY-MM-DD (Beijing time).');
    try {
      reconciler.checkDate(date);
    } catch (error) {
      if (error instanceof DateOutsideWindow) fail(400, 'INVALID_DATE', error.message);
      throw error;
    }
    return date;
  };

  const latest = async (c: Context<ApiEnv>) => {
    const date = checked(c.req.query('date'));
    await pin.require(c.get('terminal').id, c.req.header('x-manager-pin'), 'Reconciliation', c.get('shop').id);
    const result = await reconciler.latest(date, c.get('shop').id);
    if (!result) fail(404, 'NOT_FOUND', `No reconciliation for ${date} yet: run one (POST /api/reconciliations).`);
    return result;
  };

  return new Hono<ApiEnv>()
    .post('/reconciliations', async (c) => {
      const date = checked((await jsonBody(c)).date);
      await pin.require(c.get('terminal').id, c.req.header('x-manager-pin'), 'Reconciliation', c.get('shop').id);
      return c.json(await reconciler.run(date, c.get('shop').id));
    })
    .get('/reconciliations', async (c) => c.json(await latest(c)))
    .get('/reconciliations.csv', async (c) => {
      const result = await latest(c);
      const asked = c.req.query('lang');
      const lang = asked === 'zh' || asked === 'en' ? asked : preferredLanguage(c);
      return c.body(reconciliationCsv(result, lang), 200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="reconciliation-${result.date}.csv"`,
        'cache-control': 'no-store',
      });
    });
}
