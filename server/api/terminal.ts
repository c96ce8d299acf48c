import { Hono } from 'hono';
import type { ApiDeps, ApiEnv } from './context.ts';

/** GET /api/terminal: who this device is and how the shop is set up (the web app's header and limits). */
export function terminalRoutes(deps: ApiDeps) {
  return new Hono<ApiEnv>().get('/', async (c) => {
    const terminal = c.get('terminal');
    return c.json({
      terminal: { id: terminal.id, name: terminal.name },
      mode: deps.mode,
      shop_name: deps.shopName,
      time_zone: deps.timeZone,
      max_amount_fen: deps.maxAmountFen,
      pin_configured: await deps.terminals.pinConfigured(),
    });
  });
}
