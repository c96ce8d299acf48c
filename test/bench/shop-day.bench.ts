/**
 * A month of a busy shop: 31 days × 3,000 payments (one refund in 50) in the SQLite journal, then
 *  1. the payments CSV of the whole month, streamed to nowhere as a client would read it;
 *  2. the owner's report of the month (and the month it is compared with).
 * For each: the time it takes and how long the event loop was held up meanwhile (a ticker on
 * setImmediate records the gaps between its turns: the 99th percentile and the longest), which is
 * what a payment arriving during an export or a report would wait. The same ticker on an idle
 * loop for 3 s gives the machine's own noise (this 2-core machine is shared).
 * Run: npx tsx test/bench/run.ts shop-day
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Exports } from '../../server/exports/index.ts';
import { localDayRange } from '../../server/payments/shop-time.ts';
import { Reports } from '../../server/reports/report.ts';
import { addDays } from '../../server/reports/periods.ts';
import Database from 'better-sqlite3';
import { openSqliteStore } from '../../server/store/sqlite.ts';
import { refundAt, settledPayment } from '../support/journal-rows.ts';

const TZ = 'Asia/Shanghai';
const DAYS = 31;
const PER_DAY = 3_000;
const FIRST = '2026-10-01';

function stallMeter() {
  let last = performance.now();
  const gaps: number[] = [];
  let on = true;
  const tick = () => {
    const now = performance.now();
    gaps.push(now - last);
    last = now;
    if (on) setImmediate(tick);
  };
  setImmediate(tick);
  return {
    stop: () => {
      on = false;
      const sorted = gaps.sort((a, b) => a - b);
      return { p99: sorted[Math.floor(sorted.length * 0.99)] ?? 0, max: sorted.at(-1) ?? 0 };
    },
  };
}

async function timed<T>(what: () => Promise<T>): Promise<{ ms: number; stall: { p99: number; max: number }; result: T }> {
  const meter = stallMeter();
  const started = performance.now();
  const result = await what();
  const ms = performance.now() - started;
  return { ms, stall: meter.stop(), result };
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-shop-day-'));
  // The schema from the store, the month's rows in one transaction straight into the file.
  await openSqliteStore(dir).close();
  const db = new Database(join(dir, 'micropay.sqlite'));
  const columns = Object.keys(settledPayment('x', 0));
  const insertPayment = db.prepare(`INSERT INTO payments (${columns.join(', ')}, cashier) VALUES (${columns.map((c) => '@' + c).join(', ')}, @cashier)`);
  const refundColumns = Object.keys(refundAt('r', 'x', 1, 0));
  const insertRefund = db.prepare(`INSERT INTO refunds (${refundColumns.join(', ')}) VALUES (${refundColumns.map((c) => '@' + c).join(', ')})`);
  const asSql = (row: object) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'boolean' ? Number(v) : v]));
  db.transaction(() => {
    for (let d = 0; d < DAYS; d++) {
      const day = addDays(FIRST, d);
      const { from } = localDayRange(day, TZ);
      for (let i = 0; i < PER_DAY; i++) {
        const p = settledPayment(`${day}-${String(i).padStart(5, '0')}`, from + 8 * 3_600_000 + i * 15_000, { amount_fen: 500 + (i % 97) * 13 });
        insertPayment.run({ ...asSql(p), cashier: i % 2 ? '王芳' : 'Li Lei' });
        if (i % 50 === 0) insertRefund.run(asSql({ ...refundAt(`r-${p.id}`, p.id, 100, p.created_at + 60_000), status: 'succeeded', step: 'done' }));
      }
    }
  })();
  db.close();
  const store = openSqliteStore(dir);
  try {
    await store.createTerminal({ id: 't1', name: 'Counter', created_at: 0, paired_at: null }, { token_hash: 'h1', terminal_id: 't1', created_at: 0 }, { code_hash: 'c1', terminal_id: 't1', expires_at: 1 });

    const exports = new Exports(store, TZ, (e) => console.error(e));
    const csv = await timed(async () => {
      const { stream } = await exports.payments({ from: FIRST, to: addDays(FIRST, DAYS - 1) }, 'en');
      let bytes = 0;
      for await (const chunk of stream) bytes += chunk.byteLength;
      return bytes;
    });
    const report = await timed(() => new Reports(store, TZ).build('month', FIRST));
    const idle = await timed(() => new Promise((resolve) => setTimeout(resolve, 3_000)));
    const rows = DAYS * PER_DAY;
    const line = (what: string, t: { ms: number; stall: { p99: number; max: number } }) => ({
      what,
      'time (s)': (t.ms / 1000).toFixed(2),
      'rows/s': what.startsWith('idle') ? '' : Math.round(rows / (t.ms / 1000)),
      'loop held, p99 (ms)': t.stall.p99.toFixed(1),
      'longest (ms)': t.stall.max.toFixed(1),
    });
    console.table([
      line(`payments.csv, ${rows} rows (${(csv.result / 1e6).toFixed(1)} MB)`, csv),
      line(`month report (${report.result.totals.count} payments + compared month)`, report),
      line('idle loop (the machine’s noise)', idle),
    ]);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
