/**
 * This tablet's printer settings, kept in its localStorage (each till has its own printer):
 * paper width, auto-print after a sale, and the USB printer if one was chosen (none = the
 * browser's print dialog). Small on purpose: the checkout reads it to decide on auto-print.
 */
import { browserStorage, readJson, writeJson, type KeyValue } from '../local-store.ts';
import type { SavedPrinter } from './usb-printer.ts';
import type { Paper } from './receipt.ts';

export const PRINTER_KEY = 'pos.printer';

export interface PrinterSettings {
  paper: Paper;
  autoPrint: boolean;
  usb?: SavedPrinter;
}

export const DEFAULT_PRINTER_SETTINGS: PrinterSettings = { paper: 58, autoPrint: false };

export function loadPrinterSettings(store: KeyValue | undefined = browserStorage()): PrinterSettings {
  const saved = readJson<Partial<PrinterSettings>>(store, PRINTER_KEY);
  if (!saved || typeof saved !== 'object') return { ...DEFAULT_PRINTER_SETTINGS };
  const usb = saved.usb;
  const validUsb = usb && Number.isInteger(usb.vendorId) && Number.isInteger(usb.productId) && typeof usb.name === 'string';
  return {
    paper: saved.paper === 80 ? 80 : 58,
    autoPrint: saved.autoPrint === true,
    ...(validUsb ? { usb } : {}),
  };
}

export function savePrinterSettings(settings: PrinterSettings, store: KeyValue | undefined = browserStorage()): boolean {
  return writeJson(store, PRINTER_KEY, settings);
}
