import { setImmediate as nextTurn } from 'node:timers/promises';
import type { PeriodFigures, Report, ReportPeriod, ReportRefund } from '../../shared/shop-day.ts';
import { localDate, localDayRange, localParts } from '../payments/shop-time.ts';
import type { PaymentGroupRow, RefundGroupRow, Store } from '../store/types.ts';
import { bucketsOf, linesBy, totalsOf } from './fold.ts';
import { comparedWith, daysOf, periodOf, type DayRange } from './periods.ts';

/**
 * The owner's report: a day, a week or a month of takings by hour and by day, by wallet, terminal
 * and cashier, the refunds made, and the same figures for the period it is compared with.
 *
 * The database sums the journal per quarter hour (every zone's hours and days are whole quarter
 * hours), one shop day per query, and the event loop gets a turn between days: a month of a busy
 * shop is 31 short queries, never one long one that stalls payments.
 */

export type ReportStore = Pick<Store, 'paymentGroups' | 'refundGroups' | 'refundsChronological' | 'listTerminals'>;

const HOURS = Array.from({ length: 24 }, (_, h) => String(h).padStart(2, '0'));
const REFUND_ITEMS = 50;

export class Reports {
  constructor(
    private readonly store: ReportStore,
    private readonly timeZone: string,
    /** One shop's report (absent: the whole journal's). */
    private readonly shopId?: string,
  ) {}

  async build(period: ReportPeriod, date: string): Promise<Report> {
    const range = periodOf(period, date);
    const [current, compare, names] = [await this.#groups(range), await this.#groups(comparedWith(period, range)), await this.#terminalNames()];
    const { payments, refunds } = current;
    return {
      period,
      date,
      time_zone: this.timeZone,
      ...this.#figures(range, current),
      by_wallet: linesBy(payments, refunds, (g) => g.wallet, (k) => k),
      by_terminal: linesBy(payments, refunds, (g) => g.terminal_id, (k) => names.get(k!) ?? k),
      by_cashier: linesBy(payments, refunds, (g) => g.cashier, (k) => k),
      refunds: { count: refunds.reduce((n, g) => n + g.count + g.processing_count, 0), items: await this.#refundItems(range, names) },
      compare: this.#figures(comparedWith(period, range), compare),
    };
  }

  #figures(range: DayRange, { payments, refunds }: Groups): PeriodFigures {
    const tz = this.timeZone;
    return {
      from: range.from,
      to: range.to,
      totals: totalsOf(payments, refunds),
      by_hour: bucketsOf(payments, refunds, HOURS, (g) => HOURS[localParts(g.quarter, tz).hour]!),
      by_day: bucketsOf(payments, refunds, daysOf(range), (g) => localDate(g.quarter, tz)),
    };
  }

  async #groups(range: DayRange): Promise<Groups> {
    const payments: PaymentGroupRow[] = [];
    const refunds: RefundGroupRow[] = [];
    for (const day of daysOf(range)) {
      const { from, to } = localDayRange(day, this.timeZone);
      const scope = { fromMs: from, toMs: to, ...(this.shopId !== undefined ? { shopId: this.shopId } : {}) };
      payments.push(...(await this.store.paymentGroups(scope)));
      refunds.push(...(await this.store.refundGroups(scope)));
      await nextTurn();
    }
    return { payments, refunds };
  }

  async #refundItems(range: DayRange, names: Map<string, string>): Promise<ReportRefund[]> {
    const items: ReportRefund[] = [];
    let after: { created_at: number; id: string } | undefined;
    const fromMs = localDayRange(range.from, this.timeZone).from;
    const toMs = localDayRange(range.to, this.timeZone).to;
    while (items.length < REFUND_ITEMS) {
      const page = await this.store.refundsChronological({ fromMs, toMs, limit: 100, ...(after ? { after } : {}), ...(this.shopId !== undefined ? { shopId: this.shopId } : {}) });
      for (const r of page) {
        if (r.status === 'failed' || items.length >= REFUND_ITEMS) continue;
        items.push({
          id: r.id,
          payment_id: r.payment_id,
          out_trade_no: r.payment.out_trade_no,
          amount_fen: r.amount_fen,
          status: r.status,
          created_at: new Date(r.created_at).toISOString(),
          cashier: r.cashier,
          terminal_name: names.get(r.payment.terminal_id) ?? r.payment.terminal_id,
        });
      }
      if (page.length < 100) break;
      after = { created_at: page.at(-1)!.created_at, id: page.at(-1)!.id };
    }
    return items;
  }

  async #terminalNames(): Promise<Map<string, string>> {
    return new Map((await this.store.listTerminals(this.shopId)).map((t) => [t.id, t.name]));
  }
}

interface Groups {
  payments: PaymentGroupRow[];
  refunds: RefundGroupRow[];
}
