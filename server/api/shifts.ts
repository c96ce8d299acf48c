import { Hono } from 'hono';
import type { Context } from 'hono';
import { CASHIER_PIN } from '../../shared/shop-day.ts';
import { localDate } from '../payments/shop-time.ts';
import type { ApiDeps, ApiEnv, ShopDayOf } from './context.ts';
import { fail } from './errors.ts';
import type { ManagerPinGuard } from './manager-pin.ts';
import { calendarDate, jsonBody } from './validate.ts';

/**
 * /api/shifts: a cashier opens a shift on this terminal with their PIN, the terminal closes it
 * (hand-over report), and anyone reads a day's shifts. Cashier PINs are guessed under the same
 * limits as the manager PIN, counted per terminal apart from it.
 */
export function shiftRoutes(deps: ApiDeps, shopDay: ShopDayOf, pin: ManagerPinGuard) {
  const now = deps.now ?? (() => new Date());
  const day = (c: Context<ApiEnv>) => shopDay(c.get('shop'));

  async function identify(c: Context<ApiEnv>, cashierPin: unknown) {
    const { cashiers } = day(c);
    if (typeof cashierPin !== 'string' || !CASHIER_PIN.test(cashierPin)) fail(400, 'INVALID_PIN', '"cashier_pin" must be the cashier’s PIN: 4 to 6 digits.');
    if (!(await cashiers.exist())) fail(409, 'NO_CASHIERS', 'This shop has no cashiers: the till takes payments without a shift.');
    return pin.cashier(c.get('terminal').id, () => cashiers.identify(cashierPin));
  }

  async function mayClose(c: Context<ApiEnv>, shiftTerminal: string): Promise<void> {
    const terminal = c.get('terminal');
    if (shiftTerminal === terminal.id) return;
    // A shift left open on a broken or lost tablet: the manager closes it from another one.
    if (!c.req.header('x-manager-pin')) fail(403, 'NOT_YOUR_SHIFT', 'This shift is another terminal’s: only that terminal, or the manager PIN, closes it.');
    pin.refuseEarly(terminal.id);
    await pin.require(terminal.id, c.req.header('x-manager-pin'), 'Closing another terminal’s shift', c.get('shop').id);
  }

  return new Hono<ApiEnv>()
    .post('/', async (c) => {
      const terminal = c.get('terminal');
      pin.refuseEarly(terminal.id, 'cashier');
      const cashier = await identify(c, (await jsonBody(c)).cashier_pin);
      const shift = await day(c).shifts.open(terminal.id, cashier);
      deps.log.info('shift opened', { shift: shift.id, terminal: terminal.id, cashier: cashier.id });
      return c.json(shift);
    })
    .get('/', async (c) => {
      const date = calendarDate(c.req.query('date') ?? localDate(now().getTime(), c.get('shop').timeZone));
      return c.json({ date, shifts: await day(c).shifts.list(date) });
    })
    // Registered before /:id routes so "current" is never read as a shift id.
    .get('/current', async (c) => c.json(await day(c).shifts.current(c.get('terminal').id)))
    .post('/:id/close', async (c) => {
      const id = c.req.param('id');
      const { shifts } = day(c);
      // Another shop's shift is not found here.
      const shift = await shifts.shift(id);
      if (!shift) fail(404, 'NOT_FOUND', `No shift ${id}.`);
      await mayClose(c, shift.terminal_id);
      const report = await shifts.close(id, c.get('terminal').id);
      deps.log.info('shift closed', { shift: id, terminal: shift.terminal_id, by: c.get('terminal').id, count: report.totals.count, net_fen: report.totals.net_fen });
      return c.json(report);
    });
}
