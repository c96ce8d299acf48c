/**
 * Scanner capture for the POS: one stream of scans from the keyboard wedge and WebHID HID POS.
 *
 *   const scanner = new Scanner();
 *   scanner.onScan((scan) => checkout.scan(scan.code));      // every scan, WeChat or not
 *   scanner.onHumanKey((k) => amount.press(k.key));           // typing, in order, never a scan
 *   scanner.start(window);                                    // capture phase on window
 *   button.onclick = () => scanner.pairHid();                 // HID POS, from a user gesture
 *
 * While enabled, printable keys are held back and their default action is prevented until the
 * wedge knows whether they are a scan: the app applies typed keys from onHumanKey (a focused text
 * field gets nothing natively). Pause with `scanner.enabled = false` (e.g. while a text field is
 * focused) or mark a field with `data-scanner-ignore`.
 */
export type { Scan, HumanKey, HidDeviceInfo, KeyInput } from './types.ts';
export { Scanner, RECENT_LIMIT, type ScannerOptions } from './scanner.svelte.ts';
export { HID_POS_SETUP_HINT, hidAvailability } from './hid.ts';
export { WEDGE_DEFAULTS, type WedgeTiming } from './wedge.ts';
export { DUPLICATE_WINDOW_MS } from './dedupe.ts';
