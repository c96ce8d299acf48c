import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE } from '../../../shared/error-catalogue.ts';
import { GatewayError, GatewayRequestError, type GatewayErrorKind } from '../../../server/wechat/gateway.ts';
import { createWechatClient } from '../../../server/wechat/client.ts';
import type { Transport } from '../../../server/wechat/transport.ts';
import { CONFIG, Harness } from './harness.ts';

let h: Harness;
beforeEach(() => {
  h = new Harness();
});
afterEach(async () => {
  await h.close();
});

const logged = (msg: string) => h.lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === msg);

describe('an unknown outcome says why', () => {
  it.each<[GatewayErrorKind, string]>([
    ['timeout', 'GATEWAY_TIMEOUT'],
    ['network', 'NETWORK'],
    ['bad_signature', 'BAD_SIGNATURE'],
    ['bad_response', 'BAD_RESPONSE'],
  ])('a micropay %s is journaled as %s on the events, logged as a warning and shown while checking; the reversal keeps the reason', async (kind, code) => {
    // The order exists at WeChat (the customer is still entering the password), but the answer is lost or untrustworthy.
    h.wechat.micropayMode = 'userpaying';
    h.wechat.once('micropay', async (fallback) => {
      await fallback();
      throw new GatewayError(kind, `simulated ${kind}`);
    });
    const created = await h.create();
    expect(created.error).toEqual({ code, message: ERROR_CATALOGUE.local[code]!.en });

    const events = await h.store.paymentEvents(created.id);
    expect(events.map((e) => e.error_code)).toContain(code);
    const warning = logged('gateway outcome unknown').find((l) => l.id === created.id);
    expect(warning).toMatchObject({ level: 'warn', code, operation: 'micropay', out_trade_no: created.out_trade_no, detail: `simulated ${kind}` });

    // Still open at the deadline: reversed, and the cashier's message says why it could not be settled.
    const final = await h.until(created.id, ['canceled']);
    expect(final.error?.code).toBe('REVERSED');
    expect(final.error?.message).toContain(`(${code}: ${ERROR_CATALOGUE.local[code]!.en})`);
  });

  it('journals a query that times out too, and keeps a needs_attention reason the payment already shows', async () => {
    h.wechat.micropayMode = 'userpaying';
    const created = await h.create();
    expect(created.status).toBe('user_paying');
    h.wechat.once('orderQuery', new GatewayError('network', 'connection reset'));
    await h.clock.advance(CONFIG.pollIntervalMs);
    await h.service.idle();
    const afterQuery = await h.payment(created.id);
    expect(afterQuery).toMatchObject({ status: 'user_paying', error: { code: 'NETWORK' } });
    expect((await h.store.paymentEvents(created.id)).at(-1)).toMatchObject({ to_status: 'user_paying', error_code: 'NETWORK' });
  });
});

describe('a request that cannot be sent', () => {
  /** The real WeChat client over a transport that records what would leave the machine. */
  function realClient() {
    const posted: string[] = [];
    const transport: Transport = {
      post: async (url) => {
        posted.push(url);
        throw new GatewayError('network', 'no network in this test');
      },
      close: () => {},
    };
    const client = createWechatClient({ appid: 'wx0000000000000001', mch_id: '1900000001', key: 'k'.repeat(32), signType: 'MD5', apiBase: 'http://127.0.0.1:9', timeoutMs: 1_000 }, { transport });
    return { client, posted };
  }

  it('the WeChat client refuses to build it and sends nothing', async () => {
    const { client, posted } = realClient();
    await expect(client.refund({ out_trade_no: 'o1', out_refund_no: 'r1', total_fee: 100, refund_fee: 100, refund_desc: 'bad \uFFFE' })).rejects.toBeInstanceOf(GatewayRequestError);
    await expect(client.micropay({ out_trade_no: 'o1', total_fee: 1, auth_code: '130000123456789012', body: 'lone \uD800 surrogate' })).rejects.toBeInstanceOf(GatewayRequestError);
    expect(posted).toEqual([]);
  });

  it('fails the payment at once (nothing was sent, nothing charged) and frees the terminal', async () => {
    await h.close();
    const { client, posted } = realClient();
    h = new Harness({ ...CONFIG, body: 'Shop\uFFFF' }, client);
    const created = await h.create({ terminal: 'till-9' });
    expect(created).toMatchObject({ status: 'failed', error: { code: 'REQUEST_INVALID' } });
    expect(posted).toEqual([]);
    expect(await h.service.active('till-9')).toBeUndefined();
    expect(logged('gateway request could not be built')).toHaveLength(1);
  });

  it('fails a refund journaled before its text was checked, at the next sweep, and releases its amount', async () => {
    const paid = await h.create({ amount_fen: 500 });
    expect(paid.status).toBe('succeeded');
    await expect(h.service.refund(paid.id, { id: 'ref-new', amount_fen: 500, reason: 'broken \uFFFF reason' })).rejects.toMatchObject({ name: 'Refusal', code: 'INVALID_REASON' });
    // An older version accepted this reason, then failed at the gateway on every retry and held the amount.
    const now = h.clock.now();
    await h.store.insertRefund({ id: 'ref-old', payment_id: paid.id, amount_fen: 500, reason: 'broken \uFFFF reason', status: 'processing', step: 'send', error_code: null, error_message: null, refund_id: null, attempts: 3, next_at: now, created_at: now, updated_at: now });
    expect(await h.store.insertRefund({ id: 'ref-blocked', payment_id: paid.id, amount_fen: 1, reason: null, status: 'processing', step: 'send', error_code: null, error_message: null, refund_id: null, attempts: 0, next_at: now, created_at: now, updated_at: now })).toMatchObject({ kind: 'too_large' });

    const { client, posted } = realClient();
    const wechat = h.wechat;
    const sweeper = h.newService({
      instanceId: 'instance-B',
      gateway: { micropay: (r) => wechat.micropay(r), orderQuery: (q) => wechat.orderQuery(q), reverse: (q) => wechat.reverse(q), refund: (r) => client.refund(r), refundQuery: (q) => wechat.refundQuery(q) },
    });
    await sweeper.sweep();
    await sweeper.idle();
    expect(await h.store.refund('ref-old')).toMatchObject({ status: 'failed', step: 'done', error_code: 'REQUEST_INVALID' });
    expect(posted).toEqual([]);
    const refund = await h.service.refund(paid.id, { id: 'ref-good', amount_fen: 500, reason: 'returned' });
    expect(refund.status).not.toBe('failed');
  });
});
