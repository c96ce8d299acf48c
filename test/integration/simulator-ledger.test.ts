import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Payment, Refund } from '../../shared/api.ts';
import { createServer, SIMULATOR_LEDGER_FILE, type PosServer } from '../../server/app.ts';
import { loadConfig, type Config } from '../../server/config.ts';
import { createLogger } from '../../server/log.ts';
import type { SimOrder } from '../../server/simulator/app.ts';
import { makeTestCode } from '../../server/simulator/test-codes.ts';
import { FAST_TIMINGS, freshStore, newId, type StoreEnv } from './harness.ts';

/**
 * Training with the built-in simulator across a restart of the POS: its ledger lives in
 * DATA_DIR/simulator.sqlite, so a payment taken before the restart is refunded after it, over
 * the same HTTP API a till uses.
 */
let journal: StoreEnv;
let config: Config;
let server: PosServer | undefined;
const quiet = { write: () => true };

const start = async () => (server = await createServer(config, { log: createLogger(quiet), simulator: { refundSettleMs: 0 } }));

async function call<T = any>(method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`http://127.0.0.1:${server!.port}${path}`, { method, headers, ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}) });
  return { status: res.status, body: (await res.json()) as T };
}

async function until<T>(get: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 10_000;
  let last = await get();
  while (!done(last)) {
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 50));
    last = await get();
  }
  return last;
}

beforeAll(async () => {
  journal = await freshStore();
  config = loadConfig({ PORT: '0', HOST: '127.0.0.1', MANAGER_PIN: '2468', ...journal.env, ...FAST_TIMINGS });
});
afterAll(async () => {
  await server?.close();
  await journal?.dispose();
});

describe('the built-in simulator’s ledger in DATA_DIR', () => {
  it('refunds a training payment taken before the POS restarted', async () => {
    await start();
    expect(existsSync(join(journal.env.DATA_DIR, SIMULATOR_LEDGER_FILE))).toBe(true);
    const token = (await server!.terminals.add('Till R')).token;
    const id = newId();
    expect((await call<Payment>('POST', '/api/payments', { token, body: { id, amount_fen: 880, auth_code: makeTestCode('coupon'), description: 'restart' } })).status).toBe(200);
    const paid = await until(() => call<Payment>('GET', `/api/payments/${id}`, { token }), (r) => r.body.status === 'succeeded', 'payment');

    await server!.close();
    server = undefined;
    await start();

    const order = await call<SimOrder>('GET', `/simulator/control/orders/${paid.body.out_trade_no}`);
    expect(order.body).toMatchObject({ trade_state: 'SUCCESS', total_fee: 880, transaction_id: paid.body.transaction_id });
    const refundId = newId('r');
    const refund = await call<Refund>('POST', `/api/payments/${id}/refunds`, { token, body: { id: refundId, amount_fen: 880 }, headers: { 'x-manager-pin': '2468' } });
    expect(refund.status).toBe(200);
    const done = await until(() => call<Payment>('GET', `/api/payments/${id}`, { token }), (r) => r.body.refunded_fen === 880, 'refund');
    expect(done.body.refunded_fen).toBe(880);
    const after = await call<SimOrder>('GET', `/simulator/control/orders/${paid.body.out_trade_no}`);
    expect(after.body).toMatchObject({ trade_state: 'REFUND', refunds: [{ out_refund_no: refundId, refund_fee: 880, refund_status: 'SUCCESS' }] });
  });

  it('a second instance on the same DATA_DIR starts with its simulator in memory and says so', async () => {
    const lines: string[] = [];
    const secondConfig = loadConfig({ PORT: '0', HOST: '127.0.0.1', MANAGER_PIN: '2468', ...journal.env, ...FAST_TIMINGS, INSTANCE_ID: 'second-instance' });
    const second = await createServer(secondConfig, { log: createLogger({ write: (chunk: string) => (lines.push(chunk), true) }) });
    try {
      expect(lines.join('')).toContain('simulator ledger in use by another instance');
      expect((await fetch(`http://127.0.0.1:${second.port}/simulator/control/orders`)).status).toBe(200);
    } finally {
      await second.close();
    }
  });
});
