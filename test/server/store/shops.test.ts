import Database from 'better-sqlite3';
import postgres from 'postgres';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../../server/store/migrations.ts';
import { migratePostgres, openPostgresStore } from '../../../server/store/postgres.ts';
import { PG_MIGRATIONS } from '../../../server/store/postgres-migrations.ts';
import { migrate, openSqliteStore } from '../../../server/store/sqlite.ts';
import type { ShopRow, Store } from '../../../server/store/types.ts';
import { createTestSchema } from '../../support/postgres.ts';
import { refundAt, settledPayment } from '../../support/journal-rows.ts';

/**
 * Shops in the store, part of the store contract: every per-shop read returns that shop's rows
 * only, on SQLite and on PostgreSQL alike.
 */

const T0 = Date.UTC(2026, 10, 28, 2, 0, 0);
const DAY = { fromMs: T0 - 3_600_000, toMs: T0 + 3_600_000 };

const STORES: [string, () => Promise<{ store: Store; dispose(): Promise<void> }>][] = [
  ['SQLite', async () => ({ store: openSqliteStore(':memory:'), dispose: async () => undefined })],
  [
    'PostgreSQL',
    async () => {
      const schema = await createTestSchema('shops');
      return { store: await openPostgresStore(schema.url(2)), dispose: () => schema.drop() };
    },
  ],
];

const shopRow = (id: string, name: string, over: Partial<ShopRow> = {}): ShopRow => ({
  id,
  name,
  time_zone: null,
  sub_mch_id: null,
  sub_appid: null,
  manager_pin_hash: null,
  created_at: T0,
  ...over,
});
const terminal = (id: string, shop_id?: string) => ({ id, name: id, created_at: T0, paired_at: null, ...(shop_id ? { shop_id } : {}) });
const token = (terminal_id: string) => ({ token_hash: `tok_${terminal_id}`, terminal_id, created_at: T0 });
const code = (terminal_id: string) => ({ code_hash: `code_${terminal_id}`, terminal_id, expires_at: T0 + 1 });

describe.each(STORES)('%s', (_name, open) => {
  let store: Store;
  let dispose: () => Promise<void>;

  beforeEach(async () => {
    ({ store, dispose } = await open());
  });
  afterEach(async () => {
    await store.close();
    await dispose();
  });

  /** Two shops, a terminal in each, a paid and refunded payment in each. */
  async function twoShops(): Promise<void> {
    expect(await store.createShop(shopRow('s-b', 'Branch B', { sub_mch_id: '1900000109' }))).toBe(true);
    await store.createTerminal(terminal('ta'), token('ta'), code('ta'));
    await store.createTerminal(terminal('tb', 's-b'), token('tb'), code('tb'));
    await store.insertPayment(settledPayment('pa', T0, { terminal_id: 'ta', amount_fen: 1000 }));
    await store.insertPayment(settledPayment('pb', T0 + 1, { terminal_id: 'tb', amount_fen: 2000, shop_id: 's-b' }));
    await store.insertRefund(refundAt('ra', 'pa', 100, T0 + 2, { status: 'succeeded', step: 'done' }));
    await store.insertRefund(refundAt('rb', 'pb', 200, T0 + 3, { status: 'succeeded', step: 'done' }));
  }

  it('has the default shop from the start, its fields left to the server configuration', async () => {
    expect(await store.listShops()).toEqual([shopRow('default', null as unknown as string, { created_at: 0 })]);
  });

  it('creates a shop once per name (case-insensitive) and id, and reads every field back', async () => {
    const row = shopRow('s-1', 'Nanjing Road', { time_zone: 'Asia/Urumqi', sub_mch_id: '1900000109', sub_appid: 'wx8888888888888888', manager_pin_hash: 'scrypt$x' });
    expect(await store.createShop(row)).toBe(true);
    expect(await store.createShop(shopRow('s-2', 'NANJING road'))).toBe(false);
    expect(await store.createShop(shopRow('s-1', 'Other'))).toBe(false);
    expect(await store.shop('s-1')).toEqual(row);
    expect((await store.listShops()).map((s) => s.id)).toEqual(['default', 's-1']);
    expect(await store.setShopPin('s-1', 'scrypt$y')).toBe(true);
    expect((await store.shop('s-1'))?.manager_pin_hash).toBe('scrypt$y');
    expect(await store.setShopPin('nope', 'scrypt$y')).toBe(false);
  });

  it('keeps each terminal in its shop and refuses a terminal of a shop that does not exist', async () => {
    await twoShops();
    expect(await store.terminal('tb')).toMatchObject({ id: 'tb', shop_id: 's-b' });
    expect((await store.terminal('ta'))?.shop_id).toBeUndefined();
    expect((await store.listTerminals('s-b')).map((t) => t.id)).toEqual(['tb']);
    expect((await store.listTerminals('default')).map((t) => t.id)).toEqual(['ta']);
    expect((await store.listTerminals()).map((t) => t.id).sort()).toEqual(['ta', 'tb']);
    await expect(store.createTerminal(terminal('tx', 'no-such-shop'), token('tx'), code('tx'))).rejects.toThrow();
  });

  it('reads pages, totals, groups and exports of one shop only', async () => {
    await twoShops();
    expect((await store.payment('pb'))?.shop_id).toBe('s-b');
    expect((await store.payment('pa'))?.shop_id).toBe('default');
    const page = (shopId?: string) => store.paymentsPage({ ...DAY, limit: 10, ...(shopId ? { shopId } : {}) });
    expect((await page('s-b')).map((p) => p.id)).toEqual(['pb']);
    expect((await page('default')).map((p) => p.id)).toEqual(['pa']);
    expect((await page()).map((p) => p.id)).toEqual(['pb', 'pa']);
    expect(await store.paymentTotals(DAY.fromMs, DAY.toMs, 's-b')).toMatchObject({ count: 1, succeeded_count: 1, succeeded_fen: 2000, refunded_fen: 200 });
    expect(await store.paymentTotals(DAY.fromMs, DAY.toMs)).toMatchObject({ count: 2, succeeded_count: 2, succeeded_fen: 3000, refunded_fen: 300 });
    expect((await store.paymentGroups({ ...DAY, shopId: 's-b' })).map((g) => g.terminal_id)).toEqual(['tb']);
    expect((await store.refundGroups({ ...DAY, shopId: 'default' })).map((g) => g.refunded_fen)).toEqual([100]);
    expect((await store.paymentsChronological({ ...DAY, limit: 10, shopId: 's-b' })).map((p) => p.id)).toEqual(['pb']);
    expect((await store.refundsChronological({ ...DAY, limit: 10, shopId: 'default' })).map((r) => r.id)).toEqual(['ra']);
    expect((await store.refundsChronological({ ...DAY, limit: 10 })).map((r) => r.id)).toEqual(['ra', 'rb']);
  });

  it("sums one shop's day per wallet, and the whole journal's across shops", async () => {
    await twoShops();
    await store.insertPayment(settledPayment('pb-ali', T0 + 4, { terminal_id: 'tb', amount_fen: 500, shop_id: 's-b', wallet: 'alipay', auth_code_masked: '28**************1234' }));
    // No coupons here: each payment is settled its amount.
    const sums = (count: number, succeeded_fen: number, refunded_fen: number) => ({ count, succeeded_count: count, succeeded_fen, coupon_fen: 0, settlement_fen: succeeded_fen, refunded_fen });
    const line = (wallet: string, count: number, succeeded_fen: number, refunded_fen: number) => ({ wallet, ...sums(count, succeeded_fen, refunded_fen) });
    expect(await store.paymentTotals(DAY.fromMs, DAY.toMs, 's-b')).toEqual({
      ...sums(2, 2500, 200),
      by_wallet: [line('wechat', 1, 2000, 200), line('alipay', 1, 500, 0)],
    });
    expect(await store.paymentTotals(DAY.fromMs, DAY.toMs, 'default')).toEqual({ ...sums(1, 1000, 100), by_wallet: [line('wechat', 1, 1000, 100)] });
    expect(await store.paymentTotals(DAY.fromMs, DAY.toMs)).toEqual({
      ...sums(3, 3500, 300),
      by_wallet: [line('wechat', 2, 3000, 300), line('alipay', 1, 500, 0)],
    });
  });

  it("reads a token's terminal with its shift status in its own shop in one answer, as terminalByTokenHash and shiftStatus do", async () => {
    await twoShops();
    const cashier = (id: string, shop_id: string) => ({ id, name: 'Wang', pin_hash: 'scrypt$x', created_at: T0, removed_at: null, shop_id });
    const separately = async (hash: string) => {
      const terminal = (await store.terminalByTokenHash(hash))!;
      return { terminal, shift: await store.shiftStatus(terminal.id, terminal.shop_id ?? 'default') };
    };
    expect(await store.terminalWithShiftByTokenHash('tok_tb')).toEqual(await separately('tok_tb'));
    expect(await store.terminalWithShiftByTokenHash('tok_tb')).toEqual({ terminal: terminal('tb', 's-b'), shift: { open: undefined, hasCashiers: false } });
    // Another shop's cashiers do not count; the terminal's own shop's do.
    await store.createCashier(cashier('c-a', 'default'));
    expect((await store.terminalWithShiftByTokenHash('tok_tb'))?.shift).toEqual({ open: undefined, hasCashiers: false });
    await store.createCashier(cashier('c-b', 's-b'));
    await store.openShift({ id: 'sh-b', terminal_id: 'tb', cashier_id: 'c-b', cashier_name: 'Wang', opened_at: T0, shop_id: 's-b' });
    const withShift = await store.terminalWithShiftByTokenHash('tok_tb');
    expect(withShift).toEqual(await separately('tok_tb'));
    expect(withShift).toMatchObject({ terminal: { id: 'tb', shop_id: 's-b' }, shift: { open: { id: 'sh-b', terminal_id: 'tb', shop_id: 's-b', cashier_id: 'c-b', closed_at: null }, hasCashiers: true } });
    expect(await store.terminalWithShiftByTokenHash('tok_ta')).toEqual(await separately('tok_ta'));
    expect((await store.terminalWithShiftByTokenHash('tok_ta'))?.shift).toEqual({ open: undefined, hasCashiers: true });
    // A closed shift is no open shift; a revoked token finds nothing.
    await store.closeShift('sh-b', T0 + 5, 'tb');
    expect((await store.terminalWithShiftByTokenHash('tok_tb'))?.shift).toEqual({ open: undefined, hasCashiers: true });
    await store.revokeTokens('tb');
    expect(await store.terminalWithShiftByTokenHash('tok_tb')).toBeUndefined();
  });

  it('keeps cashiers and shifts per shop: a name may repeat in another shop', async () => {
    await twoShops();
    const cashier = (id: string, shop_id: string) => ({ id, name: 'Wang', pin_hash: 'scrypt$x', created_at: T0, removed_at: null, shop_id });
    expect(await store.createCashier(cashier('c-a', 'default'))).toBe(true);
    expect(await store.createCashier(cashier('c-b', 's-b'))).toBe(true);
    expect(await store.createCashier(cashier('c-b2', 's-b'))).toBe(false);
    expect((await store.cashiers('s-b')).map((c) => c.id)).toEqual(['c-b']);
    expect(await store.hasCashiers('s-b')).toBe(true);
    expect(await store.createShop(shopRow('s-c', 'Branch C'))).toBe(true);
    expect(await store.hasCashiers('s-c')).toBe(false);
    expect(await store.shiftStatus('tb', 's-c')).toEqual({ open: undefined, hasCashiers: false });
    await store.openShift({ id: 'sh-b', terminal_id: 'tb', cashier_id: 'c-b', cashier_name: 'Wang', opened_at: T0, shop_id: 's-b' });
    await store.openShift({ id: 'sh-a', terminal_id: 'ta', cashier_id: 'c-a', cashier_name: 'Wang', opened_at: T0 });
    expect((await store.shift('sh-b'))?.shop_id).toBe('s-b');
    expect(await store.shiftStatus('tb', 's-b')).toMatchObject({ open: { id: 'sh-b', shop_id: 's-b' }, hasCashiers: true });
    expect((await store.shiftsOpenedBetween(DAY.fromMs, DAY.toMs, 's-b')).map((s) => s.id)).toEqual(['sh-b']);
    expect((await store.shiftsOpenedBetween(DAY.fromMs, DAY.toMs, 'default')).map((s) => s.id)).toEqual(['sh-a']);
  });
});

/** The migration that brings shops (same number on both stores). */
const SHOPS_MIGRATION = 8;

describe(`migration ${SHOPS_MIGRATION}: shops`, () => {
  const before = MIGRATIONS.filter((m) => m.version < SHOPS_MIGRATION);

  it('puts the terminals, payments, shifts and cashiers of an existing SQLite journal in the default shop', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
    for (const m of before) {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations VALUES (?, ?, 0)').run(m.version, m.name);
    }
    seedBeforeShops((sql, ...args) => db.prepare(sql).run(...args));
    expect(migrate(db)).toEqual(MIGRATIONS.filter((m) => m.version >= SHOPS_MIGRATION).map((m) => m.version));
    for (const table of ['terminals', 'payments', 'shifts', 'cashiers']) {
      expect(db.prepare(`SELECT shop_id FROM ${table}`).pluck().all()).toEqual(['default']);
    }
    expect(db.prepare('SELECT role FROM terminals').pluck().all()).toEqual(['owner']);
    expect(db.pragma('foreign_key_check')).toEqual([]);
    db.close();
  });

  it('does the same on PostgreSQL', async () => {
    const schema = await createTestSchema('shops_migration');
    const sql = postgres(schema.url(1), { onnotice: () => {} });
    try {
      await migratePostgres(sql, PG_MIGRATIONS.filter((m) => m.version < SHOPS_MIGRATION));
      const statements: [string, (string | number)[]][] = [];
      seedBeforeShops((text, ...args) => statements.push([text, args]));
      for (const [text, args] of statements) {
        let n = 0;
        await sql.unsafe(text.replace(/\?/g, () => `$${++n}`), args);
      }
      await migratePostgres(sql, PG_MIGRATIONS);
      for (const table of ['terminals', 'payments', 'shifts', 'cashiers']) {
        expect((await sql.unsafe(`SELECT shop_id FROM ${table}`)).map((r) => r.shop_id)).toEqual(['default']);
      }
      expect((await sql`SELECT role FROM terminals`).map((r) => r.role)).toEqual(['owner']);
    } finally {
      await sql.end();
      await schema.drop();
    }
  });
});

/** One row of each shop-owned table as the schema had them just before shops. */
function seedBeforeShops(run: (sql: string, ...args: (string | number)[]) => unknown): void {
  run("INSERT INTO terminals (id, name, created_at, role) VALUES ('t-old', 'Front till', ?, 'owner')", T0);
  run("INSERT INTO cashiers (id, name, pin_hash, created_at) VALUES ('c-old', 'Wang', 'scrypt$x', ?)", T0);
  run("INSERT INTO shifts (id, terminal_id, cashier_id, cashier_name, opened_at) VALUES ('s-old', 't-old', 'c-old', 'Wang', ?)", T0);
  run(
    `INSERT INTO payments (id, out_trade_no, terminal_id, amount_fen, auth_code_masked, auth_code_hash, status, step, deadline_at, reverse_after, next_at, created_at, updated_at)
     VALUES ('p-old', 'o-old', 't-old', 100, '1300**********1234', 'h', 'succeeded', 'done', ?, ?, ?, ?, ?)`,
    T0, T0, T0, T0, T0,
  );
}
