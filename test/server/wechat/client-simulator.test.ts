import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { createSimulator, SIMULATOR_DEFAULTS, type Simulator } from '../../../server/simulator/app.ts';
import { BEHAVIOURS, makeTestCode, type Behaviour } from '../../../server/simulator/test-codes.ts';
import { createWechatClient, type WechatClient, type WechatConfig } from '../../../server/wechat/client.ts';
import type { MicropayRequest, Outcome } from '../../../server/wechat/gateway.ts';
import type { SignType } from '../../../server/wechat/sign.ts';
import { eventually } from '../../support/eventually.ts';
import { gatewayError } from '../../support/rejection.ts';

/**
 * The real client against the simulator over real loopback HTTP, for every test-code behaviour
 * and both signature algorithms: the two sides were written apart, so this is where the
 * protocol is checked end to end.
 */

const CLIENT_TIMEOUT_MS = 400;
let sim: Simulator;
let server: ServerType;
let base: string;

beforeAll(async () => {
  sim = createSimulator({ slowMs: 1_500, passwordDeclineMs: 150, refundSettleMs: 0 });
  server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: sim.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  sim.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => sim.reset());

function configFor(signType: SignType, overrides: Partial<WechatConfig> = {}): WechatConfig {
  return { ...SIMULATOR_DEFAULTS, signType, apiBase: base, timeoutMs: CLIENT_TIMEOUT_MS, spbillCreateIp: '127.0.0.1', ...overrides };
}

let sequence = 0;
function sale(behaviour: Behaviour, total_fee = 1_234): MicropayRequest {
  sequence += 1;
  return { out_trade_no: `SIM${Date.now()}${sequence}`, total_fee, auth_code: makeTestCode(behaviour), body: 'Shop-POS', device_info: 'till-1' };
}

function tradeState(outcome: Outcome<{ trade_state: string }>): string {
  if (outcome.kind !== 'ok') throw new Error(`expected an ok query, got ${JSON.stringify(outcome)}`);
  return outcome.value.trade_state;
}

/** Polls until the simulator's own clock has moved the order on (password_declined). */
const queryUntil = (client: WechatClient, out_trade_no: string, wanted: string): Promise<string> =>
  eventually(`order ${out_trade_no} ${wanted}`, async () => tradeState(await client.orderQuery({ out_trade_no })), { done: (state) => state === wanted, timeoutMs: 3_000 });

function bjDay(date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(date).replaceAll('-', '');
}

describe.each<SignType>(['MD5', 'HMAC-SHA256'])('the client against the simulator, signing with %s', (signType) => {
  let client: WechatClient;
  beforeAll(() => {
    client = createWechatClient(configFor(signType));
  });
  afterAll(() => client.close());

  it('covers every behaviour the simulator knows', () => {
    // A new behaviour in test-codes.ts must get a test here.
    expect(Object.keys(BEHAVIOURS).sort()).toEqual(
      ['accept_paid', 'authcode_expired', 'bankerror', 'coupon', 'forged_signature', 'notenough', 'password', 'password_declined', 'promotion', 'query_systemerror', 'reverse_recall', 'slow', 'success', 'systemerror_paid'],
    );
  });

  it('success: pays at once, and the query agrees', async () => {
    const req = sale('success');
    const outcome = await client.micropay(req);
    expect(outcome).toMatchObject({ kind: 'ok', value: { out_trade_no: req.out_trade_no, total_fee: 1_234, cash_fee: 1_234 } });
    if (outcome.kind !== 'ok') return;
    expect(outcome.value.transaction_id).toMatch(/^\d+$/);
    const query = await client.orderQuery({ out_trade_no: req.out_trade_no });
    expect(query).toMatchObject({ kind: 'ok', value: { trade_state: 'SUCCESS', paid: { transaction_id: outcome.value.transaction_id, total_fee: 1_234 } } });
    expect(sim.order(req.out_trade_no)?.trade_state).toBe('SUCCESS');
  });

  it('password: USERPAYING, then paid when the customer confirms', async () => {
    const req = sale('password');
    expect(await client.micropay(req)).toMatchObject({ kind: 'business_error', code: 'USERPAYING' });
    expect(tradeState(await client.orderQuery(req))).toBe('USERPAYING');
    expect(sim.confirm(req.out_trade_no)).toBe(true);
    expect(await client.orderQuery(req)).toMatchObject({ kind: 'ok', value: { trade_state: 'SUCCESS', paid: { total_fee: 1_234 } } });
  });

  it('password: PAYERROR when the customer declines', async () => {
    const req = sale('password');
    await client.micropay(req);
    expect(sim.decline(req.out_trade_no)).toBe(true);
    expect(tradeState(await client.orderQuery(req))).toBe('PAYERROR');
  });

  it('password_declined: USERPAYING, then PAYERROR after a moment', async () => {
    const req = sale('password_declined');
    expect(await client.micropay(req)).toMatchObject({ kind: 'business_error', code: 'USERPAYING' });
    expect(await queryUntil(client, req.out_trade_no, 'PAYERROR')).toBe('PAYERROR');
  });

  it('systemerror_paid: SYSTEMERROR, yet the query finds it paid', async () => {
    const req = sale('systemerror_paid');
    expect(await client.micropay(req)).toMatchObject({ kind: 'business_error', code: 'SYSTEMERROR' });
    expect(await client.orderQuery(req)).toMatchObject({ kind: 'ok', value: { trade_state: 'SUCCESS', paid: { total_fee: 1_234 } } });
  });

  it('bankerror: BANKERROR, the query finds NOTPAY, and a reverse closes it', async () => {
    const req = sale('bankerror');
    expect(await client.micropay(req)).toMatchObject({ kind: 'business_error', code: 'BANKERROR' });
    expect(tradeState(await client.orderQuery(req))).toBe('NOTPAY');
    expect(await client.reverse(req)).toMatchObject({ kind: 'ok', value: { recall: false } });
    expect(tradeState(await client.orderQuery(req))).toBe('REVOKED');
  });

  it('slow: the client times out (outcome unknown), and the query finds it paid', async () => {
    const req = sale('slow');
    const error = await gatewayError(client.micropay(req));
    expect(error.kind).toBe('timeout');
    expect(await client.orderQuery(req)).toMatchObject({ kind: 'ok', value: { trade_state: 'SUCCESS' } });
  });

  it('coupon: paid with a coupon; micropay and the query verify with every coupon field, and the query lists the coupon', async () => {
    const req = sale('coupon', 1_000);
    expect(await client.micropay(req)).toMatchObject({ kind: 'ok', value: { total_fee: 1_000, coupon_fee: 100, cash_fee: 900, bank_type: 'CMB_DEBIT' } });
    const queried = await client.orderQuery(req);
    expect(queried).toMatchObject({ kind: 'ok', value: { trade_state: 'SUCCESS', paid: { total_fee: 1_000, coupon_fee: 100, cash_fee: 900, coupons: [{ type: 'NO_CASH', fee: 100 }] } } });
  });

  it('promotion: paid with a discount told only in promotion_detail; the answer verifies and carries no coupon', async () => {
    const req = sale('promotion', 1_000);
    const outcome = await client.micropay(req);
    expect(outcome).toMatchObject({ kind: 'ok', value: { total_fee: 1_000, cash_fee: 900 } });
    if (outcome.kind === 'ok') expect(outcome.value.coupons).toBeUndefined();
    expect(await client.orderQuery(req)).toMatchObject({ kind: 'ok', value: { trade_state: 'SUCCESS', paid: { cash_fee: 900 } } });
  });

  it('accept_paid: SYSTEMERROR, the first query ACCEPT, the next one paid', async () => {
    const req = sale('accept_paid');
    expect(await client.micropay(req)).toMatchObject({ kind: 'business_error', code: 'SYSTEMERROR' });
    expect(tradeState(await client.orderQuery(req))).toBe('ACCEPT');
    expect(await client.orderQuery(req)).toMatchObject({ kind: 'ok', value: { trade_state: 'SUCCESS', paid: { total_fee: 1_234 } } });
  });

  it('query_systemerror: SYSTEMERROR, three queries SYSTEMERROR, then paid', async () => {
    const req = sale('query_systemerror');
    expect(await client.micropay(req)).toMatchObject({ kind: 'business_error', code: 'SYSTEMERROR' });
    for (let i = 0; i < 3; i++) expect(await client.orderQuery(req)).toMatchObject({ kind: 'business_error', code: 'SYSTEMERROR' });
    expect(tradeState(await client.orderQuery(req))).toBe('SUCCESS');
  });

  it('a reused code: AUTH_CODE_INVALID with the live gateway text', async () => {
    const first = sale('success');
    await client.micropay(first);
    const again = { ...sale('success'), auth_code: first.auth_code };
    expect(await client.micropay(again)).toMatchObject({ kind: 'business_error', code: 'AUTH_CODE_INVALID', description: '101 每个二维码仅限使用一次，请刷新再试' });
  });

  it('notenough: NOTENOUGH, the customer must change card', async () => {
    expect(await client.micropay(sale('notenough'))).toMatchObject({ kind: 'business_error', code: 'NOTENOUGH' });
  });

  it('authcode_expired: AUTHCODEEXPIRE', async () => {
    expect(await client.micropay(sale('authcode_expired'))).toMatchObject({ kind: 'business_error', code: 'AUTHCODEEXPIRE' });
  });

  it('reverse_recall: the first reverse answers SYSTEMERROR with recall=Y, the second reverses', async () => {
    const req = sale('reverse_recall');
    expect(await client.micropay(req)).toMatchObject({ kind: 'business_error', code: 'USERPAYING' });
    expect(await client.reverse(req)).toMatchObject({ kind: 'business_error', code: 'SYSTEMERROR', fields: { recall: 'Y' } });
    expect(await client.reverse(req)).toMatchObject({ kind: 'ok', value: { recall: false } });
    expect(tradeState(await client.orderQuery(req))).toBe('REVOKED');
  });

  it('forged_signature: a SUCCESS answer that fails verification is bad_signature, and the order is not paid', async () => {
    const req = sale('forged_signature');
    const error = await gatewayError(client.micropay(req));
    expect(error.kind).toBe('bad_signature');
    expect(tradeState(await client.orderQuery(req))).toBe('NOTPAY');
  });

  it('refunds a paid order, partly then fully, and the refund query reads each refund', async () => {
    const req = sale('success', 1_000);
    await client.micropay(req);
    const first = await client.refund({ out_trade_no: req.out_trade_no, out_refund_no: `${req.out_trade_no}R1`, total_fee: 1_000, refund_fee: 300 });
    expect(first).toMatchObject({ kind: 'ok', value: { out_refund_no: `${req.out_trade_no}R1`, refund_fee: 300 } });
    const second = await client.refund({ out_trade_no: req.out_trade_no, out_refund_no: `${req.out_trade_no}R2`, total_fee: 1_000, refund_fee: 700 });
    expect(second).toMatchObject({ kind: 'ok', value: { refund_fee: 700 } });
    expect(await client.refundQuery({ out_refund_no: `${req.out_trade_no}R2` })).toMatchObject({
      kind: 'ok',
      value: { out_refund_no: `${req.out_trade_no}R2`, refund_fee: 700, refund_status: 'SUCCESS' },
    });
    expect(tradeState(await client.orderQuery(req))).toBe('REFUND');
  });

  it('retrying a refund with the same out_refund_no refunds once', async () => {
    const req = sale('success', 500);
    await client.micropay(req);
    const refund = { out_trade_no: req.out_trade_no, out_refund_no: `${req.out_trade_no}R`, total_fee: 500, refund_fee: 200 };
    expect((await client.refund(refund)).kind).toBe('ok');
    expect((await client.refund(refund)).kind).toBe('ok');
    expect(sim.order(req.out_trade_no)?.refunds).toHaveLength(1);
  });

  it("downloads today's bill as records in fen, and a day without trades is rejected (No Bill Exist)", async () => {
    const req = sale('success', 4_321);
    await client.micropay(req);
    const bill = await client.downloadBill({ bill_date: bjDay() });
    expect(bill.kind).toBe('ok');
    if (bill.kind !== 'ok') return;
    const record = bill.value.records.find((r) => r.out_trade_no === req.out_trade_no);
    expect(record).toMatchObject({ trade_state: 'SUCCESS', total_fee: 4_321, device_info: 'till-1', appid: SIMULATOR_DEFAULTS.appid });
    expect(bill.value.summary.count).toBe(bill.value.records.length);

    const yesterday = bjDay(new Date(Date.now() - 86_400_000));
    expect(await client.downloadBill({ bill_date: yesterday })).toMatchObject({ kind: 'rejected', message: 'No Bill Exist' });
  });

  it('asks for the bill gzipped (tar_type=GZIP), unpacks it and reads the same records; a failure still answers XML', async () => {
    const req = sale('success', 1_999);
    await client.micropay(req);
    const plain = await client.downloadBill({ bill_date: bjDay() });
    const gzipped = await client.downloadBill({ bill_date: bjDay(), tar_type: 'GZIP' });
    expect(gzipped.kind).toBe('ok');
    if (gzipped.kind !== 'ok' || plain.kind !== 'ok') return;
    expect(gzipped.value).toEqual(plain.value);
    expect(gzipped.value.records.find((r) => r.out_trade_no === req.out_trade_no)).toMatchObject({ total_fee: 1_999, service_fee_millifen: 12_000 });
    const yesterday = bjDay(new Date(Date.now() - 86_400_000));
    expect(await client.downloadBill({ bill_date: yesterday, tar_type: 'GZIP' })).toMatchObject({ kind: 'rejected', message: 'No Bill Exist' });
  });

  it('a query for an order the gateway never saw is ORDERNOTEXIST', async () => {
    expect(await client.orderQuery({ out_trade_no: 'NEVER_SEEN_1' })).toMatchObject({ kind: 'business_error', code: 'ORDERNOTEXIST' });
  });

  it('a request signed with the wrong key is rejected (return_code FAIL), not paid', async () => {
    const wrong = createWechatClient(configFor(signType, { key: 'x'.repeat(32) }));
    try {
      const req = sale('success');
      const outcome = await wrong.micropay(req);
      expect(outcome.kind).toBe('rejected');
      expect(sim.order(req.out_trade_no)).toBeUndefined();
    } finally {
      wrong.close();
    }
  });
});

describe('provider mode against the simulator', () => {
  it('sends sub_mch_id and sub_appid, and the signed answer carrying them verifies', async () => {
    const client = createWechatClient(configFor('HMAC-SHA256', { subMchId: '1900000200', subAppid: 'wx00000000sub00000' }));
    try {
      const req = sale('success');
      const outcome = await client.micropay(req);
      expect(outcome).toMatchObject({ kind: 'ok', fields: { sub_mch_id: '1900000200', sub_appid: 'wx00000000sub00000' } });
    } finally {
      client.close();
    }
  });
});
