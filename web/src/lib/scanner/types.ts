/** One code read by a scanner, whichever way it arrived. */
export interface Scan {
  code: string;
  source: 'wedge' | 'hid';
  /** Human-readable symbology with its AIM id, e.g. "Code 128 (]C0)"; HID POS only (a wedge sends no AIM id). */
  symbology?: string;
  /** When the scan was accepted (the clock the scanner was given: performance.now() in the browser). */
  receivedAt: number;
  /** First key (or report) to last key (or report) of this code, ms. */
  durationMs: number;
  /** HID device name for HID scans. */
  device?: string;
}

/**
 * A key the wedge judged to be a person typing (e.g. the amount). Delivered exactly once, in the
 * order pressed. `deferred` keys were held back (their default action was prevented, so a focused
 * field did not receive them): the app applies them itself.
 */
export interface HumanKey {
  /** The layout's own character (what the person sees on the key), or the named key ('Backspace', 'Enter'…). */
  key: string;
  code: string;
  shiftKey: boolean;
  ctrlKey: boolean;
  altKey: boolean;
  metaKey: boolean;
  /** Time of the keydown on the scanner's clock. */
  at: number;
  deferred: boolean;
  target: EventTarget | null;
}

/** The part of a KeyboardEvent the wedge reads: tests and benches feed plain objects of this shape. */
export interface KeyInput {
  key: string;
  code: string;
  keyCode?: number;
  shiftKey?: boolean;
  ctrlKey?: boolean;
  altKey?: boolean;
  metaKey?: boolean;
  repeat?: boolean;
  isComposing?: boolean;
  /** When the key was pressed (performance.now() origin in Chrome); used instead of now() when sane. */
  timeStamp?: number;
  target?: EventTarget | null;
  getModifierState?(key: string): boolean;
  preventDefault(): void;
  stopPropagation(): void;
  stopImmediatePropagation?(): void;
}

/** A connected (or remembered) HID POS scanner, for the settings/diagnostics screen. */
export interface HidDeviceInfo {
  /** Stable key: vendorId:productId (WebHID exposes no serial number). */
  id: string;
  name: string;
  vendorId: number;
  productId: number;
  connected: boolean;
  /** Which report layout the parser uses: 'descriptor' or a named fallback profile. */
  layout: string;
  /** true once the device came back by itself after a replug (so Chrome stored its permission by serial number). */
  hasSerial: boolean;
  /** true once the device was seen to need pairing again after a replug (no USB serial number). */
  needsRepairAfterReplug: boolean;
  /** What the cashier should know about this device, if anything (e.g. re-pair after replug). */
  warning?: string;
}
