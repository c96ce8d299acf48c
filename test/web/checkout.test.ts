import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Api } from '../../web/src/lib/api.ts';
import { Checkout, type CheckoutTimings } from '../../web/src/lib/checkout.svelte.ts';
import { PendingPaymentStore } from '../../web/src/lib/pending-payment.ts';
import { KEYS } from '../../web/src/lib/local-store.ts';
import type { Feedback } from '../../web/src/lib/feedback.ts';
import { FakeServer, MemoryStorage } from './support/fake-server.ts';

const CODE = '134567890123456789';
const TIMINGS: CheckoutTimings = { pollMs: 100, attentionPollMs: 1000, retryMs: 50, retryMaxMs: 200 };

function setup(server = new FakeServer(), storage = new MemoryStorage()) {
  const api = new Api({ token: () => 'tok', fetch: server.fetch });
  const sounds: string[] = [];
  const feedback: Feedback = { success: () => sounds.push('success'), failure: () => sounds.push('failure'), notice: () => sounds.push('notice') };
  const checkout = new Checkout(api, new PendingPaymentStore(storage), feedback, TIMINGS);
  return { server, storage, checkout, sounds };
}

function typeAmount(checkout: Checkout, text: string) {
  for (const key of text) checkout.key(key);
}

const onlyPaymentId = (server: FakeServer) => [...server.payments.keys()][0]!;

beforeEach(() => void vi.useFakeTimers());
afterEach(() => void vi.useRealTimers());

describe('Checkout', () => {
  it('sends the keyed amount in fen with the scanned code and shows success once the payment succeeds', async () => {
    const { server, checkout, storage, sounds } = setup();
    typeAmount(checkout, '12.5');
    checkout.key('Enter');
    expect(checkout.phase).toBe('scan');
    checkout.scan(CODE);
    await vi.advanceTimersByTimeAsync(0);
    expect(server.posts()[0]!.body).toMatchObject({ amount_fen: 1250, auth_code: CODE });
    expect(checkout.phase).toBe('following');
    server.setStatus(onlyPaymentId(server), 'succeeded', { transaction_id: '4200000001' });
    await vi.advanceTimersByTimeAsync(TIMINGS.pollMs);
    expect(checkout.phase).toBe('final');
    expect(checkout.payment?.transaction_id).toBe('4200000001');
    expect(storage.map.has(KEYS.pending)).toBe(false);
    expect(sounds).toEqual(['success']);
  });

  it('writes the payment id to storage before the request leaves', async () => {
    const { server, checkout, storage } = setup();
    let storedAtPost: string | undefined;
    const original = server.fetch;
    server.fetch = async (input, init) => {
      if (init?.method === 'POST') storedAtPost = storage.map.get(KEYS.pending);
      return original(input, init);
    };
    // The checkout holds its Api; rebuild with the wrapped fetch.
    const again = setup(server, storage).checkout;
    typeAmount(again, '3');
    again.scan(CODE);
    await vi.advanceTimersByTimeAsync(0);
    expect(storedAtPost).toBeDefined();
    expect(JSON.parse(storedAtPost!)).toMatchObject({ amount_fen: 300, auth_code: CODE, id: onlyPaymentId(server) });
    checkout.dispose();
  });

  it('refuses a code that is not a WeChat payment code and sends nothing', async () => {
    const { server, checkout } = setup();
    typeAmount(checkout, '5');
    checkout.scan('281234567890123456');
    await vi.advanceTimersByTimeAsync(0);
    expect(server.posts()).toHaveLength(0);
    expect(checkout.notice?.en).toMatch(/Alipay/);
  });

  it('refuses a scan before an amount is entered', async () => {
    const { server, checkout } = setup();
    checkout.scan(CODE);
    await vi.advanceTimersByTimeAsync(0);
    expect(server.posts()).toHaveLength(0);
    expect(checkout.notice?.key).toBe('checkout.amountFirst');
  });

  it('refuses a second scan while a payment is in progress, with a message, and sends no second payment', async () => {
    const { server, checkout, sounds } = setup();
    typeAmount(checkout, '8');
    checkout.scan(CODE);
    await vi.advanceTimersByTimeAsync(0);
    checkout.scan('131111111111111111');
    await vi.advanceTimersByTimeAsync(TIMINGS.pollMs * 3);
    expect(server.posts()).toHaveLength(1);
    expect(checkout.notice?.key).toBe('checkout.busy');
    expect(sounds).toContain('notice');
  });

  it('retries after a network error with the same id, so the payment exists once', async () => {
    const { server, checkout } = setup();
    server.dropNext = 1;
    server.processDropped = true; // the server got it, the answer was lost
    typeAmount(checkout, '20');
    checkout.scan(CODE);
    await vi.advanceTimersByTimeAsync(0);
    expect(checkout.networkTrouble).toBe(true);
    await vi.advanceTimersByTimeAsync(TIMINGS.retryMs);
    const posts = server.posts();
    expect(posts).toHaveLength(2);
    expect(posts[1]!.body).toEqual(posts[0]!.body);
    expect(server.payments.size).toBe(1);
    expect(checkout.phase).toBe('following');
    expect(checkout.networkTrouble).toBe(false);
  });

  it('resumes following the stored payment after a reload, without posting again', async () => {
    const first = setup();
    typeAmount(first.checkout, '9.99');
    first.checkout.scan(CODE);
    await vi.advanceTimersByTimeAsync(0);
    first.checkout.dispose(); // the page is gone
    const id = onlyPaymentId(first.server);
    const stored = JSON.parse(first.storage.map.get(KEYS.pending)!);
    expect(stored.auth_code).toBeUndefined(); // acknowledged: the code is no longer kept

    const reloaded = setup(first.server, first.storage);
    await reloaded.checkout.resume();
    expect(reloaded.checkout.phase).toBe('following');
    expect(reloaded.checkout.amount.fen).toBe(999);
    first.server.setStatus(id, 'succeeded');
    await vi.advanceTimersByTimeAsync(TIMINGS.pollMs);
    expect(reloaded.checkout.phase).toBe('final');
    expect(first.server.posts()).toHaveLength(1);
  });

  it('posts the same id again after a reload when the first POST never reached the server', async () => {
    const { server, storage, checkout } = setup();
    storage.setItem(KEYS.pending, JSON.stringify({ id: 'p-lost', amount_fen: 500, auth_code: CODE, started_at: 1 }));
    await checkout.resume();
    await vi.advanceTimersByTimeAsync(0);
    expect(server.posts().map((c) => c.body?.id)).toEqual(['p-lost']);
    expect(server.payments.get('p-lost')?.amount_fen).toBe(500);
    expect(checkout.phase).toBe('following');
  });

  it('follows the payment the server reports as active when this browser has none stored', async () => {
    const { server, checkout } = setup();
    server.payments.set('p-other', { id: 'p-other', out_trade_no: 'T1', amount_fen: 700, status: 'user_paying', refunded_fen: 0, created_at: '', updated_at: '' });
    server.active = server.payments.get('p-other')!;
    await checkout.resume();
    expect(checkout.phase).toBe('following');
    expect(checkout.payment?.id).toBe('p-other');
    expect(checkout.amount.fen).toBe(700);
  });

  it('shows a failure with its code, plays the failure sound and lets the cashier scan again for the same amount', async () => {
    const { server, checkout, sounds, storage } = setup();
    typeAmount(checkout, '15');
    checkout.scan(CODE);
    await vi.advanceTimersByTimeAsync(0);
    server.setStatus(onlyPaymentId(server), 'failed', { error: { code: 'NOTENOUGH', message: 'balance' } });
    await vi.advanceTimersByTimeAsync(TIMINGS.pollMs);
    expect(checkout.phase).toBe('final');
    expect(checkout.payment?.error?.code).toBe('NOTENOUGH');
    expect(sounds).toEqual(['failure']);
    expect(storage.map.has(KEYS.pending)).toBe(false);
    checkout.scanAgain();
    expect(checkout.phase).toBe('scan');
    checkout.scan('131234567890123456');
    await vi.advanceTimersByTimeAsync(0);
    expect(server.posts()).toHaveLength(2);
    expect(server.posts()[1]!.body?.amount_fen).toBe(1500);
    expect(server.posts()[1]!.body?.id).not.toBe(server.posts()[0]!.body?.id);
  });

  it('asks the server to cancel and keeps following until the payment is canceled', async () => {
    const { server, checkout } = setup();
    typeAmount(checkout, '1');
    checkout.scan(CODE);
    await vi.advanceTimersByTimeAsync(0);
    const id = onlyPaymentId(server);
    server.setStatus(id, 'user_paying');
    await vi.advanceTimersByTimeAsync(TIMINGS.pollMs);
    await checkout.cancel();
    expect(server.posts(`/api/payments/${id}/cancel`)).toHaveLength(1);
    expect(checkout.phase).toBe('following');
    server.setStatus(id, 'canceled', { error: { code: 'CANCELED', message: '' } });
    await vi.advanceTimersByTimeAsync(TIMINGS.pollMs);
    expect(checkout.phase).toBe('final');
    expect(checkout.payment?.status).toBe('canceled');
  });

  it('drops the payment and shows the server’s reason when the server refuses it', async () => {
    const { server, checkout, storage } = setup();
    server.createError = { status: 400, code: 'AMOUNT_TOO_LARGE', message: 'The amount is above the shop maximum.' };
    typeAmount(checkout, '99999');
    checkout.scan(CODE);
    await vi.advanceTimersByTimeAsync(0);
    expect(checkout.phase).toBe('scan');
    expect(checkout.notice?.en).toBe('The amount is above the shop maximum.');
    expect(storage.map.has(KEYS.pending)).toBe(false);
  });

  it('follows the terminal’s other payment when the server answers PAYMENT_IN_PROGRESS', async () => {
    const { server, checkout } = setup();
    server.payments.set('p-first', { id: 'p-first', out_trade_no: 'T1', amount_fen: 100, status: 'processing', refunded_fen: 0, created_at: '', updated_at: '' });
    server.active = server.payments.get('p-first')!;
    server.createError = { status: 409, code: 'PAYMENT_IN_PROGRESS', message: 'Another payment is in progress.' };
    typeAmount(checkout, '2');
    checkout.scan(CODE);
    await vi.advanceTimersByTimeAsync(0);
    expect(checkout.payment?.id).toBe('p-first');
    expect(checkout.phase).toBe('following');
  });

  it('keeps checking a needs_attention payment at the slower interval until it settles', async () => {
    const { server, checkout } = setup();
    typeAmount(checkout, '3');
    checkout.scan(CODE);
    await vi.advanceTimersByTimeAsync(0);
    const id = onlyPaymentId(server);
    server.setStatus(id, 'needs_attention');
    await vi.advanceTimersByTimeAsync(TIMINGS.pollMs);
    const gets = () => server.calls.filter((c) => c.method === 'GET').length;
    const before = gets();
    await vi.advanceTimersByTimeAsync(TIMINGS.attentionPollMs - 10);
    expect(gets()).toBe(before);
    checkout.keepChecking();
    await vi.advanceTimersByTimeAsync(0);
    expect(gets()).toBe(before + 1);
    server.setStatus(id, 'succeeded');
    await vi.advanceTimersByTimeAsync(TIMINGS.attentionPollMs);
    expect(checkout.phase).toBe('final');
  });

  it('keeps following through network errors while polling', async () => {
    const { server, checkout } = setup();
    typeAmount(checkout, '4');
    checkout.scan(CODE);
    await vi.advanceTimersByTimeAsync(0);
    server.dropNext = 2;
    await vi.advanceTimersByTimeAsync(TIMINGS.pollMs);
    expect(checkout.networkTrouble).toBe(true);
    server.setStatus(onlyPaymentId(server), 'succeeded');
    await vi.advanceTimersByTimeAsync(TIMINGS.retryMaxMs * 3);
    expect(checkout.phase).toBe('final');
    expect(checkout.networkTrouble).toBe(false);
  });

  it('starts a new sale when a digit is typed after a success', async () => {
    const { server, checkout } = setup();
    typeAmount(checkout, '6');
    checkout.scan(CODE);
    await vi.advanceTimersByTimeAsync(0);
    server.setStatus(onlyPaymentId(server), 'succeeded');
    await vi.advanceTimersByTimeAsync(TIMINGS.pollMs);
    checkout.key('7');
    expect(checkout.phase).toBe('amount');
    expect(checkout.amount.text).toBe('7');
    expect(checkout.payment).toBeUndefined();
  });
});
