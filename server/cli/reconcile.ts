import type { ReconciliationResult } from '../../shared/api.ts';
import { alipayClient, wechatConfig } from '../app.ts';
import { ConfigError, loadConfig, type Config } from '../config.ts';
import { DateOutsideWindow, Reconciler } from '../reconciliation/reconciler.ts';
import { ShopDirectory } from '../shops/shops.ts';
import { openStore } from '../store/open.ts';
import { DEFAULT_SHOP_ID } from '../store/types.ts';
import { createWechatClient } from '../wechat/client.ts';
import { runWhenInvoked, type CliIo } from './main.ts';

/**
 * `npm run reconcile -- YYYY-MM-DD [--shop ID]`: compares a shop's journal (default: the default
 * shop's) with each enabled wallet's bill of that Beijing day now (WeChat's ALL bill of the
 * shop's sub-merchant, Alipay's trade bill unless Alipay is off), stores the result like the
 * daily job does, and prints it; the last stdout line is the JSON result
 * {"date","shop","status","counts","differences","wallets"}. Exit 0 when it compared or found no
 * bill yet, 1 on an error, 2 on bad usage. With the built-in simulator the bills come from the
 * running server's simulator over HTTP (the server holds its ledger file open).
 */
export const RECONCILE_USAGE = `Usage: npm run reconcile -- YYYY-MM-DD [--shop ID]

  Compares a shop's journal (without --shop: the default shop; ID or name) with WeChat Pay's
  and Alipay's bills of that day (Beijing time; bills exist from 10:00 the next day, for
  3 months) and prints the differences; the last line is JSON.`;

function parseArgs(args: readonly string[]): { date: string; shop: string | undefined } | undefined {
  const rest = [...args];
  let shop: string | undefined;
  const at = rest.indexOf('--shop');
  if (at >= 0) {
    shop = rest[at + 1];
    if (!shop || shop.startsWith('-')) return undefined;
    rest.splice(at, 2);
  }
  const date = rest[0];
  if (rest.length !== 1 || !date || date.startsWith('-')) return undefined;
  return { date, shop };
}

function billGatewayBase(config: Config): string {
  if (config.wechat.apiBase) return config.wechat.apiBase;
  if (config.tls) throw new ConfigError('WECHAT_API_BASE', 'the built-in simulator of a server on HTTPS is not reachable from this command: set WECHAT_API_BASE to a simulator');
  return `http://127.0.0.1:${config.port}/simulator`;
}

export async function runReconcileCli(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseArgs(args);
  if (!parsed) {
    io.err(RECONCILE_USAGE);
    return 2;
  }
  const { date } = parsed;
  const print = (result: ReconciliationResult) => io.out(JSON.stringify(result));
  const refused = (error: string): number => {
    io.err(error);
    print({ date, status: 'error', counts: { journal: 0, bill: 0, matched: 0 }, differences: [], error });
    return 2;
  };
  let config: Config;
  let base: string;
  try {
    config = loadConfig(io.env);
    base = billGatewayBase(config);
    if (config.alipay.mode === 'simulator' && config.alipay.gateway === undefined && config.tls) {
      throw new ConfigError('ALIPAY_GATEWAY', 'the built-in simulator of a server on HTTPS is not reachable from this command: set ALIPAY_GATEWAY to a simulator');
    }
  } catch (error) {
    if (error instanceof ConfigError) return refused(`Configuration error: ${error.message}`);
    throw error;
  }

  const store = await openStore(config);
  const gateway = createWechatClient(wechatConfig(config, base));
  // Alipay on the built-in simulator (no ALIPAY_GATEWAY) is the running server's, over HTTP like WeChat's.
  const alipay = alipayClient(config, config.tls ? undefined : `http://127.0.0.1:${config.port}/simulator`);
  try {
    const shops = new ShopDirectory({ store, defaults: { name: config.flow.body, timeZone: config.flow.timeZone } });
    const shop = parsed.shop === undefined ? DEFAULT_SHOP_ID : (await shops.find(parsed.shop))?.id;
    if (shop === undefined) return refused(`No shop "${parsed.shop}" (npm run shop -- list shows them).`);
    const reconciler = new Reconciler({ store, gateway, ...(alipay ? { alipay: alipay.client } : {}), shops });
    try {
      reconciler.checkDate(date);
    } catch (error) {
      if (error instanceof DateOutsideWindow) return refused(error.message);
      throw error;
    }
    const result = await reconciler.run(date, shop);
    describe(result, io);
    if (result.status === 'error' && config.mode === 'simulator' && /cannot reach/.test(result.error ?? '')) {
      io.err(`The built-in simulator's bills come from the running server: start it first (npm start) with the same PORT (${config.port}) and DATA_DIR.`);
    }
    print(result);
    return result.status === 'error' ? 1 : 0;
  } finally {
    gateway.close();
    alipay?.client.close();
    await store.close();
  }
}

function describe(result: ReconciliationResult, io: CliIo): void {
  const { journal, bill, matched } = result.counts;
  const day = `${result.date}${result.shop && result.shop !== DEFAULT_SHOP_ID ? ` (shop ${result.shop})` : ''}`;
  if (result.status === 'no_bill') io.out(`${day}: no bill yet (${result.error}); ${journal} succeeded payments in the journal wait for it.`);
  else if (result.status === 'error') io.out(`${day}: reconciliation failed: ${result.error}`);
  else io.out(`${day}: ${journal} payments in the journal, ${bill} paid on the bills, ${matched} matched, ${result.differences.length} differences.`);
  for (const w of result.wallets ?? []) {
    io.out(`  ${w.wallet}: ${w.status}, ${w.counts.journal} in the journal, ${w.counts.bill} on the bill, ${w.counts.matched} matched, ${w.differences} differences${w.error ? ` (${w.error})` : ''}`);
  }
  for (const d of result.differences) {
    io.out(`  ${d.wallet ?? 'wechat'} ${d.kind} ${d.out_trade_no}${d.out_refund_no ? ` refund ${d.out_refund_no}` : ''}: journal ${d.journal_fen ?? '-'} fen ${d.journal_status ?? ''}, bill ${d.bill_fen ?? '-'} fen ${d.bill_status ?? ''}`);
  }
}

await runWhenInvoked(import.meta.url, runReconcileCli);
