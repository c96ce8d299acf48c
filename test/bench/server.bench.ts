/**
 * Server overhead per payment (target: median ≤ 2 ms, README "Benchmarks"), with the gateway's own time
 * taken out: the real server on loopback with its built-in simulator, payments through the
 * HTTP API (POST /api/payments answers with the final status for an instant payment), every
 * gateway call timed by a wrapper around the WeChat client and subtracted per payment. Next to
 * it, the same micropay sent by the WeChat client straight to the simulator, and throughput
 * with 20 terminals paying in parallel (nine rounds taking turns with the direct calls, after an
 * untimed round of each, so neither side alone pays for warming up or for a burst of load). The
 * journal's one fsync per payment (the insert, before micropay) is timed too, so the overhead is shown with and without it, and the disk's own
 * fsync cost is measured in the same data directory. Everything runs in this one process
 * (bench client, server, simulator) on a machine others share: CPU per payment is shown too.
 *
 * The bench client is node:http with keep-alive, the same HTTP stack the WeChat client uses
 * for the direct calls, so the two paths differ only by what the server adds (undici's fetch
 * costs about twice as much CPU per request, which is the client's cost, not the server's).
 * Beside the SQLite journal on disk and on tmpfs, the same figures on PostgreSQL (a schema of
 * its own on 127.0.0.1:5432; its fsync is the database server's, outside this process), and a
 * bound: the same server with its payment writes kept in a Map instead of any journal (nothing
 * durable, not a mode of the product), to show how much of the gap to direct is the journal.
 */
import { closeSync, existsSync, fsync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Payment } from '../../shared/api.ts';
import { createServer } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { createLogger } from '../../server/log.ts';
import { makeTestCode } from '../../server/simulator/test-codes.ts';
import { createWechatClient } from '../../server/wechat/client.ts';
import type { Gateway } from '../../server/wechat/gateway.ts';
import { PAYMENT_COLUMN_SET } from '../../server/store/columns.ts';
import type { PaymentRow, Store } from '../../server/store/types.ts';
import { createTestSchema } from '../support/postgres.ts';

const SEQUENTIAL = 400;
const WARMUP = 50;
const TERMINALS = 20;
const PER_TERMINAL = 25;
const PARALLEL_WARMUP = 5;
const PARALLEL_ROUNDS = 9;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const stats = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: percentile(sorted, 50), p99: percentile(sorted, 99) };
};
const ms = (v: number) => (Number.isNaN(v) ? '—' : v.toFixed(3));

interface Figures {
  label: string;
  fsync: { median: number; p99: number };
  rows: Record<string, { median: number; p99: number }>;
  apiPerSecond: number;
  directPerSecond: number;
  /** API / direct throughput of each round and the direct round right after it, sorted. */
  roundRatios: number[];
  apiCpuMs: number;
  directCpuMs: number;
  parallelFsyncsPerPayment: number;
}

const ROW = {
  total: 'POST /api/payments → succeeded (HTTP, journal, flow, gateway)',
  gateway: '  of which inside the gateway call (client + simulator)',
  overhead: 'server overhead = total − gateway (target: median ≤ 2 ms)',
  overheadNoFsync: '  server overhead without this payment\'s journal fsync',
  fsyncWait: '  of which the journal fsync of the insert (before micropay)',
  inServer: '  inside the server (handler time from the access log − gateway)',
  inServerNoFsync: '  inside the server, without the fsync',
  flow: '  payment flow + journal alone (service.create in process − gateway)',
  flowNoFsync: '  flow + journal alone, without the fsync',
  http: '  HTTP floor: fetch + Node http + Hono + auth (GET /api/terminal)',
  parallel: `server overhead, ${TERMINALS} terminals in parallel`,
  direct: 'WeChat client → simulator directly (same micropay)',
} as const;


const agent = new Agent({ keepAlive: true });

/** One JSON request over node:http (keep-alive): status and parsed body. */
function call(port: number, method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: any }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method, agent, headers: { authorization: `Bearer ${token}`, ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Times every gateway call; `take(id)` hands back the time spent for one payment's out_trade_no. */
function timedGateway() {
  const spent = new Map<string, number>();
  const wrap = (inner: Gateway): Gateway => {
    const timed =
      <A extends { out_trade_no: string }, R>(call: (a: A) => Promise<R>) =>
      async (a: A): Promise<R> => {
        const started = performance.now();
        try {
          return await call(a);
        } finally {
          spent.set(a.out_trade_no, (spent.get(a.out_trade_no) ?? 0) + performance.now() - started);
        }
      };
    return {
      micropay: timed((r) => inner.micropay(r)),
      orderQuery: timed((q) => inner.orderQuery(q)),
      reverse: timed((q) => inner.reverse(q)),
      refund: (r) => inner.refund(r),
      refundQuery: (q) => inner.refundQuery(q),
    };
  };
  return { wrap, take: (outTradeNo: string) => spent.get(outTradeNo) };
}

/**
 * The bound: payments inserted, read and moved in a Map, never written (terminals and settings
 * stay in SQLite). Enough for the bench's instant payments; events and totals are not kept.
 */
function paymentsInMemory(store: Store): Store {
  const rows = new Map<string, PaymentRow>();
  const memory: Partial<Store> = {
    async insertPayment(p) {
      const existing = rows.get(p.id);
      if (existing) return { kind: 'exists', payment: existing };
      const payment = { wallet: 'wechat', shop_id: 'default', lease_owner: null, lease_until: null, shift_id: null, cashier: null, cash_fen: null, coupon_fen: null, settlement_fen: null, bank_type: null, cancel_action: null, ...p, refunded_fen: 0 } as PaymentRow;
      rows.set(p.id, payment);
      return { kind: 'created', payment };
    },
    async transitionPayment(id, decide) {
      const before = rows.get(id);
      if (!before) return undefined;
      const patch = decide(before);
      if (!patch) return { before, after: before, changed: false };
      const after = { ...before };
      for (const [column, value] of Object.entries(patch)) if (PAYMENT_COLUMN_SET.has(column)) (after as Record<string, unknown>)[column] = value;
      rows.set(id, after);
      return { before, after, changed: true };
    },
    async payment(id) {
      return rows.get(id);
    },
  };
  return new Proxy(store, { get: (target, key) => (memory as Record<string | symbol, unknown>)[key] ?? Reflect.get(target, key) });
}

/**
 * `parent`: a directory for the SQLite journal; `postgres`: a fresh schema on the test database
 * instead; `memory`: the bound, payments never journaled (paymentsInMemory).
 */
async function measure(label: string, where: { parent: string; memory?: true } | { postgres: true }): Promise<Figures> {
  const dataDir = mkdtempSync(join('parent' in where ? where.parent : tmpdir(), 'pos-bench-'));
  const schema = 'postgres' in where ? await createTestSchema('bench') : undefined;
  const fsyncCost = schema ? { median: NaN, p99: NaN } : fsyncStats(dataDir);
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, ...(schema ? { DATABASE_URL: schema.url(10) } : {}) });
  const gatewayTime = timedGateway();
  // Real log lines, formatted and written, to a sink instead of the terminal; the access log's
  // handler time of each POST /api/payments is kept (time inside the server, client excluded).
  const handlerMs: number[] = [];
  const log = createLogger({
    write: (line: string) => {
      if (line.includes('"msg":"http"') && line.includes('"method":"POST","path":"/api/payments"')) handlerMs.push((JSON.parse(line) as { ms: number }).ms);
      return true;
    },
  });
  // The journal's fsyncs, timed: the insert waits for one before micropay is sent.
  let fsyncCount = 0;
  let fsyncSpent = 0;
  const timedFsync = (fd: number, done: (error: NodeJS.ErrnoException | null) => void): void => {
    const started = performance.now();
    fsync(fd, (error) => {
      fsyncCount++;
      fsyncSpent += performance.now() - started;
      done(error);
    });
  };
  const server = await createServer(config, { log, wrapGateway: gatewayTime.wrap, journal: { fsync: timedFsync }, ...('memory' in where ? { wrapStore: paymentsInMemory } : {}) });
  const tokens = await Promise.all(Array.from({ length: TERMINALS }, async (_, i) => (await server.terminals.add(`Bench ${i + 1}`)).token));

  let seq = 0;
  const payOnce = async (token: string) => {
    const id = `b${process.pid}-${++seq}`;
    const fsyncBefore = fsyncSpent;
    const started = performance.now();
    const payment = (await call(server.port, 'POST', '/api/payments', token, { id, amount_fen: 100, auth_code: makeTestCode('success') })).body as Payment;
    const total = performance.now() - started;
    if (payment.status !== 'succeeded') throw new Error(`bench payment ${id} is ${payment.status}: ${JSON.stringify(payment)}`);
    const gateway = gatewayTime.take(payment.out_trade_no);
    if (gateway === undefined) throw new Error(`no gateway time for ${payment.out_trade_no}`);
    // Sequentially, exactly the one fsync of this payment's insert completes in this window.
    const fsyncWait = fsyncSpent - fsyncBefore;
    return { total, gateway, overhead: total - gateway, fsyncWait, inServer: (handlerMs.at(-1) ?? NaN) - gateway };
  };

  // The same micropay, sent by the WeChat client straight to the simulator the server uses.
  const direct = createWechatClient({
    appid: config.wechat.appid,
    mch_id: config.wechat.mch_id,
    key: config.wechat.key,
    signType: config.wechat.signType,
    apiBase: server.gatewayBase,
    timeoutMs: 5_000,
  });
  // The payment flow and journal alone: the service called in process, no HTTP.
  const terminalId = (await server.terminals.authenticate(tokens[0]!))!.id;
  const serviceOnce = async () => {
    const fsyncBefore = fsyncSpent;
    const started = performance.now();
    const payment = await server.service.create(terminalId, { id: `s${process.pid}-${++seq}`, amount_fen: 100, auth_code: makeTestCode('success') });
    const total = performance.now() - started;
    if (payment.status !== 'succeeded') throw new Error(`service payment is ${payment.status}: ${JSON.stringify(payment)}`);
    const overhead = total - (gatewayTime.take(payment.out_trade_no) ?? 0);
    return { overhead, noFsync: overhead - (fsyncSpent - fsyncBefore) };
  };
  // The HTTP floor: one authenticated round trip that touches no payment.
  const roundTripOnce = async () => {
    const started = performance.now();
    await call(server.port, 'GET', '/api/terminal', tokens[0]!);
    return performance.now() - started;
  };
  const directOnce = async () => {
    const started = performance.now();
    const outcome = await direct.micropay({ out_trade_no: `D${process.pid}x${++seq}`, total_fee: 100, auth_code: makeTestCode('success'), body: 'bench' });
    if (outcome.kind !== 'ok') throw new Error(`direct micropay: ${JSON.stringify(outcome)}`);
    return performance.now() - started;
  };
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };

  try {
    for (let i = 0; i < WARMUP; i++) {
      await payOnce(tokens[0]!);
      await directOnce();
    }
    const viaApi: Awaited<ReturnType<typeof payOnce>>[] = [];
    const directTimes: number[] = [];
    const serviceTimes: Awaited<ReturnType<typeof serviceOnce>>[] = [];
    const roundTrips: number[] = [];
    for (let i = 0; i < SEQUENTIAL; i++) {
      viaApi.push(await payOnce(tokens[0]!));
      directTimes.push(await directOnce());
      serviceTimes.push(await serviceOnce());
      roundTrips.push(await roundTripOnce());
    }

    // One untimed round of each in parallel first: the first parallel run of a process paid for
    // warming up (code optimised for 20 at once, the heap growing) and it was always the API's.
    await Promise.all(tokens.map(async (token) => {
      for (let i = 0; i < PARALLEL_WARMUP; i++) {
        await payOnce(token);
        await directOnce();
      }
    }));
    // API and direct rounds take turns, so a burst of load from elsewhere on this shared machine
    // falls on both about equally; times and CPU are summed over the rounds.
    const parallel: Awaited<ReturnType<typeof payOnce>>[] = [];
    let parallelSeconds = 0;
    let apiCpu = 0;
    let parallelFsyncs = 0;
    let directParallelSeconds = 0;
    let directCpuSpent = 0;
    const roundRatios: number[] = [];
    for (let round = 0; round < PARALLEL_ROUNDS; round++) {
      const fsyncsBefore = fsyncCount;
      const parallelCpu = cpuMs();
      const parallelStarted = performance.now();
      parallel.push(...(await Promise.all(tokens.map(async (token) => {
        const rows = [];
        for (let i = 0; i < PER_TERMINAL; i++) rows.push(await payOnce(token));
        return rows;
      }))).flat());
      const apiRoundSeconds = (performance.now() - parallelStarted) / 1000;
      parallelSeconds += apiRoundSeconds;
      apiCpu += cpuMs() - parallelCpu;
      parallelFsyncs += fsyncCount - fsyncsBefore;

      const directCpu = cpuMs();
      const directParallelStarted = performance.now();
      await Promise.all(tokens.map(async () => {
        for (let i = 0; i < PER_TERMINAL; i++) await directOnce();
      }));
      const directRoundSeconds = (performance.now() - directParallelStarted) / 1000;
      directParallelSeconds += directRoundSeconds;
      roundRatios.push(directRoundSeconds / apiRoundSeconds);
      directCpuSpent += cpuMs() - directCpu;
    }
    const count = TERMINALS * PER_TERMINAL * PARALLEL_ROUNDS;

    return {
      label,
      fsync: fsyncCost,
      rows: {
        [ROW.total]: stats(viaApi.map((r) => r.total)),
        [ROW.gateway]: stats(viaApi.map((r) => r.gateway)),
        [ROW.overhead]: stats(viaApi.map((r) => r.overhead)),
        [ROW.overheadNoFsync]: stats(viaApi.map((r) => r.overhead - r.fsyncWait)),
        [ROW.fsyncWait]: stats(viaApi.map((r) => r.fsyncWait)),
        [ROW.inServer]: stats(viaApi.map((r) => r.inServer)),
        [ROW.inServerNoFsync]: stats(viaApi.map((r) => r.inServer - r.fsyncWait)),
        [ROW.flow]: stats(serviceTimes.map((r) => r.overhead)),
        [ROW.flowNoFsync]: stats(serviceTimes.map((r) => r.noFsync)),
        [ROW.http]: stats(roundTrips),
        [ROW.parallel]: stats(parallel.map((r) => r.overhead)),
        [ROW.direct]: stats(directTimes),
      },
      apiPerSecond: count / parallelSeconds,
      directPerSecond: count / directParallelSeconds,
      roundRatios: roundRatios.sort((a, b) => a - b),
      apiCpuMs: apiCpu / count,
      directCpuMs: directCpuSpent / count,
      parallelFsyncsPerPayment: schema ? NaN : parallelFsyncs / count,
    };
  } finally {
    direct.close();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
    await schema?.drop();
  }
}

/** What one durable write costs in `dir`: a small write then fsync, 50 times (the floor under a journaled payment). */
function fsyncStats(dir: string): { median: number; p99: number } {
  const fd = openSync(join(dir, 'fsync-probe'), 'w');
  const times: number[] = [];
  try {
    for (let i = 0; i < 50; i++) {
      writeSync(fd, `probe ${i}\n`);
      const started = performance.now();
      fsyncSync(fd);
      times.push(performance.now() - started);
    }
  } finally {
    closeSync(fd);
    rmSync(join(dir, 'fsync-probe'), { force: true });
  }
  return stats(times);
}

export async function run(): Promise<void> {
  const disk = tmpdir();
  const memory = existsSync('/dev/shm') ? '/dev/shm' : undefined;
  const runs = [await measure(`SQLite, disk ${disk}`, { parent: disk })];
  if (memory) runs.push(await measure(`SQLite, tmpfs ${memory}`, { parent: memory }));
  runs.push(await measure('PostgreSQL 127.0.0.1', { postgres: true }));
  runs.push(await measure('bound: no journal', { parent: disk, memory: true }));
  agent.destroy();

  console.log(`\nServer overhead per payment: ${SEQUENTIAL} sequential payments (after ${WARMUP} warm-up), then ${TERMINALS} terminals × ${PER_TERMINAL} in parallel, ${PARALLEL_ROUNDS} rounds taking turns with the direct calls (after an untimed round of each); median / p99 in ms.`);
  const latency = [
    { measure: 'fsync of a small write in the data dir (this disk, measured)', ...Object.fromEntries(runs.map((r) => [r.label, `${ms(r.fsync.median)} / ${ms(r.fsync.p99)}`])) },
    ...Object.values(ROW).map((row) => ({ measure: row, ...Object.fromEntries(runs.map((r) => [r.label, `${ms(r.rows[row]!.median)} / ${ms(r.rows[row]!.p99)}`])) })),
  ];
  console.table(latency);
  const ratio = (a: number, b: number) => (a / b).toFixed(2);
  console.table([
    { measure: `payments/s through the API, ${TERMINALS} terminals`, ...Object.fromEntries(runs.map((r) => [r.label, r.apiPerSecond.toFixed(0)])) },
    { measure: `micropay calls/s straight to the simulator, ${TERMINALS} in parallel`, ...Object.fromEntries(runs.map((r) => [r.label, r.directPerSecond.toFixed(0)])) },
    { measure: 'API throughput / direct throughput', ...Object.fromEntries(runs.map((r) => [r.label, ratio(r.apiPerSecond, r.directPerSecond)])) },
    {
      measure: 'the same, median of the rounds (min–max): each round beside its direct round',
      ...Object.fromEntries(runs.map((r) => [r.label, `${percentile(r.roundRatios, 50).toFixed(2)} (${r.roundRatios[0]!.toFixed(2)}–${r.roundRatios.at(-1)!.toFixed(2)})`])),
    },
    { measure: 'CPU ms per payment through the API (this process: client, server, simulator)', ...Object.fromEntries(runs.map((r) => [r.label, r.apiCpuMs.toFixed(3)])) },
    { measure: 'CPU ms per direct micropay (client, simulator)', ...Object.fromEntries(runs.map((r) => [r.label, r.directCpuMs.toFixed(3)])) },
    { measure: 'direct CPU / API CPU (throughput ceiling on a CPU-bound machine)', ...Object.fromEntries(runs.map((r) => [r.label, ratio(r.directCpuMs, r.apiCpuMs)])) },
    { measure: 'journal fsyncs per payment in parallel (group commit < 1)', ...Object.fromEntries(runs.map((r) => [r.label, Number.isNaN(r.parallelFsyncsPerPayment) ? '—' : r.parallelFsyncsPerPayment.toFixed(2)])) },
    { measure: 'API payment median / direct call median', ...Object.fromEntries(runs.map((r) => [r.label, ratio(r.rows[ROW.total]!.median, r.rows[ROW.direct]!.median)])) },
  ]);
  for (const r of runs) {
    const verdict = (v: number) => (v <= 2 ? 'met' : 'missed');
    const o = r.rows[ROW.overhead]!.median;
    const n = r.rows[ROW.overheadNoFsync]!.median;
    const i = r.rows[ROW.inServer]!.median;
    console.log(
      `${r.label}: 2 ms median target client to client ${verdict(o)} (${ms(o)} ms), without the one fsync ${verdict(n)} (${ms(n)} ms); ` +
        `inside the server ${verdict(i)} (${ms(i)} ms).${Number.isNaN(r.fsync.median) ? '' : ` The fsync of this disk: ${ms(r.fsync.median)} ms median.`}`,
    );
  }
}
