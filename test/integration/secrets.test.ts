import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Payment } from '../../shared/api.ts';
import { createServer } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { silentLogger } from '../../server/log.ts';
import { createSimulator, type Simulator } from '../../server/simulator/app.ts';
import { makeTestCode } from '../../server/simulator/test-codes.ts';
import { createLocalCa, issueServerCert } from '../../server/tls/local-ca.ts';
import { chargedFen, freshStore, newId, startHarness, type Harness } from './harness.ts';
import { eventually } from '../support/eventually.ts';

/**
 * A merchant's own credentials and client certificate against a standalone simulator: the key
 * and the certificate must appear in no answer and no log line, whatever the payment does.
 */

const CREDENTIALS = { appid: 'wx1234567890abcdef', mch_id: '1230000109', key: 'Zq8v2LmN4pR6tX0yB3dF5hJ7kM9wQ1sU' };
const dir = mkdtempSync(join(tmpdir(), 'pos-secrets-'));
const ca = createLocalCa('test CA');
const leaf = issueServerCert(ca, ['localhost', '127.0.0.1']);
const certPath = join(dir, 'apiclient_cert.pem');
const keyPath = join(dir, 'apiclient_key.pem');
writeFileSync(certPath, leaf.certPem);
writeFileSync(keyPath, leaf.keyPem);
/** A line from the middle of each PEM: any leak of the file would contain it. */
const pemLine = (pem: string) => pem.split(/\r?\n/).filter((l) => l.length === 64)[3]!;

let simulator: Simulator;
let simServer: ServerType;
let h: Harness;

beforeAll(async () => {
  simulator = createSimulator({ ...CREDENTIALS, refundSettleMs: 0, passwordDeclineMs: 200 });
  simServer = serve({ fetch: simulator.app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((r) => simServer.once('listening', r));
  h = await startHarness({
    WECHAT_APPID: CREDENTIALS.appid,
    WECHAT_MCH_ID: CREDENTIALS.mch_id,
    WECHAT_API_KEY: CREDENTIALS.key,
    WECHAT_SIGN_TYPE: 'HMAC-SHA256',
    WECHAT_API_BASE: `http://127.0.0.1:${(simServer.address() as AddressInfo).port}`,
    WECHAT_CERT_PEM: certPath,
    WECHAT_KEY_PEM: keyPath,
  });
});

afterAll(async () => {
  await h?.close();
  simulator?.close();
  simServer?.close();
});

describe('merchant credentials and certificate', () => {
  it('pays, fails, cancels and refunds against the external gateway with HMAC-SHA256', async () => {
    const token = await h.terminal();
    const pay = async (behaviour: Parameters<typeof makeTestCode>[0], amount_fen: number) => {
      const id = newId('s');
      expect((await h.call('POST', '/api/payments', { token, body: { id, amount_fen, auth_code: makeTestCode(behaviour) } })).status).toBe(200);
      return id;
    };
    const paid = await h.waitFinal(token, await pay('success', 900));
    expect(paid.status).toBe('succeeded');
    expect(chargedFen(simulator.order(paid.out_trade_no))).toBe(900);

    const failed = await h.waitFinal(token, await pay('notenough', 50));
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'NOTENOUGH' } });

    const waitingId = await pay('password', 70);
    await h.waitStatus(token, waitingId, 'user_paying');
    await h.call('POST', `/api/payments/${waitingId}/cancel`, { token });
    const canceled = await h.waitFinal(token, waitingId);
    expect(canceled.status).toBe('canceled');
    expect(simulator.order(canceled.out_trade_no)?.trade_state).toBe('REVOKED');

    const refund = await h.call('POST', `/api/payments/${paid.id}/refunds`, { token, body: { id: newId('r'), amount_fen: 300 }, headers: { 'x-manager-pin': '2468' } });
    expect(refund.status, refund.text).toBe(200);
    await eventually('the refund confirmed', async () => (await h.call<Payment>('GET', `/api/payments/${paid.id}`, { token })).body, {
      done: (p) => p.refunded_fen === 300,
      timeoutMs: 8_000,
    });
    expect(chargedFen(simulator.order(paid.out_trade_no))).toBe(600);

    // A few refusals too: their messages must not echo configuration either.
    await h.call('POST', '/api/payments', { token, body: '{"broken' });
    await h.call('POST', `/api/payments/${paid.id}/refunds`, { token, body: { id: newId('r'), amount_fen: 1 }, headers: { 'x-manager-pin': '0000' } });
    expect((await h.call('GET', '/api/health')).body).toEqual({ ok: true, mode: 'simulator', wallets: { wechat: 'simulator', alipay: 'off' } });
  });

  it('never shows the API key or the certificate in an answer or a log line', () => {
    expect(h.logLines.length).toBeGreaterThan(20);
    const secrets = [CREDENTIALS.key, pemLine(leaf.certPem), pemLine(leaf.keyPem), 'BEGIN CERTIFICATE', 'PRIVATE KEY'];
    for (const secret of secrets) expect(secret.length).toBeGreaterThanOrEqual(11);
    for (const text of [...h.responses, ...h.logLines]) for (const secret of secrets) expect(text).not.toContain(secret);
  });
});

describe('HTTPS', () => {
  it('serves the POS over HTTPS when TLS_CERT and TLS_KEY are set', async () => {
    const journal = await freshStore();
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', ...journal.env, TLS_CERT: certPath, TLS_KEY: keyPath });
    const server = await createServer(config, { log: silentLogger });
    try {
      expect(server.url).toBe(`https://127.0.0.1:${server.port}`);
      const body = await new Promise<string>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: server.port, path: '/api/health', ca: ca.certPem, servername: 'localhost' }, (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve(text));
        });
        req.on('error', reject);
        req.end();
      });
      expect(JSON.parse(body)).toEqual({ ok: true, mode: 'simulator', wallets: { wechat: 'simulator', alipay: 'simulator' } });
      // The built-in simulator still answers the client over plain loopback HTTP behind the HTTPS front.
      const token = (await server.terminals.add('TLS till')).token;
      const created = await server.service.create((await server.terminals.authenticate(token))!.id, { id: newId('tls'), amount_fen: 10, auth_code: makeTestCode('success') });
      const paidOver = await eventually(`payment ${created.id} succeeded`, async () => (await server.service.get(created.id))!, { done: (p) => p.status === 'succeeded', timeoutMs: 5_000 });
      expect(paidOver.status).toBe('succeeded');
    } finally {
      await server.close();
      await journal.dispose();
    }
  });
});
