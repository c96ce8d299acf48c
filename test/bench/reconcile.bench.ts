/**
 * A chain's daily reconciliation (`npm run bench -- reconcile`): 20 shops on one merchant
 * account, 2,500 WeChat payments each on one day (50,000 in all), one ALL bill listing them all;
 * the daily job's pass over every shop, as one instance runs it. Shown: time for the whole chain,
 * bill downloads, bill lines looked up in the journal, and the longest the event loop was held
 * (payments wait that long). Beside it, the same shops each reconciled on its own (a reconciler
 * per shop, so nothing read for one shop serves the next: each shop downloads, parses and looks
 * up the whole bill, as every shop did before bills were shared). The gateway is in process: each download parses the rendered bill text, as the
 * WeChat client does, without the network's time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Reconciler } from '../../server/reconciliation/reconciler.ts';
import { renderBill } from '../../server/simulator/bill.ts';
import type { BillRecord } from '../../server/simulator/ledger/index.ts';
import { openSqliteStore } from '../../server/store/sqlite.ts';
import type { Store } from '../../server/store/types.ts';
import { parseBill } from '../../server/wechat/bill.ts';
import { newPayment } from '../support/journal-rows.ts';

const SHOPS = 20;
const PER_SHOP = 2_500;
const DATE = '2026-11-28';
/** The next day, 12:00 Beijing: the bill is out. */
const NOW = Date.UTC(2026, 10, 29, 4, 0, 0);
const MERCHANT = { appid: 'wx00000000sim00000', mch_id: '1900000109' };

interface Pass {
  seconds: number;
  downloads: number;
  lookedUp: number;
  longestHoldMs: number;
  matched: number;
}

async function pass(store: Store, bill: string, shops: { id: string; name: string; timeZone: string }[], shared: boolean): Promise<Pass> {
  let downloads = 0;
  let lookedUp = 0;
  const counted = new Proxy(store, {
    get: (target, key) =>
      key === 'paymentsByOutTradeNo'
        ? (numbers: readonly string[]) => {
            lookedUp += numbers.length;
            return target.paymentsByOutTradeNo(numbers);
          }
        : Reflect.get(target, key),
  });
  const reconciler = () =>
    new Reconciler({
      store: counted,
      now: () => NOW,
      shops: { get: async (id) => shops.find((s) => s.id === id), list: async () => shops },
      gateway: {
        async downloadBill() {
          downloads++;
          return { kind: 'ok', value: parseBill(bill), fields: {} };
        },
      },
    });
  const one = reconciler();
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const started = performance.now();
  let matched = 0;
  for (const shop of await one.shopIds()) {
    const result = await (shared ? one : reconciler()).run(DATE, shop, { reuseBills: shared });
    if (result.status !== 'matched') throw new Error(`shop ${shop}: ${result.status} ${result.error ?? ''}`);
    matched += result.counts.matched;
  }
  const seconds = (performance.now() - started) / 1000;
  delay.disable();
  return { seconds, downloads, lookedUp, longestHoldMs: delay.max / 1e6, matched };
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pos-reconcile-bench-'));
  const store = openSqliteStore(dir);
  try {
    const shops = Array.from({ length: SHOPS }, (_, i) => ({ id: i === 0 ? 'default' : `shop-${i}`, name: `Shop ${i}`, timeZone: 'Asia/Shanghai' }));
    for (const s of shops.slice(1)) await store.createShop({ id: s.id, name: s.name, time_zone: null, sub_mch_id: null, sub_appid: null, manager_pin_hash: null, created_at: 0 });
    const dayStart = Date.UTC(2026, 10, 28, 1);
    const records: BillRecord[] = [];
    let n = 0;
    for (const shop of shops) {
      const inserts = [];
      for (let i = 0; i < PER_SHOP; i++) {
        const at = dayStart + ++n * 100;
        const id = `p${n}`;
        inserts.push(store.insertPayment(newPayment({ id, out_trade_no: `o${n}`, terminal_id: id, shop_id: shop.id, status: 'succeeded', step: 'done', created_at: at, transaction_id: `42o${n}` }, at)));
        records.push({ time: new Date(at), kind: 'SUCCESS', transaction_id: `42o${n}`, out_trade_no: `o${n}`, openid: 'o', body: 'Shop', total_fee: 100, discount_fee: 0, settlement_fee: 100 });
      }
      await Promise.all(inserts);
    }
    const bill = renderBill(records, MERCHANT, 'ALL');

    // Each way twice, taking turns; the second of each is shown (the first pays for warming up).
    await pass(store, bill, shops, false);
    await pass(store, bill, shops, true);
    const apart = await pass(store, bill, shops, false);
    const shared = await pass(store, bill, shops, true);
    if (apart.matched !== n || shared.matched !== n) throw new Error(`matched ${apart.matched} / ${shared.matched} of ${n}`);

    console.log(`\nA chain's daily reconciliation: ${SHOPS} shops on one merchant account, ${n.toLocaleString('en')} payments on ${DATE} (one ALL bill of ${(bill.length / 1e6).toFixed(1)} MB), SQLite journal, every shop matched.`);
    const row = (label: string, p: Pass) => ({
      '': label,
      'whole chain (s)': p.seconds.toFixed(2),
      'bill downloads': p.downloads,
      'bill lines looked up in the journal': p.lookedUp.toLocaleString('en'),
      'longest event-loop hold (ms)': p.longestHoldMs.toFixed(0),
    });
    console.table([row('each shop on its own (a reconciler per shop)', apart), row('one pass, the bill shared', shared)]);
    console.log(`shared / apart: ${(apart.seconds / shared.seconds).toFixed(1)}× faster, the longest hold ${(apart.longestHoldMs / shared.longestHoldMs).toFixed(1)}× shorter`);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
