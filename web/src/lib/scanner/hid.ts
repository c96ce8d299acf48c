/**
 * WebHID source: HID POS scanners (usage page 0x8C) paired from a button, reconnected on start
 * (getDevices) and on the `connect` event, followed on `disconnect`. Each device's reports are
 * parsed by its descriptor layout (or a vendor profile) and joined until the continued flag clears.
 */
import { DeviceMemory } from './hid-memory.ts';
import { fallbackLayout, HID_POS_PAGE, layoutFromCollections, parseReport, ReportAssembler, symbologyName, type ReportLayout } from './hid-report.ts';
import type { HidConnectionEvent, HidDeviceLike, HidInputReportEvent, HidLike } from './hid-types.ts';
import type { HidDeviceInfo } from './types.ts';

/** Shown next to the pair button: a scanner in keyboard mode is invisible to WebHID. */
export const HID_POS_SETUP_HINT =
  'The scanner must be in HID POS mode (not keyboard mode) to be paired. Honeywell: scan the "USB HID POS" programming barcode (Terminal ID 131); setup software can also send feature report 0xFE = [0x01].';

export interface HidAvailability {
  supported: boolean;
  reason?: string;
}

/** Whether WebHID can be used here, and if not why, in words for the settings screen. */
export function hidAvailability(env: { navigator?: { userAgent?: string; hid?: unknown } & object; isSecureContext?: boolean }): HidAvailability {
  const nav = env.navigator;
  const ua = nav?.userAgent ?? '';
  const fallback = 'The keyboard wedge is used: set the scanner to USB keyboard mode.';
  if (!env.isSecureContext) {
    return { supported: false, reason: `HID scanners need a secure page (HTTPS or localhost); this page is not one. ${fallback}` };
  }
  if (nav && 'hid' in nav) return { supported: true };
  if (/Android/i.test(ua)) {
    return { supported: false, reason: `Chrome on Android has no WebHID. ${fallback}` };
  }
  if (!/Chrome|Chromium|Edg\//.test(ua)) {
    return { supported: false, reason: `This browser has no WebHID (desktop Chrome or Edge has it). ${fallback}` };
  }
  return { supported: false, reason: `WebHID is not available in this browser (disabled by policy or too old). ${fallback}` };
}

export interface HidScan {
  code: string;
  symbology?: string;
  startedAt: number;
  endedAt: number;
  device: string;
}

export interface HidSourceOptions {
  hid: HidLike;
  now: () => number;
  onScan: (scan: HidScan) => void;
  onDevicesChange: (devices: HidDeviceInfo[]) => void;
  onError?: (message: string) => void;
  memory?: DeviceMemory;
}

interface Attached {
  device: HidDeviceLike;
  id: string;
  connected: boolean;
  descriptorLayout: ReportLayout | undefined;
  assembler: ReportAssembler;
  listener: (e: HidInputReportEvent) => void;
  error?: string;
  /** getDevices() on start and a `connect` event can race: open once. */
  opening?: Promise<void>;
}

export function deviceId(d: Pick<HidDeviceLike, 'vendorId' | 'productId'>): string {
  const hex = (n: number) => n.toString(16).padStart(4, '0');
  return `${hex(d.vendorId)}:${hex(d.productId)}`;
}

function isHidPos(d: HidDeviceLike): boolean {
  const walk = (cs: HidDeviceLike['collections']): boolean =>
    cs.some((c) => c.usagePage === HID_POS_PAGE || walk(c.children ?? []));
  return walk(d.collections ?? []);
}

export class HidSource {
  #o: HidSourceOptions;
  #memory: DeviceMemory;
  #attached = new Map<HidDeviceLike, Attached>();
  #started = false;
  #onConnect = (e: HidConnectionEvent) => {
    if (!isHidPos(e.device)) return;
    this.#memory.cameBackByItself(deviceId(e.device));
    void this.#attach(e.device);
  };
  #onDisconnect = (e: HidConnectionEvent) => {
    const a = this.#attached.get(e.device);
    if (!a) return;
    a.device.removeEventListener('inputreport', a.listener);
    a.connected = false;
    this.#memory.disconnected(a.id);
    this.#publish();
  };

  constructor(options: HidSourceOptions) {
    this.#o = options;
    this.#memory = options.memory ?? new DeviceMemory();
  }

  /** Reconnect every scanner this origin was already allowed to use, and follow plug events. */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    this.#o.hid.addEventListener('connect', this.#onConnect);
    this.#o.hid.addEventListener('disconnect', this.#onDisconnect);
    let known: HidDeviceLike[] = [];
    try {
      known = await this.#o.hid.getDevices();
    } catch (err) {
      this.#o.onError?.(`Could not list HID scanners: ${message(err)}`);
    }
    const scanners = known.filter(isHidPos);
    // Listed again after having been unplugged: Chrome kept its permission, so it has a serial number.
    for (const d of scanners) this.#memory.cameBackByItself(deviceId(d));
    await Promise.all(scanners.map((d) => this.#attach(d)));
  }

  async stop(): Promise<void> {
    this.#started = false;
    this.#o.hid.removeEventListener('connect', this.#onConnect);
    this.#o.hid.removeEventListener('disconnect', this.#onDisconnect);
    const all = [...this.#attached.values()];
    this.#attached.clear();
    for (const a of all) a.device.removeEventListener('inputreport', a.listener);
    await Promise.all(all.map((a) => (a.device.opened ? a.device.close().catch(() => undefined) : undefined)));
    this.#publish();
  }

  /**
   * Open Chrome's device chooser (must run from a click) for HID POS scanners. Resolves with the
   * number of scanners now paired; rejects with a readable message when nothing could be paired.
   */
  async pair(): Promise<number> {
    let chosen: HidDeviceLike[];
    try {
      chosen = await this.#o.hid.requestDevice({ filters: [{ usagePage: HID_POS_PAGE }] });
    } catch (err) {
      const name = (err as { name?: string } | null)?.name;
      if (name === 'SecurityError' || name === 'NotAllowedError') throw new Error('Pairing must start from a button press.', { cause: err });
      throw new Error(`Pairing failed: ${message(err)}`, { cause: err });
    }
    if (chosen.length === 0) throw new Error('No scanner was chosen. If the list was empty, switch the scanner to HID POS mode first.');
    for (const d of chosen) this.#memory.paired(deviceId(d));
    await Promise.all(chosen.map((d) => this.#attach(d)));
    return chosen.length;
  }

  get devices(): HidDeviceInfo[] {
    return [...this.#attached.values()].map((a) => this.#info(a));
  }

  async #attach(device: HidDeviceLike): Promise<void> {
    if (!this.#started) return;
    let a = this.#attached.get(device);
    if (!a) {
      const attached: Attached = {
        device,
        id: deviceId(device),
        connected: true,
        descriptorLayout: layoutFromCollections(device.collections ?? []),
        assembler: new ReportAssembler(),
        listener: (e) => this.#report(attached, e),
      };
      a = attached;
      this.#attached.set(device, a);
    }
    a.connected = true;
    a.device.removeEventListener('inputreport', a.listener);
    a.device.addEventListener('inputreport', a.listener);
    const target = a;
    target.opening ??= (async () => {
      try {
        if (!device.opened) await device.open();
        delete target.error;
      } catch (err) {
        target.error = `Could not open ${device.productName || 'the scanner'}: ${message(err)} (another tab or app may be using it).`;
        this.#o.onError?.(target.error);
      } finally {
        delete target.opening;
      }
    })();
    await target.opening;
    this.#publish();
  }

  #report(a: Attached, e: HidInputReportEvent): void {
    const layout = a.descriptorLayout ?? fallbackLayout(a.device.vendorId, e.data);
    const chunk = parseReport(layout, e.reportId, e.data);
    if (!chunk) return;
    const whole = a.assembler.push(chunk, this.#o.now());
    if (!whole || whole.text.length === 0) return;
    const scan: HidScan = { code: whole.text, startedAt: whole.startedAt, endedAt: whole.endedAt, device: a.device.productName || a.id };
    if (whole.aim) scan.symbology = symbologyName(whole.aim);
    this.#o.onScan(scan);
  }

  #info(a: Attached): HidDeviceInfo {
    const serial = this.#memory.serial(a.id);
    const info: HidDeviceInfo = {
      id: a.id,
      name: a.device.productName || `HID scanner ${a.id}`,
      vendorId: a.device.vendorId,
      productId: a.device.productId,
      connected: a.connected,
      layout: a.descriptorLayout ? 'descriptor' : fallbackName(a.device.vendorId),
      hasSerial: serial === 'present',
      needsRepairAfterReplug: serial === 'absent',
    };
    const warning = a.error ?? warningFor(serial, a.connected);
    if (warning) info.warning = warning;
    return info;
  }

  #publish(): void {
    this.#o.onDevicesChange(this.devices);
  }
}

function fallbackName(vendorId: number): string {
  return fallbackLayout(vendorId, new DataView(new ArrayBuffer(64))).name;
}

function warningFor(serial: 'present' | 'absent' | 'unknown', connected: boolean): string | undefined {
  if (serial === 'absent') {
    return connected
      ? 'This scanner has no USB serial number: Chrome forgets it when it is unplugged. After replugging, press "Pair scanner" again.'
      : 'Disconnected. This scanner has no USB serial number: plug it in and press "Pair scanner" again.';
  }
  if (!connected) {
    return serial === 'present'
      ? 'Disconnected. It reconnects by itself when plugged in again.'
      : 'Disconnected. If it does not come back when plugged in, press "Pair scanner" again (it then has no USB serial number).';
  }
  return undefined;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
