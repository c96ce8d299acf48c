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
import { makeAlipayTestCode, makeTestCode, type AlipayBehaviour } from '../../../server/simulator/test-codes.ts';
import { createAlipayClient, type AlipayClient } from '../../../server/alipay/client.ts';
import { simulatorKey } from '../../../server/simulator/alipay/keys.ts';
import { ALIPAY_SIMULATOR_DEFAULTS } from '../../../server/simulator/alipay/app.ts';
import type { Wallet } from '../../../shared/payment-code.ts';
import { openSqliteStore } from '../../../server/store/sqlite.ts';
import type { Store } from '../../../server/store/types.ts';
import { createWechatClient, type WechatClient } from '../../../server/wechat/client.ts';
import { eventually } from '../../support/eventually.ts';

/**
 * The payment service with the real WeChat and Alipay clients over loopback HTTP against the real
 * simulator (both gateways), a real SQLite journal and the real clock, with timings shrunk so each
 * path takes a few seconds. The scenarios run for each wallet: the same behaviour digits, the same
 * flow, each wallet's own answers and codes.
 */
let sim: Simulator;
let server: ServerType;
let client: WechatClient;
let alipay: AlipayClient;
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
  alipay = createAlipayClient({
    appId: ALIPAY_SIMULATOR_DEFAULTS.appId,
    privateKey: simulatorKey('appPrivateKey'),
    alipayPublicKey: simulatorKey('alipayPublicKey'),
    gateway: `http://127.0.0.1:${port}/alipay/gateway.do`,
    timeoutMs: 400,
  });
  dir = mkdtempSync(join(tmpdir(), 'payments-it-'));
  store = openSqliteStore(dir);
  service = createPaymentService({
    store,
    gateway: client,
    alipay,
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
  alipay.close();
  sim.close();
  await new Promise((resolve) => server.close(resolve));
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** What a scenario reads of the simulated gateway, in each wallet's own terms. */
interface SimulatedWallet {
  wallet: Wallet;
  code(behaviour: AlipayBehaviour): string;
  order(outTradeNo: string): { state: string; sends: number; cancels: number; terminal?: string; total_fen: number; transaction_id?: string; refunds: { id: string; fen: number }[] } | undefined;
  confirm(outTradeNo: string): boolean;
  paid: string;
  reversed: string;
  notEnough: string;
}

const settled = (id: string, wanted: PaymentStatus[], timeoutMs = 8_000): Promise<Payment> =>
  eventually(`payment ${id} ${wanted.join('/')}`, async () => (await service.get(id))!, { done: (p) => wanted.includes(p.status), timeoutMs });

const WALLETS: SimulatedWallet[] = [
  {
    wallet: 'wechat',
    code: makeTestCode,
    order: (no) => {
      const o = sim.order(no);
      return o && {
        state: o.trade_state,
        sends: o.micropay_calls,
        cancels: o.reverse_calls,
        terminal: o.device_info,
        total_fen: o.total_fee,
        transaction_id: o.transaction_id,
        refunds: o.refunds.filter((r) => r.refund_status === 'SUCCESS').map((r) => ({ id: r.out_refund_no, fen: r.refund_fee })),
      };
    },
    confirm: (no) => sim.confirm(no),
    paid: 'SUCCESS',
    reversed: 'REVOKED',
    notEnough: 'NOTENOUGH',
  },
  {
    wallet: 'alipay',
    code: makeAlipayTestCode,
    order: (no) => {
      const t = sim.alipay.trade(no);
      return t && {
        state: t.trade_status,
        sends: t.pay_calls,
        cancels: t.cancel_calls,
        terminal: t.terminal_id,
        total_fen: t.total_fen,
        transaction_id: t.trade_no,
        refunds: t.refunds.map((r) => ({ id: r.out_request_no, fen: r.refund_fen })),
      };
    },
    confirm: (no) => sim.alipay.confirm(no),
    paid: 'TRADE_SUCCESS',
    reversed: 'TRADE_CLOSED',
    notEnough: 'ACQ.BUYER_BALANCE_NOT_ENOUGH',
  },
];

describe.each(WALLETS)('payment service + $wallet client + simulator', (w) => {
  const pay = (behaviour: AlipayBehaviour, amount_fen = 1234): Promise<Payment> =>
    service.create(`till-${++seq}`, { id: `it-${seq}`, amount_fen, auth_code: w.code(behaviour) });

  it('is paid at once and the simulator holds one order with the terminal', async () => {
    const p = await pay('success', 888);
    expect(p).toMatchObject({ status: 'succeeded', wallet: w.wallet });
    expect(w.order(p.out_trade_no)).toMatchObject({ total_fen: 888, state: w.paid, sends: 1, transaction_id: p.transaction_id, terminal: `till-${seq}` });
  });

  it('waits for the customer and succeeds when the customer confirms', async () => {
    const p = await pay('password');
    expect(p.status).toBe('user_paying');
    expect(w.confirm(p.out_trade_no)).toBe(true);
    expect((await settled(p.id, ['succeeded'])).transaction_id).toBeDefined();
  });

  it('fails with PAYERROR when the customer declines', async () => {
    const p = await pay('password_declined');
    const done = await settled(p.id, ['failed']);
    expect(done.error?.code).toBe('PAYERROR');
    expect(done.error?.message).toMatch(w.wallet === 'alipay' ? /Alipay/ : /password/);
  });

  it('finds the payment behind an unknown-outcome answer by query', async () => {
    const p = await pay('systemerror_paid');
    expect((await settled(p.id, ['succeeded'])).status).toBe('succeeded');
    expect(w.order(p.out_trade_no)?.cancels).toBe(0);
  });

  it('cancels (reverses) a trade that stays unpaid after a busy answer', async () => {
    const p = await pay('bankerror');
    const done = await settled(p.id, ['canceled']);
    expect(done.error?.code).toBe('REVERSED');
    expect(w.order(p.out_trade_no)?.state).toBe(w.reversed);
  });

  it('settles a paid order whose answer came after the client timeout', async () => {
    const p = await pay('slow');
    expect((await settled(p.id, ['succeeded'])).status).toBe('succeeded');
    expect(w.order(p.out_trade_no)?.sends).toBe(1);
  });

  it('fails when the balance is too low, with the wallet’s code and catalogue message', async () => {
    const p = await pay('notenough');
    expect(p.status).toBe('failed');
    expect(p.error?.code).toBe(w.notEnough);
  });

  it('cancels again while the simulator asks for it (recall=Y / retry_flag=Y) and ends canceled', async () => {
    const p = await pay('reverse_recall');
    const done = await settled(p.id, ['canceled']);
    expect(done.error?.code).toBe('REVERSED');
    expect(w.order(p.out_trade_no)?.cancels).toBeGreaterThanOrEqual(2);
  });

  it('never counts a forged success as paid: it ends canceled', async () => {
    const p = await pay('forged_signature');
    expect(p.status).not.toBe('succeeded');
    const done = await settled(p.id, ['canceled', 'succeeded']);
    expect(done.status).toBe('canceled');
  });

  it('cancels a payment waiting for the customer', async () => {
    const p = await pay('password');
    await service.cancel(p.id);
    const done = await settled(p.id, ['canceled']);
    expect(done.error?.code).toBe('CANCELED');
    expect(w.order(p.out_trade_no)?.state).toBe(w.reversed);
  });

  it('refunds part of a payment once the refund query confirms it, and the same refund id refunds once', async () => {
    const p = await pay('success', 1000);
    const r = await service.refund(p.id, { id: `rf-${p.id}`, amount_fen: 400 });
    expect(r.status).toBe('succeeded');
    expect(await service.refund(p.id, { id: `rf-${p.id}`, amount_fen: 400 })).toMatchObject({ status: 'succeeded' });
    expect((await service.get(p.id))?.refunded_fen).toBe(400);
    expect(w.order(p.out_trade_no)?.refunds).toEqual([{ id: `rf-${p.id}`, fen: 400 }]);
  });

  it('counts the day’s takings of this wallet apart', async () => {
    const p = await pay('success', 700);
    const day = await service.list({ date: new Date(Date.parse(p.created_at) + 8 * 3600_000).toISOString().slice(0, 10) });
    const mine = day.totals.by_wallet?.find((t) => t.wallet === w.wallet);
    expect(mine?.succeeded_fen).toBeGreaterThanOrEqual(700);
    expect(day.payments.find((q) => q.id === p.id)?.wallet).toBe(w.wallet);
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
