import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Api } from '../../web/src/lib/api.ts';
import { Checkout, CODE_LIFETIME_MS, type CheckoutTimings } from '../../web/src/lib/checkout.svelte.ts';
import { errorText } from '../../web/src/lib/error-text.ts';
import { PendingPaymentStore } from '../../web/src/lib/pending-payment.ts';
import { KEYS } from '../../web/src/lib/local-store.ts';
import type { Feedback } from '../../web/src/lib/feedback.ts';
import { FakeServer, MemoryStorage } from './support/fake-server.ts';

const CODE = '134567890123456789';
const TIMINGS: CheckoutTimings = { pollMs: 100, attentionPollMs: 1000, retryMs: 50, retryMaxMs: 200 };

function setup(server = new FakeServer(), storage = new MemoryStorage()) {
  const link = { online: true };
  const api = new Api({ token: () => 'tok', fetch: server.fetch, onReachable: (up) => (link.online = up) });
  const sounds: string[] = [];
  const feedback: Feedback = { success: () => sounds.push('success'), failure: () => sounds.push('failure'), notice: () => sounds.push('notice') };
  const checkout = new Checkout(api, new PendingPaymentStore(storage), feedback, TIMINGS, link);
  return { server, storage, checkout, sounds, link };
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

  it('refuses a code of no wallet this till takes (UnionPay) and sends nothing', async () => {
    const { server, checkout } = setup();
    typeAmount(checkout, '5');
    checkout.scan('6212345678901234567');
    await vi.advanceTimersByTimeAsync(0);
    expect(server.posts()).toHaveLength(0);
    expect(checkout.notice?.en).toMatch(/UnionPay QuickPass code: not accepted here/);
  });

  it('sends an Alipay code like a WeChat one', async () => {
    const { server, checkout } = setup();
    typeAmount(checkout, '5');
    checkout.scan('281234567890123456');
    await vi.advanceTimersByTimeAsync(0);
    expect(server.posts()).toHaveLength(1);
    checkout.dispose();
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

  it('holds a payment whose POST got no answer, and follows it once the server says it has it, without posting again', async () => {
    const { server, checkout, link } = setup();
    server.dropNext = 1;
    server.processDropped = true; // the server got it, the answer was lost
    typeAmount(checkout, '20');
    checkout.scan(CODE);
    await vi.advanceTimersByTimeAsync(0);
    expect(checkout.phase).toBe('unsent');
    expect(checkout.unsent?.absent).toBe(false);
    expect(link.online).toBe(false);
    await vi.advanceTimersByTimeAsync(TIMINGS.retryMs);
    expect(server.posts()).toHaveLength(1);
    expect(server.payments.size).toBe(1);
    expect(checkout.phase).toBe('following');
    expect(checkout.networkTrouble).toBe(false);
  });

  it('never sends an unacknowledged payment by itself: the cashier sends it (same id) once the server says it never got it', async () => {
    const { server, checkout } = setup();
    server.dropNext = 1; // lost before the server
    typeAmount(checkout, '20');
    checkout.scan(CODE);
    await vi.advanceTimersByTimeAsync(10_000); // the server answers again: not there
    expect(checkout.phase).toBe('unsent');
    expect(checkout.unsent?.absent).toBe(true);
    expect(server.posts()).toHaveLength(1);
    expect(checkout.canSendUnsent).toBe(true);
    checkout.sendNow();
    await vi.advanceTimersByTimeAsync(0);
    const posts = server.posts();
    expect(posts).toHaveLength(2);
    expect(posts[1]!.body).toEqual(posts[0]!.body);
    expect(checkout.phase).toBe('following');
  });

  it('never sends a code older than 60 s: the cashier can only discard it, and nothing was charged', async () => {
    const { server, checkout, storage } = setup();
    server.dropNext = 1;
    typeAmount(checkout, '20');
    checkout.scan(CODE);
    await vi.advanceTimersByTimeAsync(CODE_LIFETIME_MS + 1_000);
    expect(checkout.unsent?.absent).toBe(true);
    expect(checkout.canSendUnsent).toBe(false);
    checkout.sendNow();
    await vi.advanceTimersByTimeAsync(0);
    expect(server.posts()).toHaveLength(1);
    checkout.discard();
    expect(checkout.phase).toBe('scan');
    expect(checkout.notice?.key).toBe('checkout.discarded');
    expect(storage.map.has(KEYS.pending)).toBe(false);
    expect(server.payments.size).toBe(0);
  });

  it('refuses Charge and a scan while the server cannot be reached, and stores nothing', async () => {
    const { server, checkout, storage, link } = setup();
    link.online = false;
    typeAmount(checkout, '12');
    checkout.charge();
    expect(checkout.phase).toBe('amount');
    expect(checkout.notice?.key).toBe('offline.refused');
    checkout.scan(CODE);
    await vi.advanceTimersByTimeAsync(0);
    expect(server.posts()).toHaveLength(0);
    expect(storage.map.has(KEYS.pending)).toBe(false);
    expect(checkout.canCharge).toBe(false);
  });

  it('clears the "in progress, do not charge twice" notice when the payment ends', async () => {
    const { server, checkout } = setup();
    typeAmount(checkout, '8');
    checkout.scan(CODE);
    await vi.advanceTimersByTimeAsync(0);
    checkout.scan('131111111111111111');
    expect(checkout.notice?.key).toBe('checkout.busy');
    server.setStatus(onlyPaymentId(server), 'succeeded');
    await vi.advanceTimersByTimeAsync(TIMINGS.pollMs);
    expect(checkout.phase).toBe('final');
    expect(checkout.notice).toBeUndefined();
  });

  it('cancels a payment asked to cancel while it was still being sent, as soon as the server has it', async () => {
    const server = new FakeServer();
    let answer!: () => void;
    const original = server.fetch;
    server.fetch = async (input, init) => {
      if (init?.method === 'POST' && String(input).endsWith('/api/payments')) await new Promise<void>((r) => (answer = r));
      return original(input, init);
    };
    const again = setup(server).checkout;
    typeAmount(again, '5');
    again.scan(CODE);
    await vi.advanceTimersByTimeAsync(0);
    expect(again.phase).toBe('submitting');
    await again.cancel();
    expect(again.canceling).toBe(true);
    answer();
    await vi.advanceTimersByTimeAsync(0);
    const id = onlyPaymentId(server);
    expect(server.posts(`/api/payments/${id}/cancel`)).toHaveLength(1);
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

  it('holds, after a reload, a payment whose POST never reached the server, for the cashier to decide', async () => {
    const { server, storage, checkout } = setup();
    storage.setItem(KEYS.pending, JSON.stringify({ id: 'p-lost', amount_fen: 500, auth_code: CODE, started_at: Date.now() - 20_000 }));
    await checkout.resume();
    await vi.advanceTimersByTimeAsync(0);
    expect(server.posts()).toHaveLength(0);
    expect(checkout.phase).toBe('unsent');
    expect(checkout.unsent).toMatchObject({ absent: true, payment: { id: 'p-lost', amount_fen: 500 } });
    checkout.sendNow();
    await vi.advanceTimersByTimeAsync(0);
    expect(server.posts().map((c) => c.body?.id)).toEqual(['p-lost']);
    expect(checkout.phase).toBe('following');
  });

  it('follows the payment the server reports as active when this browser has none stored', async () => {
    const { server, checkout } = setup();
    server.payments.set('p-other', { id: 'p-other', wallet: 'wechat', out_trade_no: 'T1', amount_fen: 700, status: 'user_paying', refunded_fen: 0, created_at: '', updated_at: '' });
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
    // The cashier reads the catalogue's words, not the server's developer message.
    expect(errorText(checkout.notice?.error, 'en')).toBe('The amount is above this shop’s limit for one payment.');
    expect(storage.map.has(KEYS.pending)).toBe(false);
  });

  it('follows the terminal’s other payment when the server answers PAYMENT_IN_PROGRESS', async () => {
    const { server, checkout } = setup();
    server.payments.set('p-first', { id: 'p-first', wallet: 'wechat', out_trade_no: 'T1', amount_fen: 100, status: 'processing', refunded_fen: 0, created_at: '', updated_at: '' });
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
