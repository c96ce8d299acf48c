/**
 * Server overhead per payment (design.md target: median ≤ 2 ms), with the gateway's own time
 * taken out: the real server on loopback with its built-in simulator, payments through the
 * HTTP API (POST /api/payments answers with the final status for an instant payment), every
 * gateway call timed by a wrapper around the WeChat client and subtracted per payment. Next to
 * it, the same micropay sent by the WeChat client straight to the simulator, and throughput
 * with 20 terminals paying in parallel.
 */
import { closeSync, existsSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Payment } from '../../shared/api.ts';
import { createServer } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { createLogger } from '../../server/log.ts';
import { makeTestCode } from '../../server/simulator/test-codes.ts';
import { createWechatClient } from '../../server/wechat/client.ts';
import type { Gateway } from '../../server/wechat/gateway.ts';

const SEQUENTIAL = 400;
const WARMUP = 50;
const TERMINALS = 20;
const PER_TERMINAL = 25;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const stats = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: percentile(sorted, 50), p99: percentile(sorted, 99) };
};
const ms = (v: number) => v.toFixed(3);

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

async function measure(parent: string, label: string): Promise<void> {
  const dataDir = mkdtempSync(join(parent, 'pos-bench-'));
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir });
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
  const server = await createServer(config, { log, wrapGateway: gatewayTime.wrap });
  const base = `http://127.0.0.1:${server.port}`;
  const tokens = await Promise.all(Array.from({ length: TERMINALS }, async (_, i) => (await server.terminals.add(`Bench ${i + 1}`)).token));

  let seq = 0;
  const payOnce = async (token: string) => {
    const id = `b${process.pid}-${++seq}`;
    const started = performance.now();
    const res = await fetch(`${base}/api/payments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id, amount_fen: 100, auth_code: makeTestCode('success') }),
    });
    const payment = (await res.json()) as Payment;
    const total = performance.now() - started;
    if (payment.status !== 'succeeded') throw new Error(`bench payment ${id} is ${payment.status}: ${JSON.stringify(payment)}`);
    const gateway = gatewayTime.take(payment.out_trade_no);
    if (gateway === undefined) throw new Error(`no gateway time for ${payment.out_trade_no}`);
    return { total, gateway, overhead: total - gateway, inServer: (handlerMs.at(-1) ?? NaN) - gateway };
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
    const started = performance.now();
    const payment = await server.service.create(terminalId, { id: `s${process.pid}-${++seq}`, amount_fen: 100, auth_code: makeTestCode('success') });
    const total = performance.now() - started;
    if (payment.status !== 'succeeded') throw new Error(`service payment is ${payment.status}`);
    return total - (gatewayTime.take(payment.out_trade_no) ?? 0);
  };
  // The HTTP floor: one authenticated round trip that touches no payment.
  const roundTripOnce = async () => {
    const started = performance.now();
    const res = await fetch(`${base}/api/terminal`, { headers: { authorization: `Bearer ${tokens[0]}` } });
    await res.text();
    return performance.now() - started;
  };
  const directOnce = async () => {
    const started = performance.now();
    const outcome = await direct.micropay({ out_trade_no: `D${process.pid}x${++seq}`, total_fee: 100, auth_code: makeTestCode('success'), body: 'bench' });
    if (outcome.kind !== 'ok') throw new Error(`direct micropay: ${JSON.stringify(outcome)}`);
    return performance.now() - started;
  };

  try {
    for (let i = 0; i < WARMUP; i++) {
      await payOnce(tokens[0]!);
      await directOnce();
    }
    const viaApi: { total: number; gateway: number; overhead: number; inServer: number }[] = [];
    const directTimes: number[] = [];
    const serviceTimes: number[] = [];
    const roundTrips: number[] = [];
    for (let i = 0; i < SEQUENTIAL; i++) {
      viaApi.push(await payOnce(tokens[0]!));
      directTimes.push(await directOnce());
      serviceTimes.push(await serviceOnce());
      roundTrips.push(await roundTripOnce());
    }

    const parallelStarted = performance.now();
    const parallel = (await Promise.all(tokens.map(async (token) => {
      const rows = [];
      for (let i = 0; i < PER_TERMINAL; i++) rows.push(await payOnce(token));
      return rows;
    }))).flat();
    const parallelSeconds = (performance.now() - parallelStarted) / 1000;

    const directParallelStarted = performance.now();
    await Promise.all(tokens.map(async () => {
      for (let i = 0; i < PER_TERMINAL; i++) await directOnce();
    }));
    const directParallelSeconds = (performance.now() - directParallelStarted) / 1000;

    const total = stats(viaApi.map((r) => r.total));
    const gateway = stats(viaApi.map((r) => r.gateway));
    const overhead = stats(viaApi.map((r) => r.overhead));
    const directStats = stats(directTimes);
    const parallelOverhead = stats(parallel.map((r) => r.overhead));
    const count = TERMINALS * PER_TERMINAL;

    console.log(`\nJournal on ${label}: ${SEQUENTIAL} sequential payments (after ${WARMUP} warm-up), then ${TERMINALS} terminals × ${PER_TERMINAL} in parallel`);
    console.table([
      { measure: 'POST /api/payments → succeeded (HTTP, journal, flow, gateway)', median_ms: ms(total.median), p99_ms: ms(total.p99) },
      { measure: '  of which inside the gateway call (client + simulator)', median_ms: ms(gateway.median), p99_ms: ms(gateway.p99) },
      { measure: 'server overhead = total − gateway (target median ≤ 2 ms)', median_ms: ms(overhead.median), p99_ms: ms(overhead.p99) },
      { measure: '  of which inside the server (handler time from the access log − gateway)', median_ms: ms(stats(viaApi.map((r) => r.inServer)).median), p99_ms: ms(stats(viaApi.map((r) => r.inServer)).p99) },
      { measure: '  payment flow + journal alone (service.create in process − gateway)', median_ms: ms(stats(serviceTimes).median), p99_ms: ms(stats(serviceTimes).p99) },
      { measure: '  HTTP floor: fetch + Node http + Hono + auth (GET /api/terminal round trip)', median_ms: ms(stats(roundTrips).median), p99_ms: ms(stats(roundTrips).p99) },
      { measure: `server overhead, ${TERMINALS} terminals in parallel`, median_ms: ms(parallelOverhead.median), p99_ms: ms(parallelOverhead.p99) },
      { measure: 'WeChat client → simulator directly (same micropay)', median_ms: ms(directStats.median), p99_ms: ms(directStats.p99) },
    ]);
    console.table([
      { measure: `payments/s through the API, ${TERMINALS} terminals`, value: (count / parallelSeconds).toFixed(0) },
      { measure: `micropay calls/s straight to the simulator, ${TERMINALS} in parallel`, value: (count / directParallelSeconds).toFixed(0) },
      { measure: 'API throughput / direct throughput', value: (directParallelSeconds / parallelSeconds).toFixed(2) },
      { measure: 'API payment median / direct call median', value: (total.median / directStats.median).toFixed(2) },
      { measure: 'overhead median vs 2 ms target (client to client)', value: overhead.median <= 2 ? 'met' : 'missed' },
      { measure: 'overhead median vs 2 ms target (inside the server)', value: stats(viaApi.map((r) => r.inServer)).median <= 2 ? 'met' : 'missed' },
    ]);
  } finally {
    direct.close();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** What one durable commit costs on a disk: the floor under a journaled payment step. */
function fsyncMs(parent: string): number {
  const dir = mkdtempSync(join(parent, 'pos-fsync-'));
  const file = join(dir, 'probe');
  const fd = openSync(file, 'w');
  const started = performance.now();
  for (let i = 0; i < 50; i++) {
    writeSync(fd, 'x');
    fsyncSync(fd);
  }
  const each = (performance.now() - started) / 50;
  closeSync(fd);
  rmSync(dir, { recursive: true, force: true });
  return each;
}

export async function run(): Promise<void> {
  const disk = tmpdir();
  const memory = existsSync('/dev/shm') ? '/dev/shm' : undefined;
  console.log(`Server overhead per payment. One fsync costs ${fsyncMs(disk).toFixed(3)} ms on ${disk}${memory ? ` and ${fsyncMs(memory).toFixed(3)} ms on ${memory} (tmpfs)` : ''}; the SQLite journal commits each payment step durably.`);
  await measure(disk, `disk (${disk})`);
  if (memory) await measure(memory, `tmpfs (${memory}): the server's own work, without the disk's fsync wait`);
}
