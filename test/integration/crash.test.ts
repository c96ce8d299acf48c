import { spawn, type ChildProcess } from 'node:child_process';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Payment } from '../../shared/api.ts';
import { isFinal } from '../../shared/api.ts';
import { createSimulator, type Simulator } from '../../server/simulator/app.ts';
import { makeTestCode } from '../../server/simulator/test-codes.ts';
import { loadConfig } from '../../server/config.ts';
import { openStore } from '../../server/store/open.ts';
import { TerminalRegistry } from '../../server/terminals/registry.ts';
import { parseXml } from '../../server/wechat/xml.ts';
import { chargedFen, FAST_TIMINGS, freshStore, newId, type StoreEnv } from './harness.ts';
import { eventually } from '../support/eventually.ts';

/**
 * The real server as a child process, killed with SIGKILL at three points of a payment and
 * restarted on the same journal (DATA_DIR, or DATABASE_URL on PostgreSQL). It talks to a
 * standalone simulator through a proxy that can hold requests, so "the request was journaled but never reached WeChat" and "killed during a
 * reverse" happen for certain, not by timing luck. The held micropay is then delivered late: the
 * gateway charges it (a reverse of an unknown number blocks nothing) and the server gives it back.
 */

interface Held {
  path: string;
  body: string;
  fields: Record<string, string>;
  res: ServerResponse;
}

/** Passes WeChat calls through to the simulator, or holds the ones `hold` picks. */
class HoldingProxy {
  readonly held: Held[] = [];
  hold: (path: string, fields: Record<string, string>) => boolean = () => false;
  readonly #server: Server;
  constructor(readonly target: string) {
    this.#server = createHttpServer((req, res) => void this.#handle(req, res));
  }
  async listen(): Promise<number> {
    await new Promise<void>((r) => this.#server.listen(0, '127.0.0.1', r));
    return (this.#server.address() as AddressInfo).port;
  }
  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const path = req.url ?? '/';
    let fields: Record<string, string> = {};
    try {
      fields = parseXml(body);
    } catch {
      // not XML: pass it on, the simulator answers the error
    }
    if (this.hold(path, fields)) {
      this.held.push({ path, body, fields, res });
      return;
    }
    const answer = await this.forward(path, body);
    res.writeHead(answer.status, { 'content-type': answer.type }).end(answer.text);
  }
  /** Sends a request on to the simulator (also used to deliver a held request late). */
  async forward(path: string, body: string): Promise<{ status: number; type: string; text: string }> {
    const upstream = await fetch(this.target + path, { method: 'POST', body, headers: { 'content-type': 'text/xml' } });
    return { status: upstream.status, type: upstream.headers.get('content-type') ?? 'text/xml', text: await upstream.text() };
  }
  close(): void {
    this.#server.closeAllConnections();
    this.#server.close();
  }
}

let journal: StoreEnv;
let simulator: Simulator;
let simServer: ServerType;
let proxy: HoldingProxy;
let proxyPort: number;
let token: string;
const tokens: string[] = [];
let child: ChildProcess | undefined;
let base = '';

async function startServer(): Promise<void> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'server/start.ts'], {
    cwd: process.cwd(),
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      SKIP_WEB_BUILD: '1',
      PORT: '0',
      HOST: '127.0.0.1',
      ...journal.env,
      WECHAT_API_BASE: `http://127.0.0.1:${proxyPort}`,
      MANAGER_PIN: '2468',
      ...FAST_TIMINGS,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = proc;
  let output = '';
  proc.stderr!.on('data', (d) => (output += d));
  base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 30_000);
    proc.stdout!.on('data', (d: Buffer) => {
      output += d;
      const match = /micropay-pos on http:\/\/[^\s:]+:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${match[1]}`);
      }
    });
    proc.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
}

async function killServer(): Promise<void> {
  const proc = child!;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGKILL');
  await exited;
  child = undefined;
}

async function api<T = any>(method: string, path: string, auth: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(base + path, {
    method,
    headers: { authorization: `Bearer ${auth}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as T };
}

const until = <T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> =>
  eventually(what, probe, { done: (value) => value !== undefined, timeoutMs, intervalMs: 50 }) as Promise<T>;

const paymentOf = async (auth: string, id: string) => (await api<Payment>('GET', `/api/payments/${id}`, auth)).body;
const finalOf = (auth: string, id: string) => until(`${id} final`, async () => {
  const p = await paymentOf(auth, id);
  return isFinal(p.status) ? p : undefined;
});

const A = { id: newId('a'), amount_fen: 1_100, auth_code: makeTestCode('success') };
const B = { id: newId('b'), amount_fen: 2_200, auth_code: makeTestCode('password') };
const C = { id: newId('c'), amount_fen: 3_300, auth_code: makeTestCode('reverse_recall') };
let lateAnswer = '';
const outTradeNo: Record<string, string> = {};

beforeAll(async () => {
  simulator = createSimulator();
  simServer = serve({ fetch: simulator.app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((r) => simServer.once('listening', r));
  proxy = new HoldingProxy(`http://127.0.0.1:${(simServer.address() as AddressInfo).port}`);
  proxyPort = await proxy.listen();

  journal = await freshStore();
  const store = await openStore(loadConfig(journal.env));
  const registry = new TerminalRegistry({ store });
  for (const name of ['Till A', 'Till B', 'Till C']) tokens.push((await registry.add(name)).token);
  await store.close();
  token = tokens[0]!;

  // Hold A's micropay (by its code) and C's reverses; let everything else through.
  proxy.hold = (path, fields) => (path === '/pay/micropay' && fields.auth_code === A.auth_code) || (path === '/secapi/pay/reverse' && fields.out_trade_no === outTradeNo.c);
  await startServer();

  // (c) first: it needs the deadline (PAY_DEADLINE_MS) to pass before its reverse is sent (and held).
  const c = await api<Payment>('POST', '/api/payments', tokens[2]!, C);
  expect(c.status).toBe(200);
  outTradeNo.c = c.body.out_trade_no;
  await until('C reverse held', () => proxy.held.find((h) => h.path === '/secapi/pay/reverse' && h.fields.out_trade_no === outTradeNo.c));
  // (b) only now, so its own deadline is far off when the server dies: it waits for the password.
  const b = await api<Payment>('POST', '/api/payments', tokens[1]!, B);
  outTradeNo.b = b.body.out_trade_no;
  await until('B user_paying', async () => ((await paymentOf(tokens[1]!, B.id)).status === 'user_paying' ? true : undefined));
  // (a) journaled, its micropay held by the proxy: nothing reached the gateway.
  void api('POST', '/api/payments', tokens[0]!, A).catch(() => undefined);
  const heldA = await until('A micropay held', () => proxy.held.find((h) => h.path === '/pay/micropay'));
  outTradeNo.a = heldA.fields.out_trade_no!;

  await killServer();

  // While the server is down: B's customer confirms; the gateway never saw A or C's reverse.
  expect(simulator.order(outTradeNo.a!)).toBeUndefined();
  expect(simulator.order(outTradeNo.b!)).toMatchObject({ trade_state: 'USERPAYING', reverse_calls: 0 });
  expect(simulator.order(outTradeNo.c!)).toMatchObject({ trade_state: 'USERPAYING', reverse_calls: 0 });
  expect(simulator.confirm(outTradeNo.b!)).toBe(true);

  proxy.hold = () => false;
  await startServer();
}, 90_000);

afterAll(async () => {
  if (child) await killServer();
  proxy?.close();
  simulator?.close();
  simServer?.close();
  await journal?.dispose();
});

describe('SIGKILL at three points, restart on the same journal', () => {
  it('(a) killed after journaling, before the micropay reached the gateway: canceled; the late request charges, and the money goes back, flagged', async () => {
    const a = await finalOf(tokens[0]!, A.id);
    expect(a).toMatchObject({ id: A.id, amount_fen: A.amount_fen, status: 'canceled', out_trade_no: outTradeNo.a });
    expect(a.late_payment).toBeUndefined();
    // WeChat had no order: the reverse answered ORDERNOTEXIST and blocked nothing.
    expect(simulator.order(outTradeNo.a!)).toBeUndefined();
    // The micropay held since the crash reaches the gateway now and charges the customer (the worst case).
    const held = proxy.held.find((h) => h.path === '/pay/micropay')!;
    lateAnswer = (await proxy.forward(held.path, held.body)).text;
    expect(parseXml(lateAnswer)).toMatchObject({ result_code: 'SUCCESS' });
    expect(chargedFen(simulator.order(outTradeNo.a!))).toBe(A.amount_fen);
    // The server still watches the payment: it finds the charge and reverses it, and says so.
    const flagged = await until('A late charge given back', async () => {
      const p = await paymentOf(tokens[0]!, A.id);
      return p.late_payment && p.error?.code === 'LATE_PAYMENT_RETURNED' ? p : undefined;
    });
    expect(flagged).toMatchObject({ status: 'canceled', late_payment: true, transaction_id: simulator.order(outTradeNo.a!)!.transaction_id });
    expect(simulator.order(outTradeNo.a!)!.trade_state).toBe('REVOKED');
    expect(chargedFen(simulator.order(outTradeNo.a!))).toBe(0);
    // The cashier's history shows it.
    const list = await api<{ payments: Payment[] }>('GET', '/api/payments', tokens[0]!);
    expect(list.body.payments.find((p) => p.id === A.id)).toMatchObject({ late_payment: true, error: { code: 'LATE_PAYMENT_RETURNED' } });
  });

  it('(b) killed while user_paying, customer confirmed meanwhile: succeeded, charged once', async () => {
    const b = await finalOf(tokens[1]!, B.id);
    expect(b.status).toBe('succeeded');
    const order = simulator.order(outTradeNo.b!)!;
    expect(order.micropay_calls).toBe(1);
    expect(chargedFen(order)).toBe(B.amount_fen);
    expect(b.transaction_id).toBe(order.transaction_id);
  });

  it('(c) killed during a reverse (recall=Y behaviour): the reverse is finished after restart, canceled', async () => {
    const c = await finalOf(tokens[2]!, C.id);
    expect(c.status).toBe('canceled');
    const order = simulator.order(outTradeNo.c!)!;
    expect(order.trade_state).toBe('REVOKED');
    expect(order.reverse_calls).toBeGreaterThanOrEqual(2);
    expect(chargedFen(order)).toBe(0);
  });

  it('no payment is lost and the ledger agrees with the journal', async () => {
    const list = await api<{ payments: Payment[] }>('GET', '/api/payments', token);
    const journal = new Map(list.body.payments.map((p) => [p.id, p]));
    for (const req of [A, B, C]) {
      const p = journal.get(req.id);
      expect(p, `${req.id} in the journal`).toBeDefined();
      expect(isFinal(p!.status)).toBe(true);
      const charged = chargedFen(simulator.order(p!.out_trade_no));
      expect(charged).toBe(p!.status === 'succeeded' ? p!.amount_fen - p!.refunded_fen : 0);
    }
    for (const order of simulator.orders()) expect(order.micropay_calls).toBeLessThanOrEqual(1);
    expect(journal.get(A.id)!.late_payment).toBe(true);
  });
});
