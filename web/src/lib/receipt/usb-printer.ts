/**
 * A USB receipt printer over WebUSB: chosen once in the browser's device picker (printer class
 * 0x07), found again on later visits among the devices this site may use (getDevices), and
 * written to through the bulk OUT endpoint of its printer interface. The device is opened for
 * each print and closed after it, so a replug or another tab never finds it held.
 */
import type { UsbDeviceLike, UsbLike } from './usb-types.ts';

/** USB interface class of printers (USB Device Class Definition for Printing Devices). */
export const PRINTER_CLASS = 0x07;

export type PrinterErrorCode = 'UNSUPPORTED' | 'CANCELED' | 'NOT_CONNECTED' | 'NOT_A_PRINTER' | 'BUSY' | 'TRANSFER';

export class PrinterError extends Error {
  override readonly name = 'PrinterError';
  constructor(
    readonly code: PrinterErrorCode,
    detail?: string,
  ) {
    super(detail ? `${code}: ${detail}` : code);
  }
}

/** What the tablet remembers of its printer (localStorage), to find it again among getDevices(). */
export interface SavedPrinter {
  vendorId: number;
  productId: number;
  serialNumber?: string;
  name: string;
}

export function usbOf(nav: object | undefined = globalThis.navigator): UsbLike | undefined {
  return nav && 'usb' in nav ? (nav.usb as UsbLike) : undefined;
}

export function describePrinter(device: UsbDeviceLike): SavedPrinter {
  const hex = (n: number) => n.toString(16).padStart(4, '0');
  const name = [device.manufacturerName, device.productName].filter(Boolean).join(' ').trim() || `USB ${hex(device.vendorId)}:${hex(device.productId)}`;
  return { vendorId: device.vendorId, productId: device.productId, ...(device.serialNumber ? { serialNumber: device.serialNumber } : {}), name };
}

export function isSamePrinter(device: UsbDeviceLike, saved: SavedPrinter): boolean {
  return device.vendorId === saved.vendorId && device.productId === saved.productId && (!saved.serialNumber || device.serialNumber === saved.serialNumber);
}

/** The browser's picker, showing printer-class devices only. */
export async function choosePrinter(usb: UsbLike): Promise<UsbDeviceLike> {
  try {
    return await usb.requestDevice({ filters: [{ classCode: PRINTER_CLASS }] });
  } catch (error) {
    // NotFoundError: the cashier closed the picker without choosing.
    if (error instanceof Error && error.name === 'NotFoundError') throw new PrinterError('CANCELED');
    throw error;
  }
}

/** The remembered printer if it is plugged in and this site still may use it. */
export async function findPrinter(usb: UsbLike, saved: SavedPrinter): Promise<UsbDeviceLike | undefined> {
  return (await usb.getDevices()).find((d) => isSamePrinter(d, saved));
}

export interface PrinterEndpoint {
  configurationValue: number;
  interfaceNumber: number;
  alternateSetting: number;
  endpointNumber: number;
}

/** The first printer-class interface with a bulk OUT endpoint, in the active configuration first. */
export function printerEndpoint(device: UsbDeviceLike): PrinterEndpoint | undefined {
  const configs = [device.configuration, ...device.configurations].filter((c) => c !== null);
  for (const config of configs) {
    for (const iface of config.interfaces) {
      for (const alt of iface.alternates) {
        if (alt.interfaceClass !== PRINTER_CLASS) continue;
        const out = alt.endpoints.find((e) => e.direction === 'out' && e.type === 'bulk');
        if (out) return { configurationValue: config.configurationValue, interfaceNumber: iface.interfaceNumber, alternateSetting: alt.alternateSetting, endpointNumber: out.endpointNumber };
      }
    }
  }
  return undefined;
}

const reason = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

/** Bytes per transferOut: small enough for any printer's USB buffer handling, large enough for a receipt in one or two. */
export const CHUNK_BYTES = 4096;

let queue: Promise<unknown> = Promise.resolve();

/**
 * Sends bytes to the printer. Prints are queued: an auto-print and a tap on "Print receipt" at the
 * same moment would otherwise open the device twice and interleave their bytes.
 */
export function writeToPrinter(device: UsbDeviceLike, bytes: Uint8Array): Promise<void> {
  const run = queue.then(() => write(device, bytes));
  queue = run.catch(() => undefined);
  return run;
}

async function write(device: UsbDeviceLike, bytes: Uint8Array): Promise<void> {
  const target = printerEndpoint(device);
  if (!target) throw new PrinterError('NOT_A_PRINTER');
  try {
    if (!device.opened) await device.open();
    if (device.configuration?.configurationValue !== target.configurationValue) await device.selectConfiguration(target.configurationValue);
    await device.claimInterface(target.interfaceNumber);
  } catch (error) {
    await device.close().catch(() => undefined);
    if (error instanceof Error && error.name === 'NotFoundError') throw new PrinterError('NOT_CONNECTED', reason(error));
    throw new PrinterError('BUSY', reason(error));
  }
  try {
    if (target.alternateSetting !== 0) await device.selectAlternateInterface(target.interfaceNumber, target.alternateSetting);
    for (let at = 0; at < bytes.length; at += CHUNK_BYTES) {
      const chunk = bytes.subarray(at, at + CHUNK_BYTES);
      const result = await device.transferOut(target.endpointNumber, chunk);
      if (result.status !== 'ok' || result.bytesWritten !== chunk.length) {
        // A stalled endpoint stays stalled until cleared: clear it so the next print can go through.
        if (result.status === 'stall') await device.clearHalt?.('out', target.endpointNumber).catch(() => undefined);
        throw new PrinterError('TRANSFER', `${result.status}, ${result.bytesWritten} of ${chunk.length} bytes`);
      }
    }
  } catch (error) {
    if (error instanceof PrinterError) throw error;
    if (error instanceof Error && error.name === 'NotFoundError') throw new PrinterError('NOT_CONNECTED', reason(error));
    throw new PrinterError('TRANSFER', reason(error));
  } finally {
    await device.releaseInterface(target.interfaceNumber).catch(() => undefined);
    await device.close().catch(() => undefined);
  }
}
