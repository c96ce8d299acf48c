import { randomBytes } from 'node:crypto';
import type { ReconciliationDifference, ReconciliationResult } from '../../shared/api.ts';
import type { PaymentRow, ReconciliationDifferenceRow, RefundWithPayment, Store, StoredReconciliation } from '../store/types.ts';
import type { Bill } from '../wechat/bill.ts';
import type { BillQuery } from '../wechat/client.ts';
import type { Outcome } from '../wechat/gateway.ts';
import { addDays, beijingDate, beijingDayRange, isBillDate, monthsBefore, wireDate } from './bill-day.ts';
import { compareDay, type JournalPayment, type JournalRefund } from './compare.ts';

/**
 * One reconciliation run: the journal's payments and refunds of a Beijing day against WeChat's
 * ALL bill of that day (asked gzipped), compared both ways (compare.ts), stored and returned.
 * A run always ends with a stored result: a bill not published yet is `no_bill`, a gateway or
 * journal failure `error`, so the manager sees that the check did not happen.
 */
export interface BillSource {
  downloadBill(q: BillQuery): Promise<Outcome<Bill>>;
}

export interface ReconcilerDeps {
  store: Store;
  gateway: BillSource;
  now?: () => number;
}

/** WeChat keeps bills for 3 months. */
export const BILL_WINDOW_MONTHS = 3;
/** A payment started this close to midnight may be paid, and billed, on the next day. */
const MIDNIGHT_EDGE_MS = 10 * 60_000;
const REFUND_PAGE = 500;
/** downloadbill's error_code for a day without a bill (or not published yet). */
const NO_BILL = '20002';

export class DateOutsideWindow extends Error {}

export class Reconciler {
  readonly #store: Store;
  readonly #gateway: BillSource;
  readonly #now: () => number;

  constructor(deps: ReconcilerDeps) {
    this.#store = deps.store;
    this.#gateway = deps.gateway;
    this.#now = deps.now ?? Date.now;
  }

  /** Throws DateOutsideWindow unless `date` is a Beijing day from 3 months ago up to today. */
  checkDate(date: string): void {
    if (!isBillDate(date)) throw new DateOutsideWindow(`"${date}" is not a date written YYYY-MM-DD.`);
    const today = beijingDate(this.#now());
    if (date > today) throw new DateOutsideWindow(`${date} is in the future (today is ${today} in Beijing time).`);
    const oldest = monthsBefore(today, BILL_WINDOW_MONTHS);
    if (date < oldest) throw new DateOutsideWindow(`${date} is older than WeChat keeps bills (3 months: from ${oldest}).`);
  }

  /** Runs the comparison for a Beijing bill date now, stores and returns the result. */
  async run(date: string): Promise<ReconciliationResult> {
    this.checkDate(date);
    const runAt = this.#now();
    let stored: StoredReconciliation;
    try {
      stored = await this.#compare(date, runAt);
    } catch (error) {
      stored = failed(date, runAt, 'error', `${(error as Error).message}`);
    }
    await this.#store.saveReconciliation(stored);
    return toResult(stored);
  }

  async latest(date: string): Promise<ReconciliationResult | undefined> {
    const stored = await this.#store.latestReconciliation(date);
    return stored && toResult(stored);
  }

  async #compare(date: string, runAt: number): Promise<StoredReconciliation> {
    const { fromMs, toMs } = beijingDayRange(date);
    // WeChat's bill knows WeChat's payments only: Alipay's are reconciled against Alipay's bill (not yet).
    const dayPayments = (await this.#store.paymentsCreatedBetween(fromMs, toMs)).filter((p) => p.wallet !== 'alipay');
    const dayRefunds = (await this.#refundsBetween(fromMs, toMs)).filter((r) => r.wallet !== 'alipay');

    const outcome = await this.#gateway.downloadBill({ bill_date: wireDate(date), bill_type: 'ALL', tar_type: 'GZIP' });
    if (outcome.kind === 'rejected') {
      const noBill = outcome.fields.error_code === NO_BILL || /no bill exist/i.test(outcome.message);
      const succeeded = dayPayments.filter((p) => p.status === 'succeeded').length;
      return failed(date, runAt, noBill ? 'no_bill' : 'error', `WeChat: ${outcome.message}`, succeeded);
    }
    if (outcome.kind === 'business_error') return failed(date, runAt, 'error', `WeChat: ${outcome.code} ${outcome.description}`.trim());
    const bill = outcome.value.records;

    const known = new Set(dayPayments.map((p) => p.out_trade_no));
    const elsewhere = await this.#store.paymentsByOutTradeNo([...new Set(bill.map((r) => r.out_trade_no))].filter((n) => !known.has(n)));
    const knownRefunds = new Set(dayRefunds.map((r) => r.id));
    const refundsElsewhere: JournalRefund[] = [];
    for (const line of bill) {
      if (line.trade_state !== 'REFUND' || !line.out_refund_no || knownRefunds.has(line.out_refund_no)) continue;
      const refund = await this.#store.refund(line.out_refund_no);
      const payment = refund && (await this.#store.payment(refund.payment_id));
      if (refund && payment) refundsElsewhere.push(journalRefund({ ...refund, payment }));
    }

    const comparison = compareDay({
      payments: dayPayments.map(journalPayment),
      elsewhere: elsewhere.map(journalPayment),
      refunds: dayRefunds.map(journalRefund),
      refundsElsewhere,
      bill,
      paidOnNeighbourDay: await this.#paidNextDay(date, toMs, dayPayments, new Set(bill.filter((r) => r.trade_state === 'SUCCESS').map((r) => r.out_trade_no))),
    });
    return {
      run: {
        id: runId(runAt),
        bill_date: date,
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

  /**
   * Succeeded payments started in the day's last minutes and absent from its bill may have been
   * paid after midnight: the next day's bill, when WeChat has one, settles it. Without it they
   * stay reported as missing_at_wechat (a later run, once that bill exists, clears them).
   */
  async #paidNextDay(date: string, dayEnd: number, payments: readonly PaymentRow[], paidOnBill: ReadonlySet<string>): Promise<Set<string>> {
    const candidates = payments.filter((p) => p.status === 'succeeded' && p.created_at >= dayEnd - MIDNIGHT_EDGE_MS && !paidOnBill.has(p.out_trade_no));
    const next = addDays(date, 1);
    if (candidates.length === 0 || next > beijingDate(this.#now())) return new Set();
    const outcome = await this.#gateway.downloadBill({ bill_date: wireDate(next), bill_type: 'SUCCESS', tar_type: 'GZIP' });
    if (outcome.kind !== 'ok') return new Set();
    const paid = new Set(outcome.value.records.filter((r) => r.trade_state === 'SUCCESS').map((r) => r.out_trade_no));
    return new Set(candidates.map((p) => p.out_trade_no).filter((n) => paid.has(n)));
  }

  async #refundsBetween(fromMs: number, toMs: number): Promise<RefundWithPayment[]> {
    const all: RefundWithPayment[] = [];
    let after: { created_at: number; id: string } | undefined;
    for (;;) {
      const page = await this.#store.refundsChronological({ fromMs, toMs, limit: REFUND_PAGE, ...(after ? { after } : {}) });
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

function failed(date: string, runAt: number, status: 'no_bill' | 'error', error: string, journalCount = 0): StoredReconciliation {
  return {
    run: { id: runId(runAt), bill_date: date, status, run_at: runAt, journal_count: journalCount, bill_count: 0, matched_count: 0, error },
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

export function toResult({ run, differences }: StoredReconciliation): ReconciliationResult {
  return {
    date: run.bill_date,
    status: run.status,
    counts: { journal: run.journal_count, bill: run.bill_count, matched: run.matched_count },
    differences: differences.map((d) => {
      const out: ReconciliationDifference = { kind: d.kind, out_trade_no: d.out_trade_no };
      if (d.out_refund_no !== null) out.out_refund_no = d.out_refund_no;
      if (d.payment_id !== null) out.payment_id = d.payment_id;
      if (d.transaction_id !== null) out.transaction_id = d.transaction_id;
      out.journal_fen = d.journal_fen;
      out.bill_fen = d.bill_fen;
      out.journal_status = d.journal_status;
      out.bill_status = d.bill_status;
      return out;
    }),
    run_at: new Date(run.run_at).toISOString(),
    ...(run.error !== null ? { error: run.error } : {}),
  };
}
