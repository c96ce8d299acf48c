import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { beijingTimestamp } from '../../../../server/alipay/client.ts';
import { loadPrivateKey, loadPublicKey } from '../../../../server/alipay/keys.ts';
import { topLevelMembers } from '../../../../server/alipay/response.ts';
import { rsa2Verify, signParams } from '../../../../server/alipay/sign.ts';
import { ALIPAY_SIMULATOR_DEFAULTS, createAlipaySimulator, type AlipaySimulatorOptions } from '../../../../server/simulator/alipay/app.ts';
import { simulatorKey } from '../../../../server/simulator/alipay/keys.ts';
import { createSimulator } from '../../../../server/simulator/app.ts';
import { makeAlipayTestCode, type AlipayBehaviour } from '../../../../server/simulator/test-codes.ts';
import { fakeClock } from '../helpers.ts';

/**
 * The simulator's gateway envelope, controls and bill file, driven in-process with a fake clock:
 * the checks a request goes through, in Alipay's order and with Alipay's error shapes.
 */

const appKey = loadPrivateKey(simulatorKey('appPrivateKey')).key;
const alipayPublic = loadPublicKey(simulatorKey('alipayPublicKey')).key;
const APP_ID = ALIPAY_SIMULATOR_DEFAULTS.appId;

interface Reply {
  status: number;
  contentType: string;
  key: string;
  body: Record<string, unknown>;
  /** undefined: no sign member; otherwise whether it verifies over the raw response text. */
  verified?: boolean;
}

function setup(options: AlipaySimulatorOptions = {}) {
  const clock = fakeClock();
  const sim = createAlipaySimulator({ appId: APP_ID, now: clock.now, passwordDeclineMs: 3_000, ...options });

  function params(method: string | undefined, biz: unknown, overrides: Record<string, string | undefined> = {}): Record<string, string> {
    const all: Record<string, string | undefined> = {
      app_id: APP_ID,
      method,
      format: 'JSON',
      charset: 'utf-8',
      sign_type: 'RSA2',
      timestamp: beijingTimestamp(clock.now()),
      version: '1.0',
      biz_content: typeof biz === 'string' ? biz : JSON.stringify(biz),
      ...overrides,
    };
    const signed = signParams(all, appKey);
    if (overrides.sign !== undefined) signed.sign = overrides.sign;
    if ('sign' in overrides && overrides.sign === undefined) delete signed.sign;
    return signed;
  }

  async function send(form: Record<string, string>, query: Record<string, string> = {}): Promise<Reply> {
    const path = `/alipay/gateway.do${Object.keys(query).length ? `?${new URLSearchParams(query)}` : ''}`;
    const res = await sim.app.request(path, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded;charset=utf-8' }, body: new URLSearchParams(form).toString() });
    const text = await res.text();
    const members = topLevelMembers(text);
    const key = [...members.keys()].find((k) => k !== 'sign')!;
    const raw = members.get(key)!;
    const sign = members.get('sign');
    return {
      status: res.status,
      contentType: res.headers.get('content-type') ?? '',
      key,
      body: JSON.parse(raw) as Record<string, unknown>,
      ...(sign === undefined ? {} : { verified: rsa2Verify(raw, JSON.parse(sign) as string, alipayPublic) }),
    };
  }

  const call = (method: string, biz: unknown, overrides: Record<string, string | undefined> = {}) => send(params(method, biz, overrides));
  let seq = 0;
  const pay = (behaviour: AlipayBehaviour, extra: Record<string, unknown> = {}) => {
    seq += 1;
    const out_trade_no = `G${seq}`;
    return call('alipay.trade.pay', { out_trade_no, scene: 'bar_code', auth_code: makeAlipayTestCode(behaviour), subject: 'Shop-POS', total_amount: '10.00', ...extra }).then((reply) => ({ out_trade_no, reply }));
  };
  return { sim, clock, params, send, call, pay };
}

describe('the gateway envelope', () => {
  it('answers JSON under <method>_response, signed over the exact text, as text/html like Alipay', async () => {
    const { pay } = setup();
    const { reply } = await pay('success');
    expect(reply).toMatchObject({ status: 200, key: 'alipay_trade_pay_response', verified: true, body: { code: '10000', msg: 'Success' } });
    expect(reply.contentType).toBe('text/html;charset=utf-8');
  });

  it('takes the common parameters from the query string and biz_content from the body, as the SDKs send them', async () => {
    const { params, send } = setup();
    const all = params('alipay.trade.query', { out_trade_no: 'nope' });
    const { biz_content, ...common } = all;
    const reply = await send({ biz_content: biz_content! }, common);
    expect(reply).toMatchObject({ verified: true, body: { code: '40004', sub_code: 'ACQ.TRADE_NOT_EXIST' } });
  });

  it('refuses a parameter given both in the query string and in the body', async () => {
    const { params, send } = setup();
    const all = params('alipay.trade.query', { out_trade_no: 'nope' });
    const reply = await send(all, { app_id: APP_ID });
    expect(reply.body).toMatchObject({ code: '40002', sub_code: 'isv.invalid-parameter' });
  });

  it('answers a missing or unknown method in an unsigned error_response', async () => {
    const { send, params } = setup();
    const missing = await send(params(undefined, {}));
    expect(missing).toMatchObject({ key: 'error_response', body: { code: '40001', msg: 'Missing Required Arguments', sub_code: 'isv.missing-method' } });
    expect(missing.verified).toBeUndefined();
    const unknown = await send(params('alipay.trade.precreate', {}));
    expect(unknown).toMatchObject({ key: 'error_response', body: { code: '40002', sub_code: 'isv.invalid-method' } });
  });

  it('answers another app id with an unsigned isv.invalid-app-id, as Alipay does', async () => {
    const { call } = setup();
    const reply = await call('alipay.trade.query', { out_trade_no: 'x' }, { app_id: '2021999999999999' });
    expect(reply).toMatchObject({ key: 'alipay_trade_query_response', body: { code: '40002', msg: 'Invalid Arguments', sub_code: 'isv.invalid-app-id' } });
    expect(reply.verified).toBeUndefined();
  });

  it.each([
    ['no signature', { sign: undefined }, '40001', 'isv.missing-signature'],
    ['a forged signature', { sign: 'AAAA' }, '40002', 'isv.invalid-signature'],
    ['sign_type RSA (only RSA2)', { sign_type: 'RSA' }, '40002', 'isv.invalid-signature-type'],
    ['no timestamp', { timestamp: undefined }, '40001', 'isv.missing-timestamp'],
    ['a timestamp in another format', { timestamp: '2026/11/28 10:00:00' }, '40002', 'isv.invalid-timestamp'],
    ['charset gbk', { charset: 'gbk' }, '40002', 'isv.invalid-charset'],
    ['no version', { version: undefined }, '40001', 'isv.missing-version'],
  ])('refuses a request with %s (signed refusal)', async (_what, overrides, code, subCode) => {
    const { call } = setup();
    const reply = await call('alipay.trade.query', { out_trade_no: 'x' }, overrides);
    expect(reply).toMatchObject({ verified: true, body: { code, sub_code: subCode } });
  });

  it('shows the string it verified in an isv.invalid-signature answer, like Alipay', async () => {
    const { call } = setup();
    const reply = await call('alipay.trade.query', { out_trade_no: 'x' }, { sign: 'AAAA' });
    expect(String(reply.body.sub_msg)).toContain(`app_id=${APP_ID}&biz_content={"out_trade_no":"x"}&charset=utf-8&format=JSON&method=alipay.trade.query`);
  });

  it.each([
    ['biz_content that is not JSON', 'alipay.trade.query', '{out_trade_no', '40002', 'isv.invalid-parameter'],
    ['a pay without auth_code', 'alipay.trade.pay', { out_trade_no: 'P1', scene: 'bar_code', subject: 's', total_amount: '1.00' }, '40004', 'ACQ.INVALID_PARAMETER'],
    ['a pay of 0.00', 'alipay.trade.pay', { out_trade_no: 'P1', scene: 'bar_code', auth_code: '280000123456789012', subject: 's', total_amount: '0.00' }, '40004', 'ACQ.INVALID_PARAMETER'],
    ['a pay with three decimals', 'alipay.trade.pay', { out_trade_no: 'P1', scene: 'bar_code', auth_code: '280000123456789012', subject: 's', total_amount: '1.001' }, '40004', 'ACQ.INVALID_PARAMETER'],
    ['a pay with another scene', 'alipay.trade.pay', { out_trade_no: 'P1', scene: 'qr_code', auth_code: '280000123456789012', subject: 's', total_amount: '1.00' }, '40004', 'ACQ.INVALID_PARAMETER'],
    ['a pay with a WeChat code', 'alipay.trade.pay', { out_trade_no: 'P1', scene: 'bar_code', auth_code: '130000123456789012', subject: 's', total_amount: '1.00' }, '40004', 'ACQ.PAYMENT_AUTH_CODE_INVALID'],
    ['a query without any trade number', 'alipay.trade.query', {}, '40004', 'ACQ.INVALID_PARAMETER'],
  ])('answers %s with %s %s', async (_what, method, biz, code, subCode) => {
    const { call } = setup();
    expect((await call(method, biz)).body).toMatchObject({ code, sub_code: subCode });
  });

  it('is reachable inside the WeChat simulator at /alipay/gateway.do, with its controls at /control/alipay', async () => {
    const sim = createSimulator();
    const form = setup().params('alipay.trade.query', { out_trade_no: 'x' });
    const res = await sim.app.request('/alipay/gateway.do', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
    expect(await res.json()).toMatchObject({ alipay_trade_query_response: { code: '40004', sub_code: 'ACQ.TRADE_NOT_EXIST' } });
    const behaviours = (await (await sim.app.request('/control/alipay/behaviours')).json()) as Array<{ prefix: string }>;
    expect(behaviours.map((b) => b.prefix)).toContain('280001');
  });
});

describe('trades over time', () => {
  it('refuses to cancel a paid trade after 24 hours (ACQ.TRADE_CANCEL_TIME_OUT), which refund still takes', async () => {
    const { pay, call, clock } = setup();
    const { out_trade_no } = await pay('success');
    clock.advance(24 * 3600_000 + 1_000);
    expect((await call('alipay.trade.cancel', { out_trade_no })).body).toMatchObject({ code: '40004', sub_code: 'ACQ.TRADE_CANCEL_TIME_OUT', retry_flag: 'N' });
    expect((await call('alipay.trade.refund', { out_trade_no, refund_amount: '1.00', out_request_no: 'R1' })).body).toMatchObject({ code: '10000', fund_change: 'Y' });
  });

  it('refuses to cancel a trade that has refunds', async () => {
    const { pay, call } = setup();
    const { out_trade_no } = await pay('success');
    await call('alipay.trade.refund', { out_trade_no, refund_amount: '1.00', out_request_no: 'R1' });
    expect((await call('alipay.trade.cancel', { out_trade_no })).body).toMatchObject({ code: '40004', sub_code: 'ACQ.CANCEL_NOT_ALLOWED' });
  });

  it('finishes a paid trade after three months: the query says TRADE_FINISHED and refunds are refused', async () => {
    const { pay, call, clock } = setup();
    const { out_trade_no } = await pay('success');
    clock.advance(93 * 24 * 3600_000);
    expect((await call('alipay.trade.query', { out_trade_no })).body).toMatchObject({ trade_status: 'TRADE_FINISHED' });
    expect((await call('alipay.trade.refund', { out_trade_no, refund_amount: '1.00', out_request_no: 'R1' })).body).toMatchObject({ sub_code: 'ACQ.TRADE_HAS_FINISHED' });
  });

  it('shows a refund to the refund query only after refundSettleMs', async () => {
    const { pay, call, clock } = setup({ refundSettleMs: 10_000 });
    const { out_trade_no } = await pay('success');
    await call('alipay.trade.refund', { out_trade_no, refund_amount: '2.00', out_request_no: 'R1' });
    expect((await call('alipay.trade.fastpay.refund.query', { out_trade_no, out_request_no: 'R1' })).body).not.toHaveProperty('refund_status');
    clock.advance(10_000);
    expect((await call('alipay.trade.fastpay.refund.query', { out_trade_no, out_request_no: 'R1' })).body).toMatchObject({ refund_status: 'REFUND_SUCCESS', refund_amount: '2.00' });
  });

  it('refuses a code handed out by the control route once its time to live is over', async () => {
    const { sim, call, clock } = setup({ codeTtlMs: 60_000 });
    const code = sim.issueCode('success');
    clock.advance(61_000);
    const reply = await call('alipay.trade.pay', { out_trade_no: 'P_late', scene: 'bar_code', auth_code: code, subject: 's', total_amount: '1.00' });
    expect(reply.body).toMatchObject({ sub_code: 'ACQ.PAYMENT_AUTH_CODE_INVALID' });
  });
});

describe('control routes', () => {
  it('confirms a waiting trade and refuses to confirm it again (409)', async () => {
    const { sim, pay } = setup();
    const { out_trade_no } = await pay('password');
    const first = await sim.app.request(`/control/alipay/orders/${out_trade_no}/confirm`, { method: 'POST' });
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ out_trade_no, trade_status: 'TRADE_SUCCESS', total_fen: 1_000, behaviour: 'password' });
    const again = await sim.app.request(`/control/alipay/orders/${out_trade_no}/confirm`, { method: 'POST' });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ error: { code: 'NOT_WAITING' } });
  });

  it('declines a waiting trade, which closes it', async () => {
    const { sim, pay } = setup();
    const { out_trade_no } = await pay('password');
    const res = await sim.app.request(`/control/alipay/orders/${out_trade_no}/decline`, { method: 'POST' });
    expect(await res.json()).toMatchObject({ trade_status: 'TRADE_CLOSED' });
  });

  it('answers 404 for an unknown trade', async () => {
    const { sim } = setup();
    expect((await sim.app.request('/control/alipay/orders/nope/confirm', { method: 'POST' })).status).toBe(404);
  });

  it('hands out a fresh code for a behaviour, and finds the trade charged with it, masked', async () => {
    const { sim, call } = setup();
    const res = await sim.app.request('/control/alipay/codes', { method: 'POST', body: JSON.stringify({ behaviour: 'password' }) });
    const { code, behaviour } = (await res.json()) as { code: string; behaviour: string };
    expect(behaviour).toBe('password');
    expect(code).toMatch(/^280001\d{12}$/);
    await call('alipay.trade.pay', { out_trade_no: 'P_code', scene: 'bar_code', auth_code: code, subject: 's', total_amount: '1.00' });
    const list = (await (await sim.app.request(`/control/alipay/orders?auth_code=${code}`)).json()) as Array<{ out_trade_no: string; auth_code_masked: string }>;
    expect(list).toEqual([expect.objectContaining({ out_trade_no: 'P_code', auth_code_masked: expect.not.stringContaining(code.slice(4, 14)) })]);
  });

  it('refuses an unknown behaviour', async () => {
    const { sim } = setup();
    const res = await sim.app.request('/control/alipay/codes', { method: 'POST', body: JSON.stringify({ behaviour: 'teleport' }) });
    expect(res.status).toBe(400);
  });

  it('forgets every trade on reset', async () => {
    const { sim, pay } = setup();
    await pay('success');
    await sim.app.request('/control/alipay/reset', { method: 'POST' });
    expect(await (await sim.app.request('/control/alipay/orders')).json()).toEqual([]);
  });
});

describe('the bill file', () => {
  async function billUrl(env: ReturnType<typeof setup>): Promise<string> {
    const { pay, call, clock } = env;
    const { out_trade_no } = await pay('success', { total_amount: '25.00', store_id: 'S01' });
    await call('alipay.trade.refund', { out_trade_no, refund_amount: '5.00', out_request_no: 'R1' });
    const day = beijingTimestamp(clock.now()).slice(0, 10);
    const reply = await env.call('alipay.data.dataservice.bill.downloadurl.query', { bill_type: 'trade', bill_date: day });
    expect(reply).toMatchObject({ verified: true, body: { code: '10000' } });
    return reply.body.bill_download_url as string;
  }

  it('is a zip of two GBK CSV files named in GBK without the UTF-8 flag, as Alipay’s', async () => {
    const env = setup();
    const url = new URL(await billUrl(env));
    const res = await env.sim.app.request(url.pathname + url.search);
    expect(res.status).toBe(200);
    const zip = new Uint8Array(await res.arrayBuffer());
    expect((zip[6]! | (zip[7]! << 8)) & 0x800).toBe(0); // general purpose flags: no UTF-8 (bit 11)
    const files = unzipSync(zip);
    const gbk = new TextDecoder('gbk');
    const names = Object.keys(files).map((latin1) => gbk.decode(Uint8Array.from(latin1, (c) => c.charCodeAt(0))));
    expect(names).toEqual(['20880000000000420156_20261128_业务明细.csv', '20880000000000420156_20261128_业务明细(汇总).csv']);

    const [detail, summary] = Object.values(files).map((bytes) => gbk.decode(bytes));
    const lines = detail!.split('\r\n');
    expect(lines.slice(0, 4)).toEqual([
      '#支付宝业务明细查询',
      '#账号：[20880000000000420156]',
      '#起始日期：[2026年11月28日 00:00:00]   终止日期：[2026年11月29日 00:00:00]',
      '#-----------------------------------------业务明细列表----------------------------------------',
    ]);
    expect(lines[4]).toMatch(/^支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,订单金额（元）,商家实收（元）,/);
    expect(lines[5]).toMatch(/^\d{28}\t,G1\t,交易\t,Shop-POS,2026-11-28 10:00:00,2026-11-28 10:00:00,S01\t,.*,25\.00,25\.00,.*,0\.00,0\.00,0\.00,,0\.00\t,0\.00,\t,-0\.15,0\.00,$/);
    expect(lines[6]).toMatch(/,退款\t,.*,-5\.00,-5\.00,.*,R1\t,0\.03,/);
    expect(lines[7]).toBe('#-----------------------------------------业务明细列表结束------------------------------------');
    expect(lines[8]).toBe('#交易合计：1笔，商家实收共25.00元，商家优惠共0.00元');
    expect(lines[9]).toBe('#退款合计：1笔，商家实收退款共-5.00元，商家优惠退款共0.00元');
    expect(summary).toContain('门店编号,门店名称,交易订单总笔数,退款订单总笔数,订单金额（元）,商家实收（元）');
    expect(summary).toMatch(/合计\t,\t,1,1,20\.00,20\.00,0\.00,0\.00,0\.00,-0\.12,0\.00,19\.88/);
  });

  it('works for 30 seconds only, and not at all with a changed token', async () => {
    const env = setup();
    const url = new URL(await billUrl(env));
    const forged = new URL(url);
    forged.searchParams.set('token', '0'.repeat(64));
    expect((await env.sim.app.request(forged.pathname + forged.search)).status).toBe(403);
    env.clock.advance(31_000);
    expect((await env.sim.app.request(url.pathname + url.search)).status).toBe(403);
  });

  it('answers isp.bill_not_exist for a future day and an account bill, and refuses a date that does not exist', async () => {
    const { call } = setup();
    expect((await call('alipay.data.dataservice.bill.downloadurl.query', { bill_type: 'trade', bill_date: '2030-01-01' })).body).toMatchObject({ sub_code: 'isp.bill_not_exist' });
    expect((await call('alipay.data.dataservice.bill.downloadurl.query', { bill_type: 'signcustomer', bill_date: '2026-11-28' })).body).toMatchObject({ sub_code: 'isp.bill_not_exist' });
    expect((await call('alipay.data.dataservice.bill.downloadurl.query', { bill_type: 'trade', bill_date: '2026-02-30' })).body).toMatchObject({ sub_code: 'ACQ.INVALID_PARAMETER' });
  });
});
