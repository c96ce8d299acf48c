import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Payment } from '../../shared/api.ts';
import { ERROR_CATALOGUE } from '../../shared/error-catalogue.ts';
import { createServer, type PosServer } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { silentLogger } from '../../server/log.ts';
import { makeTestCode } from '../../server/simulator/test-codes.ts';
import type { Store } from '../../server/store/types.ts';
import { newId, startHarness, type Harness } from './harness.ts';
import { eventually } from '../support/eventually.ts';

/**
 * The attack review's findings replayed against a running server (each one performs the attack
 * and checks the defence). Real traffic goes to loopback only; a client on the shop network is
 * played by handing the app the remote address a socket would have.
 */

let h: Harness;
beforeAll(async () => {
  // No MANAGER_PIN: the PIN is set by command (scrypt), the way the guessing burst found it.
  h = await startHarness({ MANAGER_PIN: '' });
  await h.server.terminals.setPin('7391');
});
afterAll(async () => {
  await h?.close();
});

async function paid(token: string, amount_fen = 500): Promise<Payment> {
  const res = await h.call<Payment>('POST', '/api/payments', { token, body: { id: newId(), amount_fen, auth_code: makeTestCode('success') } });
  expect(res.status, res.text).toBe(200);
  return h.waitFinal(token, res.body.id);
}

/** POSTs an endless chunked body; resolves with the answer's status and how much had been sent by then. */
function endlessChunkedPost(path: string, headers: Record<string, string>): Promise<{ status: number; sent: number; closed: boolean }> {
  const url = new URL(h.base);
  const chunk = Buffer.alloc(64 * 1024, '7');
  const planned = 300 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    let sent = 0;
    let status = 0;
    const req = request({ host: url.hostname, port: url.port, path, method: 'POST', headers: { ...headers, 'transfer-encoding': 'chunked' } });
    const pump = () => {
      while (sent < planned && status === 0) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (status === 0) req.end();
    };
    req.on('response', (res) => {
      status = res.statusCode ?? 0;
      res.resume();
      res.on('end', () => resolve({ status, sent, closed: res.headers.connection === 'close' }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (status !== 0 && (error.code === 'EPIPE' || error.code === 'ECONNRESET')) return;
      reject(error);
    });
    pump();
  });
}

describe('manager PIN brute force', () => {
  it('400 concurrent guesses from one terminal: at most five are checked, none refunds, and another terminal keeps paying meanwhile', async () => {
    const attacker = await h.terminal();
    const cashier = await h.terminal();
    const target = await paid(attacker);
    const guesses = Array.from({ length: 400 }, (_, i) => (i === 399 ? '7391' : String(i).padStart(4, '0')));
    const flood = Promise.all(
      guesses.map((pin) => h.call('POST', `/api/payments/${target.id}/refunds`, { token: attacker, body: { id: newId('r'), amount_fen: 1 }, headers: { 'x-manager-pin': pin } })),
    );
    const during = [];
    for (let i = 0; i < 3; i++) during.push(await paid(cashier, 100 + i));
    const answers = await flood;
    expect(during.map((p) => p.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    const wrong = answers.filter((a) => a.status === 403);
    expect(wrong.length).toBeGreaterThan(0);
    expect(wrong.length).toBeLessThanOrEqual(5);
    expect(wrong.every((a) => a.body.error.code === 'PIN_WRONG' && Number.isInteger(a.body.error.attempts_left))).toBe(true);
    expect(answers.filter((a) => a.status === 429)).toHaveLength(400 - wrong.length);
    expect((await h.simOrder(target.out_trade_no)).refunds).toEqual([]);
  });

  it('any payment id no longer works: an unknown payment is 404 before the PIN is looked at', async () => {
    const token = await h.terminal();
    const res = await h.call('POST', '/api/payments/no-such-payment/refunds', { token, body: { id: newId('r'), amount_fen: 1 }, headers: { 'x-manager-pin': '0000' } });
    expect(res).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
  });
});

describe('hostile Unicode', () => {
  it.each(['\uFFFE', '\uFFFF', '\uD83D', '\uDE00'])('refuses %j in a description or a refund reason with 400, before anything reaches WeChat', async (bad) => {
    const token = await h.terminal();
    const id = newId();
    const payment = await h.call('POST', '/api/payments', { token, body: { id, amount_fen: 100, auth_code: makeTestCode('success'), description: `tea ${bad}` } });
    expect(payment).toMatchObject({ status: 400, body: { error: { code: 'INVALID_DESCRIPTION' } } });
    expect((await h.call('GET', '/api/payments/active', { token })).body.payment).toBeNull();
    const target = await paid(token);
    const refund = await h.call('POST', `/api/payments/${target.id}/refunds`, { token, body: { id: newId('r'), amount_fen: 100, reason: `broken ${bad}` }, headers: { 'x-manager-pin': '7391' } });
    expect(refund).toMatchObject({ status: 400, body: { error: { code: 'INVALID_REASON' } } });
    expect((await h.simOrder(target.out_trade_no)).refunds).toEqual([]);
  });
});

describe('oversized chunked bodies', () => {
  it.each([
    ['the API', '/api/payments', true],
    ['the simulator control API', '/simulator/control/codes', false],
  ])('%s answers 413 and closes the connection long before a 300 MB chunked body is sent', async (_, path, authorised) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (authorised) headers.authorization = `Bearer ${await h.terminal()}`;
    const result = await endlessChunkedPost(path, headers);
    expect(result.status).toBe(413);
    expect(result.closed).toBe(true);
    expect(result.sent).toBeLessThan(30 * 1024 * 1024);
  });
});

describe('the simulator control API from elsewhere', () => {
  const fromLan = { incoming: { socket: { remoteAddress: '192.168.1.77' } } };

  it('refuses another machine without the start token and a cross-site simple POST from this one', async () => {
    expect((await h.server.app.request('/simulator/control/reset', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }, fromLan)).status).toBe(403);
    const withToken = await h.server.app.request('/simulator/control/behaviours', { headers: { 'x-simulator-token': h.server.simulatorToken! } }, fromLan);
    expect(withToken.status).toBe(200);
    const simple = await h.call('POST', '/simulator/control/reset', { headers: { 'content-type': 'text/plain' } });
    expect(simple.status).toBe(415);
  });
});

describe('a forged answer', () => {
  it('is journaled as BAD_SIGNATURE, logged as a warning, shown while checking, and named in the final message', async () => {
    const token = await h.terminal();
    const created = await h.call<Payment>('POST', '/api/payments', { token, body: { id: newId(), amount_fen: 300, auth_code: makeTestCode('forged_signature') } });
    expect(created.body.status).not.toBe('succeeded');
    expect(created.body.error).toEqual({ code: 'BAD_SIGNATURE', message: ERROR_CATALOGUE.local.BAD_SIGNATURE!.en });
    const final = await h.waitFinal(token, created.body.id);
    expect(final.status).toBe('canceled');
    expect(final.error?.message).toContain('BAD_SIGNATURE');
    const events = await h.server.store.paymentEvents(created.body.id);
    expect(events.some((e) => e.error_code === 'BAD_SIGNATURE')).toBe(true);
    const warnings = h.logLines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'gateway outcome unknown' && l.id === created.body.id);
    expect(warnings[0]).toMatchObject({ level: 'warn', code: 'BAD_SIGNATURE', operation: 'micropay' });
  });
});

describe('tokens and scope', () => {
  it('accepts "bearer" in any case', async () => {
    const token = await h.terminal();
    for (const scheme of ['bearer', 'BEARER', 'Bearer']) {
      expect((await h.call('GET', '/api/terminal', { headers: { authorization: `${scheme} ${token}` } })).status).toBe(200);
    }
  });

  it('lets a terminal cancel only its own payment in progress', async () => {
    const owner = await h.terminal();
    const other = await h.terminal();
    const res = await h.call<Payment>('POST', '/api/payments', { token: owner, body: { id: newId(), amount_fen: 200, auth_code: makeTestCode('password') } });
    await h.waitStatus(owner, res.body.id, 'user_paying');
    expect(await h.call('POST', `/api/payments/${res.body.id}/cancel`, { token: other })).toMatchObject({ status: 403, body: { error: { code: 'NOT_YOUR_PAYMENT' } } });
    expect((await h.call<Payment>('GET', `/api/payments/${res.body.id}`, { token: other })).body.cancel_requested).toBeUndefined();
    expect((await h.call('POST', `/api/payments/${res.body.id}/cancel`, { token: owner })).status).toBe(200);
    expect((await h.waitFinal(owner, res.body.id)).status).toBe('canceled');
  });

  it('unpairs with the manager PIN: the token is dead at once, the terminal re-pairs with a new link', async () => {
    const issued = await h.server.terminals.add(`Unpair ${newId()}`);
    const unpair = (pin: string) => h.call('POST', '/api/terminal/unpair', { token: issued.token, headers: { 'x-manager-pin': pin } });
    expect(await unpair('0000')).toMatchObject({ status: 403, body: { error: { code: 'PIN_WRONG', attempts_left: 4 } } });
    expect(await unpair('7391')).toMatchObject({ status: 200, body: { ok: true } });
    expect((await h.call('GET', '/api/terminal', { token: issued.token })).status).toBe(401);
    const again = await h.server.terminals.rotate(issued.terminal.id);
    const paired = await h.call('POST', '/api/pair', { body: { code: again.code } });
    expect((await h.call('GET', '/api/terminal', { token: paired.body.token })).body.terminal.id).toBe(issued.terminal.id);
  });
});

describe('the web app', () => {
  it('is served with a Content-Security-Policy; the simulator phone page (inline script) is not', async () => {
    const page = await fetch(`${h.base}/`);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect((await fetch(`${h.base}/api/health`)).headers.get('content-security-policy')).toBe(csp);
    expect((await fetch(`${h.base}/simulator/phone`)).headers.get('content-security-policy')).toBeNull();
  });
});

describe('a journal that cannot be written (full disk)', () => {
  it('makes health say not ok (503, with the reason) and payments answer 503 without reaching WeChat, until it recovers', async () => {
    let full = false;
    const diskFull = () => Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    const failing = (store: Store): Store =>
      new Proxy(store, {
        get(target, name, receiver) {
          const value = Reflect.get(target, name, receiver) as unknown;
          if (typeof value !== 'function') return value;
          const writes = ['insertPayment', 'transitionPayment', 'insertRefund', 'transitionRefund', 'checkWritable', 'setSetting'];
          return (...args: unknown[]) => {
            if (full && writes.includes(String(name))) return Promise.reject(diskFull());
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      });
    const disk = await startHarness({}, { wrapStore: failing });
    try {
      const token = await disk.terminal();
      expect((await disk.call('GET', '/api/health')).body).toEqual({ ok: true, mode: 'simulator', wallets: { wechat: 'simulator', alipay: 'simulator' } });
      full = true;
      // The health answer is shared for a moment: wait for the next probe.
      const health = () => disk.call('GET', '/api/health');
      const unhealthy = await eventually('health 503 on a full disk', health, { done: (r) => r.status !== 200, timeoutMs: 3_000, intervalMs: 50 });
      expect(unhealthy).toMatchObject({ status: 503, body: { ok: false, mode: 'simulator', reason: 'the journal cannot be written: database or disk is full (SQLITE_FULL)' } });
      const ordersBefore = (await disk.call('GET', '/simulator/control/orders')).body.length;
      const payment = await disk.call('POST', '/api/payments', { token, body: { id: newId(), amount_fen: 100, auth_code: makeTestCode('success') } });
      expect(payment).toMatchObject({ status: 503, body: { error: { code: 'JOURNAL_UNAVAILABLE' } } });
      expect((await disk.call('GET', '/simulator/control/orders')).body.length).toBe(ordersBefore);
      full = false;
      const healthy = await eventually('health 200 once the disk has room', health, { done: (r) => r.status !== 503, timeoutMs: 3_000, intervalMs: 50 });
      expect(healthy.status).toBe(200);
    } finally {
      await disk.close();
    }
  });
});

describe('live mode over plain HTTP', () => {
  const LIVE = {
    PORT: '0',
    HOST: '127.0.0.1',
    WECHAT_APPID: 'wx1234567890abcdef',
    WECHAT_MCH_ID: '1230000109',
    WECHAT_API_KEY: 'Zq8v2LmN4pR6tX0yB3dF5hJ7kM9wQ1sU',
    // A real-looking https gateway nobody listens on: live mode, and nothing is ever paid here.
    WECHAT_API_BASE: 'https://127.0.0.1:9',
  };
  const fromLan = { incoming: { socket: { remoteAddress: '192.168.1.77' } } };
  let dir: string;
  let server: PosServer | undefined;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pos-live-'));
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a client on the network, saying how to run npm run cert, and serves this machine', async () => {
    server = await createServer(loadConfig({ ...LIVE, DATA_DIR: dir }), { log: silentLogger });
    const api = await server.app.request('/api/health', {}, fromLan);
    expect(api.status).toBe(403);
    const body = (await api.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('HTTPS_REQUIRED');
    expect(body.error.message).toMatch(/npm run cert.*TLS_CERT.*ALLOW_INSECURE_HTTP=1/);
    const page = await server.app.request('/', {}, fromLan);
    expect(page.status).toBe(403);
    expect(await page.text()).toMatch(/npm run cert/);
    // A payment with a full code never gets read from the network.
    const pay = await server.app.request('/api/payments', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'x', amount_fen: 1, auth_code: makeTestCode() }) }, fromLan);
    expect(pay.status).toBe(403);
    expect((await fetch(`http://127.0.0.1:${server.port}/api/health`)).status).toBe(200);
    await server.close();
    server = undefined;
  });

  it('serves the network when ALLOW_INSECURE_HTTP=1', async () => {
    server = await createServer(loadConfig({ ...LIVE, DATA_DIR: dir, ALLOW_INSECURE_HTTP: '1' }), { log: silentLogger });
    expect((await server.app.request('/api/health', {}, fromLan)).status).toBe(200);
    await server.close();
    server = undefined;
  });
});
