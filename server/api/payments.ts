import { Hono } from 'hono';
import type { ActivePayment, CreatePaymentRequest, RefundList } from '../../shared/api.ts';
import { Refusal } from '../payments/errors.ts';
import type { ApiDeps, ApiEnv } from './context.ts';
import { fail } from './errors.ts';
import type { ManagerPinGuard } from './manager-pin.ts';
import type { Shop } from '../shops/shops.ts';
import type { ShiftStatus } from '../store/types.ts';
import { localDate } from '../payments/shop-time.ts';
import { calendarDate, clientId, createPaymentRequest, jsonBody, listQuery, preferredLanguage, refundRequest } from './validate.ts';

/**
 * /api/payments: create (idempotent by id), follow, list a day a page at a time, cancel, refund with the manager
 * PIN. Reading and refunding are shop-wide (the PIN guards refunds); a terminal cancels only its
 * own payments. Another shop's payment does not exist here (404, whatever its id).
 */
export function paymentRoutes(deps: ApiDeps, pin: ManagerPinGuard) {
  const now = deps.now ?? (() => new Date());

  /**
   * With cashiers, a payment needs the terminal's open shift (409 SHIFT_REQUIRED). A retry of a
   * payment already journaled is answered as always, whatever happened to the shift since: its
   * outcome must never be hidden behind a refusal.
   */
  async function create(terminalId: string, shop: Shop, request: CreatePaymentRequest, shiftStatus: ShiftStatus | undefined) {
    const shifts = deps.shopDay?.(shop).shifts;
    if (!shifts) return deps.service.create(terminalId, request, undefined, shop.id);
    let by;
    try {
      by = await shifts.attribution(terminalId, shiftStatus);
    } catch (error) {
      if (error instanceof Refusal && error.code === 'SHIFT_REQUIRED' && (await deps.service.get(request.id))) return deps.service.create(terminalId, request, undefined, shop.id);
      throw error;
    }
    return deps.service.create(terminalId, request, by, shop.id);
  }

  return new Hono<ApiEnv>()
    .post('/', async (c) => {
      const request = createPaymentRequest(await jsonBody(c), deps.maxAmountFen, preferredLanguage(c), deps.trainingMode ?? false);
      return c.json(await create(c.get('terminal').id, c.get('shop'), request, c.get('shiftStatus')));
    })
    .get('/', async (c) => {
      const shop = c.get('shop');
      const date = calendarDate(c.req.query('date') ?? localDate(now().getTime(), shop.timeZone));
      return c.json(await deps.service.list({ ...listQuery(date, c.req.query()), shop: { id: shop.id, timeZone: shop.timeZone } }));
    })
    // Registered before /:id so "active" is never read as a payment id.
    .get('/active', async (c) => {
      const payment = await deps.service.active(c.get('terminal').id);
      return c.json({ payment: payment ?? null } satisfies ActivePayment);
    })
    .get('/:id', async (c) => {
      const payment = await deps.service.get(clientId(c.req.param('id')), c.get('shop').id);
      if (!payment) fail(404, 'NOT_FOUND', `No payment ${c.req.param('id')}.`);
      return c.json(payment);
    })
    .get('/:id/refunds', async (c) => {
      const refunds = await deps.service.refunds(clientId(c.req.param('id')), c.get('shop').id);
      if (!refunds) fail(404, 'NOT_FOUND', `No payment ${c.req.param('id')}.`);
      return c.json({ refunds } satisfies RefundList);
    })
    .post('/:id/cancel', async (c) => {
      const id = clientId(c.req.param('id'));
      const payment = await deps.service.get(id, c.get('shop').id);
      if (!payment) fail(404, 'NOT_FOUND', `No payment ${id}.`);
      // 403, not 404: every terminal of the shop can read the payment, so hiding it would say nothing true.
      if (payment.terminal !== c.get('terminal').id) fail(403, 'NOT_YOUR_PAYMENT', `Payment ${id} was taken on another terminal: only that terminal can cancel it.`);
      return c.json(await deps.service.cancel(id));
    })
    .post('/:id/refunds', async (c) => {
      const paymentId = clientId(c.req.param('id'));
      const terminalId = c.get('terminal').id;
      const shop = c.get('shop');
      pin.refuseEarly(terminalId);
      const request = refundRequest(await jsonBody(c), deps.maxAmountFen);
      // The payment first: a guess at the PIN needs a real payment of this shop to be checked at all.
      if (!(await deps.service.get(paymentId, shop.id))) fail(404, 'NOT_FOUND', `No payment ${paymentId}.`);
      await pin.require(terminalId, c.req.header('x-manager-pin'), 'A refund', shop.id);
      // The refund records the cashier on shift at this terminal, if any (the manager's PIN authorised it).
      return c.json(await deps.service.refund(paymentId, request, await deps.shopDay?.(shop).shifts.onShift(terminalId), terminalId));
    });
}
