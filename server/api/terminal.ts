import { Hono } from 'hono';
import type { TerminalDetails, TerminalInfo, TerminalList } from '../../shared/api.ts';
import type { ApiDeps, ApiEnv } from './context.ts';
import type { ManagerPinGuard } from './manager-pin.ts';

/**
 * GET /api/terminal: who this device is and how the shop is set up (the web app's header and
 * limits). POST /api/terminal/unpair (manager PIN): this terminal's tokens are revoked at once;
 * the terminal stays and a new pairing link pairs it again.
 */
export function terminalRoutes(deps: ApiDeps, pin: ManagerPinGuard) {
  return new Hono<ApiEnv>()
    .get('/', async (c) => {
      const terminal = c.get('terminal');
      const details: TerminalDetails = {
        terminal: { id: terminal.id, name: terminal.name },
        role: terminal.role ?? 'till',
        mode: deps.mode,
        ...(deps.wallets ? { wallets: deps.wallets } : {}),
        shop_name: deps.shopName,
        time_zone: deps.timeZone,
        max_amount_fen: deps.maxAmountFen,
        pin_configured: await deps.terminals.pinConfigured(),
      };
      return c.json(details);
    })
    .post('/unpair', async (c) => {
      const terminal = c.get('terminal');
      pin.refuseEarly(terminal.id);
      await pin.require(terminal.id, c.req.header('x-manager-pin'), 'Unpairing');
      const revoked = await deps.terminals.unpair(terminal.id);
      deps.log.info('terminal unpaired', { terminal: terminal.id, name: terminal.name, tokens_revoked: revoked });
      return c.json({ ok: true });
    });
}

/** GET /api/terminals: the shop's terminals by name (the history's filter and who refunded). */
export function terminalListRoutes(deps: ApiDeps) {
  return new Hono<ApiEnv>().get('/', async (c) => {
    const terminals: TerminalInfo[] = (await deps.terminals.list()).map(({ id, name }) => ({ id, name }));
    return c.json({ terminals } satisfies TerminalList);
  });
}
