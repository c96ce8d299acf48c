import type { Store } from '../store/types.ts';
import { localDayRange } from '../payments/shop-time.ts';
import { PAYMENT_COLUMNS, REFUND_COLUMNS, type ExportContext, type Lang } from './columns.ts';
import { csvStream } from './csv.ts';

/** CSV exports of the journal for a range of shop days (README "Exports"). */

export type ExportStore = Pick<Store, 'paymentsChronological' | 'refundsChronological' | 'listTerminals'>;

export interface DayRange {
  /** First and last shop day, inclusive (YYYY-MM-DD). */
  from: string;
  to: string;
}

export interface CsvExport {
  filename: string;
  stream: ReadableStream<Uint8Array>;
}

export class Exports {
  constructor(
    private readonly store: ExportStore,
    private readonly timeZone: string,
    private readonly onError: (error: unknown) => void,
    /** One shop's journal (absent: every shop's). */
    private readonly shopId?: string,
  ) {}

  /** Every payment created in the range (whatever its outcome), oldest first. */
  async payments(range: DayRange, lang: Lang): Promise<CsvExport> {
    const { fromMs, toMs } = this.#bounds(range);
    const stream = csvStream(PAYMENT_COLUMNS, await this.#context(lang), {
      page: (after, limit) => this.store.paymentsChronological({ fromMs, toMs, limit, ...(after ? { after } : {}), ...this.#shop() }),
    }, this.onError);
    return { filename: `payments_${range.from}_${range.to}.csv`, stream };
  }

  /** Every refund made in the range (whatever its outcome), oldest first, with its payment. */
  async refunds(range: DayRange, lang: Lang): Promise<CsvExport> {
    const { fromMs, toMs } = this.#bounds(range);
    const stream = csvStream(REFUND_COLUMNS, await this.#context(lang), {
      page: (after, limit) => this.store.refundsChronological({ fromMs, toMs, limit, ...(after ? { after } : {}), ...this.#shop() }),
    }, this.onError);
    return { filename: `refunds_${range.from}_${range.to}.csv`, stream };
  }

  #shop(): { shopId?: string } {
    return this.shopId !== undefined ? { shopId: this.shopId } : {};
  }

  #bounds(range: DayRange): { fromMs: number; toMs: number } {
    return { fromMs: localDayRange(range.from, this.timeZone).from, toMs: localDayRange(range.to, this.timeZone).to };
  }

  async #context(lang: Lang): Promise<ExportContext> {
    return { lang, timeZone: this.timeZone, terminalNames: new Map((await this.store.listTerminals(this.shopId)).map((t) => [t.id, t.name])) };
  }
}
