/**
 * The payment list on a busy day: 48,809 payments in one shop day (the day that took 2.1 s to
 * list whole and held /api/health up for 5.5 s). Each call runs on the event loop (better-sqlite3
 * is synchronous), so its time is how long every other request waits. Compared: the whole day
 * as the list used to read it (every row, mapped and serialised), a page of 50 (first, deep in
 * the day, filtered by terminal, searched), and the whole day's totals alone.
 * Run: npx tsx test/bench/run.ts list
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { listPayments } from '../../server/payments/list.ts';
import { localDayRange } from '../../server/payments/shop-time.ts';
import { paymentView } from '../../server/payments/view.ts';
import { migrate, openSqliteStore } from '../../server/store/sqlite.ts';

const DAY_PAYMENTS = 48_809;
const ZONE = 'Asia/Shanghai';
const DATE = '2026-11-28';
const RUNS = 15;

function fill(path: string): void {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  migrate(db);
  const { from } = localDayRange(DATE, ZONE);
  const insert = db.prepare(`INSERT INTO payments (id, out_trade_no, terminal_id, amount_fen, auth_code_masked, auth_code_hash, status, step,
    transaction_id, deadline_at, reverse_after, next_at, created_at, updated_at)
    VALUES (@id, @otn, @terminal, @amount, '1300**********0000', 'h', @status, 'done', @txn, @at, @at, @at, @at, @at)`);
  db.transaction(() => {
    for (let i = 0; i < DAY_PAYMENTS; i++) {
      const at = from + Math.floor((i * 86_000_000) / DAY_PAYMENTS);
      const hex = i.toString(16).padStart(12, '0');
      insert.run({ id: `p${i}`, otn: `P20261128000000${hex}`, terminal: `t-${i % 8}`, amount: 100 + (i % 5000), status: i % 20 ? 'succeeded' : 'failed', txn: i % 20 ? `42000000012026112800${String(i).padStart(8, '0')}` : null, at });
    }
  })();
  db.close();
}

async function time(fn: () => Promise<unknown>): Promise<{ median: number; max: number; bytes: number }> {
  let bytes = 0;
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    bytes = JSON.stringify(await fn()).length;
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(RUNS / 2)]!, max: times[RUNS - 1]!, bytes };
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'list-bench-'));
  try {
    fill(join(dir, 'micropay.sqlite'));
    const store = openSqliteStore(dir);
    const { from, to } = localDayRange(DATE, ZONE);
    const first = await listPayments(store, ZONE, { date: DATE, limit: 50 });
    let deep = first;
    for (let i = 0; i < 400 && deep.next_cursor; i++) deep = await listPayments(store, ZONE, { date: DATE, limit: 50, cursor: deep.next_cursor });
    const rows = {
      'whole day, as the list used to read it (every row mapped and serialised)': await time(async () => (await store.paymentsCreatedBetween(from, to)).map(paymentView)),
      'first page of 50 + whole-day totals': await time(() => listPayments(store, ZONE, { date: DATE, limit: 50 })),
      'page 401 of 50 (cursor deep in the day) + totals': await time(() => listPayments(store, ZONE, { date: DATE, limit: 50, cursor: deep.next_cursor! })),
      'one terminal, first page + totals': await time(() => listPayments(store, ZONE, { date: DATE, limit: 50, terminal: 't-3' })),
      'search by amount (25.80) + totals': await time(() => listPayments(store, ZONE, { date: DATE, limit: 50, q: '25.80' })),
      'search by a number tail matching one payment + totals': await time(() => listPayments(store, ZONE, { date: DATE, limit: 50, q: '00048000' })),
      // What the API asks since shops: the terminal's shop only (index payments_shop_day).
      "one shop's first page + its totals (as the API asks)": await time(() => listPayments(store, ZONE, { date: DATE, limit: 50, shop: { id: 'default', timeZone: ZONE } })),
      "one shop's page 401 + its totals": await time(() => listPayments(store, ZONE, { date: DATE, limit: 50, cursor: deep.next_cursor!, shop: { id: 'default', timeZone: ZONE } })),
      'whole-day totals alone': await time(() => store.paymentTotals(from, to)),
      'first page of 50 alone (no totals)': await time(() => store.paymentsPage({ fromMs: from, toMs: to, limit: 51 })),
    };
    console.log(`\nGET /api/payments on a day of ${DAY_PAYMENTS.toLocaleString('en')} payments (ms on the event loop, ${RUNS} runs):`);
    console.table(Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, { 'median ms': +v.median.toFixed(1), 'max ms': +v.max.toFixed(1), 'answer KB': +(v.bytes / 1024).toFixed(1) }])));
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
