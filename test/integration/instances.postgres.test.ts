import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Payment } from '../../shared/api.ts';
import { isFinal } from '../../shared/api.ts';
import { loadConfig } from '../../server/config.ts';
import type { SimOrder } from '../../server/simulator/app.ts';
import { makeTestCode } from '../../server/simulator/test-codes.ts';
import { openStore } from '../../server/store/open.ts';
import { TerminalRegistry } from '../../server/terminals/registry.ts';
import { chargedFen, FAST_TIMINGS, freshStore, newId, type StoreEnv } from './harness.ts';
import { startServerProcess, startSimulatorProcess, type Running } from '../support/processes.ts';
import { eventually } from '../support/eventually.ts';

/**
 * A chain: two `npm start` processes on one PostgreSQL schema, and the simulator as a third
 * process both reach, as tablets behind a load balancer would see them. Instance A is
 * SIGKILLed while customers enter their password; instance B finishes those payments once A's
 * lease runs out, and the gateway's ledger agrees. A cancel taken by B wakes A's loop at once.
 */

let journal: StoreEnv;
let simulator: Running;
const running: Running[] = [];

/** Instances A and B of one chain: same schema, same simulator, their own INSTANCE_ID. */
async function twoInstances(env: Record<string, string>, ids: [string, string]): Promise<[Running, Running]> {
  const start = (id: string) => startServerProcess({ ...FAST_TIMINGS, ...journal.env, WECHAT_API_BASE: simulator.base, INSTANCE_ID: id, ...env });
  const started = await Promise.all([start(ids[0]), start(ids[1])]);
  running.push(...started);
  return started;
}

async function terminals(count: number): Promise<string[]> {
  const store = await openStore(loadConfig(journal.env));
  try {
    const registry = new TerminalRegistry({ store });
    const tokens: string[] = [];
    for (let i = 0; i < count; i++) tokens.push((await registry.add(newId('Till'))).token);
    return tokens;
  } finally {
    await store.close();
  }
}

async function api<T = any>(base: string, method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: T }> {
  let res: Response;
  try {
    res = await fetch(base + path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  } catch (error) {
    // Which instance, and what it said before it stopped answering.
    const instance = running.find((r) => r.base === base);
    throw new Error(`${method} ${base}${path} failed (${(error as Error).message}); the instance printed:\n${instance?.output().slice(-3000) ?? '(unknown instance)'}`);
  }
  return { status: res.status, body: (await res.json()) as T };
}

const until = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> =>
  eventually(what, probe, { done: (value) => value !== undefined, timeoutMs, intervalMs: 50 }) as Promise<T>;

const paymentAt = async (base: string, token: string, id: string) => (await api<Payment>(base, 'GET', `/api/payments/${id}`, token)).body;
const statusAt = (base: string, token: string, id: string, done: (p: Payment) => boolean, timeoutMs: number) =>
  until(`payment ${id}`, async () => {
    const p = await paymentAt(base, token, id);
    return done(p) ? p : undefined;
  }, timeoutMs);
const simOrder = async (outTradeNo: string): Promise<SimOrder> => (await (await fetch(`${simulator.base}/control/orders/${outTradeNo}`)).json()) as SimOrder;

beforeAll(async () => {
  journal = await freshStore();
  simulator = await startSimulatorProcess();
});

afterAll(async () => {
  for (const r of running) await r.kill();
  await simulator?.kill();
  await journal?.dispose();
});

describe('instances started together on an empty database', () => {
  it('all come up and stay up: migrations once, the first terminal made by one of them', async () => {
    const empty = await freshStore();
    const started: Running[] = [];
    try {
      started.push(...(await Promise.all(['pos-x', 'pos-y', 'pos-z'].map((id) => startServerProcess({ ...empty.env, WECHAT_API_BASE: simulator.base, INSTANCE_ID: id })))));
      for (const instance of started) {
        await until('the start banner to end', async () => (/pair the first terminal|another tablet/.test(instance.output()) ? true : undefined), 20_000);
      }
      for (const instance of started) {
        expect(instance.proc.exitCode, instance.output()).toBeNull();
        expect((await fetch(`${instance.base}/api/health`)).status).toBe(200);
      }
      expect(started.filter((i) => i.output().includes('pair the first terminal')).length).toBeGreaterThanOrEqual(1);
    } finally {
      for (const instance of started) await instance.kill();
      await empty.dispose();
    }
  }, 60_000);
});

describe('an instance SIGKILLed while customers enter their password', () => {
  let a: Running;
  let b: Running;
  let tokens: string[];
  const paid = { id: newId('conf'), amount_fen: 2_500, auth_code: makeTestCode('password') };
  const abandoned = { id: newId('left'), amount_fen: 3_600, auth_code: makeTestCode('password') };
  const outTradeNo: Record<string, string> = {};

  beforeAll(async () => {
    // The shortest lease GATEWAY_TIMEOUT_MS allows (2 × 1500 + 10000 ms).
    [a, b] = await twoInstances({ PAY_LEASE_MS: '13000' }, ['pos-a', 'pos-b']);
    tokens = await terminals(2);
    for (const [i, req] of [paid, abandoned].entries()) {
      const created = await api<Payment>(a.base, 'POST', '/api/payments', tokens[i]!, req);
      expect(created.status).toBe(200);
      outTradeNo[req.id] = created.body.out_trade_no;
      await statusAt(b.base, tokens[i]!, req.id, (p) => p.status === 'user_paying', 10_000);
    }
    await a.kill();
    // With A gone, one customer confirms on the phone; the other walks away.
    expect((await fetch(`${simulator.base}/control/orders/${outTradeNo[paid.id]}/confirm`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(200);
  }, 60_000);

  it('the other instance finishes the confirmed payment: succeeded, charged once', async () => {
    const p = await statusAt(b.base, tokens[0]!, paid.id, (x) => isFinal(x.status), 45_000);
    expect(p.status).toBe('succeeded');
    const order = await simOrder(p.out_trade_no);
    expect(order.micropay_calls).toBe(1);
    expect(chargedFen(order)).toBe(paid.amount_fen);
    expect(p.transaction_id).toBe(order.transaction_id);
    expect(b.output()).toContain(`"id":"${paid.id}"`);
  }, 60_000);

  it('the other instance reverses the abandoned payment at its deadline: canceled, nothing charged', async () => {
    const p = await statusAt(b.base, tokens[1]!, abandoned.id, (x) => isFinal(x.status), 45_000);
    expect(p.status).toBe('canceled');
    const order = await simOrder(p.out_trade_no);
    expect(order).toMatchObject({ trade_state: 'REVOKED', micropay_calls: 1 });
    expect(chargedFen(order)).toBe(0);
  }, 60_000);

  it('frees both terminals for their next payment on any instance', async () => {
    for (const token of tokens) {
      const next = await api<Payment>(b.base, 'POST', '/api/payments', token, { id: newId('next'), amount_fen: 100, auth_code: makeTestCode('success') });
      expect(next.body.status).toBe('succeeded');
    }
  });
});

describe('two live instances behind a load balancer', () => {
  let a: Running;
  let b: Running;

  beforeAll(async () => {
    // Long polls and a long lease: without the wake-up, A would look at a cancel only a minute later.
    [a, b] = await twoInstances({ PAY_POLL_INTERVAL_MS: '60000', PAY_LEASE_MS: '120000', PAY_DEADLINE_MS: '300000', PAY_REVERSE_MIN_AGE_MS: '0' }, ['pos-c', 'pos-d']);
  }, 60_000);

  it('a cancel taken by B wakes the loop on A that drives the payment, which reverses it', async () => {
    const [token] = await terminals(1);
    const req = { id: newId('cxl'), amount_fen: 800, auth_code: makeTestCode('password') };
    const created = await api<Payment>(a.base, 'POST', '/api/payments', token!, req);
    expect(created.body.status).toBe('user_paying');
    const canceled = await api<Payment>(b.base, 'POST', `/api/payments/${req.id}/cancel`, token!);
    expect(canceled.body.cancel_requested).toBe(true);
    const p = await statusAt(b.base, token!, req.id, (x) => isFinal(x.status), 20_000);
    expect(p.status).toBe('canceled');
    expect((await simOrder(p.out_trade_no)).trade_state).toBe('REVOKED');
    // A sent the reverse (it held the lease); B only journaled the request.
    expect(a.output()).toMatch(new RegExp(`"id":"${req.id}".*"to":"canceled"`));
    expect(b.output()).not.toMatch(new RegExp(`"id":"${req.id}".*"to":"canceled"`));
  }, 40_000);

  it('one payment id sent to both instances at once is charged once', async () => {
    const [token] = await terminals(1);
    const body = { id: newId('dup'), amount_fen: 555, auth_code: makeTestCode('success') };
    const answers = await Promise.all(Array.from({ length: 16 }, (_, i) => api<Payment>(i % 2 ? a.base : b.base, 'POST', '/api/payments', token!, body)));
    for (const answer of answers) expect(answer).toMatchObject({ status: 200, body: { id: body.id } });
    const p = await statusAt(a.base, token!, body.id, (x) => isFinal(x.status), 10_000);
    const order = await simOrder(p.out_trade_no);
    expect(order.micropay_calls).toBe(1);
    expect(chargedFen(order)).toBe(555);
  });

  it('one terminal gets one payment in progress across instances, the others are refused', async () => {
    const [token] = await terminals(1);
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) => api(i % 2 ? a.base : b.base, 'POST', '/api/payments', token!, { id: newId('busy'), amount_fen: 10 + i, auth_code: makeTestCode('password') })),
    );
    const accepted = answers.filter((x) => x.status === 200);
    expect(accepted).toHaveLength(1);
    for (const refused of answers.filter((x) => x.status !== 200)) expect(refused).toMatchObject({ status: 409, body: { error: { code: 'PAYMENT_IN_PROGRESS' } } });
    const id = (accepted[0]!.body as Payment).id;
    await api(b.base, 'POST', `/api/payments/${id}/cancel`, token!);
    expect((await statusAt(a.base, token!, id, (x) => isFinal(x.status), 20_000)).status).toBe('canceled');
  });
});
