import { Hono } from 'hono';
import { TerminalError } from '../terminals/registry.ts';
import type { ApiDeps, ApiEnv } from './context.ts';
import { fail, tooManyAttempts } from './errors.ts';
import { localDate } from '../payments/shop-time.ts';
import { calendarDate, clientId, createPaymentRequest, jsonBody, preferredLanguage, refundRequest } from './validate.ts';

/** /api/payments: create (idempotent by id), follow, list a day, cancel, refund with the manager PIN. */
export function paymentRoutes(deps: ApiDeps) {
  const now = deps.now ?? (() => new Date());

  async function requirePin(terminalId: string, pin: string | undefined): Promise<void> {
    if (pin === undefined || pin === '') fail(403, 'PIN_REQUIRED', 'A refund needs the manager PIN (header X-Manager-Pin).');
    const verdict = deps.limits.pin.check(terminalId);
    if (!verdict.allowed) tooManyAttempts(verdict.retryAfterMs, 'wrong PINs');
    let right: boolean;
    try {
      right = await deps.terminals.checkPin(pin);
    } catch (error) {
      if (error instanceof TerminalError) fail(403, 'PIN_REQUIRED', error.message);
      throw error;
    }
    if (!right) {
      deps.limits.pin.failed(terminalId);
      deps.log.warn('wrong manager PIN', { terminal: terminalId });
      fail(403, 'PIN_WRONG', 'The manager PIN is wrong.');
    }
    deps.limits.pin.succeeded(terminalId);
  }

  return new Hono<ApiEnv>()
    .post('/', async (c) => {
      const request = createPaymentRequest(await jsonBody(c), deps.maxAmountFen, preferredLanguage(c));
      return c.json(await deps.service.create(c.get('terminal').id, request));
    })
    .get('/', async (c) => {
      const date = calendarDate(c.req.query('date') ?? localDate(now().getTime(), deps.timeZone));
      return c.json(await deps.service.list(date));
    })
    // Registered before /:id so "active" is never read as a payment id.
    .get('/active', async (c) => {
      const payment = await deps.service.active(c.get('terminal').id);
      return c.json({ payment: payment ?? null });
    })
    .get('/:id', async (c) => {
      const payment = await deps.service.get(clientId(c.req.param('id')));
      if (!payment) fail(404, 'NOT_FOUND', `No payment ${c.req.param('id')}.`);
      return c.json(payment);
    })
    .post('/:id/cancel', async (c) => {
      return c.json(await deps.service.cancel(clientId(c.req.param('id'))));
    })
    .post('/:id/refunds', async (c) => {
      const paymentId = clientId(c.req.param('id'));
      await requirePin(c.get('terminal').id, c.req.header('x-manager-pin'));
      const request = refundRequest(await jsonBody(c), deps.maxAmountFen);
      return c.json(await deps.service.refund(paymentId, request));
    });
}
