import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Payment, PaymentList } from '../../shared/api.ts';
import { SIMULATOR_DEFAULTS, createSimulator, type Simulator } from '../../server/simulator/app.ts';
import { makeTestCode } from '../../server/simulator/test-codes.ts';
import { sign } from '../../server/wechat/sign.ts';
import { parseXml, toXml } from '../../server/wechat/xml.ts';
import { newId, startHarness, type Harness } from './harness.ts';

/**
 * Coupons and settlement over HTTP: a stand-in for the gateway adds WeChat's coupon fields to the
 * simulator's paid answers, in the shapes real answers take (coupon_* with a missing coupon_id_0,
 * promotion_detail alone, malformed optional fields), and signs them again with the merchant key,
 * as WeChat signs every field it sends. The server must keep every payment paid and report what
 * WeChat said.
 */

type Extra = (fields: Record<string, string>) => Record<string, string>;
const shapes = new Map<string, Extra>(); // by auth_code
let simulator: Simulator;
let simServer: ServerType;
let proxy: Server;
let h: Harness;

beforeAll(async () => {
  simulator = createSimulator();
  simServer = serve({ fetch: simulator.app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((r) => simServer.once('listening', r));
  const target = `http://127.0.0.1:${(simServer.address() as AddressInfo).port}`;
  const authCodes = new Map<string, string>(); // out_trade_no → auth_code
  proxy = createHttpServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const request = parseXml(body);
    if (req.url === '/pay/micropay') authCodes.set(request.out_trade_no!, request.auth_code!);
    const upstream = await fetch(target + req.url, { method: 'POST', body, headers: { 'content-type': 'text/xml' } });
    let text = await upstream.text();
    const answer = parseXml(text);
    const shape = shapes.get(authCodes.get(request.out_trade_no ?? '') ?? '');
    const paid = answer.result_code === 'SUCCESS' && (req.url === '/pay/micropay' || answer.trade_state === 'SUCCESS');
    if (shape && paid) {
      const fields: Record<string, string> = { ...answer, ...shape(answer) };
      delete fields.sign;
      fields.sign = sign(fields, SIMULATOR_DEFAULTS.key, 'MD5');
      text = toXml(fields);
    }
    res.writeHead(upstream.status, { 'content-type': 'text/xml' }).end(text);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  h = await startHarness({ WECHAT_API_BASE: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` });
});

afterAll(async () => {
  await h?.close();
  proxy?.close();
  simulator?.close();
  simServer?.close();
});

async function pay(shape: Extra, amount_fen: number): Promise<Payment> {
  const token = await h.terminal();
  const auth_code = makeTestCode('success');
  shapes.set(auth_code, shape);
  const id = newId('cp');
  const res = await h.call<Payment>('POST', '/api/payments', { token, body: { id, amount_fen, auth_code } });
  expect(res.status, res.text).toBe(200);
  return h.waitFinal(token, id);
}

describe('coupons and settlement from WeChat over HTTP', () => {
  it('stores and shows cash, coupon, settlement and bank, and the day totals use settlement with coupons apart', async () => {
    const before = (await h.call<PaymentList>('GET', '/api/payments', { token: await h.terminal() })).body.totals;
    const p = await pay(
      () => ({ cash_fee: '900', coupon_fee: '100', settlement_total_fee: '950', bank_type: 'CMB_DEBIT', coupon_count: '1', coupon_id_0: '20001', coupon_fee_0: '100', coupon_type_0: 'NO_CASH' }),
      1_000,
    );
    expect(p).toMatchObject({ status: 'succeeded', cash_fen: 900, coupon_fen: 100, settlement_fen: 950, bank_type: 'CMB_DEBIT' });
    const after = (await h.call<PaymentList>('GET', '/api/payments', { token: await h.terminal() })).body.totals;
    expect(after.succeeded_fen - before.succeeded_fen).toBe(1_000);
    expect(after.settlement_fen! - before.settlement_fen!).toBe(950);
    expect(after.coupon_fen! - before.coupon_fen!).toBe(100);
    expect(after.net_fen - before.net_fen).toBe(950);
  });

  it.each<[string, Extra, Partial<Payment>]>([
    ['promotion_detail instead of coupon_*', () => ({ cash_fee: '1150', settlement_total_fee: '1150', promotion_detail: JSON.stringify({ promotion_detail: [{ promotion_id: '1', scope: 'SINGLE', type: 'DISCOUNT', amount: 50 }] }) }), { cash_fen: 1150, coupon_fen: 50, settlement_fen: 1150 }],
    ['a coupon without coupon_id_0', () => ({ cash_fee: '1100', coupon_fee: '100', coupon_count: '1', coupon_fee_0: '100' }), { cash_fen: 1100, coupon_fen: 100, settlement_fen: null }],
    ['malformed optional amounts', () => ({ cash_fee: '11.00', coupon_fee: 'x', settlement_total_fee: '', coupon_count: 'many', promotion_detail: '{oops' }), { cash_fen: null, coupon_fen: null, settlement_fen: null }],
  ])('keeps a verified paid answer paid with %s', async (_what, shape, expected) => {
    const p = await pay(shape, 1_200);
    expect(p).toMatchObject({ status: 'succeeded', amount_fen: 1_200, ...expected });
    expect(p.error).toBeUndefined();
  });
});
