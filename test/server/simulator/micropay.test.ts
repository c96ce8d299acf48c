import { describe, expect, it } from 'vitest';
import { makeTestCode } from '../../../server/simulator/test-codes.ts';
import { verify } from '../../../server/wechat/sign.ts';
import { harness, type Reply } from './helpers.ts';

/** The real gateway's unsigned refusal of a missing or over-long parameter. */
function expectReturnFail(r: Reply, msg: string) {
  expect(r.fields).toEqual({ return_code: 'FAIL', return_msg: msg });
}

describe('simulator micropay: field validation', () => {
  const required = ['body', 'out_trade_no', 'total_fee', 'spbill_create_ip', 'auth_code'];
  for (const name of required) {
    it(`answers an unsigned return_code FAIL 缺少参数 when ${name} is missing`, async () => {
      const h = harness();
      const r = await h.micropay({ [name]: '' });
      expectReturnFail(r, '缺少参数');
      expect(h.sim.orders()).toEqual([]);
    });
  }

  // Lengths from the official micropay field table (String(n), UTF-8 bytes).
  const tooLong: [string, string, string][] = [
    ['out_trade_no', 'A'.repeat(33), 'longer than 32'],
    ['body', '商'.repeat(43), 'longer than 128 UTF-8 bytes'],
    ['auth_code', '1'.repeat(129), 'longer than 128'],
    ['device_info', 'D'.repeat(33), 'longer than 32'],
    ['attach', 'a'.repeat(128), 'longer than 127'],
    ['goods_tag', 'g'.repeat(33), 'longer than 32'],
    ['detail', 'd'.repeat(6001), 'longer than 6000'],
  ];
  for (const [name, value, why] of tooLong) {
    it(`answers an unsigned return_code FAIL ${name}参数长度有误 for ${name} ${why}`, async () => {
      const h = harness();
      const r = await h.micropay({ [name]: value });
      expectReturnFail(r, `${name}参数长度有误`);
      expect(h.sim.orders()).toEqual([]);
    });
  }

  it('accepts values of exactly the maximum length', async () => {
    const h = harness();
    const r = await h.micropay({ out_trade_no: 'A'.repeat(32), body: '商'.repeat(42) + 'ab', attach: 'a'.repeat(127), device_info: 'D'.repeat(32) });
    expect(r.fields.result_code).toBe('SUCCESS');
  });

  const invalid: [string, string, string][] = [
    ['total_fee', 'abc', 'non-numeric'],
    ['total_fee', '0', 'zero'],
    ['total_fee', '-5', 'negative'],
    ['total_fee', '12.34', 'in yuan'],
    ['total_fee', '0100', 'with a leading zero'],
    ['total_fee', '1e3', 'in exponent notation'],
    ['total_fee', '99999999999', 'beyond Int'],
    ['out_trade_no', 'order#1', 'with a character outside [0-9A-Za-z_-|*]'],
    ['spbill_create_ip', 'localhost', 'not an IP address'],
    ['fee_type', 'USD', 'not CNY'],
    ['limit_pay', 'credit', 'not no_credit'],
    ['time_expire', '20261332250000', 'not a real time'],
  ];
  for (const [name, value, why] of invalid) {
    it(`answers PARAM_ERROR for ${name} ${why}`, async () => {
      const h = harness();
      const r = await h.micropay({ [name]: value });
      expect(r.fields.err_code).toBe('PARAM_ERROR');
      expect(r.fields.err_code_des).toContain(name);
      expect(h.sim.orders()).toEqual([]);
    });
  }

  it('accepts out_trade_no with every allowed character', async () => {
    const h = harness();
    const r = await h.micropay({ out_trade_no: 'aZ09_-|*' });
    expect(r.fields.result_code).toBe('SUCCESS');
  });

  it('answers PARAM_ERROR when time_expire is less than a minute after time_start', async () => {
    const h = harness();
    const r = await h.micropay({ time_start: '20261128100500', time_expire: '20261128100530' });
    expect(r.fields).toMatchObject({ err_code: 'PARAM_ERROR', err_code_des: 'time_expire时间过短，刷卡至少1分钟，其他5分钟' });
  });

  describe('time_expire against Beijing time (UTC+8), whatever the machine zone', () => {
    // The harness clock stands at 02:00 UTC, 10:00 in Beijing.
    for (const tz of ['UTC', 'America/New_York', 'Europe/Berlin', 'Asia/Shanghai']) {
      it(`with TZ=${tz}: a minute ahead of Beijing's now pays, less is PARAM_ERROR with the real text`, async () => {
        const saved = process.env.TZ;
        process.env.TZ = tz;
        try {
          const h = harness();
          const short = await h.micropay({ time_start: '20261128100000', time_expire: '20261128100059' });
          expect(short.fields).toMatchObject({ result_code: 'FAIL', err_code: 'PARAM_ERROR', err_code_des: 'time_expire时间过短，刷卡至少1分钟，其他5分钟' });
          expect(short.signed).toBe(true);
          expect((await h.micropay({ time_start: '20261128100000', time_expire: '20261128100100' })).fields.result_code).toBe('SUCCESS');
          expect(h.sim.orders()).toHaveLength(1);
        } finally {
          if (saved === undefined) delete process.env.TZ;
          else process.env.TZ = saved;
        }
      });
    }

    it('refuses times a New York shop wrote in its own zone (13 hours behind Beijing)', async () => {
      const h = harness();
      // 21:00 New York on the 27th is 10:00 Beijing on the 28th: read as Beijing time it lies in the past.
      const r = await h.micropay({ time_start: '20261127210000', time_expire: '20261127210200' });
      expect(r.fields.err_code_des).toBe('time_expire时间过短，刷卡至少1分钟，其他5分钟');
    });

    it('checks time_expire against now even without time_start', async () => {
      const h = harness();
      expect((await h.micropay({ time_expire: '20261128100030' })).fields.err_code).toBe('PARAM_ERROR');
      h.clock.advance(-60_000);
      expect((await h.micropay({ time_expire: '20261128100030' })).fields.result_code).toBe('SUCCESS');
    });

    it('answers time_end in Beijing time', async () => {
      const saved = process.env.TZ;
      process.env.TZ = 'America/New_York';
      try {
        const r = await harness().micropay({});
        expect(r.fields.time_end).toBe('20261128100000');
      } finally {
        if (saved === undefined) delete process.env.TZ;
        else process.env.TZ = saved;
      }
    });
  });

  for (const [code, kind] of [
    ['286712345678901234', 'an Alipay code'],
    ['6212345678901234567', 'a UnionPay code'],
    ['190000123456789012', 'an 18-digit code outside 10–15'],
    ['13000012345678901', 'a 17-digit code'],
    ['wxp://f2f0abc', 'a collection code'],
  ]) {
    it(`answers AUTH_CODE_INVALID for ${kind}`, async () => {
      const h = harness();
      const r = await h.micropay({ auth_code: code! });
      expect(r.fields.err_code).toBe('AUTH_CODE_INVALID');
      expect(h.sim.orders()).toEqual([]);
    });
  }
});

describe('simulator micropay: a paid answer', () => {
  it('carries the real success fields', async () => {
    const h = harness();
    const r = await h.micropay({ out_trade_no: 'P1', total_fee: '1234', attach: 'till 3', device_info: 'T-01' });
    expect(r.fields).toMatchObject({
      return_code: 'SUCCESS',
      result_code: 'SUCCESS',
      out_trade_no: 'P1',
      trade_type: 'MICROPAY',
      fee_type: 'CNY',
      total_fee: '1234',
      cash_fee: '1234',
      is_subscribe: 'N',
      attach: 'till 3',
      device_info: 'T-01',
      // 02:00 UTC is 10:00 in Beijing
      time_end: '20261128100000',
    });
    expect(r.fields.transaction_id).toMatch(/^\d{28}$/);
    expect(r.fields.openid).toMatch(/^o[\w-]{27}$/);
    expect(r.fields.bank_type).toBeTruthy();
    expect(h.sim.order('P1')).toMatchObject({ trade_state: 'SUCCESS', total_fee: 1234, micropay_calls: 1, device_info: 'T-01', transaction_id: r.fields.transaction_id });
  });

  it('masks the code in the order it shows', async () => {
    const h = harness();
    const code = makeTestCode('success');
    await h.micropay({ out_trade_no: 'M1', auth_code: code });
    expect(h.sim.order('M1')!.auth_code_masked).toBe(`${code.slice(0, 4)}**********${code.slice(-4)}`);
  });

  it('treats a code without a known test prefix as success', async () => {
    const h = harness();
    const r = await h.micropay({ auth_code: '134567890123456789' });
    expect(r.fields.result_code).toBe('SUCCESS');
  });
});

describe('simulator micropay: out_trade_no and code reuse', () => {
  it('answers a retry with the same code and amount with the same payment, charging once', async () => {
    const h = harness();
    const fields = { out_trade_no: 'R1', auth_code: makeTestCode('success'), total_fee: '500' };
    const first = await h.micropay(fields);
    const again = await h.micropay(fields);
    expect(again.fields.result_code).toBe('SUCCESS');
    expect(again.fields.transaction_id).toBe(first.fields.transaction_id);
    expect(h.sim.orders()).toHaveLength(1);
    expect(h.sim.order('R1')!.micropay_calls).toBe(2);
  });

  it('answers a retry of a payment waiting for the password with USERPAYING again', async () => {
    const h = harness();
    const fields = { out_trade_no: 'R2', auth_code: makeTestCode('password') };
    await h.micropay(fields);
    const again = await h.micropay(fields);
    expect(again.fields.err_code).toBe('USERPAYING');
    h.sim.confirm('R2');
    const paid = await h.micropay(fields);
    expect(paid.fields.result_code).toBe('SUCCESS');
  });

  it('answers OUT_TRADE_NO_USED when the number comes back with another amount', async () => {
    const h = harness();
    const code = makeTestCode('bankerror');
    await h.micropay({ out_trade_no: 'R3', auth_code: code, total_fee: '100' });
    const r = await h.micropay({ out_trade_no: 'R3', auth_code: code, total_fee: '200' });
    expect(r.fields.err_code).toBe('OUT_TRADE_NO_USED');
  });

  it('answers ORDERPAID when a paid order number comes back with another code', async () => {
    const h = harness();
    await h.micropay({ out_trade_no: 'R4' });
    const r = await h.micropay({ out_trade_no: 'R4', auth_code: makeTestCode('success') });
    expect(r.fields.err_code).toBe('ORDERPAID');
    expect(h.sim.order('R4')!.micropay_calls).toBe(2);
  });

  it('answers AUTH_CODE_INVALID with the real text when a used code comes with a new order number', async () => {
    const h = harness();
    const code = makeTestCode('success');
    await h.micropay({ out_trade_no: 'C1', auth_code: code });
    const r = await h.micropay({ out_trade_no: 'C2', auth_code: code });
    expect(r.fields).toMatchObject({ return_code: 'SUCCESS', result_code: 'FAIL', err_code: 'AUTH_CODE_INVALID', err_code_des: '101 每个二维码仅限使用一次，请刷新再试' });
    expect(r.signed).toBe(true);
    expect(h.sim.order('C2')).toBeUndefined();
    expect(h.sim.order('C1')!.micropay_calls).toBe(1);
  });

  it('answers AUTH_CODE_INVALID for a code whose payment failed or was reversed', async () => {
    const h = harness();
    const declined = makeTestCode('notenough');
    await h.micropay({ out_trade_no: 'C3', auth_code: declined });
    expect((await h.micropay({ out_trade_no: 'C4', auth_code: declined })).fields.err_code).toBe('AUTH_CODE_INVALID');
    const reversed = makeTestCode('password');
    await h.micropay({ out_trade_no: 'C5', auth_code: reversed });
    await h.reverse('C5');
    expect((await h.micropay({ out_trade_no: 'C6', auth_code: reversed })).fields.err_code).toBe('AUTH_CODE_INVALID');
  });

  it('answers AUTHCODEEXPIRE for a handed-out code older than its time to live', async () => {
    const h = harness({ codeTtlMs: 60_000 });
    const res = await h.sim.app.request('/control/codes', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const { code } = (await res.json()) as { code: string };
    h.clock.advance(61_000);
    const r = await h.micropay({ auth_code: code });
    expect(r.fields.err_code).toBe('AUTHCODEEXPIRE');
  });
});

describe('simulator micropay: behaviours by test code', () => {
  it('success: paid at once', async () => {
    const h = harness();
    const r = await h.pay('success', { out_trade_no: 'B0' });
    expect(r.fields.result_code).toBe('SUCCESS');
    expect((await h.query('B0')).fields.trade_state).toBe('SUCCESS');
  });

  it('password: USERPAYING until confirmed, then SUCCESS with the confirmation time', async () => {
    const h = harness();
    const r = await h.pay('password', { out_trade_no: 'B1' });
    expect(r.fields).toMatchObject({ result_code: 'FAIL', err_code: 'USERPAYING' });
    expect(r.signed).toBe(true);
    expect((await h.query('B1')).fields.trade_state).toBe('USERPAYING');
    h.clock.advance(7_000);
    expect(h.sim.confirm('B1')).toBe(true);
    const q = await h.query('B1');
    expect(q.fields).toMatchObject({ trade_state: 'SUCCESS', time_end: '20261128100007', total_fee: '1234' });
    expect(q.fields.transaction_id).toMatch(/^\d{28}$/);
  });

  it('password: declined gives PAYERROR and a retry answers a failure', async () => {
    const h = harness();
    const code = makeTestCode('password');
    await h.micropay({ out_trade_no: 'B2', auth_code: code });
    expect(h.sim.decline('B2')).toBe(true);
    expect((await h.query('B2')).fields.trade_state).toBe('PAYERROR');
    const retry = await h.micropay({ out_trade_no: 'B2', auth_code: code });
    expect(retry.fields.result_code).toBe('FAIL');
    expect(retry.fields.err_code).toBe('TRADE_ERROR');
    expect(h.sim.confirm('B2')).toBe(false);
  });

  it('password_declined: USERPAYING, then PAYERROR once passwordDeclineMs has passed', async () => {
    const h = harness({ passwordDeclineMs: 3000 });
    expect((await h.pay('password_declined', { out_trade_no: 'B3' })).fields.err_code).toBe('USERPAYING');
    h.clock.advance(2999);
    expect((await h.query('B3')).fields.trade_state).toBe('USERPAYING');
    h.clock.advance(1);
    expect((await h.query('B3')).fields.trade_state).toBe('PAYERROR');
  });

  it('systemerror_paid: answers SYSTEMERROR but the order is paid', async () => {
    const h = harness();
    const r = await h.pay('systemerror_paid', { out_trade_no: 'B4' });
    expect(r.fields).toMatchObject({ result_code: 'FAIL', err_code: 'SYSTEMERROR' });
    expect((await h.query('B4')).fields.trade_state).toBe('SUCCESS');
  });

  it('bankerror: answers BANKERROR, the order is NOTPAY and reverse closes it', async () => {
    const h = harness();
    const r = await h.pay('bankerror', { out_trade_no: 'B5' });
    expect(r.fields.err_code).toBe('BANKERROR');
    expect((await h.query('B5')).fields.trade_state).toBe('NOTPAY');
    expect((await h.reverse('B5')).fields).toMatchObject({ result_code: 'SUCCESS', recall: 'N' });
    expect((await h.query('B5')).fields.trade_state).toBe('REVOKED');
  });

  it('slow: paid at once, the answer comes after slowMs', async () => {
    const h = harness({ slowMs: 150 });
    const started = Date.now();
    const pending = h.pay('slow', { out_trade_no: 'B6' });
    await new Promise((r) => setTimeout(r, 20));
    expect((await h.query('B6')).fields.trade_state).toBe('SUCCESS');
    const r = await pending;
    expect(r.fields.result_code).toBe('SUCCESS');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('slow: close() lets a delayed answer go at once', async () => {
    const h = harness({ slowMs: 60_000 });
    const pending = h.pay('slow');
    await new Promise((r) => setTimeout(r, 20));
    h.sim.close();
    expect((await pending).fields.result_code).toBe('SUCCESS');
  });

  it('notenough: NOTENOUGH and the order failed', async () => {
    const h = harness();
    const r = await h.pay('notenough', { out_trade_no: 'B7' });
    expect(r.fields.err_code).toBe('NOTENOUGH');
    expect((await h.query('B7')).fields.trade_state).toBe('PAYERROR');
  });

  it('authcode_expired: AUTHCODEEXPIRE and no order exists', async () => {
    const h = harness();
    const r = await h.pay('authcode_expired', { out_trade_no: 'B8' });
    expect(r.fields.err_code).toBe('AUTHCODEEXPIRE');
    expect((await h.query('B8')).fields.err_code).toBe('ORDERNOTEXIST');
  });

  it('reverse_recall: USERPAYING, first reverse SYSTEMERROR recall=Y changing nothing, the next one reverses', async () => {
    const h = harness();
    expect((await h.pay('reverse_recall', { out_trade_no: 'B9' })).fields.err_code).toBe('USERPAYING');
    h.clock.advance(20_000);
    expect((await h.query('B9')).fields.trade_state).toBe('USERPAYING');
    const first = await h.reverse('B9');
    expect(first.fields).toMatchObject({ return_code: 'SUCCESS', result_code: 'FAIL', err_code: 'SYSTEMERROR', recall: 'Y' });
    expect(first.signed).toBe(true);
    expect((await h.query('B9')).fields.trade_state).toBe('USERPAYING');
    const second = await h.reverse('B9');
    expect(second.fields).toMatchObject({ result_code: 'SUCCESS', recall: 'N' });
    expect((await h.query('B9')).fields.trade_state).toBe('REVOKED');
    expect(h.sim.order('B9')!.reverse_calls).toBe(2);
  });

  it('forged_signature: SUCCESS signed with a wrong key; the order is NOTPAY', async () => {
    const h = harness();
    for (const signType of ['MD5', 'HMAC-SHA256'] as const) {
      const otn = `BF${signType.length}`;
      const r = await h.pay('forged_signature', { out_trade_no: otn }, { signType });
      expect(r.fields).toMatchObject({ return_code: 'SUCCESS', result_code: 'SUCCESS', out_trade_no: otn });
      expect(r.fields.sign).toBeTruthy();
      expect(verify(r.fields, h.key, signType)).toBe(false);
      const q = await h.query(otn, { signType });
      expect(q.signed).toBe(true);
      expect(q.fields.trade_state).toBe('NOTPAY');
    }
  });
});
