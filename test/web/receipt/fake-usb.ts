/** A WebUSB printer for unit tests: the descriptors of a real one, and a log of every call. */
import type { UsbConfigurationLike, UsbConnectionEvent, UsbDeviceLike, UsbLike, UsbOutTransferResult } from '../../../web/src/lib/receipt/usb-types.ts';

/** Interface 0 vendor-specific (as on printers with a configuration tool), interface 1 the printer: bulk IN 0x81, bulk OUT 0x02. */
export const PRINTER_CONFIG: UsbConfigurationLike = {
  configurationValue: 1,
  interfaces: [
    { interfaceNumber: 0, alternates: [{ alternateSetting: 0, interfaceClass: 0xff, endpoints: [{ endpointNumber: 3, direction: 'out', type: 'bulk' }] }] },
    {
      interfaceNumber: 1,
      alternates: [
        { alternateSetting: 0, interfaceClass: 0x07, interfaceSubclass: 1, interfaceProtocol: 2, endpoints: [{ endpointNumber: 1, direction: 'in', type: 'bulk' }, { endpointNumber: 2, direction: 'out', type: 'bulk' }] },
      ],
    },
  ],
};

export class FakeUsbDevice implements UsbDeviceLike {
  opened = false;
  configuration: UsbConfigurationLike | null = null;
  calls: string[] = [];
  written: number[] = [];
  claimed = new Set<number>();
  /** Replace to make a call fail or a transfer stall. */
  failClaim: Error | undefined;
  transferStatus: UsbOutTransferResult['status'] = 'ok';

  constructor(
    readonly vendorId = 0x0416,
    readonly productId = 0x5011,
    readonly productName = 'POS58 Printer',
    readonly configurations: UsbConfigurationLike[] = [PRINTER_CONFIG],
    readonly serialNumber?: string,
    readonly manufacturerName = 'Winbond',
  ) {}

  async open() { this.calls.push('open'); this.opened = true; }
  async close() { this.calls.push('close'); this.opened = false; this.claimed.clear(); }
  async selectConfiguration(value: number) {
    this.calls.push(`selectConfiguration ${value}`);
    this.configuration = this.configurations.find((c) => c.configurationValue === value) ?? null;
  }
  async claimInterface(n: number) {
    this.calls.push(`claimInterface ${n}`);
    if (!this.opened) throw new DOMException('not open', 'InvalidStateError');
    if (this.failClaim) throw this.failClaim;
    this.claimed.add(n);
  }
  async releaseInterface(n: number) { this.calls.push(`releaseInterface ${n}`); this.claimed.delete(n); }
  async selectAlternateInterface(n: number, alt: number) { this.calls.push(`selectAlternateInterface ${n} ${alt}`); }
  async clearHalt(direction: 'in' | 'out', ep: number) { this.calls.push(`clearHalt ${direction} ${ep}`); }
  async forget() { this.calls.push('forget'); }
  async transferOut(ep: number, data: Uint8Array): Promise<UsbOutTransferResult> {
    this.calls.push(`transferOut ${ep} ${data.byteLength}`);
    // Yield like a real transfer, so overlapping prints would interleave here.
    await new Promise((r) => setTimeout(r, 1));
    if (this.transferStatus !== 'ok') return { status: this.transferStatus, bytesWritten: 0 };
    this.written.push(...new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    return { status: 'ok', bytesWritten: data.byteLength };
  }
}

export class FakeUsb implements UsbLike {
  requests: unknown[] = [];
  #listeners = new Map<string, Set<(e: UsbConnectionEvent) => void>>();
  constructor(
    public granted: FakeUsbDevice[] = [],
    public chooses: FakeUsbDevice | undefined = undefined,
  ) {}
  async getDevices() { return [...this.granted]; }
  async requestDevice(options: unknown) {
    this.requests.push(options);
    if (!this.chooses) throw new DOMException('No device selected.', 'NotFoundError');
    if (!this.granted.includes(this.chooses)) this.granted.push(this.chooses);
    return this.chooses;
  }
  addEventListener(type: string, l: (e: UsbConnectionEvent) => void) {
    if (!this.#listeners.has(type)) this.#listeners.set(type, new Set());
    this.#listeners.get(type)!.add(l);
  }
  removeEventListener(type: string, l: (e: UsbConnectionEvent) => void) { this.#listeners.get(type)?.delete(l); }
  unplug(device: FakeUsbDevice) {
    this.granted = this.granted.filter((d) => d !== device);
    for (const l of this.#listeners.get('disconnect') ?? []) l({ device });
  }
}
