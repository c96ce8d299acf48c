import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PaymentStatus } from '../../../shared/api.ts';
import { maskCode } from '../../../shared/payment-code.ts';
import { makeTestCode } from '../../../server/simulator/test-codes.ts';
import type { FlowStep, NewPayment } from '../../../server/store/types.ts';
import type { Gateway } from '../../../server/wechat/gateway.ts';
import { newPayment } from '../../support/journal-rows.ts';
import { Harness } from './harness.ts';

let h: Harness;
beforeEach(() => {
  h = new Harness();
});
afterEach(async () => {
  await h.close();
});

/** A journal row as a crashed process left it, created a second ago. */
function leftover(id: string, status: PaymentStatus, step: FlowStep, over: Partial<NewPayment> = {}): NewPayment {
  const now = h.clock.now();
  const reversing = step === 'reverse' || step === 'confirm';
  return newPayment(
    {
      id,
      out_trade_no: `P${id}`,
      terminal_id: `till-${id}`,
      amount_fen: 1234,
      auth_code_masked: maskCode(makeTestCode()),
      status,
      step,
      sent_at: step === 'send' ? null : now - 1_000,
      reverse_decided_at: reversing ? now - 500 : null,
      reverse_reason: reversing ? 'deadline' : null,
      next_at: now,
      lease_owner: 'instance-A',
      lease_until: now + 30_000, // the crashed process still "holds" it
      ...over,
    },
    now - 1_000,
  );
}

describe('crash recovery', () => {
  it('settles a payment journaled but never sent: query, ORDERNOTEXIST, reverse (WeChat knows no order either), canceled and watched', async () => {
    await h.store.insertPayment(leftover('unsent', 'processing', 'send'));
    await h.restart();
    const done = await h.until('unsent', ['canceled', 'failed', 'succeeded']);
    expect(done.status).toBe('canceled');
    expect(done.error?.code).toBe('REVERSED');
    expect(h.wechat.count('micropay')).toBe(0); // the code died with the process: never re-sent
    expect(h.wechat.calls.map((c) => c.op).slice(0, 1)).toEqual(['orderQuery']);
    expect(h.wechat.count('reverse')).toBe(1);
    // WeChat knows no such order, so the reverse blocked nothing: the flow watches for a late charge.
    expect(h.wechat.orders.has('Punsent')).toBe(false);
    expect((await h.store.payment('unsent'))!.step).toBe('confirm');
  });

  it('finds a payment that was paid while the process was down', async () => {
    await h.store.insertPayment(leftover('sent', 'processing', 'query'));
    h.wechat.setState('Psent', 'SUCCESS', 1234);
    await h.restart();
    const done = await h.until('sent', ['succeeded']);
    expect(done.transaction_id).toBeDefined();
    expect(done.late_payment).toBeUndefined();
  });

  it('resumes a user_paying payment and reverses it at its original deadline', async () => {
    await h.store.insertPayment(leftover('paying', 'user_paying', 'query'));
    h.wechat.setState('Ppaying', 'USERPAYING', 1234);
    const restartedAt = h.clock.now();
    await h.restart();
    expect((await h.payment('paying')).status).toBe('user_paying');
    const done = await h.until('paying', ['canceled']);
    const decided = (await h.store.paymentEvents('paying')).find((e) => e.to_step === 'reverse')!.at;
    expect(decided - restartedAt).toBe(44_000);
    expect(done.error?.code).toBe('REVERSED');
  });

  it('resumes a decided reverse, waiting for the minimum age', async () => {
    await h.store.insertPayment(leftover('rev', 'processing', 'reverse'));
    h.wechat.setState('Prev', 'NOTPAY', 1234);
    const restartedAt = h.clock.now();
    await h.restart();
    const done = await h.until('rev', ['canceled']);
    expect(done.error?.code).toBe('REVERSED');
    const confirmAt = (await h.store.paymentEvents('rev')).find((e) => e.to_step === 'confirm')!.at;
    expect(confirmAt - restartedAt).toBe(14_000);
  });

  it('resumes a reverse that was acknowledged but not confirmed', async () => {
    await h.store.insertPayment(leftover('conf', 'processing', 'confirm'));
    h.wechat.setState('Pconf', 'REVOKED', 1234);
    await h.restart();
    expect((await h.until('conf', ['canceled'])).error?.code).toBe('REVERSED');
    expect(h.wechat.count('reverse')).toBe(0);
  });

  it('resumes a needs_attention payment and finds it paid late', async () => {
    await h.store.insertPayment(leftover('att', 'needs_attention', 'reverse', { reverse_after: h.clock.now() - 1 }));
    h.wechat.setState('Patt', 'SUCCESS', 1234);
    await h.restart();
    const done = await h.until('att', ['succeeded']);
    expect(done.late_payment).toBe(true);
  });

  it('continues a payment whose process stopped mid-flow, without sending it twice', async () => {
    h.wechat.micropayMode = 'userpaying';
    const p = await h.create();
    await h.clock.advance(4_000);
    await h.restart();
    h.wechat.pay(p.out_trade_no);
    expect((await h.until(p.id, ['succeeded'])).status).toBe('succeeded');
    expect(h.wechat.count('micropay')).toBe(1);
  });
});

describe('several instances on one journal', () => {
  /** Counts the calls one instance makes, passing them to the shared fake WeChat. */
  function countingGateway(): Gateway & { calls: number } {
    const g = {
      calls: 0,
      micropay: (r: Parameters<Gateway['micropay']>[0]) => (g.calls++, h.wechat.micropay(r)),
      orderQuery: (q: { out_trade_no: string }) => (g.calls++, h.wechat.orderQuery(q)),
      reverse: (q: { out_trade_no: string }) => (g.calls++, h.wechat.reverse(q)),
      refund: (r: Parameters<Gateway['refund']>[0]) => (g.calls++, h.wechat.refund(r)),
      refundQuery: (q: { out_refund_no: string }) => (g.calls++, h.wechat.refundQuery(q)),
    };
    return g;
  }

  it('leaves a payment leased by a live instance alone, and takes it over once the lease expires', async () => {
    await h.store.insertPayment(leftover('shared', 'user_paying', 'query', { lease_owner: 'instance-A' }));
    h.wechat.setState('Pshared', 'USERPAYING', 1234);
    const gatewayB = countingGateway();
    const b = h.newService({ instanceId: 'instance-B', gateway: gatewayB });
    b.resume();
    await h.clock.advance(20_000);
    expect(gatewayB.calls).toBe(0); // A's lease (30 s) is still valid: B does not act
    h.wechat.pay('Pshared');
    await h.clock.advance(15_000);
    expect(gatewayB.calls).toBeGreaterThan(0);
    expect((await h.payment('shared')).status).toBe('succeeded');
  });

  it('lets two running instances share the recovery work without acting on one payment twice', async () => {
    for (const id of ['a1', 'a2', 'a3', 'a4']) {
      await h.store.insertPayment(leftover(id, 'processing', 'query', { lease_owner: null, lease_until: null }));
      h.wechat.setState(`P${id}`, 'NOTPAY', 1234);
    }
    const gatewayA = countingGateway();
    const gatewayB = countingGateway();
    const a = h.newService({ instanceId: 'instance-A', gateway: gatewayA });
    const b = h.newService({ instanceId: 'instance-B', gateway: gatewayB });
    a.resume();
    b.resume();
    for (const id of ['a1', 'a2', 'a3', 'a4']) await h.until(id, ['canceled']);
    // Each payment is reversed exactly once although two instances were sweeping.
    expect(h.wechat.count('reverse')).toBe(4);
    expect(gatewayA.calls + gatewayB.calls).toBe(h.wechat.calls.length);
  });
});
