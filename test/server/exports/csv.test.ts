import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { Column, ExportContext } from '../../../server/exports/columns.ts';
import { BOM, csvLines, csvStream, PAGE_ROWS } from '../../../server/exports/csv.ts';

const ctx: ExportContext = { lang: 'en', timeZone: 'Asia/Shanghai', terminalNames: new Map() };
const columns: Column<{ n: number; text: string }>[] = [
  { header: { zh: '序号', en: 'n' }, value: (r) => String(r.n) },
  { header: { zh: '文本', en: 'text' }, value: (r) => r.text },
];

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new TextDecoder('utf-8', { ignoreBOM: true }).decode(new Uint8Array(await new Response(stream).arrayBuffer()));
}

describe('csvLines', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['奶茶', '奶茶'],
    ['', ''],
  ])('writes %j as %s', (cell, written) => {
    expect(csvLines([[cell]])).toBe(`${written}\r\n`);
  });

  it.each([['=1+2'], ['+1'], ['-1'], ['@SUM(A1)'], ['\tTAB'], ['\rCR'], ['＝1'], ['＋1'], ['－1'], ['＠x']])('neutralises the formula %j with a leading quote', (cell) => {
    const read = (parse(csvLines([[cell]])) as string[][])[0]![0];
    expect(read).toBe(`'${cell}`);
  });

  it('leaves cells that only contain those characters later as they are', () => {
    expect(csvLines([['a=b', '1+1', 'x@y.z', '12.50']])).toBe('a=b,1+1,x@y.z,12.50\r\n');
  });

  it('round-trips any text through a CSV parser', () => {
    const rows = [['a', 'b,"c"', 'line\r\nbreak', '  spaced  ', '中文，逗号']];
    expect(parse(csvLines(rows))).toEqual(rows);
  });
});

describe('csvStream', () => {
  it('starts with the BOM and the header row, then every page in order, and ends after a short page', async () => {
    const rows = Array.from({ length: PAGE_ROWS * 2 + 3 }, (_, n) => ({ n, text: `row ${n}` }));
    const asked: (number | undefined)[] = [];
    const text = await readAll(
      csvStream(columns, ctx, {
        page: async (after, limit) => {
          asked.push(after?.n);
          const start = after ? after.n + 1 : 0;
          return rows.slice(start, start + limit);
        },
      }, () => undefined),
    );
    expect(text.startsWith(`${BOM}n,text\r\n0,row 0\r\n`)).toBe(true);
    expect(parse(text, { bom: true, columns: true })).toEqual(rows.map((r) => ({ n: String(r.n), text: r.text })));
    expect(asked).toEqual([undefined, PAGE_ROWS - 1, PAGE_ROWS * 2 - 1]);
  });

  it('gives the event loop a turn before each page, so other requests run between pages', async () => {
    let turns = 0;
    let ticking = true;
    const tick = () => {
      turns++;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const seen: number[] = [];
    await readAll(
      csvStream(columns, ctx, {
        page: async (after, limit) => {
          seen.push(turns);
          const start = after ? after.n + 1 : 0;
          return start >= limit * 4 ? [] : Array.from({ length: limit }, (_, i) => ({ n: start + i, text: '' }));
        },
      }, () => undefined),
    );
    ticking = false;
    expect(seen).toHaveLength(5);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThan(seen[i - 1]!);
  });

  it('reports a failing page and ends the stream with the error instead of a silently short file', async () => {
    const errors: unknown[] = [];
    const stream = csvStream(columns, ctx, { page: async () => Promise.reject(new Error('disk gone')) }, (e) => errors.push(e));
    await expect(readAll(stream)).rejects.toThrow('disk gone');
    expect(errors).toHaveLength(1);
  });
});
