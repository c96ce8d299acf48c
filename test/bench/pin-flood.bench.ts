/**
 * Another terminal's payment latency while the manager PIN is flooded with 400 wrong guesses
 * (sent by another process, as from another device), next to the quiet figure. The real server on loopback with its journal on disk (one fsync per
 * payment, on libuv's thread pool) and the PIN set by command (scrypt). Rows: the server as it
 * is; the guesses spread over 400 terminals (each within its own limit, so only the server-wide
 * bound holds them); and the same 400 with every defence off, scrypt on its own thread (the
 * isolation alone) and on the thread pool (how it was: the fsync queued behind scrypt).
 */
import { spawn } from 'node:child_process';
import { scrypt, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Payment } from '../../shared/api.ts';
import { createServer, type ServerOptions } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { createLogger } from '../../server/log.ts';
import { makeTestCode } from '../../server/simulator/test-codes.ts';
import { verifyPin } from '../../server/terminals/pin.ts';

const GUESSES = 400;
const QUIET_PAYMENTS = 60;
const MIN_DURING = 10;
const PIN = '7391';

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const ms = (v: number) => v.toFixed(1);

/** How the PIN was checked before: scrypt on libuv's thread pool, the pool the journal's fsync uses. */
function verifyOnThreadPool(pin: string, stored: string): Promise<boolean> {
  const [, n, r, p, salt, hash] = stored.split('$');
  const expected = Buffer.from(hash!, 'base64url');
  return new Promise((resolve, reject) =>
    scrypt(pin.normalize('NFKC'), Buffer.from(salt!, 'base64url'), expected.length, { N: Number(n), r: Number(r), p: Number(p), maxmem: 64 * 1024 * 1024 }, (error, key) =>
      error ? reject(error) : resolve(timingSafeEqual(key, expected)),
    ),
  );
}

const UNBOUNDED = { limit: { limit: 1_000_000, windowMs: 60_000 }, checks: { maxConcurrent: 1_000_000, maxQueued: 0 } };

interface Scenario {
  label: string;
  /** undefined: no flood (the quiet figure). */
  attackers?: 1 | typeof GUESSES;
  pin?: NonNullable<ServerOptions['pin']>;
}

const SCENARIOS: Scenario[] = [
  { label: 'quiet (no guesses)' },
  { label: `${GUESSES} guesses from one terminal (as built)`, attackers: 1 },
  { label: `${GUESSES} guesses from ${GUESSES} terminals (as built: server-wide bound)`, attackers: GUESSES },
  { label: `${GUESSES} from ${GUESSES}, no limits, scrypt on its own thread`, attackers: GUESSES, pin: { ...UNBOUNDED, verify: verifyPin } },
  { label: `${GUESSES} from ${GUESSES}, no limits, scrypt on the thread pool (before)`, attackers: GUESSES, pin: { ...UNBOUNDED, verify: verifyOnThreadPool } },
];

/**
 * The guesses come from a process of their own, as from another device: all at once, each on its
 * own connection, answered in any order. Resolves with the answers' statuses and how long it took.
 */
function floodFromAnotherProcess(base: string, paymentId: string, tokens: string[]): Promise<{ statuses: Record<string, number>; ms: number }> {
  const script = `
    const { base, paymentId, tokens, guesses } = JSON.parse(process.argv[1]);
    const started = performance.now();
    const statuses = {};
    Promise.all(Array.from({ length: guesses }, async (_, i) => {
      const res = await fetch(base + '/api/payments/' + paymentId + '/refunds', {
        method: 'POST',
        headers: { authorization: 'Bearer ' + tokens[i % tokens.length], 'content-type': 'application/json', 'x-manager-pin': String(i).padStart(4, '0') },
        body: JSON.stringify({ id: 'r' + i, amount_fen: 1 }),
      });
      await res.arrayBuffer();
      statuses[res.status] = (statuses[res.status] || 0) + 1;
    })).then(() => process.stdout.write(JSON.stringify({ statuses, ms: performance.now() - started })));
  `;
  const child = spawn(process.execPath, ['-e', script, JSON.stringify({ base, paymentId, tokens, guesses: GUESSES })], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`flood process exited with ${code}`)))));
}

async function measure(scenario: Scenario) {
  const dataDir = mkdtempSync(join(tmpdir(), 'pos-pinflood-'));
  let checks = 0;
  const verify = scenario.pin?.verify ?? verifyPin;
  const server = await createServer(loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir }), {
    log: createLogger({ write: () => true }),
    pin: {
      ...scenario.pin,
      verify: (pin, stored) => {
        checks++;
        return verify(pin, stored);
      },
    },
  });
  const base = `http://127.0.0.1:${server.port}`;
  try {
    await server.terminals.setPin(PIN);
    const cashier = (await server.terminals.add('Cashier')).token;
    const attackers = await Promise.all(Array.from({ length: scenario.attackers ?? 1 }, async (_, i) => (await server.terminals.add(`Guess ${i}`)).token));
    let seq = 0;
    const pay = async (token: string): Promise<number> => {
      const started = performance.now();
      const res = await fetch(`${base}/api/payments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ id: `f${process.pid}-${++seq}`, amount_fen: 100, auth_code: makeTestCode('success') }),
      });
      const payment = (await res.json()) as Payment;
      if (payment.status !== 'succeeded') throw new Error(`bench payment is ${payment.status}`);
      return performance.now() - started;
    };
    for (let i = 0; i < 10; i++) await pay(cashier); // warm-up
    const targetRes = await fetch(`${base}/api/payments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${attackers[0]}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: `target-${process.pid}`, amount_fen: 500, auth_code: makeTestCode('success') }),
    });
    const target = (await targetRes.json()) as Payment;
    // A running server has compiled its refusal paths long ago: warm them up with a terminal of its own.
    const warmUp = (await server.terminals.add('Warm-up')).token;
    for (let i = 0; i < 30; i++) {
      const res = await fetch(`${base}/api/payments/${target.id}/refunds`, {
        method: 'POST',
        headers: { authorization: `Bearer ${warmUp}`, 'content-type': 'application/json', 'x-manager-pin': '0000' },
        body: JSON.stringify({ id: `w${i}`, amount_fen: 1 }),
      });
      await res.arrayBuffer();
    }
    checks = 0;

    const times: number[] = [];
    const statuses = new Map<number, number>();
    let floodMs = 0;
    const loopDelay = monitorEventLoopDelay({ resolution: 5 });
    if (!scenario.attackers) {
      for (let i = 0; i < QUIET_PAYMENTS; i++) times.push(await pay(cashier));
    } else {
      let done = false;
      const flood = floodFromAnotherProcess(base, target.id, attackers).then((result) => {
        for (const [status, count] of Object.entries(result.statuses)) statuses.set(Number(status), count);
        floodMs = result.ms;
        done = true;
      });
      loopDelay.enable();
      while (!done || times.length < MIN_DURING) times.push(await pay(cashier));
      loopDelay.disable();
      await flood;
    }
    const sorted = [...times].sort((a, b) => a - b);
    return {
      scenario: scenario.label,
      'payments timed': times.length,
      'median ms': ms(percentile(sorted, 50)),
      'p95 ms': ms(percentile(sorted, 95)),
      'max ms': ms(sorted.at(-1)!),
      'scrypt checks': checks,
      'guesses: 403 / 429': scenario.attackers ? `${statuses.get(403) ?? 0} / ${statuses.get(429) ?? 0}` : '',
      'flood ms': scenario.attackers ? ms(floodMs) : '',
      'event loop delay max ms': scenario.attackers ? ms(loopDelay.max / 1e6) : '',
    };
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  const rows = [];
  for (const scenario of SCENARIOS) rows.push(await measure(scenario));
  console.log(`\nAnother terminal's payment latency (POST /api/payments → succeeded, journal on disk in ${tmpdir()}) while ${GUESSES} wrong manager PINs arrive at once:`);
  console.table(rows);
}
