import { describe, expect, it } from 'vitest';
import {
  CHUNK_BYTES,
  choosePrinter,
  describePrinter,
  findPrinter,
  PRINTER_CLASS,
  PrinterError,
  printerEndpoint,
  usbOf,
  writeToPrinter,
} from '../../../web/src/lib/receipt/usb-printer.ts';
import { FakeUsb, FakeUsbDevice, PRINTER_CONFIG } from './fake-usb.ts';

const bytes = (n: number, fill = 0x41) => new Uint8Array(n).fill(fill);

describe('a USB receipt printer over WebUSB', () => {
  it('asks the browser’s picker for printer-class devices only', async () => {
    const printer = new FakeUsbDevice();
    const usb = new FakeUsb([], printer);
    expect(await choosePrinter(usb)).toBe(printer);
    expect(usb.requests).toEqual([{ filters: [{ classCode: PRINTER_CLASS }] }]);
    expect(PRINTER_CLASS).toBe(0x07);
  });

  it('says the cashier chose nothing when the picker is closed', async () => {
    await expect(choosePrinter(new FakeUsb())).rejects.toMatchObject({ code: 'CANCELED' });
  });

  it('finds the remembered printer again among the devices the site may use, by vendor, product and serial number', async () => {
    const a = new FakeUsbDevice(0x0416, 0x5011, 'POS58', [PRINTER_CONFIG], 'SN-A');
    const b = new FakeUsbDevice(0x0416, 0x5011, 'POS58', [PRINTER_CONFIG], 'SN-B');
    const usb = new FakeUsb([a, b]);
    expect(await findPrinter(usb, describePrinter(b))).toBe(b);
    expect(await findPrinter(usb, { vendorId: 0x0416, productId: 0x5011, name: 'no serial' })).toBe(a);
    expect(await findPrinter(usb, { vendorId: 0x04b8, productId: 0x0202, name: 'Epson' })).toBeUndefined();
    expect(describePrinter(b)).toEqual({ vendorId: 0x0416, productId: 0x5011, serialNumber: 'SN-B', name: 'Winbond POS58' });
  });

  it('picks the printer interface’s bulk OUT endpoint, not another interface’s', () => {
    expect(printerEndpoint(new FakeUsbDevice())).toEqual({ configurationValue: 1, interfaceNumber: 1, alternateSetting: 0, endpointNumber: 2 });
  });

  it('opens, selects the configuration, claims the printer interface, sends every byte in chunks, then lets go of the device', async () => {
    const printer = new FakeUsbDevice();
    const data = bytes(CHUNK_BYTES * 2 + 10);
    await writeToPrinter(printer, data);
    expect(printer.calls).toEqual([
      'open',
      'selectConfiguration 1',
      'claimInterface 1',
      `transferOut 2 ${CHUNK_BYTES}`,
      `transferOut 2 ${CHUNK_BYTES}`,
      'transferOut 2 10',
      'releaseInterface 1',
      'close',
    ]);
    expect(printer.written).toEqual([...data]);
    expect(printer.opened).toBe(false);
  });

  it('refuses a device without a printer interface', async () => {
    const scale = new FakeUsbDevice(0x1234, 0x0001, 'Scale', [{ configurationValue: 1, interfaces: [{ interfaceNumber: 0, alternates: [{ alternateSetting: 0, interfaceClass: 0xff, endpoints: [{ endpointNumber: 1, direction: 'out', type: 'bulk' }] }] }] }]);
    expect(printerEndpoint(scale)).toBeUndefined();
    await expect(writeToPrinter(scale, bytes(3))).rejects.toMatchObject({ code: 'NOT_A_PRINTER' });
    expect(scale.calls).toEqual([]);
  });

  it('says the interface is held by someone else (the system driver, another tab) and closes the device again', async () => {
    const printer = new FakeUsbDevice();
    printer.failClaim = new DOMException('Unable to claim interface.', 'NetworkError');
    const error = await writeToPrinter(printer, bytes(3)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PrinterError);
    expect(error).toMatchObject({ code: 'BUSY' });
    expect(String((error as Error).message)).toContain('Unable to claim interface');
    expect(printer.calls.at(-1)).toBe('close');
    expect(printer.written).toEqual([]);
  });

  it('clears a stalled endpoint and reports the failed transfer, so the next print can go through', async () => {
    const printer = new FakeUsbDevice();
    printer.transferStatus = 'stall';
    await expect(writeToPrinter(printer, bytes(3))).rejects.toMatchObject({ code: 'TRANSFER' });
    expect(printer.calls).toContain('clearHalt out 2');
    expect(printer.calls.slice(-2)).toEqual(['releaseInterface 1', 'close']);
    printer.transferStatus = 'ok';
    await writeToPrinter(printer, bytes(3, 0x42));
    expect(printer.written).toEqual([0x42, 0x42, 0x42]);
  });

  it('prints two receipts asked for at once one after the other, never interleaved', async () => {
    const printer = new FakeUsbDevice();
    await Promise.all([writeToPrinter(printer, bytes(CHUNK_BYTES + 1, 0x31)), writeToPrinter(printer, bytes(CHUNK_BYTES + 1, 0x32))]);
    expect(printer.written).toEqual([...bytes(CHUNK_BYTES + 1, 0x31), ...bytes(CHUNK_BYTES + 1, 0x32)]);
    expect(printer.calls.filter((c) => c === 'open')).toHaveLength(2);
  });

  it('finds WebUSB on the navigator only where the browser has it', () => {
    expect(usbOf({})).toBeUndefined();
    const usb = new FakeUsb();
    expect(usbOf({ usb })).toBe(usb);
  });
});
