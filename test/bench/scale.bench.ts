/**
 * `npm run bench -- scale`: a chain under load. 200 simulated terminals pay through 1, 2 and 3
 * `npm start` instances on one PostgreSQL schema, and through 1 instance on SQLite, against the
 * simulator in its own process (`npm run simulator`, SIMULATOR_LATENCY_MS=100). The terminals
 * (this process, plain node:http keep-alive) spread requests over the instances round-robin, as
 * a load balancer would, and poll a payment until it is final, as the tablet does.
 *
 * Then the failover run: 3 instances, one SIGKILLed mid-run. The balancer drops it at its first
 * refused connection; the terminals retry with the same payment id elsewhere (idempotent) and
 * poll. Counted at the end against the simulator's ledger: every payment started is final in
 * the journal, charged exactly when succeeded, micropay sent at most once. "Finished elsewhere"
 * is the time from the kill until the last payment the dead instance held was final (its lease,
 * PAY_LEASE_MS, plus at most one recovery sweep).
 *
 * CPU per payment is read from /proc for every process involved: the instances, their
 * PostgreSQL backends, the simulator and this process (the terminals).
 */
import { Agent, request } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import type { Payment } from '../../shared/api.ts';
import { isFinal } from '../../shared/api.ts';
import { loadConfig } from '../../server/config.ts';
import type { SimOrder } from '../../server/simulator/app.ts';
import { makeTestCode } from '../../server/simulator/test-codes.ts';
import { openStore } from '../../server/store/open.ts';
import { TerminalRegistry } from '../../server/terminals/registry.ts';
import { startServerProcess, startSimulatorProcess, type Running } from '../support/processes.ts';
import { createTestSchema, TEST_DATABASE_URL } from '../support/postgres.ts';

const TERMINALS = 200;
const LATENCY_MS = 100;
const WARMUP_MS = 3_000;
const MEASURE_MS = 10_000;
const KILL_AFTER_MS = 6_000;
const POLL_MS = 100;
/** Short gateway timeout (the simulator answers in 100 ms) and the shortest lease it allows. */
const TIMINGS = { GATEWAY_TIMEOUT_MS: '2000', PAY_LEASE_MS: '14000' };
const TICKS = 100; // clock ticks per second in /proc/<pid>/stat (USER_HZ)

// Idle sockets are dropped before the server's 5 s keep-alive timeout would close them under us.
const agent = new Agent({ keepAlive: true, maxSockets: 1024, timeout: 4_000 });

interface Answer {
  status: number;
  body: any;
}

class NetworkError extends Error {
  constructor(
    message: string,
    /** Nothing listens there any more (what a balancer's health check would say). */
    readonly refused: boolean,
  ) {
    super(message);
  }
}

function call(base: string, method: string, path: string, token: string, body?: unknown): Promise<Answer> {
  const url = new URL(path, base);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path: url.pathname, method, agent, headers: { authorization: `Bearer ${token}`, ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
        res.on('error', (e) => reject(new NetworkError(e.message, false)));
      },
    );
    req.on('error', (e: NodeJS.ErrnoException) => reject(new NetworkError(e.message, e.code === 'ECONNREFUSED')));
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.end(payload);
  });
}

/**
 * Round-robin over the live instances; one that refuses connections is taken out (a health
 * check's verdict). A request cut off (the instance died under it, or a reset connection) goes
 * to the next instance, the same request again: payment ids make that safe.
 */
class Balancer {
  #next = 0;
  constructor(readonly live: string[]) {}
  pick(): string {
    return this.live[this.#next++ % this.live.length]!;
  }
  drop(base: string): void {
    const i = this.live.indexOf(base);
    if (i >= 0 && this.live.length > 1) this.live.splice(i, 1);
  }
  async send(method: string, path: string, token: string, body?: unknown, sentTo?: (base: string) => void): Promise<Answer> {
    for (let attempt = 0; ; attempt++) {
      const base = this.pick();
      sentTo?.(base);
      try {
        return await call(base, method, path, token, body);
      } catch (error) {
        if (!(error instanceof NetworkError) || attempt > 10) throw error;
        if (error.refused) this.drop(base);
      }
    }
  }
}

const lastSeen = new Map<number, number>();
/** User + system CPU seconds of a process so far; for one that is gone (killed), the last reading. */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    const seconds = (Number(fields[11]) + Number(fields[12])) / TICKS;
    lastSeen.set(pid, seconds);
    return seconds;
  } catch {
    return lastSeen.get(pid) ?? 0;
  }
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};

interface Started {
  id: string;
  amount_fen: number;
  startedAt: number;
  finalAt?: number;
  status?: Payment['status'];
  out_trade_no?: string;
  /** The instance its create request went to last. */
  sentTo?: string;
}

interface RunResult {
  label: string;
  payments: number;
  perSecond: number;
  p50: number;
  p99: number;
  cpu: { servers: number; database: number; simulator: number; terminals: number };
  lost?: number;
  recoveryMs?: number;
  heldByKilled?: number;
}

async function measure(label: string, store: 'sqlite' | 'postgres', instances: number, simulator: Running, kill: boolean): Promise<RunResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pos-scale-'));
  const schema = store === 'postgres' ? await createTestSchema('scale') : undefined;
  const env = { DATA_DIR: dataDir, ...(schema ? { DATABASE_URL: schema.url(10) } : {}) };
  const runId = `bench${process.pid}x${Date.now().toString(36)}`;
  const servers: Running[] = [];
  try {
    // Terminals first (this also creates the schema), then the instances.
    const journal = await openStore(loadConfig({ ...env, INSTANCE_ID: `${runId}-setup` }));
    const registry = new TerminalRegistry({ store: journal });
    const tokens: string[] = [];
    for (let i = 0; i < TERMINALS; i++) tokens.push((await registry.add(`Scale ${i + 1}`)).token);
    await journal.close();
    for (let i = 0; i < instances; i++) {
      servers.push(await startServerProcess({ ...env, ...TIMINGS, WECHAT_API_BASE: simulator.base, INSTANCE_ID: `${runId}-${i + 1}` }));
    }
    const balancer = new Balancer(servers.map((s) => s.base));

    const started: Started[] = [];
    let stopping = false;
    let seq = 0;
    const terminal = async (token: string, t: number) => {
      while (!stopping) {
        const p: Started = { id: `s${t}-${++seq}`, amount_fen: 100 + (seq % 900), startedAt: performance.now() };
        started.push(p);
        let answer = await balancer.send('POST', '/api/payments', token, { id: p.id, amount_fen: p.amount_fen, auth_code: makeTestCode('success') }, (base) => (p.sentTo = base));
        if (answer.status !== 200) throw new Error(`payment ${p.id}: ${answer.status} ${JSON.stringify(answer.body)}`);
        while (!isFinal((answer.body as Payment).status)) {
          await new Promise((r) => setTimeout(r, POLL_MS));
          answer = await balancer.send('GET', `/api/payments/${p.id}`, token);
        }
        p.finalAt = performance.now();
        p.status = (answer.body as Payment).status;
        p.out_trade_no = (answer.body as Payment).out_trade_no;
      }
    };
    const loops = tokens.map((token, t) => terminal(token, t));
    const failed = Promise.all(loops).then(() => undefined);

    await Promise.race([sleep(WARMUP_MS), failed]);
    // After the warm-up the pools have opened their connections (they connect on demand).
    const backends = schema ? await databaseBackends(runId) : [];
    const cpu = () => ({
      servers: servers.reduce((sum, s) => sum + cpuSeconds(s.proc.pid!), 0),
      database: backends.reduce((sum, pid) => sum + cpuSeconds(pid), 0),
      simulator: cpuSeconds(simulator.proc.pid!),
      terminals: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
    });
    const cpuBefore = cpu();
    const from = performance.now();
    let killedAt: number | undefined;
    let held: Started[] = [];
    if (kill) {
      await Promise.race([sleep(KILL_AFTER_MS), failed]);
      cpuSeconds(servers[0]!.proc.pid!); // its last reading, kept once it is gone
      for (const pid of backends) cpuSeconds(pid);
      killedAt = performance.now();
      // Its payments: created through it and not final when it dies.
      held = started.filter((p) => p.sentTo === servers[0]!.base && p.finalAt === undefined);
      await servers[0]!.kill();
    }
    await Promise.race([sleep(MEASURE_MS - (kill ? KILL_AFTER_MS : 0)), failed]);
    const to = performance.now();
    const cpuAfter = cpu();
    stopping = true;
    await failed;

    const done = started.filter((p) => p.finalAt !== undefined && p.finalAt >= from && p.finalAt < to);
    const latencies = started.filter((p) => p.startedAt >= from && p.finalAt !== undefined && p.finalAt < to).map((p) => p.finalAt! - p.startedAt);
    const perPayment = (k: keyof ReturnType<typeof cpu>) => (1000 * (cpuAfter[k] - cpuBefore[k])) / done.length;
    const result: RunResult = {
      label,
      payments: done.length,
      perSecond: done.length / ((to - from) / 1000),
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      cpu: { servers: perPayment('servers'), database: perPayment('database'), simulator: perPayment('simulator'), terminals: perPayment('terminals') },
    };
    if (kill) {
      result.heldByKilled = held.length;
      result.recoveryMs = Math.max(0, ...held.map((p) => p.finalAt! - killedAt!));
      result.lost = await countLost(started, balancer, tokens[0]!, simulator);
    }
    return result;
  } finally {
    for (const s of servers) await s.stop().catch(() => undefined);
    await simulatorReset(simulator);
    rmSync(dataDir, { recursive: true, force: true });
    await schema?.drop();
  }
}

/** The PostgreSQL backends serving this run's instances, by the application_name each instance sets. */
async function databaseBackends(runId: string): Promise<number[]> {
  const sql = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql`SELECT pid FROM pg_stat_activity WHERE application_name LIKE ${`micropay-pos:${runId}%`}`;
    return rows.map((r) => r.pid as number);
  } finally {
    await sql.end();
  }
}

/**
 * Payments a terminal started that did not end well: missing from the journal or not final,
 * or where the gateway's ledger disagrees (charged though not succeeded, or the reverse), or
 * a micropay sent twice.
 */
async function countLost(started: Started[], balancer: Balancer, token: string, simulator: Running): Promise<number> {
  const orders = new Map(((await (await fetch(`${simulator.base}/control/orders`)).json()) as SimOrder[]).map((o) => [o.out_trade_no, o]));
  let lost = 0;
  for (const p of started) {
    const answer = await balancer.send('GET', `/api/payments/${p.id}`, token);
    const payment = answer.body as Payment;
    if (answer.status !== 200 || !isFinal(payment.status)) {
      lost++;
      continue;
    }
    const order = orders.get(payment.out_trade_no);
    const charged = order && (order.trade_state === 'SUCCESS' || order.trade_state === 'REFUND') ? order.total_fee : 0;
    if (charged !== (payment.status === 'succeeded' ? p.amount_fen : 0) || (order?.micropay_calls ?? 0) > 1) lost++;
  }
  return lost;
}

async function simulatorReset(simulator: Running): Promise<void> {
  await fetch(`${simulator.base}/control/reset`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }).catch(() => undefined);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

async function allRuns(): Promise<RunResult[]> {
  const simulator = await startSimulatorProcess({ SIMULATOR_LATENCY_MS: String(LATENCY_MS) });
  const results: RunResult[] = [];
  try {
    results.push(await measure('SQLite, 1 instance', 'sqlite', 1, simulator, false));
    for (const n of [1, 2, 3]) results.push(await measure(`PostgreSQL, ${n} instance${n > 1 ? 's' : ''}`, 'postgres', n, simulator, false));
    results.push(await measure('PostgreSQL, 3 instances, one SIGKILLed', 'postgres', 3, simulator, true));
  } finally {
    await simulator.stop();
    agent.destroy();
  }
  return results;
}

export async function run(): Promise<void> {
  const results = await allRuns();
  const f = (v: number, d = 1) => (Number.isFinite(v) ? v.toFixed(d) : '—');
  console.log(`\n${TERMINALS} terminals, simulator in its own process with ${LATENCY_MS} ms latency; ${MEASURE_MS / 1000} s measured after ${WARMUP_MS / 1000} s warm-up.`);
  console.log('CPU ms per payment: the instances together / their PostgreSQL backends / the simulator / the terminals (this process).');
  console.table(
    results.map((r) => ({
      run: r.label,
      'payments/s': f(r.perSecond, 0),
      'p50 ms': f(r.p50, 0),
      'p99 ms': f(r.p99, 0),
      'CPU ms/payment: servers': f(r.cpu.servers, 2),
      'PostgreSQL': r.label.startsWith('SQLite') ? '—' : f(r.cpu.database, 2),
      simulator: f(r.cpu.simulator, 2),
      terminals: f(r.cpu.terminals, 2),
      'lost': r.lost ?? '',
      'held by the killed one': r.heldByKilled ?? '',
      'finished elsewhere after (s)': r.recoveryMs === undefined ? '' : f(r.recoveryMs / 1000, 1),
    })),
  );
  console.log(`Failover timings: GATEWAY_TIMEOUT_MS=${TIMINGS.GATEWAY_TIMEOUT_MS}, PAY_LEASE_MS=${TIMINGS.PAY_LEASE_MS} (the shortest that timeout allows); the recovery sweep runs every 5 s.`);
}
