import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { serve, type ServerType } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono, type Context, type Next } from 'hono';
import { createApi } from './api/index.ts';
import type { PinCheckLimits } from './api/manager-pin.ts';
import { publicOrigin, trainingWallets, walletModes, type Config } from './config.ts';
import { createAlipayClient, type AlipayClient } from './alipay/client.ts';
import { simulatorKey } from './simulator/alipay/keys.ts';
import { refusePlainHttpFromNetwork, securityHeaders } from './http-security.ts';
import { createLogger, type Logger } from './log.ts';
import { createPaymentService } from './payments/index.ts';
import type { PaymentService } from './payments/service.ts';
import { createSimulator, type Simulator, type SimulatorOptions } from './simulator/app.ts';
import { LedgerInUseError } from './simulator/ledger-store.ts';
import { openStore } from './store/open.ts';
import type { PostgresStoreOptions } from './store/postgres.ts';
import type { SqliteStoreOptions } from './store/sqlite.ts';
import type { Store } from './store/types.ts';
import { AttemptLimiter, type AttemptLimiterOptions } from './terminals/rate-limit.ts';
import { TerminalRegistry } from './terminals/registry.ts';
import { randomSecret } from './terminals/secrets.ts';
import { caCertificateRoute } from './tls/ca-route.ts';
import { Exports } from './exports/index.ts';
import { Reports } from './reports/report.ts';
import { Cashiers } from './shifts/cashiers.ts';
import { Shifts } from './shifts/shifts.ts';
import { RECONCILE_CLAIM_MS, startDailyReconciliation } from './reconciliation/daily-job.ts';
import { Reconciler } from './reconciliation/reconciler.ts';
import { ShopDirectory, type Shop } from './shops/shops.ts';
import type { ShopDay } from './api/context.ts';
import { loadCertificate } from './wechat/cert.ts';
import { createWechatClient, type WechatConfig } from './wechat/client.ts';
import type { Gateway } from './wechat/gateway.ts';

/**
 * The product server as one process: the API, the built web app and, in simulator mode, the
 * WeChat Pay simulator, on one origin. `npm start` (start.ts) wraps it with the web build,
 * the start banner and signal handling; tests start it on port 0.
 */

export interface ServerOptions {
  /** Where log lines go (default stdout); ignored when `log` is given. */
  logStream?: Pick<Writable, 'write'>;
  log?: Logger;
  /** The built web app (default dist/web). */
  webRoot?: string;
  /** Extra options of the built-in simulator (tests: slowMs, passwordDeclineMs, …). */
  simulator?: Omit<SimulatorOptions, 'appid' | 'mch_id' | 'key'>;
  /** Wraps the WeChat client the payment flow uses (the server benchmark times gateway calls with it). */
  wrapGateway?: (client: Gateway) => Gateway;
  /** Options of the SQLite journal (the server benchmark times the inserts' fsync with `fsync`). */
  journal?: SqliteStoreOptions;
  /** Wraps the journal the server uses (tests simulate a full disk with a store that throws). */
  wrapStore?: (store: Store) => Store;
  /**
   * The manager PIN's defences, replaced (the PIN flood benchmark measures the unbounded,
   * thread-pool variant next to the real one): guess limits, concurrent checks, the scrypt check.
   */
  pin?: { limit?: AttemptLimiterOptions; checks?: PinCheckLimits; verify?: (pin: string, stored: string) => Promise<boolean> };
  /** Options of the PostgreSQL store (with DATABASE_URL). */
  postgres?: PostgresStoreOptions;
}

export interface PosServer {
  app: Hono;
  service: PaymentService;
  store: Store;
  terminals: TerminalRegistry;
  /** The journal's shops (the default one, and a chain's or service provider's others). */
  shops: ShopDirectory;
  /** The built-in simulator (simulator mode without WECHAT_API_BASE). */
  simulator?: Simulator;
  /** What another machine sends as X-Simulator-Token to use the built-in simulator's control API (new at every start). */
  simulatorToken?: string;
  log: Logger;
  /** Where the WeChat client sends requests (the built-in simulator's loopback address in simulator mode). */
  gatewayBase: string;
  /** Where the Alipay client sends requests (gateway.do); undefined when Alipay is off. */
  alipayGateway?: string;
  port: number;
  /** How this machine reaches the server, e.g. http://localhost:8787. */
  url: string;
  /** Stops accepting requests and timers; unfinished payments stay journaled for the next start. */
  close(): Promise<void>;
}

/** The built-in simulator's ledger, in DATA_DIR (server/simulator/README.md). */
export const SIMULATOR_LEDGER_FILE = 'simulator.sqlite';

const PAIRING_LIMIT = { limit: 5, windowMs: 60_000, lockAfter: 20, lockMs: 15 * 60_000 };
const PIN_LIMIT = { limit: 5, windowMs: 60_000, lockAfter: 10, lockMs: 15 * 60_000 };

export async function createServer(config: Config, options: ServerOptions = {}): Promise<PosServer> {
  const log = options.log ?? createLogger(options.logStream ?? process.stdout);
  const opened = await openStore(config, { ...(options.journal ? { sqlite: options.journal } : {}), ...(options.postgres ? { postgres: options.postgres } : {}) });
  const store = options.wrapStore ? options.wrapStore(opened) : opened;
  const cleanups: (() => Promise<void> | void)[] = [() => opened.close()];
  try {
    // The configured port is bound first, before the built-in simulator takes an ephemeral one
    // (which could otherwise be the very port asked for). Until the app is assembled it answers 503.
    let ready: Hono | undefined;
    const fetch = (req: Request, env: unknown) => (ready ? ready.fetch(req, env) : starting());
    const http = await listen(
      config.tls
        ? serve({ fetch, port: config.port, ...(config.host ? { hostname: config.host } : {}), createServer: createHttpsServer, serverOptions: { cert: await readFile(config.tls.certPath), key: await readFile(config.tls.keyPath) } })
        : serve({ fetch, port: config.port, ...(config.host ? { hostname: config.host } : {}) }),
    );
    const closeHttp = () => closeServer(http.server);
    cleanups.push(closeHttp);

    // The built-in simulator answers the WeChat client on a loopback port of its own, so the
    // client's path is plain HTTP even when the POS itself is served over HTTPS or on one LAN address.
    let simulator: Simulator | undefined;
    let apiBase = config.wechat.apiBase;
    let simulatorToken: string | undefined;
    let simulatorBase: string | undefined;
    const alipayOnBuiltIn = config.alipay.mode === 'simulator' && config.alipay.gateway === undefined;
    if (config.builtInSimulator || alipayOnBuiltIn) {
      // Other machines (a phone showing test codes) reach the simulator's control API with it.
      simulatorToken = randomSecret(24);
      const simulatorOptions: SimulatorOptions = {
        ...options.simulator,
        appid: config.wechat.appid,
        mch_id: config.wechat.mch_id,
        key: config.wechat.key,
        alipayAppId: config.alipay.appId,
        controlToken: simulatorToken,
      };
      // The simulator's ledger sits beside the journal, so training payments can be refunded after a restart.
      const ledgerFile = join(config.dataDir, SIMULATOR_LEDGER_FILE);
      let sim: Simulator;
      try {
        sim = createSimulator({ ledgerFile, ...simulatorOptions });
      } catch (error) {
        if (!(error instanceof LedgerInUseError)) throw error;
        // Another instance on this DATA_DIR holds it: this one keeps its simulated orders in memory.
        log.warn('simulator ledger in use by another instance; this one keeps its simulated orders in memory', { file: ledgerFile });
        sim = createSimulator({ ...simulatorOptions, ledgerFile: undefined });
      }
      simulator = sim;
      const gatewayOnly = new Hono().route('/simulator', sim.app);
      const internal = await listen(serve({ fetch: gatewayOnly.fetch, port: 0, hostname: '127.0.0.1' }));
      cleanups.push(() => sim.close(), () => closeServer(internal.server));
      simulatorBase = `http://127.0.0.1:${internal.port}/simulator`;
      if (config.builtInSimulator) apiBase = simulatorBase;
    }
    const alipay = alipayClient(config, simulatorBase);
    if (alipay) cleanups.push(() => alipay.client.close());

    const gateway = createWechatClient(wechatConfig(config, apiBase!));
    cleanups.push(() => gateway.close());
    const shops = new ShopDirectory({ store, defaults: { name: config.flow.body, timeZone: config.flow.timeZone } });
    const service = createPaymentService({
      store,
      gateway: options.wrapGateway ? options.wrapGateway(gateway) : gateway,
      ...(alipay ? { alipay: alipay.client } : {}),
      log,
      config: { ...config.flow, gatewayTimeoutMs: config.wechat.timeoutMs },
      instanceId: config.instanceId,
      shopOf: (id) => shops.get(id),
    });
    cleanups.push(() => service.close());
    // Reconciliation reads the bills with the same clients and the journal the flow writes, shop by shop.
    const reconciler = new Reconciler({ store, gateway, ...(alipay ? { alipay: alipay.client } : {}), shops });
    const terminals = new TerminalRegistry({
      store,
      ...(config.managerPin ? { envPin: config.managerPin } : {}),
      ...(options.pin?.verify ? { verifyPin: options.pin.verify } : {}),
    });

    const app = new Hono();
    if (config.mode === 'live' && !config.tls && !config.allowInsecureHttp) app.use(refusePlainHttpFromNetwork());
    // nosniff, frame and referrer policies and the CSP for every answer (no HSTS: http-security.ts).
    app.use(securityHeaders());
    app.route(
      '/',
      createApi({
        service,
        terminals,
        journal: store,
        mode: config.mode,
        wallets: walletModes(config),
        maxAmountFen: config.flow.maxAmountFen,
        timeZone: config.flow.timeZone,
        shopName: config.flow.body,
        shops,
        chainJournal: store,
        log,
        limits: { pairing: new AttemptLimiter(PAIRING_LIMIT), pin: new AttemptLimiter(options.pin?.limit ?? PIN_LIMIT) },
        ...(options.pin?.checks ? { pinChecks: options.pin.checks } : {}),
        shopDay: shopDays((shop) => ({
          cashiers: new Cashiers({ store, shopId: shop.id, isManagerPin: async (pin) => (await terminals.pinConfigured(shop.id)) && terminals.checkPin(pin, shop.id) }),
          shifts: new Shifts({ store, timeZone: shop.timeZone, shopId: shop.id }),
          reports: new Reports(store, shop.timeZone, shop.id),
          exports: new Exports(store, shop.timeZone, (error) => log.error('export stopped', { shop: shop.id, error: (error as Error).message }), shop.id),
        })),
        trainingMode: trainingWallets(config),
        reconciler,
      }),
    );
    if (simulator) app.route('/simulator', simulator.app);
    app.route('/', caCertificateRoute(config.dataDir));
    mountWebApp(app, options.webRoot ?? resolve('dist/web'));
    ready = app;
    // Cleanups run last-in first: on shutdown, stop taking requests before closing what they use.
    cleanups.push(...cleanups.splice(cleanups.indexOf(closeHttp), 1));
    service.resume();
    if (config.reconcileDaily) {
      const daily = startDailyReconciliation({
        reconciler,
        log,
        // One instance of a chain reconciles each shop's day; a dead one's claim lapses after the lease.
        claim: (date, shop) => store.claimReconciliation(date, shop, config.instanceId, Date.now(), Date.now() + RECONCILE_CLAIM_MS),
      });
      cleanups.push(() => daily.stop());
    }

    let closing: Promise<void> | undefined;
    return {
      app,
      service,
      store,
      terminals,
      shops,
      ...(simulator ? { simulator, simulatorToken } : {}),
      log,
      gatewayBase: apiBase!,
      ...(alipay ? { alipayGateway: alipay.gateway } : {}),
      port: http.port,
      url: publicOrigin(config, http.port),
      close: () => (closing ??= runCleanups(cleanups)),
    };
  } catch (error) {
    await runCleanups(cleanups);
    throw error;
  }
}

/** Each shop's cashiers, shifts, report and exports, built on its first request. */
function shopDays(build: (shop: Shop) => ShopDay): (shop: Shop) => ShopDay {
  const built = new Map<string, ShopDay>();
  return (shop) => {
    let day = built.get(shop.id);
    if (!day) built.set(shop.id, (day = build(shop)));
    return day;
  };
}

/** The Alipay client the configuration asks for: the merchant's keys, or the simulator's test keys (the built-in simulator when no gateway is set). */
export function alipayClient(config: Config, simulatorBase: string | undefined): { client: AlipayClient; gateway: string } | undefined {
  const a = config.alipay;
  if (a.mode === 'off') return undefined;
  const gateway = a.gateway ?? `${simulatorBase!}/alipay/gateway.do`;
  const keys =
    a.privateKeyPath && a.publicKeyPath
      ? { privateKey: readFileSync(a.privateKeyPath, 'utf8'), alipayPublicKey: readFileSync(a.publicKeyPath, 'utf8') }
      : { privateKey: simulatorKey('appPrivateKey'), alipayPublicKey: simulatorKey('alipayPublicKey') };
  return { client: createAlipayClient({ appId: a.appId, ...keys, gateway, timeoutMs: config.wechat.timeoutMs }), gateway };
}

function starting(): Response {
  return Response.json({ error: { code: 'STARTING', message: 'The server is starting; try again in a moment.' } }, { status: 503 });
}

export function wechatConfig(config: Config, apiBase: string): WechatConfig {
  const w = config.wechat;
  const result: WechatConfig = { appid: w.appid, mch_id: w.mch_id, key: w.key, signType: w.signType, apiBase, timeoutMs: w.timeoutMs };
  if (w.subMchId) result.subMchId = w.subMchId;
  if (w.subAppid) result.subAppid = w.subAppid;
  if (w.certPemPath && w.keyPemPath) {
    const { certPem, keyPem } = loadCertificate(w.certPemPath, w.keyPemPath);
    result.certPem = certPem;
    result.keyPem = keyPem;
  }
  return result;
}

/**
 * The built web app: files as they are, client routes fall back to index.html. Hashed files
 * under /assets/ never change (cached for a year); everything else, index.html and the service
 * worker above all, is revalidated on each load so a new version reaches the tablets. Text files
 * go out as the Brotli or gzip copy the build wrote beside them (vite.config.ts) when the
 * browser accepts it: compressed once at build, never per request.
 */
function mountWebApp(app: Hono, webRoot: string): void {
  const indexHtml = join(webRoot, 'index.html');
  app.use('*', async function cacheHeaders(c: Context, next: Next) {
    await next();
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return;
    if (c.req.path.startsWith('/api/') || c.req.path.startsWith('/simulator/')) return;
    if (c.res.status !== 200 || c.res.headers.has('cache-control')) return;
    c.res.headers.set('cache-control', c.req.path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
  });
  app.use('*', serveStatic({ root: webRoot, precompressed: true }));
  app.get('*', async (c, next) => {
    const lastSegment = c.req.path.split('/').pop() ?? '';
    // A missing file (it has an extension) is a 404, not the app: a stale script must not get HTML.
    if (lastSegment.includes('.') || c.req.path.startsWith('/api/') || c.req.path.startsWith('/simulator/')) return next();
    if (!existsSync(indexHtml)) return c.text('The web app is not built yet: run `npm run build` (npm start does it for you).', 503);
    return serveStatic({ path: indexHtml, precompressed: true })(c, next);
  });
}

function listen(server: ServerType): Promise<{ server: ServerType; port: number }> {
  return new Promise((resolve, reject) => {
    const listening = () => {
      server.off('error', failed);
      resolve({ server, port: (server.address() as AddressInfo).port });
    };
    const failed = (error: Error) => {
      server.off('listening', listening);
      reject(error);
    };
    if (server.listening) return listening();
    server.once('listening', listening);
    server.once('error', failed);
  });
}

function closeServer(server: ServerType): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    if (!('closeIdleConnections' in server)) return;
    // Idle keep-alive connections (browsers, fetch) would hold close() open; busy ones get a moment.
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 2_000).unref();
  });
}

async function runCleanups(cleanups: (() => Promise<void> | void)[]): Promise<void> {
  for (const cleanup of cleanups.reverse()) {
    try {
      await cleanup();
    } catch {
      // Shutting down: one failing part must not keep the others open.
    }
  }
}
