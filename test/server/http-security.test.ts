import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, SECURITY_HEADERS, securityHeaders } from '../../server/http-security.ts';

/** Every answer carries the security headers and, but for the simulator's pages, the CSP. */
describe('security headers', () => {
  const app = new Hono();
  app.use(securityHeaders());
  app.get('/api/thing', (c) => c.json({ ok: true }));
  app.get('/api/stream', (c) => c.body(new ReadableStream({ start: (s) => (s.enqueue(new TextEncoder().encode('a,b\n')), s.close()) }), 200, { 'content-type': 'text/csv' }));
  app.get('/simulator/phone', (c) => c.html('<script>inline()</script>'));
  app.get('/boom', () => {
    throw new Error('boom');
  });
  app.onError((_error, c) => c.text('failed', 500));

  let server: ServerType | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));
  const served = async () => {
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((resolve) => server!.once('listening', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };

  const expectSecure = (headers: Headers, csp: boolean) => {
    for (const [name, value] of SECURITY_HEADERS) expect(headers.get(name)).toBe(value);
    expect(headers.get('content-security-policy')).toBe(csp ? CONTENT_SECURITY_POLICY : null);
    expect(headers.get('strict-transport-security')).toBeNull();
  };

  it('are on JSON, streamed and error answers served by Node, with the CSP everywhere but the simulator', async () => {
    const base = await served();
    for (const path of ['/api/thing', '/api/stream', '/boom', '/nowhere']) {
      const res = await fetch(base + path);
      await res.text();
      expectSecure(res.headers, true);
    }
    const thing = await fetch(`${base}/api/thing`);
    expect(thing.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await thing.json()).toEqual({ ok: true });
    const phone = await fetch(`${base}/simulator/phone`);
    await phone.text();
    expectSecure(phone.headers, false);
  });

  it('are on answers made without Node too (app.request)', async () => {
    expectSecure((await app.request('/api/thing')).headers, true);
    expectSecure((await app.request('/simulator/phone')).headers, false);
  });
});
