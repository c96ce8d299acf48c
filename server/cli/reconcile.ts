import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { ReconciliationResult } from '../../shared/api.ts';
import { wechatConfig } from '../app.ts';
import { ConfigError, loadConfig, type Config } from '../config.ts';
import { DateOutsideWindow, Reconciler } from '../reconciliation/reconciler.ts';
import { openStore } from '../store/open.ts';
import { createWechatClient } from '../wechat/client.ts';
import type { CliIo } from './terminal.ts';

/**
 * `npm run reconcile -- YYYY-MM-DD`: compares the journal with WeChat's ALL bill of that Beijing
 * day now, stores the result like the daily job does, and prints it; the last stdout line is the
 * JSON result {"date","status","counts","differences"}. Exit 0 when it compared or found no bill
 * yet, 1 on an error, 2 on bad usage. With the built-in simulator the bill comes from the running
 * server's simulator over HTTP (the server holds its ledger file open).
 */
export const RECONCILE_USAGE = `Usage: npm run reconcile -- YYYY-MM-DD

  Compares the journal with WeChat Pay's bill of that day (Beijing time; bills exist from
  10:00 the next day, for 3 months) and prints the differences; the last line is JSON.`;

function billGatewayBase(config: Config): string {
  if (config.wechat.apiBase) return config.wechat.apiBase;
  if (config.tls) throw new ConfigError('WECHAT_API_BASE', 'the built-in simulator of a server on HTTPS is not reachable from this command: set WECHAT_API_BASE to a simulator');
  return `http://127.0.0.1:${config.port}/simulator`;
}

export async function runReconcileCli(args: readonly string[], io: CliIo): Promise<number> {
  const date = args[0];
  if (args.length !== 1 || !date || date.startsWith('-')) {
    io.err(RECONCILE_USAGE);
    return 2;
  }
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
  } catch (error) {
    if (error instanceof ConfigError) return refused(`Configuration error: ${error.message}`);
    throw error;
  }

  const store = await openStore(config);
  const gateway = createWechatClient(wechatConfig(config, base));
  try {
    const reconciler = new Reconciler({ store, gateway });
    try {
      reconciler.checkDate(date);
    } catch (error) {
      if (error instanceof DateOutsideWindow) return refused(error.message);
      throw error;
    }
    const result = await reconciler.run(date);
    describe(result, io);
    print(result);
    return result.status === 'error' ? 1 : 0;
  } finally {
    gateway.close();
    await store.close();
  }
}

function describe(result: ReconciliationResult, io: CliIo): void {
  const { journal, bill, matched } = result.counts;
  if (result.status === 'no_bill') io.out(`${result.date}: no bill from WeChat yet (${result.error}); ${journal} succeeded payments in the journal wait for it.`);
  else if (result.status === 'error') io.out(`${result.date}: reconciliation failed: ${result.error}`);
  else io.out(`${result.date}: ${journal} payments in the journal, ${bill} paid on the bill, ${matched} matched, ${result.differences.length} differences.`);
  for (const d of result.differences) {
    io.out(`  ${d.kind} ${d.out_trade_no}${d.out_refund_no ? ` refund ${d.out_refund_no}` : ''}: journal ${d.journal_fen ?? '-'} fen ${d.journal_status ?? ''}, bill ${d.bill_fen ?? '-'} fen ${d.bill_status ?? ''}`);
  }
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
if (invokedDirectly) {
  process.exitCode = await runReconcileCli(process.argv.slice(2), {
    env: process.env,
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  });
}
