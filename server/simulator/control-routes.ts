import { Hono, type Context } from 'hono';

/** What the control routes need of one wallet's simulated order book. */
export interface ControlBook<Order, Behaviour extends string> {
  /** How errors name an order: "order", "Alipay trade". */
  noun: string;
  /** What an order waiting for the customer waits for, for the NOT_WAITING message. */
  waitingFor: string;
  orders(): Order[];
  orderForCode(code: string): Order | undefined;
  order(outTradeNo: string): Order | undefined;
  state(order: Order): string;
  confirm(outTradeNo: string): boolean;
  decline(outTradeNo: string): boolean;
  isBehaviour(value: unknown): value is Behaviour;
  behaviours(): { behaviour: string }[];
  issueCode(behaviour: Behaviour): string;
  reset(): void;
}

/**
 * JSON control of a simulated wallet, the same for WeChat Pay (/control) and Alipay
 * (/control/alipay): list and read orders, confirm or decline one waiting for the customer,
 * hand out test codes, list behaviours, reset. Guarding them is the mounting app's job.
 */
export function controlRoutes<Order, Behaviour extends string>(book: ControlBook<Order, Behaviour>): Hono {
  const app = new Hono();
  const notFound = (c: Context, outTradeNo: string) => c.json({ error: { code: 'NOT_FOUND', message: `no ${book.noun} ${outTradeNo}` } }, 404);

  app.get('/orders', (c) => {
    // For the phone page: the order charged with one full code.
    const code = c.req.query('auth_code');
    if (code === undefined) return c.json(book.orders());
    const order = book.orderForCode(code);
    return c.json(order ? [order] : []);
  });
  app.get('/orders/:out_trade_no', (c) => {
    const order = book.order(c.req.param('out_trade_no'));
    return order ? c.json(order) : notFound(c, c.req.param('out_trade_no'));
  });
  const decide = (action: 'confirm' | 'decline') => (c: Context) => {
    const outTradeNo = c.req.param('out_trade_no')!;
    const order = book.order(outTradeNo);
    if (!order) return notFound(c, outTradeNo);
    if (!book[action](outTradeNo)) {
      return c.json({ error: { code: 'NOT_WAITING', message: `${book.noun} ${outTradeNo} is ${book.state(order)}, not waiting for ${book.waitingFor}` } }, 409);
    }
    return c.json(book.order(outTradeNo));
  };
  app.post('/orders/:out_trade_no/confirm', decide('confirm'));
  app.post('/orders/:out_trade_no/decline', decide('decline'));
  app.post('/codes', async (c) => {
    let behaviour: unknown = 'success';
    const text = await c.req.text();
    if (text.trim()) {
      try {
        behaviour = (JSON.parse(text) as { behaviour?: unknown }).behaviour ?? 'success';
      } catch {
        return c.json({ error: { code: 'INVALID_JSON', message: 'the body must be JSON like {"behaviour":"password"}' } }, 400);
      }
    }
    if (!book.isBehaviour(behaviour)) {
      return c.json({ error: { code: 'UNKNOWN_BEHAVIOUR', message: `behaviour must be one of: ${book.behaviours().map((b) => b.behaviour).join(', ')}` } }, 400);
    }
    return c.json({ code: book.issueCode(behaviour), behaviour });
  });
  app.get('/behaviours', (c) => c.json(book.behaviours()));
  app.post('/reset', (c) => {
    book.reset();
    return c.json({ ok: true });
  });
  return app;
}
