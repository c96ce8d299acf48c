import { describe, expect, it } from 'vitest';
import {
  fallbackLayout,
  HONEYWELL_LAYOUT,
  layoutFromCollections,
  NEWLAND_LAYOUT,
  parseReport,
  ReportAssembler,
  symbologyName,
  USAGE_DATA_CONTINUED,
  USAGE_DECODED_DATA,
  USAGE_SYMBOLOGY_1,
  USAGE_SYMBOLOGY_3,
  type ReportLayout,
} from '../../../web/src/lib/scanner/hid-report.ts';
import type { HidCollectionInfo } from '../../../web/src/lib/scanner/hid-types.ts';
import { honeywellReports, newlandReport, voyagerReport } from './fake-hid.ts';

/** Split a raw report (id first) into what WebHID hands over: reportId and data without the id. */
function asEvent(raw: readonly number[]): { reportId: number; data: DataView } {
  return { reportId: raw[0]!, data: new DataView(new Uint8Array(raw.slice(1)).buffer) };
}

function decode(layout: ReportLayout, reports: readonly (readonly number[])[]) {
  const assembler = new ReportAssembler();
  let out: ReturnType<ReportAssembler['push']> = null;
  reports.forEach((raw, i) => {
    const e = asEvent(raw);
    const chunk = parseReport(layout, e.reportId, e.data);
    if (!chunk) throw new Error(`report ${i} was not scanned data`);
    out = assembler.push(chunk, i * 2);
  });
  return out as ReturnType<ReportAssembler['push']>;
}

describe('HID POS reports', () => {
  it('decodes the real Honeywell Voyager 1602g report byte for byte', () => {
    const e = asEvent(voyagerReport());
    const chunk = parseReport(HONEYWELL_LAYOUT, e.reportId, e.data);
    expect(chunk?.aim).toBe(']X0');
    expect(chunk?.more).toBe(false);
    expect(new TextDecoder().decode(chunk!.bytes)).toBe('um: N/A\r\n');
    expect(decode(HONEYWELL_LAYOUT, [voyagerReport()])?.text).toBe('um: N/A');
  });

  it('joins a code that spans two reports until the continued flag clears', () => {
    const text = `https://example.com/${'x'.repeat(70)}`;
    const reports = honeywellReports(`${text}\r\n`);
    expect(reports).toHaveLength(2);
    expect(decode(HONEYWELL_LAYOUT, reports)).toEqual({ text, aim: ']Q1', startedAt: 0, endedAt: 2 });
  });

  it('reads a WeChat code with its Code 128 AIM id', () => {
    const out = decode(HONEYWELL_LAYOUT, honeywellReports('134567890123456789', ']C0'));
    expect(out?.text).toBe('134567890123456789');
    expect(symbologyName(out!.aim!)).toBe('Code 128 (]C0)');
  });

  it('ignores reports with another report id than the scanned-data report', () => {
    const raw = voyagerReport();
    raw[0] = 4;
    const e = asEvent(raw);
    expect(parseReport(HONEYWELL_LAYOUT, e.reportId, e.data)).toBeNull();
  });

  it('reads Newland reports (length then data, no AIM id) without losing the first characters', () => {
    const out = decode(NEWLAND_LAYOUT, [newlandReport('134567890123456789\r')]);
    expect(out).toEqual({ text: '134567890123456789', startedAt: 0, endedAt: 0 });
  });

  it('never reads past the data area even when the length byte claims more', () => {
    const raw = voyagerReport();
    raw[1] = 200;
    const e = asEvent(raw);
    expect(parseReport(HONEYWELL_LAYOUT, e.reportId, e.data)!.bytes.length).toBe(56);
  });

  it('drops an unfinished continuation that went stale before the next scan', () => {
    const assembler = new ReportAssembler(1000);
    const [first] = honeywellReports('y'.repeat(60));
    const e = asEvent(first!);
    expect(assembler.push(parseReport(HONEYWELL_LAYOUT, e.reportId, e.data)!, 0)).toBeNull();
    const next = asEvent(honeywellReports('fresh', ']C0')[0]!);
    expect(assembler.push(parseReport(HONEYWELL_LAYOUT, next.reportId, next.data)!, 5000)?.text).toBe('fresh');
  });

  it.each([
    [']C0', 'Code 128 (]C0)'],
    [']Q1', 'QR Code (]Q1)'],
    [']E0', 'EAN-13 (]E0)'],
    [']E4', 'EAN-8 (]E4)'],
    [']d2', 'Data Matrix (]d2)'],
    [']V9', 'Unknown symbology (]V9)'],
  ])('names AIM id %s as %s', (aim, name) => {
    expect(symbologyName(aim)).toBe(name);
  });
});

describe('descriptor-driven layout', () => {
  // Report 3: AIM id (FB–FD) in bytes 0–2, 40 data bytes, 3 bits of padding, then the continued flag.
  const collections: HidCollectionInfo[] = [
    {
      usagePage: 0x8c,
      usage: 0x02,
      children: [
        {
          usagePage: 0x8c,
          usage: 0x12,
          inputReports: [
            {
              reportId: 3,
              items: [
                { isRange: true, usageMinimum: USAGE_SYMBOLOGY_1, usageMaximum: USAGE_SYMBOLOGY_3, reportSize: 8, reportCount: 3 },
                { usages: [USAGE_DECODED_DATA], reportSize: 8, reportCount: 40 },
                { reportSize: 3, reportCount: 1 },
                { usages: [USAGE_DATA_CONTINUED], reportSize: 1, reportCount: 1 },
                { reportSize: 4, reportCount: 1 },
              ],
            },
          ],
        },
      ],
    },
  ];

  it('computes field offsets from report sizes and counts', () => {
    expect(layoutFromCollections(collections)).toEqual({ name: 'descriptor', reportId: 3, aimByte: 0, dataByte: 3, dataCapacity: 40, continuedBit: 43 * 8 + 3 });
  });

  it('parses reports of that layout, joining on the flag bit it names', () => {
    const layout = layoutFromCollections(collections)!;
    const report = (text: string, more: boolean) => {
      const r = new Array<number>(45).fill(0);
      r[0] = 3;
      [...']Q1'].forEach((c, i) => (r[1 + i] = c.charCodeAt(0)));
      [...text].forEach((c, i) => (r[4 + i] = c.charCodeAt(0)));
      r[1 + 43] = more ? 1 << 3 : 0;
      return r;
    };
    const out = decode(layout, [report('A'.repeat(40), true), report('BCD', false)]);
    expect(out).toEqual({ text: `${'A'.repeat(40)}BCD`, aim: ']Q1', startedAt: 0, endedAt: 2 });
  });

  it('takes a leading byte without a scanned-data usage as the length byte', () => {
    const withLength: HidCollectionInfo[] = [
      {
        usagePage: 0x8c,
        inputReports: [
          {
            reportId: 2,
            items: [
              { usages: [0xff000001], reportSize: 8, reportCount: 1 },
              { usages: [USAGE_SYMBOLOGY_1, 0x8c00fc, USAGE_SYMBOLOGY_3], reportSize: 8, reportCount: 3 },
              { usages: [USAGE_DECODED_DATA], reportSize: 8, reportCount: 56 },
              { usages: [0xff000002], reportSize: 8, reportCount: 2 },
              { usages: [USAGE_DATA_CONTINUED], reportSize: 1, reportCount: 1 },
              { reportSize: 7, reportCount: 1 },
            ],
          },
        ],
      },
    ];
    const layout = layoutFromCollections(withLength)!;
    expect(layout).toMatchObject({ lengthByte: 0, aimByte: 1, dataByte: 4, dataCapacity: 56, continuedBit: 62 * 8 });
    expect(decode(layout, [voyagerReport()])?.text).toBe('um: N/A');
  });

  it('finds no layout in a descriptor without decoded-data usage', () => {
    expect(layoutFromCollections([{ usagePage: 0x8c, inputReports: [{ reportId: 1, items: [{ usages: [0x8c0001], reportSize: 8, reportCount: 8 }] }] }])).toBeUndefined();
  });
});

describe('fallback layout by vendor', () => {
  const data = (raw: number[]) => asEvent(raw).data;
  it('uses the Newland profile for Newland devices and Honeywell for Honeywell', () => {
    expect(fallbackLayout(0x1eab, data(voyagerReport())).name).toBe('newland');
    expect(fallbackLayout(0x0c2e, data(newlandReport('123'))).name).toBe('honeywell');
  });

  it('recognises a Newland-style report from an unknown vendor by its length byte and padding, not by a missing "]"', () => {
    const code = '134567890123456789';
    const layout = fallbackLayout(0x1234, data(newlandReport(code)));
    expect(layout.name).toBe('newland');
    expect(decode(layout, [newlandReport(code)])?.text).toBe(code);
    expect(fallbackLayout(0x1234, data(voyagerReport())).name).toBe('honeywell-compatible');
  });
});
