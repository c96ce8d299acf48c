import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Payment } from '../../shared/api.ts';
import { createSimulator, type Simulator } from '../../server/simulator/app.ts';
import { makeTestCode } from '../../server/simulator/test-codes.ts';
import { parseBeijingTime } from '../../server/wechat/beijing-time.ts';
import { parseXml } from '../../server/wechat/xml.ts';
import { chargedFen, newId, startHarness, type Harness } from './harness.ts';

/**
 * A shop west (New York) or a little east (Berlin) of UTC, on a machine whose TZ is yet another
 * zone, pays normally: WeChat reads time_start and time_expire as Beijing time and refuses a
 * time_expire less than a minute ahead of its own now. A recording proxy in front of a standalone
 * simulator keeps every micropay the server sends, so the times are checked as WeChat reads them.
 */

let simulator: Simulator;
let simServer: ServerType;
let proxy: Server;
let proxyBase = '';
const micropays: Array<{ fields: Record<string, string>; receivedAt: number }> = [];
const originalTz = process.env.TZ;
let h: Harness | undefined;

beforeAll(async () => {
  simulator = createSimulator();
  simServer = serve({ fetch: simulator.app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((r) => simServer.once('listening', r));
  const target = `http://127.0.0.1:${(simServer.address() as AddressInfo).port}`;
  proxy = createHttpServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    if (req.url === '/pay/micropay') micropays.push({ fields: parseXml(body), receivedAt: Date.now() });
    const upstream = await fetch(target + req.url, { method: 'POST', body, headers: { 'content-type': 'text/xml' } });
    res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'text/xml' }).end(await upstream.text());
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  proxyBase = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});

afterEach(async () => {
  await h?.close();
  h = undefined;
  if (originalTz === undefined) delete process.env.TZ;
  else process.env.TZ = originalTz;
});

afterAll(() => {
  proxy?.close();
  simulator?.close();
  simServer?.close();
});

describe('times sent to WeChat are Beijing time whatever the shop and machine zones', () => {
  it.each([
    ['America/New_York', 'Europe/Berlin'],
    ['Europe/Berlin', 'America/Los_Angeles'],
    ['America/New_York', 'America/New_York'],
  ])('a shop in %s on a machine with TZ=%s pays normally', async (shopZone, machineZone) => {
    process.env.TZ = machineZone;
    h = await startHarness({ WECHAT_API_BASE: proxyBase, SHOP_TIMEZONE: shopZone });
    const token = await h.terminal();
    const id = newId('bj');
    const code = makeTestCode('success');
    const res = await h.call<Payment>('POST', '/api/payments', { token, body: { id, amount_fen: 2_500, auth_code: code } });
    expect(res.status, res.text).toBe(200);
    const final = await h.waitFinal(token, id);
    expect(final.status).toBe('succeeded');
    expect(chargedFen(simulator.order(final.out_trade_no))).toBe(2_500);

    const sent = micropays.find((m) => m.fields.out_trade_no === final.out_trade_no)!;
    expect(sent).toBeDefined();
    const start = parseBeijingTime(sent.fields.time_start!)!;
    const expire = parseBeijingTime(sent.fields.time_expire!)!;
    // Read as Beijing time, time_start is the moment the payment was taken (whole seconds)…
    expect(Math.abs(start - Date.parse(final.created_at))).toBeLessThan(1_000);
    expect(start).toBeLessThanOrEqual(sent.receivedAt);
    // …and time_expire is at least the minute WeChat demands ahead of its own now.
    expect(expire - sent.receivedAt).toBeGreaterThanOrEqual(60_000);
  });
});
