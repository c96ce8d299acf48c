import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Payment, PaymentStatus } from '../../../shared/api.ts';
import { silentLogger } from '../../../server/log.ts';
import { createPaymentService, type PaymentServiceHandle } from '../../../server/payments/index.ts';
import { createSimulator, SIMULATOR_DEFAULTS, type Simulator } from '../../../server/simulator/app.ts';
import { makeTestCode, type Behaviour } from '../../../server/simulator/test-codes.ts';
import { openSqliteStore } from '../../../server/store/sqlite.ts';
import type { Store } from '../../../server/store/types.ts';
import { createWechatClient, type WechatClient } from '../../../server/wechat/client.ts';
import { eventually } from '../../support/eventually.ts';

/**
 * The payment service with the real WeChat client over loopback HTTP against the real simulator,
 * a real SQLite journal and the real clock, with timings shrunk so each path takes a few seconds.
 */
let sim: Simulator;
let server: ServerType;
let client: WechatClient;
let store: Store;
let service: PaymentServiceHandle;
let dir: string;
let seq = 0;

beforeAll(async () => {
  sim = createSimulator({ slowMs: 900, passwordDeclineMs: 300, refundSettleMs: 200 });
  server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: sim.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  client = createWechatClient({
    appid: SIMULATOR_DEFAULTS.appid,
    mch_id: SIMULATOR_DEFAULTS.mch_id,
    key: SIMULATOR_DEFAULTS.key,
    signType: 'HMAC-SHA256',
    apiBase: `http://127.0.0.1:${port}`,
    backupBase: '',
    timeoutMs: 400,
  });
  dir = mkdtempSync(join(tmpdir(), 'payments-it-'));
  store = openSqliteStore(dir);
  service = createPaymentService({
    store,
    gateway: client,
    config: {
      deadlineMs: 2_500,
      pollIntervalMs: 100,
      reverseMinAgeMs: 1_000,
      maxAmountFen: 1_000_000,
      timeZone: 'Asia/Shanghai',
      body: 'IT-Shop',
      reverseBackoffMs: 100,
      respondWithinMs: 1_000,
      refundConfirmMs: 2_000,
      sweepIntervalMs: 200,
      attentionIntervalMs: 500,
    },
    log: silentLogger,
    instanceId: 'it',
  });
  service.resume();
});

afterAll(async () => {
  await service.close();
  client.close();
  sim.close();
  await new Promise((resolve) => server.close(resolve));
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function pay(behaviour: Behaviour, amount_fen = 1234): Promise<Payment> {
  return service.create(`till-${++seq}`, { id: `it-${seq}`, amount_fen, auth_code: makeTestCode(behaviour) });
}

const settled = (id: string, wanted: PaymentStatus[], timeoutMs = 8_000): Promise<Payment> =>
  eventually(`payment ${id} ${wanted.join('/')}`, async () => (await service.get(id))!, { done: (p) => wanted.includes(p.status), timeoutMs });

describe('payment service + WeChat client + simulator', () => {
  it('is paid at once and the simulator holds one order with the terminal as device_info', async () => {
    const p = await pay('success', 888);
    expect(p.status).toBe('succeeded');
    const order = sim.order(p.out_trade_no)!;
    expect(order).toMatchObject({ total_fee: 888, trade_state: 'SUCCESS', micropay_calls: 1, transaction_id: p.transaction_id });
    expect(order.device_info).toBe(`till-${seq}`);
  });

  it('waits for the password and succeeds when the customer confirms', async () => {
    const p = await pay('password');
    expect(p.status).toBe('user_paying');
    expect(sim.confirm(p.out_trade_no)).toBe(true);
    expect((await settled(p.id, ['succeeded'])).transaction_id).toBeDefined();
  });

  it('fails with PAYERROR when the customer declines', async () => {
    const p = await pay('password_declined');
    expect((await settled(p.id, ['failed'])).error?.code).toBe('PAYERROR');
  });

  it('finds the payment behind a SYSTEMERROR answer by query', async () => {
    const p = await pay('systemerror_paid');
    expect((await settled(p.id, ['succeeded'])).status).toBe('succeeded');
    expect(sim.order(p.out_trade_no)?.reverse_calls).toBe(0);
  });

  it('reverses a BANKERROR order that stays unpaid', async () => {
    const p = await pay('bankerror');
    const done = await settled(p.id, ['canceled']);
    expect(done.error?.code).toBe('REVERSED');
    expect(sim.order(p.out_trade_no)?.trade_state).toBe('REVOKED');
  });

  it('settles a paid order whose answer came after the client timeout', async () => {
    const p = await pay('slow');
    expect((await settled(p.id, ['succeeded'])).status).toBe('succeeded');
    expect(sim.order(p.out_trade_no)?.micropay_calls).toBe(1);
  });

  it('fails with NOTENOUGH and the catalogue message', async () => {
    const p = await pay('notenough');
    expect(p.status).toBe('failed');
    expect(p.error?.code).toBe('NOTENOUGH');
  });

  it('retries the reverse while the simulator answers recall=Y and ends canceled', async () => {
    const p = await pay('reverse_recall');
    const done = await settled(p.id, ['canceled']);
    expect(done.error?.code).toBe('REVERSED');
    expect(sim.order(p.out_trade_no)?.reverse_calls).toBeGreaterThanOrEqual(2);
  });

  it('never counts a forged SUCCESS as paid: it ends canceled', async () => {
    const p = await pay('forged_signature');
    expect(p.status).not.toBe('succeeded');
    const done = await settled(p.id, ['canceled', 'succeeded']);
    expect(done.status).toBe('canceled');
  });

  it('cancels a payment waiting for the password through a reverse', async () => {
    const p = await pay('password');
    await service.cancel(p.id);
    const done = await settled(p.id, ['canceled']);
    expect(done.error?.code).toBe('CANCELED');
    expect(sim.order(p.out_trade_no)?.trade_state).toBe('REVOKED');
  });

  it('refunds part of a payment once refundquery confirms it', async () => {
    const p = await pay('success', 1000);
    const r = await service.refund(p.id, { id: `rf-${p.id}`, amount_fen: 400 });
    expect(r.status).toBe('succeeded');
    expect((await service.get(p.id))?.refunded_fen).toBe(400);
    expect(sim.order(p.out_trade_no)?.refunds).toEqual([expect.objectContaining({ out_refund_no: `rf-${p.id}`, refund_fee: 400, refund_status: 'SUCCESS' })]);
  });
});

describe('restart against the simulator', () => {
  it('resumes a payment waiting for the password after the service stops, and records the payment', async () => {
    const restartDir = mkdtempSync(join(tmpdir(), 'payments-restart-'));
    const config = { deadlineMs: 4_000, pollIntervalMs: 100, reverseMinAgeMs: 1_000, maxAmountFen: 1_000_000, timeZone: 'Asia/Shanghai', body: 'IT-Shop', sweepIntervalMs: 200 };
    let first: Store | undefined = openSqliteStore(restartDir);
    const before = createPaymentService({ store: first, gateway: client, config, log: silentLogger, instanceId: 'restart' });
    const p = await before.create('till-restart', { id: 'restart-1', amount_fen: 4321, auth_code: makeTestCode('password') });
    expect(p.status).toBe('user_paying');
    await before.close();
    await first.close();
    first = undefined;

    sim.confirm(p.out_trade_no); // the customer confirms while the server is down
    const second = openSqliteStore(restartDir);
    const after = createPaymentService({ store: second, gateway: client, config, log: silentLogger, instanceId: 'restart' });
    after.resume();
    try {
      const current = await eventually(`payment ${p.id} succeeded after the restart`, async () => (await after.get(p.id))!, { done: (q) => q.status === 'succeeded', timeoutMs: 5_000 });
      expect(current).toMatchObject({ status: 'succeeded', out_trade_no: p.out_trade_no });
      expect(sim.order(p.out_trade_no)?.micropay_calls).toBe(1);
    } finally {
      await after.close();
      await second.close();
      rmSync(restartDir, { recursive: true, force: true });
    }
  });
});
