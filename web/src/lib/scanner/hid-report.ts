/**
 * HID POS (usage page 0x8C) scanned-data reports → text. The layout comes from the device's report
 * descriptor when it names the fields (0xFB–0xFD AIM symbology id, 0xFE decoded data, 0xFF "decode
 * data continued"), otherwise from a vendor profile: Honeywell's (which cheap scanners copy) or
 * Newland's (no AIM id). The data length comes from the layout, never from looking for a ']'.
 */
import type { HidCollectionInfo, HidReportItem } from './hid-types.ts';

export const HID_POS_PAGE = 0x8c;
const usage = (id: number) => (HID_POS_PAGE << 16) | id;
export const USAGE_SYMBOLOGY_1 = usage(0xfb);
export const USAGE_SYMBOLOGY_3 = usage(0xfd);
export const USAGE_DECODED_DATA = usage(0xfe);
export const USAGE_DATA_CONTINUED = usage(0xff);

/** Where the fields sit in WebHID's `event.data` (which excludes the report id). */
export interface ReportLayout {
  name: string;
  /** Only reports with this id carry scans (undefined: any). */
  reportId?: number;
  /** Byte holding the count of data bytes in this report; without it, data ends at the first NUL. */
  lengthByte?: number;
  /** First of three AIM id bytes (']', symbology letter, modifier). */
  aimByte?: number;
  dataByte: number;
  dataCapacity: number;
  /** Bit offset of the "more reports follow" flag. */
  continuedBit?: number;
}

/** Honeywell (and copies), report id 2: length, AIM id, 56 data bytes, 2 vendor bytes, flags. */
export const HONEYWELL_LAYOUT: ReportLayout = {
  name: 'honeywell',
  reportId: 2,
  lengthByte: 0,
  aimByte: 1,
  dataByte: 4,
  dataCapacity: 56,
  continuedBit: 62 * 8,
};

/** Newland (e.g. FM430): length then data, no AIM id, no continuation flag. */
export const NEWLAND_LAYOUT: ReportLayout = {
  name: 'newland',
  lengthByte: 0,
  dataByte: 1,
  dataCapacity: 62,
};

export const VENDOR_HONEYWELL = [0x0c2e, 0x0536] as const;
export const VENDOR_NEWLAND = 0x1eab;

interface Field {
  usage: number | undefined;
  bit: number;
  size: number;
}

/** Every field of a report with its bit offset, usages assigned per HID rules (ranges, last usage repeats). */
export function reportFields(items: readonly HidReportItem[]): Field[] {
  const fields: Field[] = [];
  let bit = 0;
  for (const item of items) {
    const size = item.reportSize ?? 0;
    const count = item.reportCount ?? 0;
    for (let i = 0; i < count; i++) {
      let u: number | undefined;
      if (item.isRange && item.usageMinimum !== undefined) {
        u = Math.min(item.usageMinimum + i, item.usageMaximum ?? item.usageMinimum + i);
      } else if (item.usages && item.usages.length > 0) {
        u = item.usages[Math.min(i, item.usages.length - 1)];
      }
      fields.push({ usage: u, bit: bit + i * size, size });
    }
    bit += size * count;
  }
  return fields;
}

/** The scanned-data layout described by the device's report descriptor, if it has one we can use. */
export function layoutFromCollections(collections: readonly HidCollectionInfo[]): ReportLayout | undefined {
  for (const c of collections) {
    for (const report of c.inputReports ?? []) {
      const layout = layoutFromReport(report.items ?? [], report.reportId);
      if (layout) return layout;
    }
    const nested = layoutFromCollections(c.children ?? []);
    if (nested) return nested;
  }
  return undefined;
}

function layoutFromReport(items: readonly HidReportItem[], reportId: number | undefined): ReportLayout | undefined {
  const fields = reportFields(items);
  const data = fields.filter((f) => f.usage === USAGE_DECODED_DATA);
  const first = data[0];
  if (!first || first.size !== 8 || first.bit % 8 !== 0) return undefined;
  const layout: ReportLayout = { name: 'descriptor', dataByte: first.bit / 8, dataCapacity: data.length };
  if (reportId !== undefined && reportId !== 0) layout.reportId = reportId;
  const aim = fields.find((f) => f.usage === USAGE_SYMBOLOGY_1);
  if (aim && aim.size === 8 && aim.bit % 8 === 0) layout.aimByte = aim.bit / 8;
  const more = fields.find((f) => f.usage === USAGE_DATA_CONTINUED);
  if (more) layout.continuedBit = more.bit;
  // The data-length byte has no usage of its own on page 0x8C: it is the byte field opening the report.
  const opening = fields[0];
  const named = (u: number | undefined) => u !== undefined && u >= USAGE_SYMBOLOGY_1 && u <= USAGE_DATA_CONTINUED;
  if (opening && opening.bit === 0 && opening.size === 8 && !named(opening.usage)) layout.lengthByte = 0;
  return layout;
}

export interface ReportChunk {
  bytes: Uint8Array;
  aim?: string;
  more: boolean;
}

/** One report's share of a scan, or null if this report does not carry scanned data. */
export function parseReport(layout: ReportLayout, reportId: number, data: DataView): ReportChunk | null {
  if (layout.reportId !== undefined && reportId !== layout.reportId) return null;
  const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const end = Math.min(raw.length, layout.dataByte + layout.dataCapacity);
  let length: number;
  if (layout.lengthByte !== undefined) {
    length = Math.min(raw[layout.lengthByte] ?? 0, Math.max(0, end - layout.dataByte));
  } else {
    const nul = raw.subarray(layout.dataByte, end).indexOf(0);
    length = nul === -1 ? end - layout.dataByte : nul;
  }
  const bytes = raw.slice(layout.dataByte, layout.dataByte + length);
  const chunk: ReportChunk = { bytes, more: false };
  if (layout.aimByte !== undefined && raw.length >= layout.aimByte + 3) {
    const aim = String.fromCharCode(raw[layout.aimByte] ?? 0, raw[layout.aimByte + 1] ?? 0, raw[layout.aimByte + 2] ?? 0);
    if (/^\][\x21-\x7e]{2}$/.test(aim)) chunk.aim = aim;
  }
  if (layout.continuedBit !== undefined) {
    const byte = raw[layout.continuedBit >> 3] ?? 0;
    chunk.more = ((byte >> (layout.continuedBit & 7)) & 1) === 1;
  }
  return chunk;
}

/** Joins chunks until the continued flag clears; one assembler per device. */
export class ReportAssembler {
  #parts: Uint8Array[] = [];
  #aim: string | undefined;
  #startedAt = 0;
  #lastAt = 0;
  /** A continuation that never ends is dropped after this long without a report. */
  constructor(private readonly staleMs = 1000) {}

  push(chunk: ReportChunk, at: number): { text: string; aim?: string; startedAt: number; endedAt: number } | null {
    if (this.#parts.length > 0 && at - this.#lastAt > this.staleMs) this.#parts = [];
    if (this.#parts.length === 0) {
      this.#aim = chunk.aim;
      this.#startedAt = at;
    }
    this.#parts.push(chunk.bytes);
    this.#lastAt = at;
    if (chunk.more) return null;
    const total = this.#parts.reduce((n, p) => n + p.length, 0);
    const all = new Uint8Array(total);
    let o = 0;
    for (const p of this.#parts) {
      all.set(p, o);
      o += p.length;
    }
    this.#parts = [];
    const text = new TextDecoder().decode(all).replace(/[\r\n]+$/, '');
    const out: { text: string; aim?: string; startedAt: number; endedAt: number } = { text, startedAt: this.#startedAt, endedAt: at };
    if (this.#aim) out.aim = this.#aim;
    return out;
  }
}

const SYMBOLOGIES: Record<string, string> = {
  A: 'Code 39',
  C: 'Code 128',
  d: 'Data Matrix',
  E: 'EAN/UPC',
  e: 'GS1 DataBar',
  F: 'Codabar',
  G: 'Code 93',
  H: 'Code 11',
  I: 'Interleaved 2 of 5',
  L: 'PDF417',
  Q: 'QR Code',
  z: 'Aztec',
  X: 'Other',
};

/** "Code 128 (]C0)", "EAN-13 (]E0)", "QR Code (]Q1)": for diagnostics. */
export function symbologyName(aim: string): string {
  const letter = aim.charAt(1);
  let name = SYMBOLOGIES[letter] ?? 'Unknown symbology';
  if (aim === ']E0') name = 'EAN-13';
  else if (aim === ']E4') name = 'EAN-8';
  else if (aim === ']C1') name = 'GS1-128';
  return `${name} (${aim})`;
}

/**
 * Layout for a device whose descriptor does not name the fields. Known vendors have fixed profiles;
 * an unknown vendor gets Honeywell's (the common copy) unless the report's own length byte and
 * zero padding prove the data starts right after it (Newland style).
 */
export function fallbackLayout(vendorId: number, data: DataView): ReportLayout {
  if (vendorId === VENDOR_NEWLAND) return NEWLAND_LAYOUT;
  if ((VENDOR_HONEYWELL as readonly number[]).includes(vendorId)) return HONEYWELL_LAYOUT;
  const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const length = raw[0] ?? 0;
  const aimOk = /^\][\x21-\x7e]{2}$/.test(String.fromCharCode(raw[1] ?? 0, raw[2] ?? 0, raw[3] ?? 0));
  const copy: ReportLayout = { ...HONEYWELL_LAYOUT, name: 'honeywell-compatible', reportId: undefined };
  if (aimOk && length <= HONEYWELL_LAYOUT.dataCapacity) return copy;
  const run = raw.subarray(1, 1 + length);
  const rest = raw.subarray(1 + length);
  if (length > 0 && run.length === length && !run.includes(0) && rest.every((b) => b === 0)) return NEWLAND_LAYOUT;
  return copy;
}
