import { setImmediate as nextTurn } from 'node:timers/promises';
import { stringify } from 'csv-stringify/sync';
import type { Column, ExportContext } from './columns.ts';

/**
 * CSV for Excel and bookkeeping tools: UTF-8 with a byte order mark (Excel reads Chinese right
 * only with it), CRLF rows, RFC 4180 quoting, and formula injection neutralised: a cell starting
 * with = + - @ (or a tab or CR, or their full-width forms) gets a leading ' so a spreadsheet
 * shows it as text instead of running it (csv-stringify's escape_formulas).
 */

export const BOM = '\uFEFF';

export function csvLines(rows: readonly (readonly string[])[]): string {
  // quote_record_delimiter: with a record delimiter set, csv-stringify no longer quotes a lone \n or \r unless told.
  return stringify(rows as string[][], { escape_formulas: true, record_delimiter: 'windows', quote_record_delimiter: true });
}

export interface PagedSource<T> {
  /** The next page after `after` (undefined: the first), at most `limit` rows, in order. */
  page(after: T | undefined, limit: number): Promise<T[]>;
}

export const PAGE_ROWS = 200;

/**
 * The whole range as a byte stream, read page by page as the client takes it: one page is
 * queried and written at a time, with a turn of the event loop between pages, so a month of a
 * busy shop never holds the server up and never sits in memory whole.
 */
export function csvStream<T>(columns: readonly Column<T>[], ctx: ExportContext, source: PagedSource<T>, onError: (error: unknown) => void): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let after: T | undefined;
  let headerSent = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!headerSent) {
          headerSent = true;
          controller.enqueue(encoder.encode(BOM + csvLines([columns.map((c) => c.header[ctx.lang])])));
          return;
        }
        try {
          await nextTurn();
          const rows = await source.page(after, PAGE_ROWS);
          if (rows.length > 0) controller.enqueue(encoder.encode(csvLines(rows.map((row) => columns.map((c) => c.value(row, ctx))))));
          if (rows.length < PAGE_ROWS) controller.close();
          else after = rows.at(-1);
        } catch (error) {
          onError(error);
          controller.error(error);
        }
      },
    },
    { highWaterMark: 1 },
  );
}
