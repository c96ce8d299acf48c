import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { afterEach, describe, expect, it } from 'vitest';
import { createSimulator } from '../../../server/simulator/app.ts';
import { MAX_CONTROL_BODY_BYTES } from '../../../server/simulator/control-guard.ts';

const TOKEN = 'control-token-for-tests-0123456789';
const JSON_TYPE = { 'content-type': 'application/json' };
/** What @hono/node-server hands the app for a request that came over a socket from `address`. */
const from = (address: string) => ({ incoming: { socket: { remoteAddress: address } } });

const servers: ServerType[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

describe('the simulator control API guard', () => {
  const sim = () => createSimulator({ controlToken: TOKEN });

  it.each(['192.168.1.50', '::ffff:10.0.0.7', 'fe80::1'])('refuses a client at %s without the token, and serves it with the token', async (address) => {
    const s = sim();
    for (const [path, init] of [
      ['/control/orders', {}],
      ['/control/reset', { method: 'POST', headers: JSON_TYPE, body: '{}' }],
    ] as const) {
      const refused = await s.app.request(path, init, from(address));
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/X-Simulator-Token/);
      expect((await s.app.request(path, { ...init, headers: { ...('headers' in init ? init.headers : {}), 'x-simulator-token': 'wrong' } }, from(address))).status).toBe(403);
      expect((await s.app.request(path, { ...init, headers: { ...('headers' in init ? init.headers : {}), 'x-simulator-token': TOKEN } }, from(address))).status).toBe(200);
    }
  });

  it.each(['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1'])('serves this machine (%s) without a token', async (address) => {
    expect((await sim().app.request('/control/behaviours', {}, from(address))).status).toBe(200);
  });

  it('refuses every client but this machine when no token was given', async () => {
    const s = createSimulator();
    expect((await s.app.request('/control/orders', { headers: { 'x-simulator-token': '' } }, from('192.168.1.50'))).status).toBe(403);
  });

  it.each([undefined, 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'])(
    'refuses a POST with content type %s (what a cross-site form or simple request sends) and does nothing',
    async (type) => {
      const s = sim();
      const code = ((await (await s.app.request('/control/codes', { method: 'POST', headers: JSON_TYPE, body: '{}' })).json()) as { code: string }).code;
      const res = await s.app.request('/control/reset', { method: 'POST', headers: type ? { 'content-type': type } : {}, body: 'x=1' }, from('127.0.0.1'));
      expect(res.status).toBe(415);
      // Not reset: the handed-out code is still known to the ledger.
      expect(code).toMatch(/^\d{18}$/);
      expect((await s.app.request('/control/codes', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' })).status).toBe(415);
    },
  );

  it('refuses a declared oversized body with 413 without reading it', async () => {
    const res = await sim().app.request('/control/codes', { method: 'POST', headers: { ...JSON_TYPE, 'content-length': String(MAX_CONTROL_BODY_BYTES + 1) }, body: '{}' });
    expect(res.status).toBe(413);
  });

  it('stops reading an endless chunked body at the bound: 413, the connection closed, far less than the body sent', async () => {
    const s = sim();
    const server = serve({ fetch: s.app.fetch, port: 0, hostname: '127.0.0.1' });
    servers.push(server);
    await new Promise((r) => server.once('listening', r));
    const { port } = server.address() as AddressInfo;
    const chunk = Buffer.alloc(64 * 1024, 'a');
    const planned = 300 * 1024 * 1024;
    const result = await new Promise<{ status: number; sent: number; closed: boolean }>((resolve, reject) => {
      let sent = 0;
      let status = 0;
      const req = request({ host: '127.0.0.1', port, path: '/control/codes', method: 'POST', headers: { ...JSON_TYPE, 'transfer-encoding': 'chunked' } });
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
        // The server closed the connection while we were still sending: that is the defence.
        if (status !== 0 && (error.code === 'EPIPE' || error.code === 'ECONNRESET')) return;
        reject(error);
      });
      pump();
    });
    expect(result.status).toBe(413);
    expect(result.closed).toBe(true);
    expect(result.sent).toBeLessThan(planned / 10);
  });
});
