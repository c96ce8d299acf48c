/** Scanner capture for the POS: one stream of scans from the keyboard wedge and WebHID HID POS. */
export type { Scan, HumanKey, HidDeviceInfo, KeyInput } from './types.ts';
export { Scanner, RECENT_LIMIT, type ScannerOptions } from './scanner.svelte.ts';
export { HID_POS_SETUP_HINT, hidAvailability } from './hid.ts';
export { WEDGE_DEFAULTS, type WedgeTiming } from './wedge.ts';
export { DUPLICATE_WINDOW_MS } from './dedupe.ts';
