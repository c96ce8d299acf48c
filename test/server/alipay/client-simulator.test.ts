import { createPrivateKey } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AlipayClient } from '../../../server/alipay/client.ts';
import type { AlipayOutcome, TradeState } from '../../../server/alipay/gateway.ts';
import { simulatorKey } from '../../../server/simulator/alipay/keys.ts';
import { makeAlipayTestCode, type AlipayBehaviour } from '../../../server/simulator/test-codes.ts';
import { beijingDate, outTradeNo, startAlipaySimulator } from '../simulator/alipay/helpers.ts';
import { eventually } from '../../support/eventually.ts';
import { gatewayError } from '../../support/rejection.ts';

/**
 * The product's Alipay client against the Alipay simulator over real loopback HTTP: every call,
 * every class of answer, and the ways an answer must end as "outcome unknown" (forged
 * signature, timeout, unreachable gateway). The two sides were written apart, so this is where
 * the protocol is checked end to end.
 */

const CLIENT_TIMEOUT_MS = 400;
let harness: Awaited<ReturnType<typeof startAlipaySimulator>>;
let client: AlipayClient;

beforeAll(async () => {
  harness = await startAlipaySimulator({ slowMs: 1_500, passwordDeclineMs: 150 });
  client = harness.client({ timeoutMs: CLIENT_TIMEOUT_MS });
});

afterAll(async () => {
  client.close();
  await harness.stop();
});

beforeEach(() => harness.sim.reset());

function sale(behaviour: AlipayBehaviour, amount_fen = 1_234) {
  return { out_trade_no: outTradeNo(), amount_fen, auth_code: makeAlipayTestCode(behaviour), subject: 'Shop-POS 门店' };
}

function ok<T>(outcome: AlipayOutcome<T>): T {
  if (outcome.kind !== 'ok') throw new Error(`expected ok, got ${JSON.stringify(outcome)}`);
  return outcome.value;
}

async function statusOf(out_trade_no: string): Promise<TradeState['trade_status']> {
  return ok(await client.query({ out_trade_no })).trade_status;
}

/** Polls until the simulator's own clock has moved the trade on (password_declined). */
const statusUntil = (out_trade_no: string, wanted: string): Promise<string> =>
  eventually(`trade ${out_trade_no} ${wanted}`, () => statusOf(out_trade_no), { done: (status) => status === wanted, timeoutMs: 3_000 });

describe('trade.pay and trade.query', () => {
  it('pays a success code at once, in fen, and the query finds it paid', async () => {
    const req = sale('success', 1_234);
    const paid = ok(await client.pay(req));
    expect(paid).toMatchObject({ out_trade_no: req.out_trade_no, total_fen: 1_234, receipt_fen: 1_234, buyer_pay_fen: 1_234 });
    expect(paid.trade_no).toMatch(/^\d{28}$/);
    expect(paid.paid_at).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(paid.fund_channels).toEqual([{ fund_channel: 'ALIPAYACCOUNT', amount_fen: 1_234 }]);

    const state = ok(await client.query({ out_trade_no: req.out_trade_no }));
    expect(state).toMatchObject({ trade_status: 'TRADE_SUCCESS', trade_no: paid.trade_no, total_fen: 1_234 });
    expect(state.paid?.total_fen).toBe(1_234);
  });

  it('answers a password code with waiting (10003), then paid when the customer confirms', async () => {
    const req = sale('password');
    const outcome = await client.pay(req);
    expect(outcome).toMatchObject({ kind: 'waiting', value: { out_trade_no: req.out_trade_no } });
    expect(await statusOf(req.out_trade_no)).toBe('WAIT_BUYER_PAY');
    expect(harness.sim.confirm(req.out_trade_no)).toBe(true);
    expect(await statusOf(req.out_trade_no)).toBe('TRADE_SUCCESS');
  });

  it('closes a waiting trade the customer declines', async () => {
    const req = sale('password');
    await client.pay(req);
    expect(harness.sim.decline(req.out_trade_no)).toBe(true);
    expect(await statusOf(req.out_trade_no)).toBe('TRADE_CLOSED');
  });

  it('closes a password_declined trade after a moment', async () => {
    const req = sale('password_declined');
    expect((await client.pay(req)).kind).toBe('waiting');
    expect(await statusUntil(req.out_trade_no, 'TRADE_CLOSED')).toBe('TRADE_CLOSED');
  });

  it('reports 20000 as an unknown outcome, and the query finds the systemerror_paid trade paid', async () => {
    const req = sale('systemerror_paid');
    expect(await client.pay(req)).toMatchObject({ kind: 'unknown', code: 'isp.unknow-error' });
    expect(await statusOf(req.out_trade_no)).toBe('TRADE_SUCCESS');
  });

  it('reports ACQ.SYSTEM_ERROR as an unknown outcome, never a failure; the bankerror trade is unpaid', async () => {
    const req = sale('bankerror');
    expect(await client.pay(req)).toMatchObject({ kind: 'unknown', code: 'ACQ.SYSTEM_ERROR' });
    expect(await statusOf(req.out_trade_no)).toBe('WAIT_BUYER_PAY');
  });

  it.each([
    ['notenough', 'ACQ.BUYER_BALANCE_NOT_ENOUGH'],
    ['authcode_expired', 'ACQ.PAYMENT_AUTH_CODE_INVALID'],
  ] as const)('reports the %s code as business error %s', async (behaviour, code) => {
    const outcome = await client.pay(sale(behaviour));
    expect(outcome).toMatchObject({ kind: 'business_error', code });
  });

  it('refuses a code that was already used, and an expired code creates no trade', async () => {
    const first = sale('success');
    ok(await client.pay(first));
    const reuse = { ...sale('success'), auth_code: first.auth_code };
    expect(await client.pay(reuse)).toMatchObject({ kind: 'business_error', code: 'ACQ.PAYMENT_AUTH_CODE_INVALID' });
    expect(await client.query({ out_trade_no: reuse.out_trade_no })).toMatchObject({ kind: 'business_error', code: 'ACQ.TRADE_NOT_EXIST' });
  });

  it('answers a retried pay with the trade as it stands, and refuses the number with other details', async () => {
    const req = sale('success');
    const first = ok(await client.pay(req));
    expect(ok(await client.pay(req)).trade_no).toBe(first.trade_no);
    expect(await client.pay({ ...req, amount_fen: 999 })).toMatchObject({ kind: 'business_error', code: 'ACQ.TRADE_HAS_SUCCESS' });
  });

  it('times out on the slow code (outcome unknown), and the query finds it paid', async () => {
    const req = sale('slow');
    const error = await gatewayError(client.pay(req));
    expect(error.kind).toBe('timeout');
    expect(await statusOf(req.out_trade_no)).toBe('TRADE_SUCCESS');
  });

  it('honours a per-call timeout over the client default', async () => {
    const patient = harness.client({ timeoutMs: 5_000 });
    try {
      const error = await gatewayError(patient.pay(sale('slow'), { timeoutMs: 200 }));
      expect(error.kind).toBe('timeout');
    } finally {
      patient.close();
    }
  });

  it('throws bad_signature for the forged answer (never a paid or failed result); the trade is unpaid', async () => {
    const req = sale('forged_signature');
    const error = await gatewayError(client.pay(req));
    expect(error.kind).toBe('bad_signature');
    expect(await statusOf(req.out_trade_no)).toBe('WAIT_BUYER_PAY');
  });
});

describe('trade.cancel', () => {
  it('closes an unpaid trade (action close)', async () => {
    const req = sale('bankerror');
    await client.pay(req);
    expect(ok(await client.cancel({ out_trade_no: req.out_trade_no }))).toMatchObject({ retry: false, action: 'close' });
    expect(await statusOf(req.out_trade_no)).toBe('TRADE_CLOSED');
  });

  it('gives a paid trade back (action refund)', async () => {
    const req = sale('success');
    await client.pay(req);
    expect(ok(await client.cancel({ out_trade_no: req.out_trade_no }))).toMatchObject({ retry: false, action: 'refund' });
    expect(await statusOf(req.out_trade_no)).toBe('TRADE_CLOSED');
    expect(harness.sim.trade(req.out_trade_no)?.cancel_action).toBe('refund');
  });

  it('asks for a retry (retry_flag=Y) on the first cancel of a reverse_recall trade, then closes it', async () => {
    const req = sale('reverse_recall');
    expect((await client.pay(req)).kind).toBe('waiting');
    expect(ok(await client.cancel({ out_trade_no: req.out_trade_no }))).toEqual({ retry: true });
    expect(ok(await client.cancel({ out_trade_no: req.out_trade_no }))).toMatchObject({ retry: false, action: 'close' });
  });

  it('answers a cancel of an unknown number without action, and a later pay with it charges nobody', async () => {
    const req = sale('success');
    expect(ok(await client.cancel({ out_trade_no: req.out_trade_no }))).toEqual({ retry: false });
    expect(await client.pay(req)).toMatchObject({ kind: 'business_error', code: 'ACQ.TRADE_HAS_CLOSE' });
  });

  it('answers the same cancel again with the same action', async () => {
    const req = sale('success');
    await client.pay(req);
    await client.cancel({ out_trade_no: req.out_trade_no });
    expect(ok(await client.cancel({ out_trade_no: req.out_trade_no }))).toMatchObject({ retry: false, action: 'refund' });
  });
});

describe('trade.refund and trade.fastpay.refund.query', () => {
  it('refunds part, answers the same out_request_no again without moving money, and the query confirms it', async () => {
    const req = sale('success', 5_000);
    await client.pay(req);
    const refund = { out_trade_no: req.out_trade_no, out_request_no: `${req.out_trade_no}R1`, refund_fen: 1_200, refund_reason: '退货' };
    expect(ok(await client.refund(refund))).toMatchObject({ refunded_total_fen: 1_200, fund_change: true });
    expect(ok(await client.refund(refund))).toMatchObject({ refunded_total_fen: 1_200, fund_change: false });
    expect(ok(await client.refundQuery(refund))).toEqual({ out_trade_no: req.out_trade_no, out_request_no: refund.out_request_no, refund_status: 'REFUND_SUCCESS', refund_fen: 1_200, total_fen: 5_000 });
    expect(harness.sim.trade(req.out_trade_no)?.refunds).toEqual([{ out_request_no: refund.out_request_no, refund_fen: 1_200 }]);
  });

  it('refuses the same out_request_no with another amount, and more than is left', async () => {
    const req = sale('success', 1_000);
    await client.pay(req);
    await client.refund({ out_trade_no: req.out_trade_no, out_request_no: 'R1', refund_fen: 600 });
    expect(await client.refund({ out_trade_no: req.out_trade_no, out_request_no: 'R1', refund_fen: 700 })).toMatchObject({ kind: 'business_error', code: 'ACQ.DISCORDANT_REPEAT_REQUEST' });
    expect(await client.refund({ out_trade_no: req.out_trade_no, out_request_no: 'R2', refund_fen: 401 })).toMatchObject({ kind: 'business_error', code: 'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL' });
  });

  it('closes the trade once it is refunded in full', async () => {
    const req = sale('success', 1_000);
    await client.pay(req);
    await client.refund({ out_trade_no: req.out_trade_no, out_request_no: 'R1', refund_fen: 1_000 });
    expect(await statusOf(req.out_trade_no)).toBe('TRADE_CLOSED');
  });

  it('refuses to refund an unpaid trade', async () => {
    const req = sale('password');
    await client.pay(req);
    expect(await client.refund({ out_trade_no: req.out_trade_no, out_request_no: 'R1', refund_fen: 100 })).toMatchObject({ kind: 'business_error', code: 'ACQ.TRADE_STATUS_ERROR' });
  });

  it('reports a refund Alipay never received as NONE', async () => {
    const req = sale('success');
    await client.pay(req);
    expect(ok(await client.refundQuery({ out_trade_no: req.out_trade_no, out_request_no: 'never-sent' }))).toEqual({
      out_trade_no: req.out_trade_no,
      out_request_no: 'never-sent',
      refund_status: 'NONE',
    });
  });
});

describe('the bill', () => {
  it('gives a download URL for today and the zip it points to lists payments and refunds in fen', async () => {
    const req = sale('success', 2_500);
    const paid = ok(await client.pay(req));
    await client.refund({ out_trade_no: req.out_trade_no, out_request_no: 'R-bill', refund_fen: 500 });
    const url = ok(await client.billDownloadUrl({ bill_type: 'trade', bill_date: beijingDate() })).bill_download_url;
    expect(url).toContain('/alipay/downloadBillFile.resource?');

    const bill = await client.downloadBill(url);
    expect(bill.account).toBe('20880000000000420156');
    expect(bill.records).toEqual([
      expect.objectContaining({ kind: 'payment', trade_no: paid.trade_no, out_trade_no: req.out_trade_no, amount_fen: 2_500, receipt_fen: 2_500, fee_fen: -15, subject: 'Shop-POS 门店' }),
      expect.objectContaining({ kind: 'refund', trade_no: paid.trade_no, amount_fen: -500, out_request_no: 'R-bill', fee_fen: 3 }),
    ]);
  });

  it('answers isp.bill_not_exist for a day without trades', async () => {
    expect(await client.billDownloadUrl({ bill_type: 'trade', bill_date: '2020-01-01' })).toMatchObject({ kind: 'business_error', code: 'isp.bill_not_exist' });
  });
});

describe('refusals and unknown outcomes', () => {
  it('is rejected (not processed) with isv.invalid-app-id for another app id', async () => {
    const stranger = harness.client({ appId: '2021999999999999' });
    try {
      expect(await stranger.query({ out_trade_no: 'x1' })).toMatchObject({ kind: 'rejected', code: 'isv.invalid-app-id' });
    } finally {
      stranger.close();
    }
  });

  it('is rejected with isv.invalid-signature when it signs with a key the app did not register', async () => {
    const wrongKey = harness.client({ privateKey: simulatorKey('alipayPrivateKey') });
    try {
      expect(await wrongKey.pay(sale('success'))).toMatchObject({ kind: 'rejected', code: 'isv.invalid-signature' });
    } finally {
      wrongKey.close();
    }
  });

  it('throws bad_signature when answers are checked with a key that is not Alipay’s', async () => {
    const confused = harness.client({ alipayPublicKey: simulatorKey('appPublicKey') });
    try {
      expect((await gatewayError(confused.query({ out_trade_no: 'x1' }))).kind).toBe('bad_signature');
    } finally {
      confused.close();
    }
  });

  it('throws network when the gateway cannot be reached', async () => {
    const nowhere = harness.client({ gateway: 'http://127.0.0.1:9/alipay/gateway.do' });
    try {
      expect((await gatewayError(nowhere.query({ out_trade_no: 'x1' }))).kind).toBe('network');
    } finally {
      nowhere.close();
    }
  });
});

describe('app private keys', () => {
  const pkcs1 = simulatorKey('appPrivateKey');
  const key = createPrivateKey(pkcs1);
  const pkcs8 = key.export({ format: 'pem', type: 'pkcs8' }).toString();
  const bare = key.export({ format: 'der', type: 'pkcs8' }).toString('base64');

  it.each([
    ['PKCS#1 PEM', pkcs1],
    ['PKCS#8 PEM', pkcs8],
    ['bare base64 PKCS#8 (Alipay’s key tool)', bare],
  ])('signs accepted requests with a %s key', async (_format, privateKey) => {
    const signer = harness.client({ privateKey });
    try {
      expect((await signer.pay(sale('success'))).kind).toBe('ok');
    } finally {
      signer.close();
    }
  });
});
