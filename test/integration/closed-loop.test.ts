import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Payment } from '../../shared/api.ts';
import { makeTestCode, type Behaviour } from '../../server/simulator/test-codes.ts';
import { chargedFen, newId, startHarness, type Harness } from './harness.ts';

/**
 * Closed loop over HTTP: WeChat asks every order to end SUCCESS, CLOSED or REVOKED. A payment
 * that failed for the customer is failed for the cashier at once, and the order WeChat opened for
 * it is then reversed in the background, so the simulator's ledger shows it REVOKED.
 */

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('every order ends SUCCESS, CLOSED or REVOKED at WeChat', () => {
  it.concurrent.each<[Behaviour, string]>([
    ['notenough', 'NOTENOUGH'],
    ['password_declined', 'PAYERROR'],
  ])('%s fails for the cashier with %s, then the order is reversed at WeChat', async (behaviour, code) => {
    const token = await h.terminal();
    const id = newId('loop');
    const res = await h.call<Payment>('POST', '/api/payments', { token, body: { id, amount_fen: 1_500, auth_code: makeTestCode(behaviour) } });
    expect(res.status, res.text).toBe(200);
    const final = await h.waitFinal(token, id);
    expect(final).toMatchObject({ status: 'failed', error: { code } });
    const order = await until('order revoked', async () => {
      const o = await h.simOrder(final.out_trade_no);
      return o.trade_state === 'REVOKED' ? o : undefined;
    });
    expect(order.reverse_calls).toBe(1);
    expect(chargedFen(order)).toBe(0);
    // The cashier's answer never changed.
    expect((await h.call<Payment>('GET', `/api/payments/${id}`, { token })).body).toMatchObject({ status: 'failed', error: { code } });
  });

  it.concurrent('a code WeChat refused before opening an order (AUTHCODEEXPIRE) needs no reverse', async () => {
    const token = await h.terminal();
    const id = newId('loop');
    await h.call('POST', '/api/payments', { token, body: { id, amount_fen: 700, auth_code: makeTestCode('authcode_expired') } });
    const final = await h.waitFinal(token, id);
    expect(final).toMatchObject({ status: 'failed', error: { code: 'AUTHCODEEXPIRE' } });
    const orders = (await h.call('GET', '/simulator/control/orders')).body as { out_trade_no: string }[];
    expect(orders.some((o) => o.out_trade_no === final.out_trade_no)).toBe(false);
  });
});
