import { describe, expect, it } from 'vitest';
import { createAlipayClient, beijingTimestamp } from '../../../server/alipay/client.ts';
import { loadPrivateKey, loadPublicKey } from '../../../server/alipay/keys.ts';
import { rsa2Sign, rsa2Verify, signContent } from '../../../server/alipay/sign.ts';
import { simulatorKey } from '../../../server/simulator/alipay/keys.ts';
import type { PostOptions, Transport } from '../../../server/wechat/transport.ts';
import { gatewayError } from '../../support/rejection.ts';

/**
 * The client's pipeline with a scripted gateway: what it sends, and how it classifies every
 * kind of answer. Whatever cannot be verified or read ends as a GatewayError (outcome unknown).
 */

const alipayKey = loadPrivateKey(simulatorKey('alipayPrivateKey')).key;
const appPublic = loadPublicKey(simulatorKey('appPublicKey')).key;

interface Sent {
  url: string;
  params: URLSearchParams;
  options: PostOptions;
}

/** A gateway that answers each call with `reply(method)` and records what was sent. */
function scripted(reply: (method: string) => string) {
  const sent: Sent[] = [];
  const transport: Transport = {
    post: async (url, body, options) => {
      const params = new URLSearchParams(body);
      sent.push({ url, params, options });
      return reply(params.get('method')!);
    },
    close: () => {},
  };
  const client = createAlipayClient(
    {
      appId: '2021000100000001',
      privateKey: simulatorKey('appPrivateKey'),
      alipayPublicKey: simulatorKey('alipayPublicKey'),
      gateway: 'https://openapi.alipay.com/gateway.do',
      timeoutMs: 3_000,
      now: () => new Date('2026-11-28T02:03:04Z'),
    },
    { transport },
  );
  return { client, sent };
}

const key = (method: string) => `${method.replaceAll('.', '_')}_response`;
/** An answer as Alipay sends it: the response text, then the signature over exactly that text. */
const signedAnswer = (method: string, raw: string) => `{"${key(method)}":${raw},"sign":"${rsa2Sign(raw, alipayKey)}"}`;

const PAID = '{"code":"10000","msg":"Success","buyer_logon_id":"159******20","buyer_pay_amount":"12.34","fund_bill_list":[{"amount":"12.34","fund_channel":"ALIPAYACCOUNT"}],"gmt_payment":"2026-11-28 10:03:05","invoice_amount":"12.34","out_trade_no":"P1","point_amount":"0.00","receipt_amount":"12.34","total_amount":"12.34","trade_no":"2026112822001478401406617362"}';
const sale = { out_trade_no: 'P1', amount_fen: 1_234, auth_code: '280000123456789012', subject: '门店' };

describe('what the client sends', () => {
  it('sends the common parameters and biz_content as a form, signed with RSA2 over the sorted parameters', async () => {
    const { client, sent } = scripted((m) => signedAnswer(m, PAID));
    await client.pay({ ...sale, store_id: 'S1', terminal_id: 'T1' });
    const { url, params, options } = sent[0]!;
    expect(url).toBe('https://openapi.alipay.com/gateway.do');
    expect(Object.fromEntries(params)).toMatchObject({
      app_id: '2021000100000001',
      method: 'alipay.trade.pay',
      format: 'JSON',
      charset: 'utf-8',
      sign_type: 'RSA2',
      timestamp: '2026-11-28 10:03:04',
      version: '1.0',
    });
    expect(JSON.parse(params.get('biz_content')!)).toEqual({
      out_trade_no: 'P1',
      scene: 'bar_code',
      auth_code: '280000123456789012',
      product_code: 'FACE_TO_FACE_PAYMENT',
      subject: '门店',
      total_amount: '12.34',
      store_id: 'S1',
      terminal_id: 'T1',
    });
    const all = Object.fromEntries(params);
    expect(rsa2Verify(signContent(all), all.sign!, appPublic)).toBe(true);
    expect(options).toMatchObject({ timeoutMs: 3_000, contentType: 'application/x-www-form-urlencoded;charset=utf-8', resendOnStaleConnection: false });
  });

  it('may resend only calls that are reads or idempotent, never trade.pay', async () => {
    const { client, sent } = scripted((m) => signedAnswer(m, '{"code":"40004","msg":"Business Failed","sub_code":"ACQ.TRADE_NOT_EXIST","sub_msg":"交易不存在"}'));
    await client.pay(sale);
    await client.query({ out_trade_no: 'P1' });
    await client.cancel({ out_trade_no: 'P1' });
    await client.refund({ out_trade_no: 'P1', out_request_no: 'R1', refund_fen: 1 });
    await client.refundQuery({ out_trade_no: 'P1', out_request_no: 'R1' });
    expect(sent.map((s) => [s.params.get('method'), s.options.resendOnStaleConnection])).toEqual([
      ['alipay.trade.pay', false],
      ['alipay.trade.query', true],
      ['alipay.trade.cancel', true],
      ['alipay.trade.refund', true],
      ['alipay.trade.fastpay.refund.query', true],
    ]);
  });

  it('takes a call’s own timeout over the client’s', async () => {
    const { client, sent } = scripted((m) => signedAnswer(m, PAID));
    await client.query({ out_trade_no: 'P1' }, { timeoutMs: 777 }).catch(() => undefined);
    expect(sent[0]!.options.timeoutMs).toBe(777);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses to send an amount of %s fen', async (amount_fen) => {
    const { client, sent } = scripted((m) => signedAnswer(m, PAID));
    await expect(client.pay({ ...sale, amount_fen })).rejects.toThrow(RangeError);
    expect(sent).toHaveLength(0);
  });

  it('formats the timestamp in Beijing time whatever the server’s zone', () => {
    expect(beijingTimestamp(new Date('2026-12-31T16:00:00Z'))).toBe('2027-01-01 00:00:00');
  });
});

describe('how answers are verified', () => {
  it('verifies over the exact response text, escapes included, not over a re-serialisation', async () => {
    // Alipay escapes "/" as "\/": JSON.stringify of the parsed answer would not reproduce this text.
    const raw = '{"code":"10000","msg":"Success","bill_download_url":"http:\\/\\/dwbillcenter.alipay.com\\/downloadBillFile.resource?bizType=trade"}';
    const { client } = scripted((m) => signedAnswer(m, raw));
    const outcome = await client.billDownloadUrl({ bill_type: 'trade', bill_date: '2026-11-27' });
    expect(outcome).toMatchObject({ kind: 'ok', value: { bill_download_url: 'http://dwbillcenter.alipay.com/downloadBillFile.resource?bizType=trade' } });
  });

  it('verifies an answer with the signature first and spaces around the members', async () => {
    const raw = '{ "code": "10000", "msg": "Success", "out_trade_no": "P1", "trade_no": "2026112822001478401406617362", "trade_status": "WAIT_BUYER_PAY", "total_amount": "12.34" }';
    const { client } = scripted((m) => `{ "sign" : "${rsa2Sign(raw, alipayKey)}" ,\n "${key(m)}" : ${raw} }`);
    expect(await client.query({ out_trade_no: 'P1' })).toMatchObject({ kind: 'ok', value: { trade_status: 'WAIT_BUYER_PAY', total_fen: 1_234 } });
  });

  it('throws bad_signature when one character of a signed answer was changed', async () => {
    const { client } = scripted((m) => signedAnswer(m, PAID).replace('"total_amount":"12.34"', '"total_amount":"12.35"'));
    expect((await gatewayError(client.pay(sale))).kind).toBe('bad_signature');
  });

  it('refuses an answer that holds the response twice (one could be verified and the other read)', async () => {
    const { client } = scripted((m) => `{"${key(m)}":${PAID},"sign":"${rsa2Sign(PAID, alipayKey)}","${key(m)}":${PAID.replace('12.34', '0.01')}}`);
    expect((await gatewayError(client.pay(sale))).kind).toBe('bad_response');
  });

  it.each([
    ['10000', PAID],
    ['10003', '{"code":"10003","msg":" order success pay inprocess","out_trade_no":"P1"}'],
    ['40004', '{"code":"40004","msg":"Business Failed","sub_code":"ACQ.BUYER_BALANCE_NOT_ENOUGH","sub_msg":"买家余额不足"}'],
    ['20000', '{"code":"20000","msg":"Service Currently Unavailable","sub_code":"isp.unknow-error","sub_msg":"系统繁忙"}'],
  ])('throws bad_signature for an unsigned %s answer: only refusals may come unsigned', async (_code, raw) => {
    const { client } = scripted((m) => `{"${key(m)}":${raw}}`);
    expect((await gatewayError(client.pay(sale))).kind).toBe('bad_signature');
  });

  it('returns an unsigned gateway refusal (40002 isv.invalid-app-id) as rejected', async () => {
    const { client } = scripted((m) => `{"${key(m)}":{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-app-id","sub_msg":"无效的AppID参数"}}`);
    expect(await client.pay(sale)).toMatchObject({ kind: 'rejected', code: 'isv.invalid-app-id', message: '无效的AppID参数' });
  });

  it('reads an error_response as well', async () => {
    const { client } = scripted(() => '{"error_response":{"code":"40001","msg":"Missing Required Arguments","sub_code":"isv.missing-method","sub_msg":"缺少方法名参数"}}');
    expect(await client.query({ out_trade_no: 'P1' })).toMatchObject({ kind: 'rejected', code: 'isv.missing-method' });
  });

  it.each([
    ['not JSON', () => '<html>502 Bad Gateway</html>'],
    ['no response member', () => '{"sign":"abc"}'],
    ['a response that is not an object', (m: string) => `{"${key(m)}":"oops","sign":"${rsa2Sign('"oops"', alipayKey)}"}`],
  ])('throws bad_response for %s', async (_what, reply) => {
    const { client } = scripted(reply);
    expect((await gatewayError(client.pay(sale))).kind).toBe('bad_response');
  });
});

describe('how verified answers are classified', () => {
  const outcomeOf = async (raw: string, call: 'pay' | 'cancel' | 'query' = 'pay') => {
    const { client } = scripted((m) => signedAnswer(m, raw));
    return call === 'pay' ? client.pay(sale) : call === 'cancel' ? client.cancel({ out_trade_no: 'P1' }) : client.query({ out_trade_no: 'P1' });
  };

  it('reads 10000 as ok with amounts in fen', async () => {
    expect(await outcomeOf(PAID)).toMatchObject({ kind: 'ok', value: { trade_no: '2026112822001478401406617362', total_fen: 1_234, receipt_fen: 1_234, paid_at: '2026-11-28 10:03:05' } });
  });

  it('reads trade.pay 10003 as waiting for the customer', async () => {
    expect(await outcomeOf('{"code":"10003","msg":" order success pay inprocess","out_trade_no":"P1","trade_no":"T9"}')).toEqual(
      expect.objectContaining({ kind: 'waiting', value: { out_trade_no: 'P1', trade_no: 'T9' } }),
    );
  });

  it('reads 10003 outside trade.pay as an unknown outcome', async () => {
    expect(await outcomeOf('{"code":"10003","msg":"inprocess"}', 'cancel')).toMatchObject({ kind: 'unknown', code: '10003' });
  });

  it.each([
    ['20000', '{"code":"20000","msg":"Service Currently Unavailable","sub_code":"isp.unknow-error","sub_msg":"系统繁忙"}', 'isp.unknow-error'],
    ['40004 ACQ.SYSTEM_ERROR', '{"code":"40004","msg":"Business Failed","sub_code":"ACQ.SYSTEM_ERROR","sub_msg":"系统错误"}', 'ACQ.SYSTEM_ERROR'],
    ['40004 aop.ACQ.SYSTEM_ERROR', '{"code":"40004","msg":"Business Failed","sub_code":"aop.ACQ.SYSTEM_ERROR","sub_msg":"系统错误"}', 'aop.ACQ.SYSTEM_ERROR'],
    ['an undocumented code', '{"code":"50000","msg":"?"}', '50000'],
  ])('reads %s as an unknown outcome, never a failure', async (_what, raw, code) => {
    expect(await outcomeOf(raw)).toMatchObject({ kind: 'unknown', code });
  });

  it('reads 40004 with a sub_code as a business error', async () => {
    expect(await outcomeOf('{"code":"40004","msg":"Business Failed","sub_code":"ACQ.PAYMENT_AUTH_CODE_INVALID","sub_msg":"支付授权码无效"}')).toMatchObject({
      kind: 'business_error',
      code: 'ACQ.PAYMENT_AUTH_CODE_INVALID',
      description: '支付授权码无效',
    });
  });

  it('reads a cancel with retry_flag=Y as a retry whatever its code', async () => {
    expect(await outcomeOf('{"code":"40004","msg":"Business Failed","sub_code":"ACQ.SYSTEM_ERROR","sub_msg":"系统错误","retry_flag":"Y"}', 'cancel')).toMatchObject({ kind: 'ok', value: { retry: true } });
  });

  it.each([
    ['40004 without sub_code', '{"code":"40004","msg":"Business Failed"}'],
    ['a paid answer about another order', PAID.replace('"out_trade_no":"P1"', '"out_trade_no":"P2"')],
    ['an amount with three decimals', PAID.replace('"total_amount":"12.34"', '"total_amount":"12.345"')],
    ['no trade_no', PAID.replace('"trade_no":"2026112822001478401406617362"', '"x":"1"')],
  ])('throws bad_response for %s', async (_what, raw) => {
    expect((await gatewayError(outcomeOf(raw))).kind).toBe('bad_response');
  });

  it('throws bad_response for an unknown trade_status or cancel action', async () => {
    expect((await gatewayError(outcomeOf('{"code":"10000","msg":"Success","out_trade_no":"P1","trade_status":"TRADE_PENDING"}', 'query'))).kind).toBe('bad_response');
    expect((await gatewayError(outcomeOf('{"code":"10000","msg":"Success","retry_flag":"N","action":"explode"}', 'cancel'))).kind).toBe('bad_response');
  });
});
