import { serve } from '@hono/node-server';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { alipayLedgerFile, createSimulator, SIMULATOR_DEFAULTS, type Simulator } from './app.ts';
import { LedgerInUseError } from './ledger-store.ts';

/**
 * `npm run simulator`: the WeChat Pay v2 simulator alone, on SIMULATOR_PORT (default 8788),
 * loopback only unless SIMULATOR_HOST says otherwise. Credentials come from WECHAT_APPID,
 * WECHAT_MCH_ID and WECHAT_API_KEY, else SIMULATOR_DEFAULTS; SIMULATOR_LATENCY_MS delays
 * every gateway answer. SIMULATOR_LEDGER names a SQLite file that keeps the ledger across
 * restarts (unset: memory only).
 */
function intFromEnv(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  if (!/^\d+$/.test(text)) {
    console.error(`${name} must be a whole number, got "${text}"`);
    process.exit(2);
  }
  return Number(text);
}

const port = intFromEnv('SIMULATOR_PORT', 8788);
const host = process.env.SIMULATOR_HOST || '127.0.0.1';
const appid = process.env.WECHAT_APPID || SIMULATOR_DEFAULTS.appid;
const mchId = process.env.WECHAT_MCH_ID || SIMULATOR_DEFAULTS.mch_id;
const key = process.env.WECHAT_API_KEY || SIMULATOR_DEFAULTS.key;

const ledgerFile = process.env.SIMULATOR_LEDGER ? resolve(process.env.SIMULATOR_LEDGER) : undefined;

const controlToken = randomBytes(24).toString('base64url');
let simulator: Simulator;
try {
  simulator = createSimulator({ appid, mch_id: mchId, key, latencyMs: intFromEnv('SIMULATOR_LATENCY_MS', 0), controlToken, ...(ledgerFile ? { ledgerFile } : {}) });
} catch (error) {
  console.error(`SIMULATOR_LEDGER: ${error instanceof LedgerInUseError ? error.message : `cannot open ${ledgerFile}: ${(error as Error).message}`}`);
  process.exit(2);
}
const server = serve({ fetch: simulator.app.fetch, port, hostname: host }, (info) => {
  const base = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${info.port}`;
  console.log(`WeChat Pay v2 simulator on ${base} (appid ${appid}, mch_id ${mchId}${process.env.WECHAT_API_KEY ? '' : ', default key'})`);
  console.log(`  ledger: ${ledgerFile ? `${ledgerFile} (Alipay: ${alipayLedgerFile(ledgerFile)})` : 'in memory (set SIMULATOR_LEDGER=<file> to keep it across restarts)'}`);
  console.log(`  customer phone page: ${base}/phone`);
  console.log(`  gateway: ${base}/pay/micropay …   control: ${base}/control/orders`);
  console.log(`  Alipay gateway: ${base}/alipay/gateway.do   control: ${base}/control/alipay/orders`);
  console.log(`  control API from another machine: header X-Simulator-Token: ${controlToken} (phone page: ${base}/phone#token=${controlToken})`);
});

const stop = () => {
  simulator.close();
  server.close(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
