import { accessSync, constants, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { FLOW_DEFAULTS, type FlowConfig } from './payments/config.ts';
import { PRODUCTION_GATEWAY } from './alipay/client.ts';
import { loadPrivateKey, loadPublicKey } from './alipay/keys.ts';
import type { Wallet } from '../shared/payment-code.ts';
import { ALIPAY_SIMULATOR_DEFAULTS, SIMULATOR_DEFAULTS } from './simulator/defaults.ts';
import type { WechatConfig } from './wechat/client.ts';
import { isSignType, type SignType } from './wechat/sign.ts';
import { isXmlText } from './wechat/xml.ts';

/**
 * Every environment variable of the contract (README "Configuration"), parsed once at start
 * into a typed config. A bad value stops the start with a message naming the variable, so a
 * misconfigured till never reaches the gateway.
 */

export const DEFAULT_API_BASE = 'https://api.mch.weixin.qq.com';
/** WeChat's micropay page: call reverse no earlier than 15 s after the charge. */
export const WECHAT_REVERSE_MIN_AGE_MS = 15_000;

export type Mode = 'simulator' | 'live';

/** How a wallet is reached: a real gateway, a simulator (built in or at an http:// URL, test keys or not), or not at all. */
export type WalletMode = Mode | 'off';
export type WalletModes = Record<Wallet, WalletMode>;

/** Alipay as configured (ALIPAY_*): PEM paths, the gateway unset for the built-in simulator. */
export interface AlipaySettings {
  mode: WalletMode;
  appId: string;
  /** The app private key and Alipay's public key (PEM files); unset: the simulator's test keys. */
  privateKeyPath?: string;
  publicKeyPath?: string;
  /** The gateway.do URL; undefined: the built-in simulator (mode 'simulator'), or Alipay is off. */
  gateway?: string;
}

/** The WeChat client's settings as configured; PEM paths instead of PEM text, the base unset for the built-in simulator. */
export type WechatSettings = Pick<WechatConfig, 'appid' | 'mch_id' | 'key' | 'signType' | 'subMchId' | 'subAppid' | 'timeoutMs'> & {
  /** undefined: the built-in simulator, reached over loopback once the server listens. */
  apiBase?: string;
  certPemPath?: string;
  keyPemPath?: string;
};

export type FlowSettings = Pick<FlowConfig, 'deadlineMs' | 'pollIntervalMs' | 'reverseMinAgeMs' | 'lateChargeWatchMs' | 'lateChargeCheckMs' | 'maxAmountFen' | 'timeZone' | 'body' | 'leaseMs'>;

export interface Config {
  port: number;
  host?: string;
  dataDir: string;
  /** PostgreSQL instead of the SQLite journal in dataDir (a chain: several instances on one database). */
  databaseUrl?: string;
  /** This instance's lease owner name: unique among instances sharing a database, stable across its restarts. */
  instanceId: string;
  mode: Mode;
  /** true: no credentials and no WECHAT_API_BASE, the server runs the simulator itself. */
  builtInSimulator: boolean;
  wechat: WechatSettings;
  alipay: AlipaySettings;
  flow: FlowSettings;
  managerPin?: string;
  /** Simulator mode only: SIMULATOR_ACCEPT_ANY_CODE=1 takes any WeChat-shaped code, not only the test codes. */
  simulatorAcceptAnyCode: boolean;
  tls?: { certPath: string; keyPath: string };
  /** ALLOW_INSECURE_HTTP=1: live mode serves the network over plain HTTP anyway (default: this machine only). */
  allowInsecureHttp: boolean;
  /** RECONCILE_DAILY: compare every shop's yesterday with each wallet's bill every day after 10:00 Beijing time (default: live mode only). */
  reconcileDaily: boolean;
  /** Problems that do not stop the start but limit what works (printed at start). */
  warnings: string[];
}

/** The simulator's credentials (server/simulator/defaults.ts), used when none are set. */
export interface SimulatorCredentials {
  appid: string;
  mch_id: string;
  key: string;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
  }
}

/** Flow timings and limits default to the payment flow's own (server/payments/config.ts). */
export const CONFIG_DEFAULTS = {
  port: 8787,
  dataDir: './data',
  deadlineMs: FLOW_DEFAULTS.deadlineMs,
  pollIntervalMs: FLOW_DEFAULTS.pollIntervalMs,
  reverseMinAgeMs: FLOW_DEFAULTS.reverseMinAgeMs,
  // What the official SDKs use (connect + read ≈ 10 s); the payment flow queries after it.
  gatewayTimeoutMs: 10_000,
  leaseMs: FLOW_DEFAULTS.leaseMs,
  lateChargeWatchMs: FLOW_DEFAULTS.lateChargeWatchMs,
  lateChargeCheckMs: FLOW_DEFAULTS.lateChargeCheckMs,
  maxAmountFen: FLOW_DEFAULTS.maxAmountFen,
  timeZone: FLOW_DEFAULTS.timeZone,
  body: FLOW_DEFAULTS.body,
  signType: 'MD5' as SignType,
} as const;

export const PIN_FORMAT = /^\d{4,12}$/;

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env, simulator: SimulatorCredentials = SIMULATOR_DEFAULTS): Config {
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const warnings: string[] = [];

  const port = integer(read, 'PORT', CONFIG_DEFAULTS.port, 0, 65_535);
  const host = read('HOST');
  const dataDir = resolve(read('DATA_DIR') ?? CONFIG_DEFAULTS.dataDir);
  const databaseUrl = read('DATABASE_URL');
  if (databaseUrl !== undefined) checkDatabaseUrl(databaseUrl);
  const instanceId = read('INSTANCE_ID') ?? `${hostname()}:${port}`;
  // Stored as the lease owner and shown in logs: short printable text.
  if (!/^[\x21-\x7e]{1,100}$/.test(instanceId)) throw new ConfigError('INSTANCE_ID', 'must be 1 to 100 printable characters without spaces (e.g. pos-2 or host:8787)');

  const credentialNames = ['WECHAT_APPID', 'WECHAT_MCH_ID', 'WECHAT_API_KEY'] as const;
  const present = credentialNames.filter((n) => read(n) !== undefined);
  if (present.length > 0 && present.length < credentialNames.length) {
    const missing = credentialNames.filter((n) => read(n) === undefined);
    throw new ConfigError(missing[0]!, `missing while ${present.join(', ')} ${present.length === 1 ? 'is' : 'are'} set; set all of ${credentialNames.join(', ')} for a merchant account, or none for the simulator`);
  }
  const hasCredentials = present.length === credentialNames.length;

  const appid = read('WECHAT_APPID') ?? simulator.appid;
  if (!/^wx[0-9A-Za-z]{6,32}$/.test(appid)) throw new ConfigError('WECHAT_APPID', `"${appid}" is not an AppID (it starts with "wx", e.g. wx2421b1c4370ec43b)`);
  const mch_id = read('WECHAT_MCH_ID') ?? simulator.mch_id;
  if (!/^\d{6,20}$/.test(mch_id)) throw new ConfigError('WECHAT_MCH_ID', `"${mch_id}" is not a merchant id (digits only, e.g. 1900000109)`);
  const key = read('WECHAT_API_KEY') ?? simulator.key;
  // Never echo the key itself: only its length.
  if (!/^[\x21-\x7e]{32}$/.test(key)) throw new ConfigError('WECHAT_API_KEY', `must be the 32-character API v2 key from the merchant platform (got ${key.length} characters)`);

  const signTypeText = read('WECHAT_SIGN_TYPE') ?? CONFIG_DEFAULTS.signType;
  if (!isSignType(signTypeText)) throw new ConfigError('WECHAT_SIGN_TYPE', `"${signTypeText}" is not one of MD5, HMAC-SHA256`);

  const subMchId = read('WECHAT_SUB_MCH_ID');
  if (subMchId !== undefined && !/^\d{6,20}$/.test(subMchId)) throw new ConfigError('WECHAT_SUB_MCH_ID', `"${subMchId}" is not a merchant id (digits only)`);
  const subAppid = read('WECHAT_SUB_APPID');
  if (subAppid !== undefined && !/^wx[0-9A-Za-z]{6,32}$/.test(subAppid)) throw new ConfigError('WECHAT_SUB_APPID', `"${subAppid}" is not an AppID (it starts with "wx")`);
  if (subAppid !== undefined && subMchId === undefined) throw new ConfigError('WECHAT_SUB_MCH_ID', 'missing while WECHAT_SUB_APPID is set (a sub-AppID belongs to a sub-merchant)');

  let apiBase = read('WECHAT_API_BASE');
  if (apiBase !== undefined) {
    let url: URL;
    try {
      url = new URL(apiBase);
    } catch {
      throw new ConfigError('WECHAT_API_BASE', `"${apiBase}" is not a URL (e.g. ${DEFAULT_API_BASE})`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError('WECHAT_API_BASE', `"${apiBase}" must be an https:// URL (or http:// for a local simulator)`);
    apiBase = apiBase.replace(/\/+$/, '');
  } else if (hasCredentials) {
    apiBase = DEFAULT_API_BASE;
  }
  const isHttps = apiBase?.startsWith('https:') ?? false;
  if (isHttps && !hasCredentials) throw new ConfigError('WECHAT_API_KEY', `missing: ${apiBase} is a real gateway and needs WECHAT_APPID, WECHAT_MCH_ID and WECHAT_API_KEY`);
  const mode: Mode = isHttps ? 'live' : 'simulator';

  const certPemPath = optionalPath(read, 'WECHAT_CERT_PEM');
  const keyPemPath = optionalPath(read, 'WECHAT_KEY_PEM');
  if ((certPemPath === undefined) !== (keyPemPath === undefined)) {
    throw new ConfigError(certPemPath === undefined ? 'WECHAT_CERT_PEM' : 'WECHAT_KEY_PEM', 'set both WECHAT_CERT_PEM and WECHAT_KEY_PEM (apiclient_cert.pem and apiclient_key.pem), or neither');
  }
  if (mode === 'live' && certPemPath === undefined) {
    warnings.push('WECHAT_CERT_PEM and WECHAT_KEY_PEM are not set: payments work, but cancels and deadline reverses (/secapi/pay/reverse) and refunds need the merchant certificate and will fail; open payments will wait in needs_attention');
  }

  const deadlineMs = integer(read, 'PAY_DEADLINE_MS', CONFIG_DEFAULTS.deadlineMs, 1_000, 600_000);
  const pollIntervalMs = integer(read, 'PAY_POLL_INTERVAL_MS', CONFIG_DEFAULTS.pollIntervalMs, 10, 60_000);
  const reverseMinAgeMs = integer(read, 'PAY_REVERSE_MIN_AGE_MS', CONFIG_DEFAULTS.reverseMinAgeMs, 0, 600_000);
  // WeChat's micropay page: never reverse right after the charge, at least 15 s later. Tests and
  // the simulator may go faster; a real merchant account is warned.
  if (mode === 'live' && reverseMinAgeMs < WECHAT_REVERSE_MIN_AGE_MS) {
    warnings.push(
      `PAY_REVERSE_MIN_AGE_MS is ${reverseMinAgeMs} ms: WeChat Pay's docs forbid a reverse earlier than ${WECHAT_REVERSE_MIN_AGE_MS / 1000} s after the charge; use ${WECHAT_REVERSE_MIN_AGE_MS} or more with a merchant account`,
    );
  }
  const timeoutMs = integer(read, 'GATEWAY_TIMEOUT_MS', CONFIG_DEFAULTS.gatewayTimeoutMs, 100, 120_000);
  const maxAmountFen = integer(read, 'MAX_AMOUNT_FEN', CONFIG_DEFAULTS.maxAmountFen, 1, Number.MAX_SAFE_INTEGER);
  // A lease must outlast one gateway call on the main host and one on the backup host, or a
  // second instance could take a payment over while the first still waits for WeChat's answer.
  const leaseFloor = 2 * timeoutMs + 10_000;
  // A payment the cashier was told did not go through is checked this long for a late charge (codes live about a minute).
  const lateChargeWatchMs = integer(read, 'PAY_LATE_CHARGE_WATCH_MS', CONFIG_DEFAULTS.lateChargeWatchMs, 0, 86_400_000);
  const lateChargeCheckMs = integer(read, 'PAY_LATE_CHARGE_CHECK_MS', CONFIG_DEFAULTS.lateChargeCheckMs, 10, 600_000);
  if (mode === 'live' && lateChargeWatchMs < CONFIG_DEFAULTS.lateChargeWatchMs) {
    warnings.push(
      `PAY_LATE_CHARGE_WATCH_MS is ${lateChargeWatchMs} ms: a payment code can still be charged for about a minute and WeChat may take longer to show it; keep at least ${CONFIG_DEFAULTS.lateChargeWatchMs} so a late charge is found and given back`,
    );
  }
  const leaseMs = integer(read, 'PAY_LEASE_MS', Math.max(CONFIG_DEFAULTS.leaseMs, leaseFloor), 1_000, 3_600_000);
  if (leaseMs < leaseFloor) throw new ConfigError('PAY_LEASE_MS', `${leaseMs} is too short: at least 2 × GATEWAY_TIMEOUT_MS + 10000 = ${leaseFloor}`);

  const timeZone = read('SHOP_TIMEZONE') ?? CONFIG_DEFAULTS.timeZone;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw new ConfigError('SHOP_TIMEZONE', `"${timeZone}" is not an IANA time zone (e.g. Asia/Shanghai)`);
  }
  const body = read('SHOP_NAME') ?? CONFIG_DEFAULTS.body;
  // WeChat's `body` is at most 128 bytes; keep room for the description the cashier adds.
  if (Buffer.byteLength(body) > 64) throw new ConfigError('SHOP_NAME', `is ${Buffer.byteLength(body)} bytes long; at most 64 bytes (WeChat's body field is short)`);
  if (!isXmlText(body)) throw new ConfigError('SHOP_NAME', 'holds a character WeChat Pay cannot carry (a control character, U+FFFE, U+FFFF or half of a surrogate pair)');

  const managerPin = read('MANAGER_PIN');
  if (managerPin !== undefined && !PIN_FORMAT.test(managerPin)) throw new ConfigError('MANAGER_PIN', 'must be 4 to 12 digits');

  const acceptAny = read('SIMULATOR_ACCEPT_ANY_CODE');
  if (acceptAny !== undefined && acceptAny !== '0' && acceptAny !== '1') throw new ConfigError('SIMULATOR_ACCEPT_ANY_CODE', `"${acceptAny}" must be 1 (any WeChat code pays in the simulator) or 0`);
  const simulatorAcceptAnyCode = acceptAny === '1';
  if (simulatorAcceptAnyCode && mode === 'live') warnings.push('SIMULATOR_ACCEPT_ANY_CODE is ignored in live mode: every code goes to WeChat Pay');

  const tlsCert = optionalPath(read, 'TLS_CERT');
  const tlsKey = optionalPath(read, 'TLS_KEY');
  if ((tlsCert === undefined) !== (tlsKey === undefined)) {
    throw new ConfigError(tlsCert === undefined ? 'TLS_CERT' : 'TLS_KEY', 'set both TLS_CERT and TLS_KEY (PEM files), or neither');
  }

  const insecure = read('ALLOW_INSECURE_HTTP');
  if (insecure !== undefined && insecure !== '0' && insecure !== '1') throw new ConfigError('ALLOW_INSECURE_HTTP', `"${insecure}" must be 1 (serve the network over plain HTTP in live mode anyway) or 0`);
  const allowInsecureHttp = insecure === '1';
  if (mode === 'live' && tlsCert === undefined) {
    warnings.push(
      allowInsecureHttp
        ? 'ALLOW_INSECURE_HTTP=1: live mode over plain HTTP; the manager PIN, tokens and payment codes cross the network unencrypted (npm run cert sets up HTTPS)'
        : 'live mode without TLS_CERT/TLS_KEY: only this machine is served over plain HTTP; tablets need HTTPS (npm run cert)',
    );
  }

  const daily = read('RECONCILE_DAILY');
  if (daily !== undefined && daily !== '0' && daily !== '1') throw new ConfigError('RECONCILE_DAILY', `"${daily}" must be 1 (reconcile with the bill every day) or 0`);
  // A training till moves no real money: its daily check against the simulator is there when asked for, not by default.
  const reconcileDaily = daily === undefined ? mode === 'live' : daily === '1';

  const wechat: WechatSettings = { appid, mch_id, key, signType: signTypeText, timeoutMs };
  if (subMchId !== undefined) wechat.subMchId = subMchId;
  if (subAppid !== undefined) wechat.subAppid = subAppid;
  if (apiBase !== undefined) wechat.apiBase = apiBase;
  if (certPemPath !== undefined && keyPemPath !== undefined) {
    wechat.certPemPath = certPemPath;
    wechat.keyPemPath = keyPemPath;
  }

  const alipay = loadAlipay(read, apiBase === undefined);
  if (alipay.mode === 'live' && tlsCert === undefined && mode !== 'live') {
    warnings.push('Alipay is live without TLS_CERT/TLS_KEY: tablets reach the server over plain HTTP (npm run cert sets up HTTPS)');
  }

  const config: Config = {
    port,
    dataDir,
    instanceId,
    mode,
    builtInSimulator: apiBase === undefined,
    wechat,
    alipay,
    flow: { deadlineMs, pollIntervalMs, reverseMinAgeMs, lateChargeWatchMs, lateChargeCheckMs, maxAmountFen, timeZone, body, leaseMs },
    allowInsecureHttp,
    simulatorAcceptAnyCode,
    reconcileDaily,
    warnings,
  };
  if (host !== undefined) config.host = host;
  if (databaseUrl !== undefined) config.databaseUrl = databaseUrl;
  if (managerPin !== undefined) config.managerPin = managerPin;
  if (tlsCert !== undefined && tlsKey !== undefined) config.tls = { certPath: tlsCert, keyPath: tlsKey };
  return config;
}

/**
 * ALIPAY_APP_ID, ALIPAY_PRIVATE_KEY and ALIPAY_PUBLIC_KEY (PEM paths), ALIPAY_GATEWAY:
 * - both keys: a merchant app, at ALIPAY_GATEWAY (default the production gateway: live; an
 *   http:// URL is a local simulator);
 * - no keys: ALIPAY_GATEWAY=simulator (or unset while WeChat Pay runs on the built-in simulator)
 *   is the built-in simulator with its test keys; an http:// URL a simulator elsewhere with the
 *   test keys; off (or unset while WeChat Pay is live or elsewhere) switches Alipay off.
 * The keys are loaded here, so a wrong file stops the start with a message naming it.
 */
function loadAlipay(read: (n: string) => string | undefined, wechatBuiltIn: boolean): AlipaySettings {
  const privateKeyPath = optionalPath(read, 'ALIPAY_PRIVATE_KEY');
  const publicKeyPath = optionalPath(read, 'ALIPAY_PUBLIC_KEY');
  if ((privateKeyPath === undefined) !== (publicKeyPath === undefined)) {
    throw new ConfigError(privateKeyPath === undefined ? 'ALIPAY_PRIVATE_KEY' : 'ALIPAY_PUBLIC_KEY', 'set both ALIPAY_PRIVATE_KEY (the app private key) and ALIPAY_PUBLIC_KEY (Alipay’s public key, not the app’s), or neither');
  }
  const keys = privateKeyPath !== undefined && publicKeyPath !== undefined;
  const appIdText = read('ALIPAY_APP_ID');
  if (keys && appIdText === undefined) throw new ConfigError('ALIPAY_APP_ID', 'missing while ALIPAY_PRIVATE_KEY and ALIPAY_PUBLIC_KEY are set (the APPID of the app on Alipay’s open platform, 16 digits)');
  const appId = appIdText ?? ALIPAY_SIMULATOR_DEFAULTS.appId;
  if (!/^\d{16}$/.test(appId)) throw new ConfigError('ALIPAY_APP_ID', `"${appId}" is not an Alipay APPID (16 digits, e.g. 2021000100000001)`);
  if (keys) {
    checkKey('ALIPAY_PRIVATE_KEY', privateKeyPath, (pem) => loadPrivateKey(pem, 'app private key'));
    checkKey('ALIPAY_PUBLIC_KEY', publicKeyPath, (pem) => loadPublicKey(pem, 'Alipay public key'));
  }

  const gatewayText = read('ALIPAY_GATEWAY');
  const lower = gatewayText?.toLowerCase();
  if (lower === 'off') {
    if (keys) throw new ConfigError('ALIPAY_GATEWAY', 'is off while ALIPAY_PRIVATE_KEY and ALIPAY_PUBLIC_KEY are set: unset the keys, or give a gateway');
    return { mode: 'off', appId };
  }
  if (lower === 'simulator' || (gatewayText === undefined && !keys)) {
    if (keys) throw new ConfigError('ALIPAY_GATEWAY', 'is the built-in simulator, which only knows its test keys: unset ALIPAY_PRIVATE_KEY and ALIPAY_PUBLIC_KEY');
    return lower === 'simulator' || wechatBuiltIn ? { mode: 'simulator', appId } : { mode: 'off', appId };
  }
  const gateway = gatewayText ?? PRODUCTION_GATEWAY;
  let url: URL;
  try {
    url = new URL(gateway);
  } catch {
    throw new ConfigError('ALIPAY_GATEWAY', `"${gateway}" is not a URL (e.g. ${PRODUCTION_GATEWAY}), "simulator" or "off"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError('ALIPAY_GATEWAY', `"${gateway}" must be an https:// URL (or http:// for a local simulator)`);
  if (url.protocol === 'https:' && !keys) throw new ConfigError('ALIPAY_PRIVATE_KEY', `missing: ${gateway} is a real gateway and needs ALIPAY_APP_ID, ALIPAY_PRIVATE_KEY and ALIPAY_PUBLIC_KEY`);
  const settings: AlipaySettings = { mode: url.protocol === 'https:' ? 'live' : 'simulator', appId, gateway };
  if (keys) {
    settings.privateKeyPath = privateKeyPath;
    settings.publicKeyPath = publicKeyPath;
  }
  return settings;
}

function checkKey(name: string, path: string, load: (pem: string) => unknown): void {
  try {
    load(readFileSync(path, 'utf8'));
  } catch (error) {
    if (error instanceof Error) throw new ConfigError(name, `${path}: ${error.message}`);
    throw error;
  }
}

/** Each wallet's mode, as GET /api/health reports it. */
export function walletModes(config: Pick<Config, 'mode' | 'alipay'>): WalletModes {
  return { wechat: config.mode, alipay: config.alipay.mode };
}

/** A postgres:// URL; the message never repeats it (it may hold a password). */
function checkDatabaseUrl(text: string): void {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError('DATABASE_URL', 'is not a URL (e.g. postgres://pos:PASSWORD@db.example:5432/pos)');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError('DATABASE_URL', `must be a postgres:// URL, not ${url.protocol}// (leave it unset for the SQLite journal in DATA_DIR)`);
  }
  if (url.hostname === '') throw new ConfigError('DATABASE_URL', 'names no host (e.g. postgres://pos@127.0.0.1:5432/pos)');
}

function integer(read: (n: string) => string | undefined, name: string, fallback: number, min: number, max: number): number {
  const text = read(name);
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text)) throw new ConfigError(name, `"${text}" is not a whole number`);
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min || value > max) throw new ConfigError(name, `${value} is outside ${min}..${max}`);
  return value;
}

function optionalPath(read: (n: string) => string | undefined, name: string): string | undefined {
  const path = read(name);
  if (path === undefined) return undefined;
  const absolute = resolve(path);
  try {
    accessSync(absolute, constants.R_OK);
  } catch {
    throw new ConfigError(name, `cannot read ${absolute}`);
  }
  return absolute;
}

/** Training mode: the simulator takes only its test codes, so a real customer's code never "pays" where no money moves. */
export function trainingMode(config: Pick<Config, 'mode' | 'simulatorAcceptAnyCode'>): boolean {
  return config.mode === 'simulator' && !config.simulatorAcceptAnyCode;
}

/** Training mode per wallet: each simulated wallet takes only its own test codes (unless SIMULATOR_ACCEPT_ANY_CODE=1). */
export function trainingWallets(config: Pick<Config, 'mode' | 'alipay' | 'simulatorAcceptAnyCode'>): Record<Wallet, boolean> {
  return { wechat: trainingMode(config), alipay: config.alipay.mode === 'simulator' && !config.simulatorAcceptAnyCode };
}

/** How the server is reached from this machine (links printed at start and by the CLI). */
export function publicOrigin(config: Pick<Config, 'port' | 'host' | 'tls'>, port = config.port): string {
  const scheme = config.tls ? 'https' : 'http';
  const wildcard = config.host === undefined || config.host === '0.0.0.0' || config.host === '::';
  const host = wildcard ? 'localhost' : config.host!.includes(':') ? `[${config.host}]` : config.host;
  return `${scheme}://${host}:${port}`;
}
