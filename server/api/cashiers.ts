import { Hono } from 'hono';
import { CashierError } from '../shifts/cashiers.ts';
import type { Context } from 'hono';
import type { ApiDeps, ApiEnv, ShopDayOf } from './context.ts';
import { fail } from './errors.ts';
import type { ManagerPinGuard } from './manager-pin.ts';
import { jsonBody } from './validate.ts';

/** /api/cashiers: the manager lists, adds and removes the shop's cashiers (the shop's manager PIN on every call). */
export function cashierRoutes(deps: ApiDeps, shopDay: ShopDayOf, pin: ManagerPinGuard) {
  const managerOnly = (c: Context<ApiEnv>) => pin.require(c.get('terminal').id, c.req.header('x-manager-pin'), 'Managing cashiers', c.get('shop').id);
  const cashiers = (c: Context<ApiEnv>) => shopDay(c.get('shop')).cashiers;

  const refuse = (error: unknown): never => {
    if (!(error instanceof CashierError)) throw error;
    if (error.code === 'NOT_FOUND') fail(404, 'NOT_FOUND', error.message);
    fail(error.code === 'CASHIER_EXISTS' ? 409 : 400, error.code, error.message);
  };

  return new Hono<ApiEnv>()
    .get('/', async (c) => {
      await managerOnly(c);
      return c.json({ cashiers: await cashiers(c).list() });
    })
    .post('/', async (c) => {
      await managerOnly(c);
      const body = await jsonBody(c);
      if (typeof body.name !== 'string') fail(400, 'INVALID_CASHIER', '"name" must be the cashier’s name.');
      if (typeof body.pin !== 'string') fail(400, 'INVALID_PIN', '"pin" must be 4 to 6 digits, as text.');
      const cashier = await cashiers(c).add(body.name, body.pin).catch(refuse);
      deps.log.info('cashier added', { cashier: cashier.id, terminal: c.get('terminal').id });
      return c.json(cashier, 201);
    })
    .delete('/:id', async (c) => {
      await managerOnly(c);
      const cashier = await cashiers(c).remove(c.req.param('id')).catch(refuse);
      deps.log.info('cashier removed', { cashier: cashier.id, terminal: c.get('terminal').id });
      return c.json({ ok: true });
    });
}
