import { Hono, type Context } from 'hono';
import { ALIPAY_BEHAVIOUR_NAMES, alipayTestCodeList, isAlipayBehaviour } from '../test-codes.ts';
import type { AlipayLedger } from './ledger.ts';

/**
 * JSON control of the Alipay simulator, mounted at /control/alipay beside the WeChat control
 * routes and shaped like them: list and read trades, confirm or decline a trade waiting for
 * the customer, hand out test codes, reset.
 */
export function controlRoutes(ledger: AlipayLedger): Hono {
  const app = new Hono();
  const notFound = (c: Context, outTradeNo: string) => c.json({ error: { code: 'NOT_FOUND', message: `no Alipay trade ${outTradeNo}` } }, 404);

  app.get('/orders', (c) => {
    // For the phone page: the trade charged with one full code.
    const code = c.req.query('auth_code');
    if (code === undefined) return c.json(ledger.trades());
    const trade = ledger.tradeForCode(code);
    return c.json(trade ? [trade] : []);
  });
  app.get('/orders/:out_trade_no', (c) => {
    const trade = ledger.trade(c.req.param('out_trade_no'));
    return trade ? c.json(trade) : notFound(c, c.req.param('out_trade_no'));
  });
  const decide = (action: 'confirm' | 'decline') => (c: Context) => {
    const outTradeNo = c.req.param('out_trade_no')!;
    const trade = ledger.trade(outTradeNo);
    if (!trade) return notFound(c, outTradeNo);
    if (!ledger[action](outTradeNo)) {
      return c.json({ error: { code: 'NOT_WAITING', message: `trade ${outTradeNo} is ${trade.trade_status}, not waiting for the customer` } }, 409);
    }
    return c.json(ledger.trade(outTradeNo));
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
    if (!isAlipayBehaviour(behaviour)) {
      return c.json({ error: { code: 'UNKNOWN_BEHAVIOUR', message: `behaviour must be one of: ${ALIPAY_BEHAVIOUR_NAMES.join(', ')}` } }, 400);
    }
    return c.json({ code: ledger.issueCode(behaviour), behaviour });
  });
  app.get('/behaviours', (c) => c.json(alipayTestCodeList()));
  app.post('/reset', (c) => {
    ledger.reset();
    return c.json({ ok: true });
  });
  return app;
}
