/** A fake navigator.hid with devices that dispatch input reports built from real report bytes. */
import type { HidCollectionInfo, HidConnectionEvent, HidDeviceLike, HidInputReportEvent, HidLike } from '../../../web/src/lib/scanner/hid-types.ts';

type Listener<E> = (e: E) => void;

export class FakeHidDevice implements HidDeviceLike {
  opened = false;
  openCalls = 0;
  failOpen: Error | undefined;
  #listeners = new Set<Listener<HidInputReportEvent>>();
  constructor(
    public vendorId: number,
    public productId: number,
    public productName: string,
    public collections: HidCollectionInfo[] = [{ usagePage: 0x8c, usage: 0x02, inputReports: [] }],
  ) {}
  #opening = false;
  /** Like Chrome: opening takes a while, and a second open() meanwhile fails with InvalidStateError. */
  async open(): Promise<void> {
    this.openCalls += 1;
    if (this.#opening) throw Object.assign(new Error('An operation that changes the device state is in progress.'), { name: 'InvalidStateError' });
    this.#opening = true;
    await new Promise((r) => setTimeout(r, 1));
    this.#opening = false;
    if (this.failOpen) throw this.failOpen;
    this.opened = true;
  }
  async close(): Promise<void> {
    this.opened = false;
  }
  addEventListener(_type: 'inputreport', l: Listener<HidInputReportEvent>): void {
    this.#listeners.add(l);
  }
  removeEventListener(_type: 'inputreport', l: Listener<HidInputReportEvent>): void {
    this.#listeners.delete(l);
  }
  get listenerCount(): number {
    return this.#listeners.size;
  }
  /** Send one raw report: report id first, as a USB analyser shows it. */
  sendRaw(bytes: readonly number[]): void {
    const [reportId = 0, ...rest] = bytes;
    const data = new DataView(new Uint8Array(rest).buffer);
    for (const l of this.#listeners) l({ device: this, reportId, data });
  }
}

export class FakeHid implements HidLike {
  granted: FakeHidDevice[] = [];
  /** What the chooser returns next (or throws). */
  choose: FakeHidDevice[] | Error = [];
  requests: unknown[] = [];
  #connect = new Set<Listener<HidConnectionEvent>>();
  #disconnect = new Set<Listener<HidConnectionEvent>>();
  async getDevices(): Promise<HidDeviceLike[]> {
    return [...this.granted];
  }
  async requestDevice(options: { filters: { usagePage?: number }[] }): Promise<HidDeviceLike[]> {
    this.requests.push(options);
    if (this.choose instanceof Error) throw this.choose;
    for (const d of this.choose) if (!this.granted.includes(d)) this.granted.push(d);
    return this.choose;
  }
  addEventListener(type: 'connect' | 'disconnect', l: Listener<HidConnectionEvent>): void {
    (type === 'connect' ? this.#connect : this.#disconnect).add(l);
  }
  removeEventListener(type: 'connect' | 'disconnect', l: Listener<HidConnectionEvent>): void {
    (type === 'connect' ? this.#connect : this.#disconnect).delete(l);
  }
  /** Plug a device in: Chrome fires `connect` only when the origin still has permission for it. */
  plug(d: FakeHidDevice, permitted: boolean): void {
    if (!permitted) return;
    if (!this.granted.includes(d)) this.granted.push(d);
    for (const l of this.#connect) l({ device: d });
  }
  /** Unplug: a device without a USB serial number loses its (ephemeral) permission. */
  unplug(d: FakeHidDevice, hasSerial: boolean): void {
    d.opened = false;
    if (!hasSerial) this.granted = this.granted.filter((x) => x !== d);
    for (const l of this.#disconnect) l({ device: d });
  }
}

/** The real Honeywell Voyager 1602g report (layout: web/src/lib/scanner/hid-report.ts) (64 bytes, report id first). */
export function voyagerReport(): number[] {
  const bytes = new Array<number>(64).fill(0);
  const head = [0x02, 0x09, 0x5d, 0x58, 0x30, 0x75, 0x6d, 0x3a, 0x20, 0x4e, 0x2f, 0x41, 0x0d, 0x0a];
  head.forEach((b, i) => (bytes[i] = b));
  bytes[61] = 0x3f;
  return bytes;
}

/** Honeywell-layout report(s) for a text, split at 56 bytes with the continued flag set. */
export function honeywellReports(text: string, aim = ']Q1'): number[][] {
  const data = [...new TextEncoder().encode(text)];
  const out: number[][] = [];
  for (let i = 0; i < data.length; i += 56) {
    const part = data.slice(i, i + 56);
    const r = new Array<number>(64).fill(0);
    r[0] = 2;
    r[1] = part.length;
    [...aim].forEach((c, j) => (r[2 + j] = c.charCodeAt(0)));
    part.forEach((b, j) => (r[5 + j] = b));
    r[61] = 0x73;
    r[63] = i + 56 < data.length ? 1 : 0;
    out.push(r);
  }
  return out;
}

/** Newland-layout report: length at 0, data from 1, no AIM id. */
export function newlandReport(text: string, reportId = 2): number[] {
  const r = new Array<number>(64).fill(0);
  r[0] = reportId;
  const data = new TextEncoder().encode(text);
  r[1] = data.length;
  data.forEach((b, j) => (r[2 + j] = b));
  return r;
}
