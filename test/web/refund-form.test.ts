import { describe, expect, it } from 'vitest';
import type { Payment } from '../../shared/api.ts';
import { Api } from '../../web/src/lib/api.ts';
import { RefundForm } from '../../web/src/lib/refund-form.svelte.ts';
import { FakeServer } from './support/fake-server.ts';

const payment: Payment = { id: 'p1', wallet: 'wechat', out_trade_no: 'T1', amount_fen: 2000, status: 'succeeded', refunded_fen: 500, created_at: '', updated_at: '' };

function setup() {
  const server = new FakeServer();
  const api = new Api({ token: () => 't', fetch: server.fetch });
  const form = new RefundForm(payment);
  const refundCalls = () => server.posts('/api/payments/p1/refunds');
  return { server, api, form, refundCalls };
}

describe('RefundForm', () => {
  it('starts with what is left to refund', () => {
    const { form } = setup();
    expect(form.refundable).toBe(1500);
    expect(form.amountText).toBe('15.00');
  });

  it('reuses the same refund id when retrying after a network error', async () => {
    const { server, api, form, refundCalls } = setup();
    form.pin = '1234';
    server.dropNext = 1;
    expect(await form.submit(api)).toBeUndefined();
    expect(form.problem).toEqual({ key: 'refund.retry' });
    server.refundResponses.push({ status: 200, body: { id: 'x', amount_fen: 1500, status: 'succeeded' } });
    expect(await form.submit(api)).toMatchObject({ status: 'succeeded' });
    const [first, second] = refundCalls();
    expect(second!.body!.id).toBe(first!.body!.id);
    expect(second!.headers['X-Manager-Pin']).toBe('1234');
  });

  it('starts a new refund id when the amount changes', async () => {
    const { server, api, form, refundCalls } = setup();
    form.pin = '1234';
    server.dropNext = 1;
    await form.submit(api);
    form.amountText = '3';
    server.refundResponses.push({ status: 200, body: { id: 'x', amount_fen: 300, status: 'succeeded' } });
    await form.submit(api);
    const [first, second] = refundCalls();
    expect(second!.body).toMatchObject({ amount_fen: 300 });
    expect(second!.body!.id).not.toBe(first!.body!.id);
  });

  it.each([['0'], ['15.01'], ['abc'], ['1.234']])('refuses the amount %s without calling the server', async (text) => {
    const { api, form, refundCalls } = setup();
    form.pin = '1234';
    form.amountText = text;
    await form.submit(api);
    expect(form.problem).toEqual({ key: 'refund.badAmount' });
    expect(refundCalls()).toHaveLength(0);
  });

  it('asks for the PIN before sending', async () => {
    const { api, form, refundCalls } = setup();
    await form.submit(api);
    expect(form.problem).toEqual({ key: 'refund.pinRequired' });
    expect(refundCalls()).toHaveLength(0);
  });

  it('clears a wrong PIN and shows the server’s message', async () => {
    const { server, api, form } = setup();
    form.pin = '0000';
    server.refundResponses.push({ status: 403, body: { error: { code: 'PIN_WRONG', message: 'The manager PIN is wrong.' } } });
    await form.submit(api);
    expect(form.pin).toBe('');
    expect(form.problem).toMatchObject({ error: { code: 'PIN_WRONG', message: 'The manager PIN is wrong.' } });
  });

  it('says how many tries are left after a wrong PIN, and clears the PIN', async () => {
    const { server, api, form } = setup();
    form.pin = '0000';
    server.refundResponses.push({ status: 403, body: { error: { code: 'PIN_WRONG', message: 'The manager PIN is wrong.', attempts_left: 3 } } });
    expect(await form.submit(api)).toBeUndefined();
    expect(form.attemptsLeft).toBe(3);
    expect(form.pin).toBe('');
  });
});
