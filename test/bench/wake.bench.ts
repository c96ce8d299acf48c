/**
 * `npm run bench -- wake`: how a cancel taken by one instance reaches the instance that drives
 * the payment (holds its lease) while the customer enters the password. Two instances on one
 * PostgreSQL schema, the simulator in its own process; 12 payments wait in user_paying on A and
 * are canceled through B, one at a time at random moments (so a cancel does not fall in step
 * with the polls). Measured: the time from B's answer to A sending the reverse, and the
 * statements A sends to PostgreSQL per second per waiting payment meanwhile.
 *
 * - LISTEN/NOTIFY (what the server does): B's cancel is a NOTIFY, A's listening connection
 *   wakes the payment's loop.
 * - Polling the row: without the notification, A sees the cancel when its loop next reads the
 *   row, every PAY_POLL_INTERVAL_MS (2 s by default; shorter polls cost statements).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Payment } from '../../shared/api.ts';
import { createServer, type PosServer } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { silentLogger } from '../../server/log.ts';
import { makeTestCode } from '../../server/simulator/test-codes.ts';
import type { Store } from '../../server/store/types.ts';
import type { Gateway } from '../../server/wechat/gateway.ts';
import { startSimulatorProcess, type Running } from '../support/processes.ts';
import { createTestSchema } from '../support/postgres.ts';

const PAYMENTS = 12;
const WAIT_MS = 6_000;

interface Mode {
  label: string;
  notify: boolean;
  pollMs: number;
}

const MODES: Mode[] = [
  { label: 'LISTEN/NOTIFY (poll 2000 ms as fallback)', notify: true, pollMs: 2_000 },
  { label: 'polling the row every 2000 ms', notify: false, pollMs: 2_000 },
  { label: 'polling the row every 250 ms', notify: false, pollMs: 250 },
];

/** The store without its cross-instance signal: the lease holder only sees a cancel when it reads the row. */
const withoutSignals = (store: Store): Store =>
  new Proxy(store, {
    get(target, key) {
      if (key === 'signalPayment' || key === 'onPaymentSignal') return undefined;
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });

async function measure(mode: Mode, simulator: Running): Promise<{ p50: number; p99: number; statementsPerSecond: number }> {
  const schema = await createTestSchema('wake');
  const dataDir = mkdtempSync(join(tmpdir(), 'pos-wake-'));
  const reverseSentAt = new Map<string, number>();
  let statementsOnA = 0;
  const servers: PosServer[] = [];
  try {
    const start = async (instance: string, options: Parameters<typeof createServer>[1]) => {
      const config = loadConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        DATABASE_URL: schema.url(5),
        INSTANCE_ID: instance,
        WECHAT_API_BASE: simulator.base,
        PAY_POLL_INTERVAL_MS: String(mode.pollMs),
        PAY_DEADLINE_MS: '300000',
        PAY_REVERSE_MIN_AGE_MS: '0',
      });
      const server = await createServer(config, { log: silentLogger, ...options });
      servers.push(server);
      return server;
    };
    const a = await start('wake-a', {
      postgres: { onQuery: () => statementsOnA++ },
      ...(mode.notify ? {} : { wrapStore: withoutSignals }),
      wrapGateway: (inner: Gateway): Gateway => ({
        micropay: (r) => inner.micropay(r),
        orderQuery: (q) => inner.orderQuery(q),
        reverse: (q) => {
          reverseSentAt.set(q.out_trade_no, performance.now());
          return inner.reverse(q);
        },
        refund: (r) => inner.refund(r),
        refundQuery: (q) => inner.refundQuery(q),
      }),
    });
    const b = await start('wake-b', mode.notify ? {} : { wrapStore: withoutSignals });

    const payments: Payment[] = [];
    for (let i = 0; i < PAYMENTS; i++) {
      const terminal = (await a.terminals.add(`Wake ${i + 1}`)).terminal.id;
      payments.push(await a.service.create(terminal, { id: `w${i}`, amount_fen: 100 + i, auth_code: makeTestCode('password') }));
    }
    if (payments.some((p) => p.status !== 'user_paying')) throw new Error('a payment is not waiting for the password');

    // The cost of waiting: statements A sends while the payments wait.
    const before = statementsOnA;
    await new Promise((r) => setTimeout(r, WAIT_MS));
    const statementsPerSecond = (statementsOnA - before) / (WAIT_MS / 1000) / PAYMENTS;

    const delays: number[] = [];
    for (const p of payments) {
      await new Promise((r) => setTimeout(r, Math.random() * mode.pollMs));
      await b.service.cancel(p.id);
      const canceledAt = performance.now();
      const until = canceledAt + 10_000;
      while (!reverseSentAt.has(p.out_trade_no) && performance.now() < until) await new Promise((r) => setTimeout(r, 1));
      if (!reverseSentAt.has(p.out_trade_no)) throw new Error(`no reverse for ${p.id} within 10 s`);
      delays.push(reverseSentAt.get(p.out_trade_no)! - canceledAt);
    }
    delays.sort((x, y) => x - y);
    return { p50: delays[Math.floor(delays.length / 2)]!, p99: delays[delays.length - 1]!, statementsPerSecond };
  } finally {
    for (const s of servers) await s.close();
    rmSync(dataDir, { recursive: true, force: true });
    await schema.drop();
  }
}

export async function run(): Promise<void> {
  const simulator = await startSimulatorProcess();
  const rows = [];
  try {
    for (const mode of MODES) {
      const r = await measure(mode, simulator);
      rows.push({
        'cancel on B reaches A by': mode.label,
        'cancel → reverse sent, median ms': r.p50.toFixed(1),
        'max ms': r.p99.toFixed(1),
        'statements/s per waiting payment on A': r.statementsPerSecond.toFixed(2),
      });
    }
  } finally {
    await simulator.stop();
  }
  console.log(`\n${PAYMENTS} payments waiting for the password on instance A, each canceled through instance B (one PostgreSQL schema).`);
  console.table(rows);
}
