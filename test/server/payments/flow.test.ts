import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GatewayError } from '../../../server/wechat/gateway.ts';
import { errorMessage } from '../../../shared/error-catalogue.ts';
import { bizError, ok, rejected } from './fake-wechat.ts';
import { Harness } from './harness.ts';

let h: Harness;
beforeEach(() => {
  h = new Harness();
});
afterEach(async () => {
  await h.close();
});

const statusesOf = async (id: string): Promise<string[]> => (await h.store.paymentEvents(id)).map((e) => `${e.to_status}/${e.to_step}`);

describe('micropay answers', () => {
  it('succeeds at once on SUCCESS and journals the payment as sent before the gateway call', async () => {
    let atCall: string | undefined;
    h.wechat.once('micropay', async (fallback) => {
      const row = await h.store.payment('journaled');
      atCall = `${row?.status}/${row?.step}/sent_at ${row?.sent_at === row?.created_at ? 'set' : 'missing'}`;
      return fallback();
    });
    const p = await h.create({ id: 'journaled', amount_fen: 500 });
    expect(atCall).toBe('processing/query/sent_at set');
    expect(p.status).toBe('succeeded');
    expect(p.transaction_id).toMatch(/^42000/);
    expect(h.wechat.count('micropay')).toBe(1);
    // One durable insert holds the row and its send; the answer is the next journal entry.
    expect(await statusesOf(p.id)).toEqual(['processing/query', 'succeeded/done']);
  });

  it('sends Beijing times, the terminal as device_info and the server-made out_trade_no', async () => {
    const p = await h.create({ terminal: 'till-7', description: 'Coffee' });
    const req = h.wechat.lastMicropay!;
    expect(req.out_trade_no).toBe(p.out_trade_no);
    expect(p.out_trade_no).toMatch(/^[0-9A-Za-z_-]{1,32}$/);
    expect(req.device_info).toBe('till-7');
    expect(req.body).toBe('Test-Shop-Coffee');
    // ManualClock starts at 2026-11-28 02:00:00 UTC = 10:00:00 in Shanghai.
    expect(req.time_start).toBe('20261128100000');
    expect(Number(req.time_expire)).toBeGreaterThan(Number(req.time_start));
  });

  it.each(['America/New_York', 'Europe/Berlin'])('sends Beijing time_start/time_expire for a shop in %s', async (timeZone) => {
    const far = new Harness({ ...h.config, timeZone });
    try {
      await far.create();
      // 2026-11-28 02:00:00 UTC is 10:00 in Beijing (21:00 the day before in New York, 03:00 in Berlin).
      expect(far.wechat.lastMicropay!.time_start).toBe('20261128100000');
      // At least a minute past the deadline (itself at least a minute): WeChat refuses a time_expire under a minute ahead.
      expect(far.wechat.lastMicropay!.time_expire).toBe('20261128100200');
    } finally {
      await far.close();
    }
  });

  it('flags needs_attention when the paid amount differs from the asked amount', async () => {
    h.wechat.once('micropay', ok({ transaction_id: 'tx1', out_trade_no: 'x', total_fee: 1 }));
    const p = await h.create({ amount_fen: 500 });
    expect(p.status).toBe('needs_attention');
    expect(p.error?.code).toBe('AMOUNT_MISMATCH');
    expect(p.transaction_id).toBe('tx1');
  });

  it.each(['SIGNERROR', 'NOAUTH', 'PARAM_ERROR'])('fails with %s, a refusal before any order was made: nothing to query or close', async (code) => {
    h.wechat.once('micropay', bizError(code));
    const p = await h.create();
    expect(p.status).toBe('failed');
    expect(p.error).toEqual({ code, message: errorMessage(code, 'en') });
    await h.clock.advance(300_000);
    expect(h.wechat.count('orderQuery')).toBe(0);
    expect(h.wechat.count('reverse')).toBe(0);
    expect((await h.store.payment(p.id))!.step).toBe('done');
  });

  it.each(['NOTENOUGH', 'AUTHCODEEXPIRE', 'AUTH_CODE_INVALID', 'TRADE_ERROR'])(
    'fails with %s at once; when WeChat has no order for it, one query ends the flow',
    async (code) => {
      h.wechat.once('micropay', bizError(code));
      const p = await h.create();
      expect(p.status).toBe('failed');
      expect(p.error).toEqual({ code, message: errorMessage(code, 'en') });
      await h.clock.advance(300_000);
      expect(h.wechat.count('orderQuery')).toBe(1);
      expect(h.wechat.count('reverse')).toBe(0);
      const row = (await h.store.payment(p.id))!;
      expect([row.status, row.step, row.error_code]).toEqual(['failed', 'done', code]);
    },
  );

  it.each(['NOTENOUGH', 'TRADE_ERROR', 'NOTSUPORTCARD'])(
    'fails with %s at once and closes the order WeChat opened with a reverse, not before the minimum age',
    async (code) => {
      h.wechat.once('micropay', async (fallback) => {
        await fallback();
        return bizError(code);
      });
      h.wechat.micropayMode = 'userpaying';
      const p = await h.create();
      h.wechat.setState(p.out_trade_no, 'PAYERROR');
      expect(p.status).toBe('failed');
      await h.clock.advance(14_000);
      expect(h.wechat.count('reverse')).toBe(0);
      await h.clock.advance(2_000);
      expect(h.wechat.count('reverse')).toBe(1);
      await h.clock.advance(1_000);
      expect(h.wechat.orders.get(p.out_trade_no)!.state).toBe('REVOKED');
      const row = (await h.store.payment(p.id))!;
      expect([row.status, row.step, row.error_code, row.late_payment]).toEqual(['failed', 'done', code, false]);
      expect((await h.payment(p.id)).error?.code).toBe(code);
    },
  );

  it('waits for the password on USERPAYING, polling orderquery until paid', async () => {
    h.wechat.micropayMode = 'userpaying';
    const p = await h.create();
    expect(p.status).toBe('user_paying');
    expect(p.deadline_at).toBe(new Date(Date.parse(p.created_at) + 45_000).toISOString());
    await h.clock.advance(6_000);
    expect(h.wechat.count('orderQuery')).toBe(3);
    h.wechat.pay(p.out_trade_no);
    const done = await h.until(p.id, ['succeeded']);
    expect(done.late_payment).toBeUndefined();
    expect(h.wechat.count('reverse')).toBe(0);
  });

  it.each([
    ['timeout', new GatewayError('timeout', 'no answer in 10 s')],
    ['network error', new GatewayError('network', 'ECONNRESET')],
    ['SYSTEMERROR', bizError('SYSTEMERROR')],
    ['BANKERROR', bizError('BANKERROR')],
  ])('treats a %s as unknown and settles it by query (SUCCESS → succeeded)', async (_name, answer) => {
    h.wechat.once('micropay', async (fallback) => {
      await fallback(); // WeChat did charge the customer…
      if (answer instanceof GatewayError) throw answer;
      return answer; // …but the answer got lost or said "unknown"
    });
    const p = await h.create();
    expect(['processing', 'succeeded']).toContain(p.status);
    const done = await h.until(p.id, ['succeeded']);
    expect(done.transaction_id).toBeDefined();
    expect(h.wechat.count('micropay')).toBe(1);
    expect(h.wechat.count('reverse')).toBe(0);
  });

  it('never treats an answer with a bad signature as paid: the query decides', async () => {
    h.wechat.once('micropay', new GatewayError('bad_signature', 'sign mismatch'));
    // WeChat has the order but it is not paid; the customer never confirms.
    h.wechat.once('orderQuery', async () => {
      h.wechat.setState(h.wechat.lastMicropay!.out_trade_no, 'NOTPAY', 1234);
      return ok({ trade_state: 'NOTPAY' as const });
    });
    const p = await h.create();
    expect(p.status).toBe('processing');
    const seen: string[] = [];
    const stop = h.service.onTransition(({ after }) => seen.push(after.status));
    const done = await h.until(p.id, ['canceled', 'succeeded']);
    stop();
    expect(done.status).toBe('canceled');
    expect(done.error?.code).toBe('REVERSED');
    expect(seen).not.toContain('succeeded');
  });

  it('reverses a forged SUCCESS that the query shows as NOTPAY, not before the minimum age', async () => {
    h.wechat.once('micropay', async () => {
      h.wechat.setState(h.wechat.lastMicropay!.out_trade_no, 'NOTPAY', 1234);
      throw new GatewayError('bad_signature', 'forged SUCCESS');
    });
    const p = await h.create();
    const started = Date.parse(p.created_at);
    const done = await h.until(p.id, ['canceled', 'succeeded']);
    expect(done.status).toBe('canceled');
    const reverseAt = (await h.store.paymentEvents(p.id)).find((e) => e.to_step === 'confirm')!.at;
    expect(reverseAt - started).toBeGreaterThanOrEqual(45_000); // NOTPAY keeps polling until the deadline
    expect(h.wechat.count('reverse')).toBe(1);
  });

  it('confirms a rejected micropay (return_code FAIL) by query and fails with a clear code when no order exists', async () => {
    h.wechat.once('micropay', rejected('签名错误'));
    const p = await h.create();
    const done = await h.until(p.id, ['failed']);
    expect(done.error?.code).toBe('REQUEST_REJECTED');
    expect(done.error?.message).toMatch(/not charged/);
    expect(h.wechat.count('reverse')).toBe(0);
  });

  it('settles a rejected micropay as paid when the query finds it paid after all', async () => {
    h.wechat.once('micropay', async (fallback) => {
      await fallback();
      return rejected('系统繁忙');
    });
    const p = await h.create();
    expect((await h.until(p.id, ['succeeded', 'failed'])).status).toBe('succeeded');
  });
});

describe('order query answers', () => {
  it.each([
    ['CLOSED', 'canceled', 'ORDERCLOSED'],
    ['REVOKED', 'canceled', 'REVERSED'],
  ] as const)('maps %s to %s, already closed at WeChat', async (state, status, code) => {
    h.wechat.micropayMode = 'userpaying';
    const p = await h.create();
    h.wechat.setState(p.out_trade_no, state);
    const done = await h.until(p.id, [status]);
    expect(done.error?.code).toBe(code);
    await h.clock.advance(300_000);
    expect(h.wechat.count('reverse')).toBe(0);
  });

  it('maps PAYERROR to failed at once, then reverses so the order ends REVOKED (closed loop)', async () => {
    h.wechat.micropayMode = 'userpaying';
    const p = await h.create();
    h.wechat.setState(p.out_trade_no, 'PAYERROR');
    const done = await h.until(p.id, ['failed']);
    expect(done.error?.code).toBe('PAYERROR');
    await h.clock.advance(30_000);
    expect(h.wechat.count('reverse')).toBe(1);
    expect(h.wechat.orders.get(p.out_trade_no)!.state).toBe('REVOKED');
    expect((await h.store.payment(p.id))!).toMatchObject({ status: 'failed', step: 'done', error_code: 'PAYERROR' });
  });

  it('keeps polling through ACCEPT and query SYSTEMERROR', async () => {
    h.wechat.micropayMode = 'userpaying';
    h.wechat.once('orderQuery', ok({ trade_state: 'ACCEPT' as const }), bizError('SYSTEMERROR'), new GatewayError('timeout', 'slow'));
    const p = await h.create();
    await h.clock.advance(6_000);
    expect((await h.payment(p.id)).status).toBe('user_paying');
    h.wechat.pay(p.out_trade_no);
    expect((await h.until(p.id, ['succeeded'])).status).toBe('succeeded');
  });

  it('ends canceled when WeChat has no order after a timed-out send, and keeps checking until the code is dead', async () => {
    h.wechat.once('micropay', new GatewayError('timeout', 'lost on the way'));
    const p = await h.create();
    const done = await h.until(p.id, ['canceled']);
    expect(done.error?.code).toBe('REVERSED');
    const reverse = h.wechat.calls.find((c) => c.op === 'reverse')!;
    expect(reverse.out_trade_no).toBe(p.out_trade_no);
    // WeChat answered ORDERNOTEXIST to the reverse: nothing is blocked, so the flow watches on.
    expect((await h.store.payment(p.id))!.step).toBe('confirm');
    const queriesBefore = h.wechat.count('orderQuery');
    await h.clock.advance(60_000);
    expect(h.wechat.count('orderQuery')).toBeGreaterThan(queriesBefore + 3);
    // 3 minutes after submission the code can no longer be charged: the flow ends.
    await h.clock.advance(180_000);
    const row = (await h.store.payment(p.id))!;
    expect([row.status, row.step, row.late_payment]).toEqual(['canceled', 'done', false]);
    const last = h.wechat.count('orderQuery');
    await h.clock.advance(600_000);
    expect(h.wechat.count('orderQuery')).toBe(last);
  });

  it('gives back a charge that lands after the cashier was told canceled, and flags it late', async () => {
    h.wechat.once('micropay', new GatewayError('timeout', 'lost on the way'));
    const p = await h.create();
    expect((await h.until(p.id, ['canceled'])).late_payment).toBeUndefined();
    // The delayed micropay reaches WeChat now and charges the customer (the worst case).
    const late = await h.wechat.micropay({ ...h.wechat.lastMicropay! });
    expect(late.kind).toBe('ok');
    await h.clock.advance(15_000);
    expect(h.wechat.orders.get(p.out_trade_no)!.state).toBe('REVOKED');
    const after = await h.payment(p.id);
    expect(after).toMatchObject({ status: 'canceled', late_payment: true, error: { code: 'LATE_PAYMENT_RETURNED' } });
    expect(after.transaction_id).toBeDefined();
    expect((await h.store.payment(p.id))!.step).toBe('done');
    expect(h.lines.some((l) => l.includes('LATE_PAYMENT_RETURNING'))).toBe(true);
  });

  it('refuses a cancel on a payment already told canceled while it is watched', async () => {
    h.wechat.once('micropay', new GatewayError('timeout', 'lost on the way'));
    const p = await h.create();
    await h.until(p.id, ['canceled']);
    await expect(h.service.cancel(p.id)).rejects.toMatchObject({ code: 'NOT_CANCELABLE' });
  });
});

describe('deadline and reverse', () => {
  it('reverses at the deadline, retries while recall=Y / USERPAYING / SYSTEMERROR with backoff, and ends canceled', async () => {
    h.wechat.micropayMode = 'userpaying';
    h.wechat.once('reverse', ok({ recall: true }), bizError('USERPAYING'), bizError('SYSTEMERROR'));
    const p = await h.create();
    const done = await h.until(p.id, ['canceled', 'needs_attention']);
    expect(done.status).toBe('canceled');
    expect(done.error).toEqual({ code: 'REVERSED', message: errorMessage('REVERSED', 'en', 'local') });
    expect(h.wechat.count('reverse')).toBe(4);
    const events = await h.store.paymentEvents(p.id);
    const created = Date.parse(p.created_at);
    expect(events.find((e) => e.to_step === 'reverse')!.at - created).toBe(45_000);
    // Reverse calls at 45 s, then after backoffs of 1, 2 and 4 s: acknowledged at 52 s.
    expect(events.find((e) => e.to_step === 'confirm')!.at - created).toBe(52_000);
  });

  it('flags needs_attention when the reverse bound is reached, then resolves it in the background', async () => {
    h.wechat.micropayMode = 'userpaying';
    const unreachable = new GatewayError('network', 'down');
    h.wechat.once('reverse', unreachable, unreachable, unreachable, unreachable);
    const p = await h.create();
    const stuck = await h.until(p.id, ['needs_attention']);
    expect(stuck.error?.code).toBe('OUTCOME_UNKNOWN');
    expect(h.wechat.count('reverse')).toBe(4);
    // The terminal is free again for the next customer.
    expect(await h.service.active('till-1')).toBeUndefined();
    h.service.resume(); // starts the recovery sweep
    const done = await h.until(p.id, ['canceled'], 600_000, 5_000);
    expect(done.error?.code).toBe('REVERSED');
  });

  it('flags needs_attention on REVERSE_EXPIRE and keeps checking; a paid order becomes a flagged success', async () => {
    h.wechat.micropayMode = 'userpaying';
    h.wechat.once('reverse', bizError('REVERSE_EXPIRE'));
    const p = await h.create();
    const stuck = await h.until(p.id, ['needs_attention']);
    expect(stuck.error?.code).toBe('REVERSE_EXPIRE');
    h.wechat.pay(p.out_trade_no);
    h.service.resume();
    const done = await h.until(p.id, ['succeeded'], 600_000, 5_000);
    expect(done.late_payment).toBe(true);
  });

  it('flags a payment that lands after the reverse was decided as a late success', async () => {
    h.wechat.micropayMode = 'userpaying';
    // The reverse is acknowledged, but the customer's payment went through first.
    h.wechat.once('reverse', async () => {
      h.wechat.pay(h.wechat.lastMicropay!.out_trade_no);
      return ok({ recall: false });
    });
    const p = await h.create();
    const done = await h.until(p.id, ['succeeded', 'canceled']);
    expect(done.status).toBe('succeeded');
    expect(done.late_payment).toBe(true);
    expect(done.error?.code).toBe('LATE_PAYMENT');
    expect(h.lines.some((l) => JSON.parse(l).late_payment === true)).toBe(true);
  });

  it('reverses again when the confirming query still sees USERPAYING', async () => {
    h.wechat.micropayMode = 'userpaying';
    h.wechat.once('reverse', ok({ recall: false })); // acknowledged, yet the order stays USERPAYING
    h.wechat.once('orderQuery', ...Array.from({ length: 23 }, () => ok({ trade_state: 'USERPAYING' as const })));
    const p = await h.create();
    const done = await h.until(p.id, ['canceled']);
    expect(h.wechat.count('reverse')).toBe(2);
    expect(done.error?.code).toBe('REVERSED');
  });

  it('flags needs_attention when reverse needs a certificate that is missing', async () => {
    const { GatewayConfigError } = await import('../../../server/wechat/gateway.ts');
    h.wechat.micropayMode = 'userpaying';
    h.wechat.once('reverse', async () => {
      throw new GatewayConfigError('CERT_MISSING', 'no apiclient_cert.pem');
    });
    const p = await h.create();
    const done = await h.until(p.id, ['needs_attention']);
    expect(done.error?.code).toBe('CERT_MISSING');
  });
});

describe('cancel', () => {
  it('waits until the reverse minimum age, then reverses and ends canceled', async () => {
    h.wechat.micropayMode = 'userpaying';
    const p = await h.create();
    await h.clock.advance(3_000);
    const canceling = await h.service.cancel(p.id);
    expect(canceling.cancel_requested).toBe(true);
    expect(canceling.status).toBe('user_paying');
    await h.clock.advance(10_000); // 13 s after submission: too early to reverse
    expect(h.wechat.count('reverse')).toBe(0);
    const done = await h.until(p.id, ['canceled']);
    expect(done.error?.code).toBe('CANCELED');
    const reversedAt = (await h.store.paymentEvents(p.id)).find((e) => e.to_step === 'confirm')!.at;
    expect(reversedAt - Date.parse(p.created_at)).toBe(15_000);
    expect(h.wechat.count('reverse')).toBe(1);
  });

  it('still records a payment the customer confirms while the cancel waits, flagged late', async () => {
    h.wechat.micropayMode = 'userpaying';
    const p = await h.create();
    await h.service.cancel(p.id);
    h.wechat.pay(p.out_trade_no);
    const done = await h.until(p.id, ['succeeded', 'canceled']);
    expect(done.status).toBe('succeeded');
    expect(done.late_payment).toBe(true);
    expect(h.wechat.count('reverse')).toBe(0);
  });

  it('answers 409 NOT_CANCELABLE for a final payment and 404 for an unknown one', async () => {
    const p = await h.create();
    await expect(h.service.cancel(p.id)).rejects.toMatchObject({ name: 'Refusal', code: 'NOT_CANCELABLE' });
    await expect(h.service.cancel('nope')).rejects.toMatchObject({ name: 'Refusal', code: 'NOT_FOUND' });
  });

  it('accepts a repeated cancel while the first is under way', async () => {
    h.wechat.micropayMode = 'userpaying';
    const p = await h.create();
    await h.service.cancel(p.id);
    expect((await h.service.cancel(p.id)).cancel_requested).toBe(true);
  });
});
