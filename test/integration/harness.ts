import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Payment } from '../../shared/api.ts';
import { isFinal } from '../../shared/api.ts';
import { createServer, type PosServer, type ServerOptions } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { createLogger } from '../../server/log.ts';
import type { SimOrder } from '../../server/simulator/app.ts';
import { createTestSchema } from '../support/postgres.ts';
import { eventually } from '../support/eventually.ts';

/**
 * The real server on a loopback port with short timings, the way a cashier's tablet reaches
 * it: HTTP + JSON. Log lines are captured so tests can look for secrets in them.
 */

/** The store this run of the integration suite uses (vitest.config.ts runs it once per store). */
export const TEST_STORE: 'sqlite' | 'postgres' = process.env.TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';

export interface StoreEnv {
  /** DATA_DIR (TLS files, and the SQLite journal), plus DATABASE_URL on PostgreSQL. */
  env: { DATA_DIR: string; DATABASE_URL?: string };
  /** Removes the data directory and drops the schema. */
  dispose(): Promise<void>;
}

/** A fresh, empty journal for one server (or several instances sharing it) of this run's store. */
export async function freshStore(): Promise<StoreEnv> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pos-int-'));
  const schema = TEST_STORE === 'postgres' ? await createTestSchema('int') : undefined;
  return {
    env: { DATA_DIR: dataDir, ...(schema ? { DATABASE_URL: schema.url(5) } : {}) },
    async dispose() {
      rmSync(dataDir, { recursive: true, force: true });
      await schema?.drop();
    },
  };
}

/**
 * Short, but with room for a busy test machine: a gateway answer that takes longer than the
 * timeout turns a clear answer into "unknown", which is correct behaviour but not the test's.
 */
export const FAST_TIMINGS = {
  PAY_DEADLINE_MS: '4000',
  PAY_REVERSE_MIN_AGE_MS: '1000',
  PAY_POLL_INTERVAL_MS: '100',
  GATEWAY_TIMEOUT_MS: '1500',
  // A payment told "not paid" is still watched for a late charge for the real 3 minutes, checked often.
  PAY_LATE_CHARGE_CHECK_MS: '200',
};

export interface Answer<T = any> {
  status: number;
  body: T;
  text: string;
}

export interface Harness {
  server: PosServer;
  /** DATA_DIR (and DATABASE_URL) of this server's journal, for commands run beside it. */
  env: StoreEnv['env'];
  base: string;
  logLines: string[];
  responses: string[];
  /** A fresh terminal's token (one payment in progress per terminal: parallel tests use their own). */
  terminal(name?: string): Promise<string>;
  call<T = any>(method: string, path: string, options?: { token?: string | null; body?: unknown; headers?: Record<string, string> }): Promise<Answer<T>>;
  /** Follows a payment the way the web app does until it is final (or the time is up). */
  waitFinal(token: string, id: string, timeoutMs?: number): Promise<Payment>;
  waitStatus(token: string, id: string, status: Payment['status'], timeoutMs?: number): Promise<Payment>;
  simOrder(outTradeNo: string): Promise<SimOrder>;
  simPost(path: string): Promise<Answer>;
  close(): Promise<void>;
}

let terminalCount = 0;

export async function startHarness(env: Record<string, string> = {}, options: ServerOptions = {}): Promise<Harness> {
  const journal = await freshStore();
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', MANAGER_PIN: '2468', ...journal.env, ...FAST_TIMINGS, ...env });
  const logLines: string[] = [];
  const responses: string[] = [];
  const stream = { write: (chunk: string) => (logLines.push(...chunk.split('\n').filter(Boolean)), true) };
  let server: PosServer;
  try {
    server = await createServer(config, {
      log: createLogger(stream, { level: 'debug' }),
      simulator: { slowMs: 3_000, passwordDeclineMs: 300, refundSettleMs: 0 },
      ...options,
    });
  } catch (error) {
    await journal.dispose();
    throw error;
  }
  // A guard against a suite that silently runs on the wrong store.
  if (('schema' in server.store) !== (TEST_STORE === 'postgres')) throw new Error(`the server does not run on ${TEST_STORE}`);
  const base = `http://127.0.0.1:${server.port}`;

  const call: Harness['call'] = async (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(base + path, { method, headers, ...(opts.body !== undefined ? { body: typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body) } : {}) });
    const text = await res.text();
    responses.push(text);
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON (static files)
    }
    return { status: res.status, body: body as any, text };
  };

  const waitFor = async (token: string, id: string, done: (p: Payment) => boolean, what: string, timeoutMs: number): Promise<Payment> => {
    const found = await eventually(`payment ${id} ${what}`, () => call<Payment>('GET', `/api/payments/${id}`, { token }), {
      done: (res) => res.status === 200 && done(res.body),
      timeoutMs,
      intervalMs: 50,
    });
    return found.body;
  };

  return {
    server,
    env: journal.env,
    base,
    logLines,
    responses,
    async terminal(name = `Till ${++terminalCount}`) {
      return (await server.terminals.add(name)).token;
    },
    call,
    waitFinal: (token, id, timeoutMs = 12_000) => waitFor(token, id, (p) => isFinal(p.status), 'final', timeoutMs),
    waitStatus: (token, id, status, timeoutMs = 12_000) => waitFor(token, id, (p) => p.status === status, status, timeoutMs),
    async simOrder(outTradeNo) {
      const res = await call<SimOrder>('GET', `/simulator/control/orders/${outTradeNo}`);
      if (res.status !== 200) throw new Error(`simulator has no order ${outTradeNo}: ${res.text}`);
      return res.body;
    },
    simPost: (path) => call('POST', `/simulator/control/${path}`, { body: {} }),
    async close() {
      await server.close();
      await journal.dispose();
    },
  };
}

/** What the customer was charged in the end, by the gateway's ledger: paid minus refunded, 0 if reversed or never paid. */
export function chargedFen(order: SimOrder | undefined): number {
  if (!order || (order.trade_state !== 'SUCCESS' && order.trade_state !== 'REFUND')) return 0;
  const refunded = order.refunds.filter((r) => r.refund_status === 'SUCCESS').reduce((sum, r) => sum + r.refund_fee, 0);
  return order.total_fee - refunded;
}

let idCount = 0;
export const newId = (prefix = 'p') => `${prefix}-${process.pid}-${Date.now().toString(36)}-${++idCount}`;
