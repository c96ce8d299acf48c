import { mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, publicOrigin, trainingMode, trainingWallets, walletModes } from '../../server/config.ts';
import { SIMULATOR_KEY_FILES } from '../../server/simulator/alipay/keys.ts';

const SIM = { appid: 'wx00000000sim00000', mch_id: '1900000109', key: 'simulatorkey0123456789abcdefABCD' };
const LIVE = { WECHAT_APPID: 'wx2421b1c4370ec43b', WECHAT_MCH_ID: '10000100', WECHAT_API_KEY: '192006250b4c09247ec02edce69f6a2d' };

function errorOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env, SIM);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('loadConfig accepted the environment');
}

function pemFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
  const path = join(dir, 'x.pem');
  writeFileSync(path, '-----BEGIN CERTIFICATE-----\n');
  return path;
}

describe('loadConfig', () => {
  it('runs the built-in simulator with its own credentials and the contract defaults when nothing is set', () => {
    const config = loadConfig({}, SIM);
    expect(config).toMatchObject({
      port: 8787,
      mode: 'simulator',
      builtInSimulator: true,
      wechat: { appid: SIM.appid, mch_id: SIM.mch_id, key: SIM.key, signType: 'MD5', timeoutMs: 10_000 },
      flow: { deadlineMs: 45_000, pollIntervalMs: 2_000, reverseMinAgeMs: 15_000, timeZone: 'Asia/Shanghai' },
      warnings: [],
    });
    expect(config.wechat.apiBase).toBeUndefined();
    expect(config.dataDir).toBe(join(process.cwd(), 'data'));
    expect(config.managerPin).toBeUndefined();
    expect(config.tls).toBeUndefined();
  });

  it('goes live against the real WeChat host when all three credentials are set', () => {
    const config = loadConfig(LIVE, SIM);
    expect(config.mode).toBe('live');
    expect(config.builtInSimulator).toBe(false);
    expect(config.wechat.apiBase).toBe('https://api.mch.weixin.qq.com');
    expect(config.wechat.key).toBe(LIVE.WECHAT_API_KEY);
  });

  it('warns that reverses and refunds need the merchant certificate when live without one', () => {
    const config = loadConfig(LIVE, SIM);
    expect(config.warnings.join('\n')).toMatch(/WECHAT_CERT_PEM.*refund/s);
  });

  it('takes the certificate paths when both are readable and then, with HTTPS, has no warning', () => {
    const config = loadConfig({ ...LIVE, WECHAT_CERT_PEM: pemFile(), WECHAT_KEY_PEM: pemFile(), TLS_CERT: pemFile(), TLS_KEY: pemFile() }, SIM);
    expect(config.wechat.certPemPath).toMatch(/x\.pem$/);
    expect(config.warnings).toEqual([]);
    expect(config.allowInsecureHttp).toBe(false);
  });

  it('warns that live mode over plain HTTP serves this machine only, unless ALLOW_INSECURE_HTTP=1', () => {
    const plain = loadConfig(LIVE, SIM);
    expect(plain.allowInsecureHttp).toBe(false);
    expect(plain.warnings.join('\n')).toMatch(/only this machine.*npm run cert/);
    const insecure = loadConfig({ ...LIVE, ALLOW_INSECURE_HTTP: '1' }, SIM);
    expect(insecure.allowInsecureHttp).toBe(true);
    expect(insecure.warnings.join('\n')).toMatch(/ALLOW_INSECURE_HTTP=1: .*unencrypted/);
  });

  it('treats an http:// base without credentials as an external simulator', () => {
    const config = loadConfig({ WECHAT_API_BASE: 'http://127.0.0.1:8788/' }, SIM);
    expect(config).toMatchObject({ mode: 'simulator', builtInSimulator: false, wechat: { apiBase: 'http://127.0.0.1:8788', key: SIM.key } });
  });

  it('parses every number and the optional settings', () => {
    const config = loadConfig(
      {
        PORT: '0',
        HOST: '127.0.0.1',
        DATA_DIR: '/tmp/pos-data',
        PAY_DEADLINE_MS: '3000',
        PAY_POLL_INTERVAL_MS: '100',
        PAY_REVERSE_MIN_AGE_MS: '1000',
        GATEWAY_TIMEOUT_MS: '500',
        MAX_AMOUNT_FEN: '5000',
        SHOP_TIMEZONE: 'Europe/Paris',
        SHOP_NAME: 'Café 12',
        MANAGER_PIN: '2468',
        WECHAT_SIGN_TYPE: 'HMAC-SHA256',
        WECHAT_SUB_MCH_ID: '1230000109',
        WECHAT_SUB_APPID: 'wx8888888888888888',
      },
      SIM,
    );
    expect(config).toMatchObject({
      port: 0,
      host: '127.0.0.1',
      dataDir: '/tmp/pos-data',
      managerPin: '2468',
      wechat: { signType: 'HMAC-SHA256', subMchId: '1230000109', subAppid: 'wx8888888888888888', timeoutMs: 500 },
      flow: { deadlineMs: 3000, pollIntervalMs: 100, reverseMinAgeMs: 1000, maxAmountFen: 5000, timeZone: 'Europe/Paris', body: 'Café 12' },
    });
  });

  it.each([
    [{ WECHAT_APPID: 'wx2421b1c4370ec43b' }, 'WECHAT_MCH_ID'],
    [{ WECHAT_APPID: 'wx2421b1c4370ec43b', WECHAT_MCH_ID: '10000100' }, 'WECHAT_API_KEY'],
    [{ WECHAT_API_KEY: LIVE.WECHAT_API_KEY }, 'WECHAT_APPID'],
    [{ ...LIVE, WECHAT_API_KEY: 'short' }, 'WECHAT_API_KEY'],
    [{ ...LIVE, WECHAT_APPID: 'app123' }, 'WECHAT_APPID'],
    [{ ...LIVE, WECHAT_MCH_ID: 'abc' }, 'WECHAT_MCH_ID'],
    [{ WECHAT_SIGN_TYPE: 'SHA1' }, 'WECHAT_SIGN_TYPE'],
    [{ WECHAT_SUB_APPID: 'wx8888888888888888' }, 'WECHAT_SUB_MCH_ID'],
    [{ WECHAT_API_BASE: 'ftp://example' }, 'WECHAT_API_BASE'],
    [{ WECHAT_API_BASE: 'not a url' }, 'WECHAT_API_BASE'],
    [{ WECHAT_API_BASE: 'https://api2.mch.weixin.qq.com' }, 'WECHAT_API_KEY'],
    [{ WECHAT_CERT_PEM: '/nonexistent/cert.pem' }, 'WECHAT_CERT_PEM'],
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ PAY_DEADLINE_MS: '-1' }, 'PAY_DEADLINE_MS'],
    [{ PAY_POLL_INTERVAL_MS: '1.5' }, 'PAY_POLL_INTERVAL_MS'],
    [{ GATEWAY_TIMEOUT_MS: '0' }, 'GATEWAY_TIMEOUT_MS'],
    [{ MAX_AMOUNT_FEN: '0' }, 'MAX_AMOUNT_FEN'],
    [{ SHOP_TIMEZONE: 'Mars/Olympus' }, 'SHOP_TIMEZONE'],
    [{ SHOP_NAME: 'x'.repeat(65) }, 'SHOP_NAME'],
    [{ SHOP_NAME: 'Shop \uFFFF' }, 'SHOP_NAME'],
    [{ ALLOW_INSECURE_HTTP: 'yes' }, 'ALLOW_INSECURE_HTTP'],
    [{ MANAGER_PIN: '12' }, 'MANAGER_PIN'],
    [{ MANAGER_PIN: 'abcd' }, 'MANAGER_PIN'],
    [{ TLS_CERT: '/nonexistent/server.crt' }, 'TLS_CERT'],
    [{ SIMULATOR_ACCEPT_ANY_CODE: 'yes' }, 'SIMULATOR_ACCEPT_ANY_CODE'],
  ])('refuses %j naming %s', (env, variable) => {
    const error = errorOf(env as Record<string, string>);
    expect(error.variable).toBe(variable);
    expect(error.message.startsWith(`${variable}: `)).toBe(true);
  });

  it.each([
    [{}, true],
    [{ SIMULATOR_ACCEPT_ANY_CODE: '1' }, false],
    [{ SIMULATOR_ACCEPT_ANY_CODE: '0' }, true],
    [{ ...LIVE }, false],
  ])('is in training mode (test codes only) with %j: %s', (env, training) => {
    expect(trainingMode(loadConfig(env as Record<string, string>))).toBe(training);
  });

  it('warns at start, in live mode only, when PAY_REVERSE_MIN_AGE_MS is below WeChat\'s 15 s', () => {
    const early = loadConfig({ ...LIVE, PAY_REVERSE_MIN_AGE_MS: '5000' }, SIM);
    expect(early.flow.reverseMinAgeMs).toBe(5_000);
    expect(early.warnings.join('\n')).toMatch(/PAY_REVERSE_MIN_AGE_MS is 5000 ms: WeChat Pay's docs forbid a reverse earlier than 15 s/);
    expect(loadConfig({ ...LIVE, PAY_REVERSE_MIN_AGE_MS: '15000' }, SIM).warnings.join('\n')).not.toMatch(/PAY_REVERSE_MIN_AGE_MS/);
    expect(loadConfig(LIVE, SIM).warnings.join('\n')).not.toMatch(/PAY_REVERSE_MIN_AGE_MS/);
    // The simulator and tests may reverse sooner: no warning there.
    expect(loadConfig({ PAY_REVERSE_MIN_AGE_MS: '1000' }, SIM).warnings).toEqual([]);
  });

  it('keeps the 45 s deadline and the 2 s poll as defaults in live mode', () => {
    expect(loadConfig(LIVE, SIM).flow).toMatchObject({ deadlineMs: 45_000, pollIntervalMs: 2_000, reverseMinAgeMs: 15_000 });
  });

  it('warns that SIMULATOR_ACCEPT_ANY_CODE means nothing in live mode', () => {
    expect(loadConfig({ ...LIVE, SIMULATOR_ACCEPT_ANY_CODE: '1' }).warnings.join(' ')).toMatch(/SIMULATOR_ACCEPT_ANY_CODE is ignored/);
  });

  it('asks for both halves of a pair of files', () => {
    expect(errorOf({ WECHAT_CERT_PEM: pemFile() }).variable).toBe('WECHAT_KEY_PEM');
    expect(errorOf({ TLS_KEY: pemFile() }).variable).toBe('TLS_CERT');
  });

  it('never repeats the API key in its error', () => {
    const key = 'secret-but-too-long-0123456789abcdef';
    expect(errorOf({ ...LIVE, WECHAT_API_KEY: key }).message).not.toContain(key);
  });
});

describe('chain settings', () => {
  it('keeps the SQLite journal without DATABASE_URL and names the instance after host and port', () => {
    const config = loadConfig({ PORT: '9000' }, SIM);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.instanceId).toBe(`${hostname()}:9000`);
    expect(config.flow.leaseMs).toBe(60_000);
  });

  it('takes a postgres:// DATABASE_URL, an INSTANCE_ID and PAY_LEASE_MS', () => {
    const config = loadConfig({ DATABASE_URL: 'postgresql://pos:secret@db.lan:5432/pos', INSTANCE_ID: 'pos-2', PAY_LEASE_MS: '45000' }, SIM);
    expect(config).toMatchObject({ databaseUrl: 'postgresql://pos:secret@db.lan:5432/pos', instanceId: 'pos-2', flow: { leaseMs: 45_000 } });
  });

  it.each([
    ['mysql://pos:hunter2@db/pos', /postgres:\/\/ URL, not mysql:/],
    ['not a url hunter2', /is not a URL/],
    ['postgres:///pos', /names no host/],
  ])('refuses DATABASE_URL %s without repeating it', (url, message) => {
    const error = errorOf({ DATABASE_URL: url });
    expect(error.variable).toBe('DATABASE_URL');
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain('hunter2');
  });

  it('refuses an INSTANCE_ID with spaces or of more than 100 characters', () => {
    expect(errorOf({ INSTANCE_ID: 'pos 2' }).variable).toBe('INSTANCE_ID');
    expect(errorOf({ INSTANCE_ID: 'x'.repeat(101) }).variable).toBe('INSTANCE_ID');
  });

  it('refuses a lease shorter than two gateway calls and a margin, and raises the default to it', () => {
    expect(errorOf({ GATEWAY_TIMEOUT_MS: '30000', PAY_LEASE_MS: '60000' }).message).toMatch(/PAY_LEASE_MS: 60000 is too short: at least .* = 70000/);
    expect(loadConfig({ GATEWAY_TIMEOUT_MS: '30000' }, SIM).flow.leaseMs).toBe(70_000);
  });
});

describe('publicOrigin', () => {
  it('links to localhost on a wildcard host and uses https with TLS', () => {
    expect(publicOrigin({ port: 8787 })).toBe('http://localhost:8787');
    expect(publicOrigin({ port: 8787, host: '192.168.1.20', tls: { certPath: 'a', keyPath: 'b' } })).toBe('https://192.168.1.20:8787');
  });
});

describe('Alipay configuration', () => {
  const keys = { ALIPAY_PRIVATE_KEY: SIMULATOR_KEY_FILES.appPrivateKey, ALIPAY_PUBLIC_KEY: SIMULATOR_KEY_FILES.alipayPublicKey };

  it('runs Alipay on the built-in simulator with the test keys while WeChat Pay does, and switches it off beside a live WeChat Pay', () => {
    const sim = loadConfig({}, SIM);
    expect(sim.alipay).toEqual({ mode: 'simulator', appId: '2021000100000001' });
    expect(walletModes(sim)).toEqual({ wechat: 'simulator', alipay: 'simulator' });
    expect(trainingWallets(sim)).toEqual({ wechat: true, alipay: true });
    expect(walletModes(loadConfig(LIVE, SIM))).toEqual({ wechat: 'live', alipay: 'off' });
  });

  it('goes live with the merchant app’s keys at the production gateway, beside a simulated WeChat Pay', () => {
    const config = loadConfig({ ...keys, ALIPAY_APP_ID: '2021004100000042' }, SIM);
    expect(config.alipay).toEqual({ mode: 'live', appId: '2021004100000042', gateway: 'https://openapi.alipay.com/gateway.do', privateKeyPath: keys.ALIPAY_PRIVATE_KEY, publicKeyPath: keys.ALIPAY_PUBLIC_KEY });
    expect(walletModes(config)).toEqual({ wechat: 'simulator', alipay: 'live' });
    expect(trainingWallets(config)).toEqual({ wechat: true, alipay: false });
  });

  it('takes an http:// gateway as a simulator, "simulator" as the built-in one beside a live WeChat Pay, and "off"', () => {
    expect(loadConfig({ ALIPAY_GATEWAY: 'http://127.0.0.1:9000/alipay/gateway.do' }, SIM).alipay).toMatchObject({ mode: 'simulator', gateway: 'http://127.0.0.1:9000/alipay/gateway.do' });
    expect(loadConfig({ ...LIVE, ALIPAY_GATEWAY: 'simulator' }, SIM).alipay).toEqual({ mode: 'simulator', appId: '2021000100000001' });
    expect(loadConfig({ ALIPAY_GATEWAY: 'off' }, SIM).alipay.mode).toBe('off');
  });

  it.each<[string, Record<string, string>, string, RegExp]>([
    ['one key without the other', { ALIPAY_PRIVATE_KEY: SIMULATOR_KEY_FILES.appPrivateKey }, 'ALIPAY_PUBLIC_KEY', /set both/],
    ['keys without an app id', { ALIPAY_PRIVATE_KEY: SIMULATOR_KEY_FILES.appPrivateKey, ALIPAY_PUBLIC_KEY: SIMULATOR_KEY_FILES.alipayPublicKey }, 'ALIPAY_APP_ID', /missing/],
    ['an app id that is not 16 digits', { ALIPAY_APP_ID: 'wx123' }, 'ALIPAY_APP_ID', /16 digits/],
    ['a real gateway without keys', { ALIPAY_GATEWAY: 'https://openapi.alipay.com/gateway.do' }, 'ALIPAY_PRIVATE_KEY', /real gateway/],
    ['a gateway that is no URL', { ALIPAY_GATEWAY: 'nowhere' }, 'ALIPAY_GATEWAY', /not a URL/],
  ])('refuses %s, naming the variable', (_, env, variable, message) => {
    const error = errorOf(env);
    expect(error.variable).toBe(variable);
    expect(error.message).toMatch(message);
  });

  it('refuses a key file that holds no key at start, saying which variable and what was found', () => {
    const error = errorOf({ ALIPAY_APP_ID: '2021004100000042', ALIPAY_PRIVATE_KEY: pemFile(), ALIPAY_PUBLIC_KEY: SIMULATOR_KEY_FILES.alipayPublicKey });
    expect(error.variable).toBe('ALIPAY_PRIVATE_KEY');
    expect(error.message).toMatch(/x\.pem/);
  });
});
