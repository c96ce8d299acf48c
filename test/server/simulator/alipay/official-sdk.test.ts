import { AlipaySdk } from 'alipay-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALIPAY_SIMULATOR_DEFAULTS } from '../../../../server/simulator/alipay/app.ts';
import { simulatorKey } from '../../../../server/simulator/alipay/keys.ts';
import { makeAlipayTestCode } from '../../../../server/simulator/test-codes.ts';
import { outTradeNo, startAlipaySimulator } from './helpers.ts';

/**
 * The simulator driven by Alipay's own Node SDK (alipay-sdk 4.14.0) as a third-party client:
 * it signs requests its way (common parameters in the URL, biz_content in the form body) and,
 * with validateSign, checks every answer's RSA2 signature over the response text its way. If the
 * simulator's envelope or signatures drifted from Alipay's, these calls would fail.
 */

let harness: Awaited<ReturnType<typeof startAlipaySimulator>>;
let sdk: AlipaySdk;

beforeAll(async () => {
  harness = await startAlipaySimulator();
  sdk = new AlipaySdk({
    appId: ALIPAY_SIMULATOR_DEFAULTS.appId,
    privateKey: simulatorKey('appPrivateKey'),
    alipayPublicKey: simulatorKey('alipayPublicKey'),
    gateway: harness.gateway,
    timeout: 5_000,
  });
});

afterAll(() => harness.stop());

/** Every call verifies the answer's signature (validateSign), as the SDK does only when asked. */
const exec = (method: string, bizContent: Record<string, unknown>) => sdk.exec(method, { bizContent }, { validateSign: true });

describe('the official alipay-sdk against the simulator', () => {
  it('pays, queries and refunds a trade, every answer verified', async () => {
    const out = outTradeNo('SDK');
    const pay = await exec('alipay.trade.pay', { outTradeNo: out, scene: 'bar_code', authCode: makeAlipayTestCode('success'), subject: '测试商品 / test', totalAmount: '12.34' });
    expect(pay).toMatchObject({ code: '10000', msg: 'Success', outTradeNo: out, totalAmount: '12.34' });
    expect(pay.tradeNo).toMatch(/^\d{28}$/);

    const query = await exec('alipay.trade.query', { outTradeNo: out });
    expect(query).toMatchObject({ code: '10000', tradeStatus: 'TRADE_SUCCESS', tradeNo: pay.tradeNo, totalAmount: '12.34' });

    const refund = await exec('alipay.trade.refund', { outTradeNo: out, refundAmount: '2.34', outRequestNo: `${out}R1` });
    expect(refund).toMatchObject({ code: '10000', fundChange: 'Y', refundFee: '2.34', tradeNo: pay.tradeNo });
    const again = await exec('alipay.trade.refund', { outTradeNo: out, refundAmount: '2.34', outRequestNo: `${out}R1` });
    expect(again).toMatchObject({ code: '10000', fundChange: 'N', refundFee: '2.34' });

    const refundQuery = await exec('alipay.trade.fastpay.refund.query', { outTradeNo: out, outRequestNo: `${out}R1` });
    expect(refundQuery).toMatchObject({ code: '10000', refundStatus: 'REFUND_SUCCESS', refundAmount: '2.34' });
  });

  it('sees a payment wait for the customer (10003) and cancels it (action close)', async () => {
    const out = outTradeNo('SDK');
    const pay = await exec('alipay.trade.pay', { outTradeNo: out, scene: 'bar_code', authCode: makeAlipayTestCode('password'), subject: 'Shop-POS', totalAmount: '8.00' });
    expect(pay).toMatchObject({ code: '10003', outTradeNo: out });
    expect(await exec('alipay.trade.query', { outTradeNo: out })).toMatchObject({ code: '10000', tradeStatus: 'WAIT_BUYER_PAY' });

    const cancel = await exec('alipay.trade.cancel', { outTradeNo: out });
    expect(cancel).toMatchObject({ code: '10000', retryFlag: 'N', action: 'close', outTradeNo: out });
    expect(await exec('alipay.trade.query', { outTradeNo: out })).toMatchObject({ tradeStatus: 'TRADE_CLOSED' });
  });

  it('cancels a paid trade with action refund', async () => {
    const out = outTradeNo('SDK');
    await exec('alipay.trade.pay', { outTradeNo: out, scene: 'bar_code', authCode: makeAlipayTestCode('success'), subject: 'Shop-POS', totalAmount: '1.00' });
    expect(await exec('alipay.trade.cancel', { outTradeNo: out })).toMatchObject({ code: '10000', retryFlag: 'N', action: 'refund' });
  });

  it.each([
    ['notenough', 'ACQ.BUYER_BALANCE_NOT_ENOUGH'],
    ['authcode_expired', 'ACQ.PAYMENT_AUTH_CODE_INVALID'],
    ['bankerror', 'ACQ.SYSTEM_ERROR'],
  ] as const)('gets a signed business error for a %s code (%s)', async (behaviour, subCode) => {
    const pay = await exec('alipay.trade.pay', { outTradeNo: outTradeNo('SDK'), scene: 'bar_code', authCode: makeAlipayTestCode(behaviour), subject: 'Shop-POS', totalAmount: '5.00' });
    expect(pay).toMatchObject({ code: '40004', msg: 'Business Failed', subCode });
  });

  it('gets a signed 20000 for an unknown outcome', async () => {
    const pay = await exec('alipay.trade.pay', { outTradeNo: outTradeNo('SDK'), scene: 'bar_code', authCode: makeAlipayTestCode('systemerror_paid'), subject: 'Shop-POS', totalAmount: '5.00' });
    expect(pay).toMatchObject({ code: '20000', subCode: 'isp.unknow-error' });
  });

  it('refuses the forged answer of the forged_signature code: its verification is real', async () => {
    const pay = exec('alipay.trade.pay', { outTradeNo: outTradeNo('SDK'), scene: 'bar_code', authCode: makeAlipayTestCode('forged_signature'), subject: 'Shop-POS', totalAmount: '5.00' });
    await expect(pay).rejects.toThrow(/验签失败/);
  });

  it('is refused with isv.invalid-signature when it signs with a key the app did not register', async () => {
    const stranger = new AlipaySdk({
      appId: ALIPAY_SIMULATOR_DEFAULTS.appId,
      privateKey: simulatorKey('alipayPrivateKey'),
      keyType: 'PKCS8',
      alipayPublicKey: simulatorKey('alipayPublicKey'),
      gateway: harness.gateway,
    });
    const answer = await stranger.exec('alipay.trade.query', { bizContent: { outTradeNo: 'nothing' } }, { validateSign: true });
    expect(answer).toMatchObject({ code: '40002', subCode: 'isv.invalid-signature' });
  });
});
