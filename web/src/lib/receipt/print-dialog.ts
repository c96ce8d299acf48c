/**
 * Printing through the browser's print dialog: the receipt is mounted in its own element, the
 * page's print CSS hides everything else (receipt-sheet.svelte), and an @page rule sizes the
 * paper to the receipt: 58 or 80 mm wide and exactly as long as it is, so a roll printer's
 * driver (or "Save as PDF") gets one page with no blank tail.
 */
import { flushSync, mount, unmount } from 'svelte';
import ReceiptSheet from '../../components/receipt-sheet.svelte';
import type { Paper, Receipt } from './receipt.ts';

const HOST_ID = 'receipt-print';
const PRINTING_CLASS = 'printing-receipt';
/** CSS pixels per millimetre: CSS fixes 96 px to the inch. */
const PX_PER_MM = 96 / 25.4;

let current: { host: HTMLElement; app: ReturnType<typeof mount>; page: CSSStyleSheet } | undefined;

/** Takes the print view away (after the dialog closes, or before the next receipt). */
export function clearPrintView(): void {
  if (!current) return;
  void unmount(current.app);
  current.host.remove();
  const { page } = current;
  document.adoptedStyleSheets = document.adoptedStyleSheets.filter((sheet) => sheet !== page);
  document.documentElement.classList.remove(PRINTING_CLASS);
  current = undefined;
}

/** Lays the receipt out for printing and sizes the page; returns the page length in millimetres. */
export function preparePrintView(receipt: Receipt, paper: Paper): number {
  clearPrintView();
  const host = document.createElement('div');
  host.id = HOST_ID;
  document.body.append(host);
  const app = mount(ReceiptSheet, { target: host, props: { receipt, paper } });
  flushSync();
  const lengthMm = Math.ceil(host.getBoundingClientRect().height / PX_PER_MM) + 1;
  // A constructed sheet, not a <style> element: the Content-Security-Policy refuses inline styles.
  const page = new CSSStyleSheet();
  page.replaceSync(`@page { size: ${paper}mm ${lengthMm}mm; margin: 0; }`);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, page];
  document.documentElement.classList.add(PRINTING_CLASS);
  current = { host, app, page };
  return lengthMm;
}

export function printInDialog(receipt: Receipt, paper: Paper): void {
  preparePrintView(receipt, paper);
  window.addEventListener('afterprint', clearPrintView, { once: true });
  window.print();
}
