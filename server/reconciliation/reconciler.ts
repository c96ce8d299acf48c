import { randomBytes } from 'node:crypto';
import type { ReconciliationDifference, ReconciliationResult } from '../../shared/api.ts';
import type { Wallet } from '../../shared/payment-code.ts';
import { ShopError, type Shop } from '../shops/shops.ts';
import { DEFAULT_SHOP_ID, type PaymentRow, type ReconciliationDifferenceRow, type RefundWithPayment, type Store, type StoredReconciliation } from '../store/types.ts';
import { alipayBills, type AlipayBillClient } from './alipay-bills.ts';
import { addDays, beijingDate, beijingDayRange, isBillDate, monthsBefore } from './bill-day.ts';
import { compareDay, type JournalPayment, type JournalRefund } from './compare.ts';
import { combine, isSettled } from './result.ts';
import { SharedBills } from './shared-bills.ts';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { wechatBills, type DayBill, type ShopBillLine, type WalletBills, type WechatBillGateway } from './wallet-bills.ts';

/**
 * One reconciliation run: a shop's payments and refunds of a Beijing day against each enabled
 * wallet's bill of that day (WeChat's ALL bill of the shop's merchant, Alipay's trade bill),
 * compared both ways (compare.ts), one stored run per wallet, returned together. A wallet's run
 * always ends stored: a bill not published yet is `no_bill`, a gateway or journal failure
 * `error`, so the manager sees that the check did not happen.
 */
export type BillSource = WechatBillGateway;

export interface ShopSource {
  get(id: string): Promise<Shop | undefined>;
  list(): Promise<Shop[]>;
}

export interface ReconcilerDeps {
  store: Store;
  /** WeChat Pay's bills (the WeChat client). */
  gateway: BillSource;
  /** Alipay's bills, when Alipay is not off. */
  alipay?: AlipayBillClient;
  /** The journal's shops (absent: the default shop alone, on the configured merchant). */
  shops?: ShopSource;
  now?: () => number;
}

/** WeChat keeps bills for 3 months. */
export const BILL_WINDOW_MONTHS = 3;
/** A payment started this close to midnight may be paid, and billed, on the next day. */
const MIDNIGHT_EDGE_MS = 10 * 60_000;
const REFUND_PAGE = 500;
/** Bill lines looked up in the journal per event-loop turn: payments keep being answered in between. */
const OWNER_SLICE = 2_000;

export class DateOutsideWindow extends Error {}

export interface RunOptions {
  /** Compare again only the wallets whose latest run did not compare (no_bill with payments waiting, error): the daily job's retries. */
  pendingOnly?: boolean;
  /**
   * This run is one of a pass over the chain's shops (the daily job): a bill the pass read for
   * another shop on the same account a moment ago is used again. Without it the wallet is asked
   * anew, so a manager comparing again sees what the wallet holds now.
   */
  reuseBills?: boolean;
}

export class Reconciler {
  readonly #store: Store;
  readonly #wallets: readonly WalletBills[];
  readonly #shops: ShopSource | undefined;
  readonly #now: () => number;
  readonly #bills: SharedBills;
  /** Which shop each line of a bill read belongs to in the journal, worked out once per bill. */
  readonly #owners = new WeakMap<readonly ShopBillLine[], Promise<Map<string, string>>>();

  constructor(deps: ReconcilerDeps) {
    this.#store = deps.store;
    this.#wallets = [wechatBills(deps.gateway), ...(deps.alipay ? [alipayBills(deps.alipay)] : [])];
    this.#shops = deps.shops;
    this.#now = deps.now ?? Date.now;
    this.#bills = new SharedBills(this.#now);
  }

  /** Every shop's id, the default shop first (the daily job reconciles each). */
  async shopIds(): Promise<string[]> {
    const ids = (await this.#shops?.list())?.map((s) => s.id) ?? [];
    return [DEFAULT_SHOP_ID, ...ids.filter((id) => id !== DEFAULT_SHOP_ID)];
  }

  /** Throws DateOutsideWindow unless `date` is a Beijing day from 3 months ago up to today. */
  checkDate(date: string): void {
    if (!isBillDate(date)) throw new DateOutsideWindow(`"${date}" is not a date written YYYY-MM-DD.`);
    const today = beijingDate(this.#now());
    if (date > today) throw new DateOutsideWindow(`${date} is in the future (today is ${today} in Beijing time).`);
    const oldest = monthsBefore(today, BILL_WINDOW_MONTHS);
    if (date < oldest) throw new DateOutsideWindow(`${date} is older than WeChat keeps bills (3 months: from ${oldest}).`);
  }

  /** Compares a shop's journal (default: the default shop's) with each wallet's bill of a Beijing day now, stores and returns the result. */
  async run(date: string, shopId: string = DEFAULT_SHOP_ID, options: RunOptions = {}): Promise<ReconciliationResult> {
    this.checkDate(date);
    const shop = await this.#shop(shopId);
    const runAt = this.#now();
    const runs: StoredReconciliation[] = [];
    for (const bills of this.#wallets) {
      if (options.pendingOnly) {
        const before = await this.#store.latestReconciliation(date, shopId, bills.wallet);
        if (before && isSettled(before)) {
          runs.push(before);
          continue;
        }
      }
      let stored: StoredReconciliation;
      try {
        stored = await this.#compare(date, runAt, shopId, shop, bills, options.reuseBills === true);
      } catch (error) {
        stored = failed(date, runAt, shopId, bills.wallet, 'error', `${bills.label}: ${(error as Error).message}`);
      }
      await this.#store.saveReconciliation(stored);
      runs.push(stored);
    }
    return combine(date, shopId, runs);
  }

  /** The latest comparison of each wallet's bill of the day for a shop, together; undefined when none ran. */
  async latest(date: string, shopId: string = DEFAULT_SHOP_ID): Promise<ReconciliationResult | undefined> {
    const runs: StoredReconciliation[] = [];
    for (const { wallet } of this.#wallets) {
      const stored = await this.#store.latestReconciliation(date, shopId, wallet);
      if (stored) runs.push(stored);
    }
    return runs.length === 0 ? undefined : combine(date, shopId, runs);
  }

  async #shop(shopId: string): Promise<Shop | undefined> {
    const shop = await this.#shops?.get(shopId);
    if (!shop && shopId !== DEFAULT_SHOP_ID) throw new ShopError('UNKNOWN_SHOP', `no shop "${shopId}"`);
    return shop;
  }

  async #compare(date: string, runAt: number, shopId: string, shop: Shop | undefined, bills: WalletBills, reuseBills: boolean): Promise<StoredReconciliation> {
    const { fromMs, toMs } = beijingDayRange(date);
    const wallet = bills.wallet;
    // Each wallet's bill knows that wallet's payments only, and a shop's bill its own shop's.
    const dayPayments = (await this.#store.paymentsCreatedBetween(fromMs, toMs, shopId)).filter((p) => p.wallet === wallet);
    const dayRefunds = (await this.#refundsBetween(fromMs, toMs, shopId)).filter((r) => r.wallet === wallet);

    const fetched = await this.#bill(bills, date, shop, reuseBills);
    if (fetched.kind !== 'ok') return failed(date, runAt, shopId, wallet, fetched.kind, fetched.message, dayPayments.filter((p) => p.status === 'succeeded').length);

    const known = new Set(dayPayments.map((p) => p.out_trade_no));
    const owners = await this.#ownersOf(fetched.lines);
    const shopIds = new Set(await this.shopIds());
    // A line is this shop's when its payment is, or, paid outside the journal, when the wallet says so.
    const bill = fetched.lines.filter((line) => {
      if (known.has(line.out_trade_no)) return true;
      const owner = owners.get(line.out_trade_no);
      return owner !== undefined ? owner === shopId : bills.ownsUnclaimed(line, shop, shopIds);
    });
    // This shop's payments of another day on this day's bill (paid after midnight, refunded today).
    const elsewhere = await this.#store.paymentsByOutTradeNo([...new Set(bill.filter((l) => !known.has(l.out_trade_no) && owners.has(l.out_trade_no)).map((l) => l.out_trade_no))]);

    const knownRefunds = new Set(dayRefunds.map((r) => r.id));
    const refundsElsewhere: JournalRefund[] = [];
    for (const line of bill) {
      if (line.trade_state !== 'REFUND' || !line.out_refund_no || knownRefunds.has(line.out_refund_no)) continue;
      const refund = await this.#store.refund(line.out_refund_no);
      const payment = refund && (await this.#store.payment(refund.payment_id));
      if (refund && payment && payment.shop_id === shopId) refundsElsewhere.push(journalRefund({ ...refund, payment }));
    }

    const comparison = compareDay({
      wallet,
      payments: dayPayments.map(journalPayment),
      elsewhere: elsewhere.map(journalPayment),
      refunds: dayRefunds.map(journalRefund),
      refundsElsewhere,
      bill,
      paidOnNeighbourDay: await this.#paidNextDay(date, toMs, dayPayments, bill, shop, bills, reuseBills),
    });
    return {
      run: {
        id: runId(runAt),
        bill_date: date,
        shop_id: shopId,
        wallet,
        status: comparison.differences.length === 0 ? 'matched' : 'differences',
        run_at: runAt,
        journal_count: comparison.counts.journal,
        bill_count: comparison.counts.bill,
        matched_count: comparison.counts.matched,
        error: null,
      },
      differences: comparison.differences.map(toRow),
    };
  }

  /** A wallet's bill of a day: the pass's shared read when `reuse`, else asked of the wallet now. */
  #bill(bills: WalletBills, date: string, shop: Shop | undefined, reuse: boolean, options: { paidOnly?: boolean } = {}): Promise<DayBill> {
    return reuse ? this.#bills.day(bills, date, shop, options) : bills.day(date, shop, options);
  }

  /**
   * Succeeded payments started in the day's last minutes and absent from its bill may have been
   * paid after midnight: the next day's bill, when the wallet has one, settles it. Without it they
   * stay reported as missing at the wallet (a later run, once that bill exists, clears them).
   */
  async #paidNextDay(date: string, dayEnd: number, payments: readonly PaymentRow[], bill: readonly ShopBillLine[], shop: Shop | undefined, bills: WalletBills, reuseBills: boolean): Promise<Set<string>> {
    const paidOnBill = new Set(bill.filter((r) => r.trade_state === 'SUCCESS').map((r) => r.out_trade_no));
    const candidates = payments.filter((p) => p.status === 'succeeded' && p.created_at >= dayEnd - MIDNIGHT_EDGE_MS && !paidOnBill.has(p.out_trade_no));
    const next = addDays(date, 1);
    if (candidates.length === 0 || next > beijingDate(this.#now())) return new Set();
    const fetched = await this.#bill(bills, next, shop, reuseBills, { paidOnly: true });
    if (fetched.kind !== 'ok') return new Set();
    const paid = new Set(fetched.lines.filter((r) => r.trade_state === 'SUCCESS').map((r) => r.out_trade_no));
    return new Set(candidates.map((p) => p.out_trade_no).filter((n) => paid.has(n)));
  }

  /**
   * The shop of every bill line's payment that the journal has (any day), looked up once per
   * bill read, in slices with a turn of the event loop between them: a chain's shared bill has
   * every shop's lines, and looking them all up again for each shop, in one go, held payments
   * up for a second at a time.
   */
  #ownersOf(lines: readonly ShopBillLine[]): Promise<Map<string, string>> {
    let owners = this.#owners.get(lines);
    if (!owners) {
      owners = (async () => {
        const numbers = [...new Set(lines.map((l) => l.out_trade_no))];
        const found = new Map<string, string>();
        for (let i = 0; i < numbers.length; i += OWNER_SLICE) {
          if (i > 0) await nextTurn();
          for (const p of await this.#store.paymentsByOutTradeNo(numbers.slice(i, i + OWNER_SLICE))) found.set(p.out_trade_no, p.shop_id);
        }
        return found;
      })();
      this.#owners.set(lines, owners);
      // A failed look-up is not kept: the next run asks the journal again.
      owners.catch(() => this.#owners.delete(lines));
    }
    return owners;
  }

  async #refundsBetween(fromMs: number, toMs: number, shopId: string): Promise<RefundWithPayment[]> {
    const all: RefundWithPayment[] = [];
    let after: { created_at: number; id: string } | undefined;
    for (;;) {
      const page = await this.#store.refundsChronological({ fromMs, toMs, shopId, limit: REFUND_PAGE, ...(after ? { after } : {}) });
      all.push(...page);
      if (page.length < REFUND_PAGE) return all;
      const last = page.at(-1)!;
      after = { created_at: last.created_at, id: last.id };
    }
  }
}

const journalPayment = (p: PaymentRow): JournalPayment => ({ id: p.id, out_trade_no: p.out_trade_no, amount_fen: p.amount_fen, status: p.status, transaction_id: p.transaction_id });
const journalRefund = (r: RefundWithPayment): JournalRefund => ({ id: r.id, out_trade_no: r.payment.out_trade_no, amount_fen: r.amount_fen, status: r.status, refund_id: r.refund_id });

/** Sorts by time, so the latest run of a day is also the greatest id. */
const runId = (at: number) => `${at.toString(36).padStart(9, '0')}${randomBytes(4).toString('hex')}`;

function failed(date: string, runAt: number, shopId: string, wallet: Wallet, status: 'no_bill' | 'error', error: string, journalCount = 0): StoredReconciliation {
  return {
    run: { id: runId(runAt), bill_date: date, shop_id: shopId, wallet, status, run_at: runAt, journal_count: journalCount, bill_count: 0, matched_count: 0, error },
    differences: [],
  };
}

function toRow(d: ReconciliationDifference): ReconciliationDifferenceRow {
  return {
    kind: d.kind,
    out_trade_no: d.out_trade_no,
    out_refund_no: d.out_refund_no ?? null,
    payment_id: d.payment_id ?? null,
    transaction_id: d.transaction_id ?? null,
    journal_fen: d.journal_fen ?? null,
    bill_fen: d.bill_fen ?? null,
    journal_status: d.journal_status ?? null,
    bill_status: d.bill_status ?? null,
  };
}

