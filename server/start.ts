import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from './app.ts';
import { pairUrl } from './cli/terminal.ts';
import { ConfigError, loadConfig, trainingMode, type Config } from './config.ts';
import { TerminalError } from './terminals/registry.ts';
import { lanHosts } from './tls/local-ca.ts';

/**
 * `npm start`: builds the web app when its sources are newer than the build, serves the POS,
 * its API and (without credentials) the WeChat Pay simulator, resumes unfinished payments and
 * prints a pairing link while no tablet is paired. SKIP_WEB_BUILD=1 serves dist/web as it is.
 */

const WEB_SOURCES = ['web', 'shared', 'vite.config.ts'];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

async function buildWebIfStale(): Promise<void> {
  if (process.env.SKIP_WEB_BUILD === '1' || !existsSync('web/index.html')) return;
  const built = existsSync('dist/web/index.html') ? statSync('dist/web/index.html').mtimeMs : 0;
  if (built >= Math.max(...WEB_SOURCES.map(newestMtime))) return;
  console.log('Building the web app (vite build)…');
  try {
    const { build } = await import('vite');
    await build({ configFile: 'vite.config.ts', logLevel: 'warn' });
  } catch (error) {
    // The API and the payments in the journal matter more than a fresh UI: serve what exists.
    console.error(`The web app did not build (${(error as Error).message.split('\n')[0]}); ${built ? 'serving the previous build' : 'the API runs without it'}.`);
  }
}

function readConfig(): Config {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`Configuration error: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
}

const config = readConfig();
for (const warning of config.warnings) console.warn(`Warning: ${warning}`);
await buildWebIfStale();

let server: Awaited<ReturnType<typeof createServer>>;
try {
  server = await createServer(config);
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') console.error(`Port ${config.port} is in use: stop the other server or set PORT.`);
  else console.error(`Could not start: ${(error as Error).message.split('\n')[0]}`);
  process.exit(1);
}

const source = config.builtInSimulator ? 'built-in simulator' : config.wechat.apiBase;
console.log(`micropay-pos on ${server.url} (${config.mode} mode)`);
console.log(`  WeChat Pay gateway: ${source}; journal in ${config.dataDir}`);
const alipaySource = config.alipay.mode === 'off' ? 'off (ALIPAY_GATEWAY / ALIPAY_* keys turn it on)' : `${server.alipayGateway} (${config.alipay.mode}${config.alipay.mode === 'simulator' ? ', test keys, training mode' : ''})`;
console.log(`  Alipay gateway: ${alipaySource}`);
if (config.mode === 'simulator') {
  console.log(
    trainingMode(config)
      ? '  TRAINING MODE 训练模式: no real money moves; only the simulator\'s test payment codes are accepted (SIMULATOR_ACCEPT_ANY_CODE=1 takes any code)'
      : '  TRAINING MODE 训练模式: no real money moves; SIMULATOR_ACCEPT_ANY_CODE=1: any WeChat code "pays" at once',
  );
}
const lan = config.host === undefined ? lanHosts().filter((h) => /^\d+\.\d+\.\d+\.\d+$/.test(h) && h !== '127.0.0.1') : [];
const lanUrl = (ip: string) => `${config.tls ? 'https' : 'http'}://${ip}:${server.port}`;
if (lan.length) {
  // Tablets reach the server by a LAN address; without HTTPS Chrome keeps the service worker and WebHID off there.
  const refused = config.mode === 'live' && !config.tls && !config.allowInsecureHttp;
  const note = config.tls ? '' : refused ? '  (refused over plain HTTP in live mode: npm run cert, then TLS_CERT/TLS_KEY)' : '  (tablets need HTTPS: npm run cert, then TLS_CERT/TLS_KEY)';
  console.log(`  on the shop network: ${lan.map(lanUrl).join('  ')}${note}`);
}
if (server.simulator) {
  console.log(`  customer phone (test payment codes): ${server.url}/simulator/phone`);
  if (lan.length) console.log(`  customer phone on another device: ${lanUrl(lan[0]!)}/simulator/phone#token=${server.simulatorToken}`);
  console.log(`  simulator control API: from this machine, or with header X-Simulator-Token: ${server.simulatorToken}`);
}
/** The first pairing link, when no tablet is paired yet; never a reason to stop a server that already serves. */
async function firstPairing(): Promise<Awaited<ReturnType<typeof server.terminals.firstTerminalPairing>>> {
  try {
    return await server.terminals.firstTerminalPairing();
  } catch (error) {
    // Instances of a chain started together on an empty database: another one made the first
    // terminal at the same moment and prints its link.
    if (error instanceof TerminalError && error.code === 'NAME_TAKEN') return undefined;
    console.error(`Could not prepare the first pairing link (${(error as Error).message}); use npm run terminal -- add <name>.`);
    return undefined;
  }
}
const first = await firstPairing();
if (first) console.log(`  pair the first terminal (open on the tablet; one use, 24 h): ${pairUrl({ ...config, port: server.port }, first.code)}`);
else console.log('  another tablet: npm run terminal -- add <name>');

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) process.exit(1);
  stopping = true;
  console.log(`${signal}: stopping; unfinished payments resume on the next start.`);
  await server.close();
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
