import { afterEach, describe, expect, it } from 'vitest';
import { createWechatClient, type WechatClient, type WechatConfig } from '../../../server/wechat/client.ts';
import { GatewayConfigError, GatewayError, type MicropayRequest } from '../../../server/wechat/gateway.ts';
import { sign, type SignType } from '../../../server/wechat/sign.ts';
import type { PostOptions, Transport } from '../../../server/wechat/transport.ts';
import { toXml } from '../../../server/wechat/xml.ts';
import {
  businessError,
  failAnswer,
  paidAnswer,
  refusedBase,
  signedAnswer,
  startFakeGateway,
  testConfig,
  type FakeGateway,
  type Handler,
} from './support/fake-gateway.ts';
import { gatewayError, rejection } from '../../support/rejection.ts';

const SALE: MicropayRequest = {
  out_trade_no: 'T20261128000001',
  total_fee: 1234,
  auth_code: '134567890123456789',
  body: 'Shop-POS',
  device_info: 'till-1',
};

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function setup(handler: Handler, overrides: Partial<WechatConfig> = {}): Promise<{ gateway: FakeGateway; client: WechatClient }> {
  const gateway = await startFakeGateway(handler);
  const client = createWechatClient(testConfig(gateway.base, overrides));
  cleanup.push(() => gateway.close(), () => client.close());
  return { gateway, client };
}

/** A transport that records URLs and answers from a script, for rules that need no real server. */
function scriptedTransport(script: (url: string, n: number) => string | Error): Transport & { urls: string[] } {
  const urls: string[] = [];
  return {
    urls,
    async post(url: string, _body: string, _options: PostOptions) {
      urls.push(url);
      const result = script(url, urls.length);
      if (result instanceof Error) throw result;
      return result;
    },
    close() {},
  };
}

describe('the request', () => {
  it.each<SignType>(['MD5', 'HMAC-SHA256'])('is signed XML with merchant ids, a fresh nonce and sign_type %s', async (signType) => {
    const { gateway, client } = await setup((req) => paidAnswer(req), { signType });
    await client.micropay(SALE);
    const [sent] = gateway.requests;
    expect(sent!.path).toBe('/pay/micropay');
    expect(sent!.contentType).toBe('text/xml; charset=utf-8');
    expect(sent!.signatureValid).toBe(true);
    expect(sent!.fields).toMatchObject({
      appid: 'wx0000000000000001',
      mch_id: '1900000001',
      sign_type: signType,
      out_trade_no: SALE.out_trade_no,
      total_fee: '1234',
      auth_code: SALE.auth_code,
      body: 'Shop-POS',
      device_info: 'till-1',
      spbill_create_ip: '127.0.0.1',
    });
    expect(sent!.fields.nonce_str).toMatch(/^[0-9a-f]{32}$/);
    expect(sent!.fields.sub_mch_id).toBeUndefined();
  });

  it('uses a different nonce_str on every call', async () => {
    const { gateway, client } = await setup((req) => paidAnswer(req));
    await client.micropay(SALE);
    await client.micropay(SALE);
    expect(gateway.requests[0]!.fields.nonce_str).not.toBe(gateway.requests[1]!.fields.nonce_str);
  });

  it('carries sub_mch_id and sub_appid in provider mode', async () => {
    const { gateway, client } = await setup((req) => paidAnswer(req), { subMchId: '1900000002', subAppid: 'wx0000000000000002' });
    await client.orderQuery({ out_trade_no: 'T1' }).catch(() => undefined);
    expect(gateway.requests[0]!.fields).toMatchObject({ sub_mch_id: '1900000002', sub_appid: 'wx0000000000000002' });
    expect(gateway.requests[0]!.signatureValid).toBe(true);
  });

  it('sends the sub-merchant a request names (its shop’s) on every call, instead of the configured one, and signs it', async () => {
    const { gateway, client } = await setup((req) => paidAnswer(req), { subMchId: '1900000002', subAppid: 'wx0000000000000002' });
    const merchant = { sub_mch_id: '1900000109' };
    await client.micropay({ ...SALE, merchant });
    await client.orderQuery({ out_trade_no: 'T1', merchant }).catch(() => undefined);
    await client.reverse({ out_trade_no: 'T1', merchant }).catch(() => undefined);
    await client.refund({ out_trade_no: 'T1', out_refund_no: 'R1', total_fee: 100, refund_fee: 50, merchant }).catch(() => undefined);
    await client.refundQuery({ out_refund_no: 'R1', merchant }).catch(() => undefined);
    await client.downloadBill({ bill_date: '20261130', merchant }).catch(() => undefined);
    await client.orderQuery({ out_trade_no: 'T2' }).catch(() => undefined);
    const sent = gateway.requests.map((r) => [r.fields.sub_mch_id, r.fields.sub_appid ?? null, r.fields.mch_id, r.signatureValid]);
    // The shop's sub-merchant has no sub-AppID of its own: the configured one (another sub-merchant's) is not sent.
    expect(sent.slice(0, 6)).toEqual(Array(6).fill(['1900000109', null, testConfig('').mch_id, true]));
    expect(sent[6]).toEqual(['1900000002', 'wx0000000000000002', testConfig('').mch_id, true]);
  });

  it('sends the configured spbill_create_ip unless the request gives one', async () => {
    const { gateway, client } = await setup((req) => paidAnswer(req), { spbillCreateIp: '10.1.2.3' });
    await client.micropay(SALE);
    await client.micropay({ ...SALE, spbill_create_ip: '192.168.0.9' });
    expect(gateway.requests.map((r) => r.fields.spbill_create_ip)).toEqual(['10.1.2.3', '192.168.0.9']);
  });

  it('refuses an amount that is not a positive integer of fen before sending anything', async () => {
    const { gateway, client } = await setup((req) => paidAnswer(req));
    await expect(client.micropay({ ...SALE, total_fee: 12.5 })).rejects.toThrow(RangeError);
    await expect(client.micropay({ ...SALE, total_fee: 0 })).rejects.toThrow(RangeError);
    await expect(client.refund({ out_trade_no: 'T1', out_refund_no: 'R1', total_fee: 100, refund_fee: 101 })).rejects.toThrow(/more than total_fee/);
    expect(gateway.requests).toHaveLength(0);
  });
});

describe('a verified answer', () => {
  it.each<SignType>(['MD5', 'HMAC-SHA256'])('comes back typed with amounts in fen (%s, answer without sign_type)', async (signType) => {
    const { client } = await setup((req) => paidAnswer(req, { coupon_fee: '34', cash_fee: '1200' }), { signType });
    const outcome = await client.micropay(SALE);
    expect(outcome.kind).toBe('ok');
    if (outcome.kind !== 'ok') return;
    expect(outcome.value).toEqual({
      transaction_id: '4200000001202611280000000001',
      out_trade_no: SALE.out_trade_no,
      total_fee: 1234,
      cash_fee: 1200,
      coupon_fee: 34,
      time_end: '20261128100000',
      // time_end is Beijing time: 10:00 there is 02:00 UTC.
      paid_at: Date.UTC(2026, 10, 28, 2, 0, 0),
      openid: 'oUpF8uN95-Ptaags6E_roPHg7AG0',
      bank_type: 'CMC',
    });
    expect(outcome.fields.sign_type).toBeUndefined();
  });

  it('is verified over every returned field, unknown ones like coupon_fee_3 included', async () => {
    const { client } = await setup((req) => paidAnswer(req, { coupon_fee_3: '25', some_future_field: 'x' }));
    const outcome = await client.micropay(SALE);
    expect(outcome.kind).toBe('ok');
    expect(outcome.fields.coupon_fee_3).toBe('25');
  });

  it('with result_code FAIL is a business_error with err_code and its description', async () => {
    const { client } = await setup((req) => businessError(req, 'USERPAYING', '需要用户输入支付密码'));
    const outcome = await client.micropay(SALE);
    expect(outcome).toMatchObject({ kind: 'business_error', code: 'USERPAYING', description: '需要用户输入支付密码' });
  });
});

describe('return_code FAIL', () => {
  it('is a rejected outcome carrying return_msg: the gateway did not process the request (unsigned)', async () => {
    const { client } = await setup(() => failAnswer('签名错误'));
    const outcome = await client.micropay(SALE);
    expect(outcome).toEqual({ kind: 'rejected', message: '签名错误', fields: { return_code: 'FAIL', return_msg: '签名错误' } });
  });
});

describe('outcome unknown: each failure is its own GatewayError kind', () => {
  it('bad_signature when the answer is signed with another key (forged)', async () => {
    const { client } = await setup((req) => {
      const fields = { return_code: 'SUCCESS', result_code: 'SUCCESS', out_trade_no: req.fields.out_trade_no!, transaction_id: '1', total_fee: '1234' };
      return toXml({ ...fields, sign: sign(fields, 'not-the-merchant-key', 'MD5') });
    });
    const error = await gatewayError(client.micropay(SALE));
    expect(error.kind).toBe('bad_signature');
    expect(error.message).toMatch(/outcome unknown/);
  });

  it('bad_signature when a business error answer does not verify (never read as "failed")', async () => {
    const { client } = await setup(() => signedAnswer({ result_code: 'FAIL', err_code: 'NOTENOUGH' }, 'MD5', 'wrong-key'));
    expect((await gatewayError(client.micropay(SALE))).kind).toBe('bad_signature');
  });

  it('bad_signature when a SUCCESS answer has no sign at all', async () => {
    const { client } = await setup((req) => toXml({ return_code: 'SUCCESS', result_code: 'SUCCESS', out_trade_no: req.fields.out_trade_no! }));
    expect((await gatewayError(client.micropay(SALE))).kind).toBe('bad_signature');
  });

  it('bad_signature when an HMAC-SHA256 request is answered with an MD5 signature', async () => {
    const { client } = await setup((req) => paidAnswer({ ...req, fields: { ...req.fields, sign_type: 'MD5' } }), { signType: 'HMAC-SHA256' });
    expect((await gatewayError(client.micropay(SALE))).kind).toBe('bad_signature');
  });

  it('bad_signature when a field was altered after signing', async () => {
    const { client } = await setup((req) => paidAnswer(req).replace('<total_fee><![CDATA[1234]]>', '<total_fee><![CDATA[1]]>'));
    expect((await gatewayError(client.micropay(SALE))).kind).toBe('bad_signature');
  });

  it('bad_response for truncated XML', async () => {
    const { client } = await setup((req) => paidAnswer(req).slice(0, 200));
    const error = await gatewayError(client.micropay(SALE));
    expect(error.kind).toBe('bad_response');
    expect(error.message).toMatch(/malformed answer/);
  });

  it('bad_response for an answer that is not XML (an HTML error page with status 200)', async () => {
    const { client } = await setup(() => '<html><body>Service Unavailable</body></html>');
    expect((await gatewayError(client.micropay(SALE))).kind).toBe('bad_response');
  });

  it('bad_response for an HTTP status other than 200', async () => {
    const { client } = await setup(() => ({ status: 502, body: 'Bad Gateway' }));
    const error = await gatewayError(client.micropay(SALE));
    expect(error.kind).toBe('bad_response');
    expect(error.message).toMatch(/HTTP 502/);
  });

  it('bad_response for a body larger than any gateway answer', async () => {
    const { client } = await setup(() => `<xml><a>${'x'.repeat(200_000)}</a></xml>`);
    const error = await gatewayError(client.micropay(SALE));
    expect(error.kind).toBe('bad_response');
    expect(error.message).toMatch(/bytes/);
  });

  it('bad_response for a verified answer whose amount is not an integer of fen', async () => {
    const { client } = await setup((req) => paidAnswer(req, { total_fee: '12.34' }));
    const error = await gatewayError(client.micropay(SALE));
    expect(error.kind).toBe('bad_response');
    expect(error.message).toMatch(/total_fee is not an integer amount of fen/);
  });

  it('bad_response for a verified answer about another order', async () => {
    const { client } = await setup((req) => paidAnswer(req, { out_trade_no: 'SOMEONE_ELSE' }));
    expect((await gatewayError(client.micropay(SALE))).kind).toBe('bad_response');
  });

  it('bad_response for result_code FAIL without err_code', async () => {
    const { client } = await setup(() => signedAnswer({ result_code: 'FAIL' }));
    expect((await gatewayError(client.micropay(SALE))).kind).toBe('bad_response');
  });

  it('bad_response for a return_code that is neither SUCCESS nor FAIL', async () => {
    const { client } = await setup(() => toXml({ return_code: 'MAYBE' }));
    expect((await gatewayError(client.micropay(SALE))).kind).toBe('bad_response');
  });

  it('timeout when the answer comes later than timeoutMs', async () => {
    const { client } = await setup((req) => ({ body: paidAnswer(req), delayMs: 1_000 }), { timeoutMs: 150 });
    const started = Date.now();
    const error = await gatewayError(client.micropay(SALE));
    expect(error.kind).toBe('timeout');
    expect(error.message).toMatch(/within 150 ms/);
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('network when the connection is refused', async () => {
    const client = createWechatClient(testConfig(await refusedBase()));
    cleanup.push(() => client.close());
    const error = await gatewayError(client.micropay(SALE));
    expect(error.kind).toBe('network');
    expect(error.message).toMatch(/ECONNREFUSED/);
  });

  it('network when the answer is cut off mid-body', async () => {
    const { client } = await setup((req) => {
      const body = paidAnswer(req);
      return { body, contentLength: Buffer.byteLength(body) + 100, destroyAfterMs: 20 };
    });
    expect((await gatewayError(client.micropay(SALE))).kind).toBe('network');
  });
});

describe('the client certificate', () => {
  it.each(['reverse', 'refund'] as const)('is required for %s on an https base: CERT_MISSING before anything is sent', async (call) => {
    const transport = scriptedTransport(() => new Error('must not be called'));
    const client = createWechatClient(testConfig('https://api.mch.weixin.qq.com'), { transport });
    const promise =
      call === 'reverse'
        ? client.reverse({ out_trade_no: 'T1' })
        : client.refund({ out_trade_no: 'T1', out_refund_no: 'R1', total_fee: 100, refund_fee: 100 });
    const error = await rejection(promise, GatewayConfigError);
    expect(error.code).toBe('CERT_MISSING');
    expect(error.message).toMatch(/WECHAT_CERT_PEM/);
    expect(transport.urls).toEqual([]);
  });

  it('is not required for calls outside /secapi/ nor on an http:// simulator base', async () => {
    const transport = scriptedTransport(() => toXml({ return_code: 'FAIL', return_msg: 'x' }));
    const https = createWechatClient(testConfig('https://api.mch.weixin.qq.com'), { transport });
    expect((await https.orderQuery({ out_trade_no: 'T1' })).kind).toBe('rejected');
    const local = createWechatClient(testConfig('http://127.0.0.1:1/simulator'), { transport });
    expect((await local.reverse({ out_trade_no: 'T1' })).kind).toBe('rejected');
    expect(transport.urls).toEqual(['https://api.mch.weixin.qq.com/pay/orderquery', 'http://127.0.0.1:1/simulator/secapi/pay/reverse']);
  });
});

describe('failover to the backup host', () => {
  const unreachable = () => new GatewayError('network', 'ECONNREFUSED');

  it('sends orderQuery and reverse to backupBase when the main base cannot be reached', async () => {
    const { gateway } = await setup((req) => signedAnswer({ result_code: 'SUCCESS', trade_state: 'NOTPAY', out_trade_no: req.fields.out_trade_no!, recall: 'N' }));
    const client = createWechatClient(testConfig(await refusedBase(), { backupBase: gateway.base }));
    cleanup.push(() => client.close());
    expect(await client.orderQuery({ out_trade_no: 'T1' })).toMatchObject({ kind: 'ok', value: { trade_state: 'NOTPAY' } });
    expect(await client.reverse({ out_trade_no: 'T1' })).toMatchObject({ kind: 'ok', value: { recall: false } });
    expect(gateway.requests.map((r) => r.path)).toEqual(['/pay/orderquery', '/secapi/pay/reverse']);
  });

  it('fails over after a timeout too', async () => {
    const { gateway: slow } = await setup((req) => ({ body: paidAnswer(req), delayMs: 1_000 }));
    const { gateway: backup } = await setup((req) => signedAnswer({ result_code: 'SUCCESS', trade_state: 'USERPAYING', out_trade_no: req.fields.out_trade_no! }));
    const client = createWechatClient(testConfig(slow.base, { backupBase: backup.base, timeoutMs: 150 }));
    cleanup.push(() => client.close());
    expect(await client.orderQuery({ out_trade_no: 'T1' })).toMatchObject({ kind: 'ok', value: { trade_state: 'USERPAYING' } });
  });

  it('never fails over micropay or refund (the main host may have the request)', async () => {
    const transport = scriptedTransport(unreachable);
    const client = createWechatClient(testConfig('http://main', { backupBase: 'http://backup' }), { transport });
    expect((await gatewayError(client.micropay(SALE))).kind).toBe('network');
    expect((await gatewayError(client.refund({ out_trade_no: 'T1', out_refund_no: 'R1', total_fee: 1, refund_fee: 1 }))).kind).toBe('network');
    expect(transport.urls).toEqual(['http://main/pay/micropay', 'http://main/secapi/pay/refund']);
  });

  it('does not fail over when the main host answered, even badly', async () => {
    const transport = scriptedTransport(() => signedAnswer({ result_code: 'SUCCESS' }, 'MD5', 'forged'));
    const client = createWechatClient(testConfig('http://main', { backupBase: 'http://backup' }), { transport });
    expect((await gatewayError(client.orderQuery({ out_trade_no: 'T1' }))).kind).toBe('bad_signature');
    expect(transport.urls).toEqual(['http://main/pay/orderquery']);
  });

  it("defaults to WeChat's api2 host for the main host, and to none for other bases", async () => {
    const transport = scriptedTransport(unreachable);
    const live = createWechatClient(testConfig('https://api.mch.weixin.qq.com/'), { transport });
    await gatewayError(live.orderQuery({ out_trade_no: 'T1' }));
    const simulator = createWechatClient(testConfig('http://127.0.0.1:8788'), { transport });
    await gatewayError(simulator.orderQuery({ out_trade_no: 'T1' }));
    const off = createWechatClient(testConfig('https://api.mch.weixin.qq.com', { backupBase: '' }), { transport });
    await gatewayError(off.orderQuery({ out_trade_no: 'T1' }));
    expect(transport.urls).toEqual([
      'https://api.mch.weixin.qq.com/pay/orderquery',
      'https://api2.mch.weixin.qq.com/pay/orderquery',
      'http://127.0.0.1:8788/pay/orderquery',
      'https://api.mch.weixin.qq.com/pay/orderquery',
    ]);
  });

  it('reports both failures when the backup cannot be reached either', async () => {
    const transport = scriptedTransport((url) => new GatewayError(url.includes('backup') ? 'timeout' : 'network', url.includes('backup') ? 'backup slow' : 'main refused'));
    const client = createWechatClient(testConfig('http://main', { backupBase: 'http://backup' }), { transport });
    const error = await gatewayError(client.reverse({ out_trade_no: 'T1' }));
    expect(error.kind).toBe('timeout');
    expect(error.message).toBe('main refused; backup: backup slow');
  });
});

describe('orderQuery', () => {
  it('reads the paid order with its coupons rebuilt from coupon_count', async () => {
    const { client } = await setup((req) =>
      signedAnswer({
        result_code: 'SUCCESS',
        trade_state: 'SUCCESS',
        trade_state_desc: '支付成功',
        out_trade_no: req.fields.out_trade_no!,
        transaction_id: '4200000002',
        total_fee: '1000',
        cash_fee: '700',
        coupon_fee: '300',
        coupon_count: '2',
        coupon_id_0: 'C0',
        coupon_fee_0: '100',
        coupon_type_0: 'CASH',
        coupon_id_1: 'C1',
        coupon_fee_1: '200',
      }),
    );
    const outcome = await client.orderQuery({ out_trade_no: 'T9' });
    expect(outcome).toMatchObject({
      kind: 'ok',
      value: {
        trade_state: 'SUCCESS',
        trade_state_desc: '支付成功',
        paid: { transaction_id: '4200000002', out_trade_no: 'T9', total_fee: 1000, cash_fee: 700, coupon_fee: 300, coupons: [{ id: 'C0', fee: 100, type: 'CASH' }, { id: 'C1', fee: 200 }] },
      },
    });
  });

  it('reads USERPAYING without payment facts', async () => {
    const { client } = await setup((req) => signedAnswer({ result_code: 'SUCCESS', trade_state: 'USERPAYING', out_trade_no: req.fields.out_trade_no! }));
    expect(await client.orderQuery({ out_trade_no: 'T9' })).toMatchObject({ kind: 'ok', value: { trade_state: 'USERPAYING' } });
  });

  it('treats an unknown trade_state as a malformed answer', async () => {
    const { client } = await setup(() => signedAnswer({ result_code: 'SUCCESS', trade_state: 'MAYBE_PAID' }));
    expect((await gatewayError(client.orderQuery({ out_trade_no: 'T9' }))).kind).toBe('bad_response');
  });

  it('gives ORDERNOTEXIST as a business_error', async () => {
    const { client } = await setup((req) => businessError(req, 'ORDERNOTEXIST', '此交易订单号不存在'));
    expect(await client.orderQuery({ out_trade_no: 'T9' })).toMatchObject({ kind: 'business_error', code: 'ORDERNOTEXIST' });
  });
});

describe('reverse', () => {
  it('reads recall on success', async () => {
    const { client } = await setup(() => signedAnswer({ result_code: 'SUCCESS', recall: 'N' }));
    expect(await client.reverse({ out_trade_no: 'T1' })).toMatchObject({ kind: 'ok', value: { recall: false } });
  });

  it('gives SYSTEMERROR as a business_error with fields.recall as sent', async () => {
    const { client } = await setup((req) => businessError(req, 'SYSTEMERROR', '系统超时', { recall: 'Y' }));
    const outcome = await client.reverse({ out_trade_no: 'T1' });
    expect(outcome).toMatchObject({ kind: 'business_error', code: 'SYSTEMERROR', fields: { recall: 'Y' } });
  });
});

describe('refund and refundQuery', () => {
  it('reads an accepted refund in fen', async () => {
    const { gateway, client } = await setup((req) =>
      signedAnswer({ result_code: 'SUCCESS', out_refund_no: req.fields.out_refund_no!, refund_id: '5000001', refund_fee: req.fields.refund_fee!, coupon_refund_fee_0: '0' }),
    );
    const outcome = await client.refund({ out_trade_no: 'T1', out_refund_no: 'R1', total_fee: 1000, refund_fee: 250, refund_desc: '退货' });
    expect(outcome).toMatchObject({ kind: 'ok', value: { refund_id: '5000001', out_refund_no: 'R1', refund_fee: 250 } });
    expect(gateway.requests[0]!.fields).toMatchObject({ out_trade_no: 'T1', out_refund_no: 'R1', total_fee: '1000', refund_fee: '250', refund_desc: '退货' });
  });

  it('picks the refund asked for among the indexed refund fields', async () => {
    const { client } = await setup(() =>
      signedAnswer({
        result_code: 'SUCCESS',
        refund_count: '2',
        out_refund_no_0: 'R0',
        refund_id_0: '50',
        refund_fee_0: '100',
        refund_status_0: 'SUCCESS',
        out_refund_no_1: 'R1',
        refund_id_1: '51',
        refund_fee_1: '250',
        refund_status_1: 'PROCESSING',
      }),
    );
    expect(await client.refundQuery({ out_refund_no: 'R1' })).toMatchObject({
      kind: 'ok',
      value: { out_refund_no: 'R1', refund_id: '51', refund_fee: 250, refund_status: 'PROCESSING' },
    });
    expect((await gatewayError(client.refundQuery({ out_refund_no: 'R7' }))).message).toMatch(/no refund R7/);
  });
});

describe('downloadBill', () => {
  const CSV =
    '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注\r\n' +
    '`2026-11-28 10:00:00,`wx0000000000000001,`1900000001,`0,`till-1,`4200000001,`T1,`oUser,`MICROPAY,`SUCCESS,`OTHERS,`CNY,`12.34,`0.00,`0,`0,`0.00,`0.00,`,`,`Shop-POS,`,`0.07,`0.60%,`12.34,`0.00,`\r\n' +
    '总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\r\n' +
    '`1,`12.34,`0.00,`0.00,`0.07,`12.34,`0.00\r\n';

  it('parses the CSV answer into records in fen', async () => {
    const { gateway, client } = await setup(() => CSV);
    const outcome = await client.downloadBill({ bill_date: '20261128' });
    expect(outcome.kind).toBe('ok');
    if (outcome.kind !== 'ok') return;
    expect(outcome.value.records).toHaveLength(1);
    expect(outcome.value.records[0]).toMatchObject({ out_trade_no: 'T1', total_fee: 1234, service_fee_millifen: 7_000, trade_state: 'SUCCESS' });
    expect(outcome.value.summary).toMatchObject({ count: 1, total_fee: 1234 });
    expect(gateway.requests[0]!.fields).toMatchObject({ bill_date: '20261128', bill_type: 'ALL' });
    expect(gateway.requests[0]!.signatureValid).toBe(true);
  });

  it('gives an XML failure such as "No Bill Exist" as rejected', async () => {
    const { client } = await setup(() => toXml({ return_code: 'FAIL', return_msg: 'No Bill Exist', error_code: '20002' }));
    expect(await client.downloadBill({ bill_date: '20261128', bill_type: 'SUCCESS' })).toMatchObject({
      kind: 'rejected',
      message: 'No Bill Exist',
      fields: { error_code: '20002' },
    });
  });

  it('gives a signed parameter error as a business_error', async () => {
    const { client } = await setup((req) => businessError(req, 'PARAM_ERROR', 'bill_date参数格式错误'));
    expect(await client.downloadBill({ bill_date: '2026-11-28' })).toMatchObject({ kind: 'business_error', code: 'PARAM_ERROR' });
  });

  it('treats a bill whose totals disagree with its lines as malformed', async () => {
    const { client } = await setup(() => CSV.replace('`1,`12.34', '`2,`12.34'));
    expect((await gatewayError(client.downloadBill({ bill_date: '20261128' }))).kind).toBe('bad_response');
  });
});

describe('keep-alive', () => {
  const queryAnswer = (req: Parameters<Handler>[0]) => signedAnswer({ result_code: 'SUCCESS', trade_state: 'NOTPAY', out_trade_no: req.fields.out_trade_no! });

  it('sends a query once more on a fresh connection when a reused connection is closed before any answer', async () => {
    // As when a server's idle timeout closes the connection just as the next request arrives.
    const { gateway, client } = await setup((req, n) => (n === 2 ? { drop: true } : queryAnswer(req)));
    expect((await client.orderQuery({ out_trade_no: SALE.out_trade_no })).kind).toBe('ok');
    expect((await client.orderQuery({ out_trade_no: SALE.out_trade_no })).kind).toBe('ok');
    expect(gateway.requests).toHaveLength(3);
  });

  it('never sends a micropay twice: a reused connection closed before any answer is a network error (outcome unknown)', async () => {
    // The first copy may have charged the customer; a second copy's answer could read as a customer error.
    const { gateway, client } = await setup((req, n) => (n === 2 ? { drop: true } : paidAnswer(req)));
    expect((await client.micropay(SALE)).kind).toBe('ok');
    expect((await gatewayError(client.micropay(SALE))).kind).toBe('network');
    expect(gateway.requests).toHaveLength(2);
  });

  it('sends once more only: a second closed connection is a network error (outcome unknown)', async () => {
    const { gateway, client } = await setup((req, n) => (n === 3 || n === 4 ? { drop: true } : queryAnswer(req)));
    const query = () => client.orderQuery({ out_trade_no: SALE.out_trade_no });
    await Promise.all([query(), query()]); // two idle connections in the pool
    const error = await gatewayError(query());
    expect(error.kind).toBe('network');
    expect(gateway.requests).toHaveLength(4);
  });

  it('does not send again once the answer has begun: the outcome is unknown', async () => {
    const { gateway, client } = await setup((req, n) => {
      const body = paidAnswer(req);
      return n === 2 ? { body: body.slice(0, 50), contentLength: body.length, destroyAfterMs: 0 } : body;
    });
    expect((await client.micropay(SALE)).kind).toBe('ok');
    expect((await gatewayError(client.micropay(SALE))).kind).toBe('network');
    expect(gateway.requests).toHaveLength(2);
  });

  it('does not send again when a first connection is closed before any answer', async () => {
    const { gateway, client } = await setup(() => ({ drop: true }));
    expect((await gatewayError(client.micropay(SALE))).kind).toBe('network');
    expect(gateway.requests).toHaveLength(1);
  });
});
