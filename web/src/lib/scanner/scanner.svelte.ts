/**
 * One stream of scans from the keyboard wedge and WebHID HID POS scanners, as Svelte runes state
 * for the checkout and the diagnostics screen. The scanner only decodes: the checkout decides what
 * a non-WeChat code means. Duplicate reads of one code within a short window are dropped here, for
 * both sources.
 */
import { createDuplicateFilter, DUPLICATE_WINDOW_MS } from './dedupe.ts';
import { HidSource, hidAvailability, type HidScan } from './hid.ts';
import { DeviceMemory, type KeyValueStore } from './hid-memory.ts';
import type { HidLike } from './hid-types.ts';
import type { HidDeviceInfo, HumanKey, KeyInput, Scan } from './types.ts';
import { KeyboardWedge, type WedgeScan, type WedgeTiming } from './wedge.ts';

export const RECENT_LIMIT = 20;

export interface ScannerOptions {
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  wedge?: Partial<WedgeTiming>;
  duplicateWindowMs?: number;
  /** Defaults to the page's navigator.hid / isSecureContext / localStorage. */
  navigator?: { userAgent?: string; hid?: HidLike } & object;
  isSecureContext?: boolean;
  storage?: KeyValueStore;
}

type Listener<T> = (value: T) => void;

/** Keys typed inside an element marked data-scanner-ignore (e.g. a free-text note) are left alone. */
function optedOut(e: KeyInput): boolean {
  const t = e.target as { closest?: (selector: string) => unknown } | null | undefined;
  return typeof t?.closest === 'function' && t.closest('[data-scanner-ignore]') != null;
}

export class Scanner {
  readonly hidSupported: boolean;
  readonly hidUnavailableReason: string | undefined;

  #recent = $state.raw<Scan[]>([]);
  #devices = $state.raw<HidDeviceInfo[]>([]);
  #enabled = $state(true);
  #lastError = $state<string | undefined>(undefined);
  #duplicatesDropped = $state(0);

  #now: () => number;
  #wedge: KeyboardWedge;
  #hid: HidSource | undefined;
  #isNew: (code: string, at: number) => boolean;
  #scanListeners = new Set<Listener<Scan>>();
  #keyListeners = new Set<Listener<HumanKey>>();
  #detach: (() => void) | undefined;

  constructor(options: ScannerOptions = {}) {
    const g = globalThis as { navigator?: ScannerOptions['navigator']; isSecureContext?: boolean; localStorage?: KeyValueStore; performance?: { now(): number } };
    const now = options.now ?? (() => (g.performance ? g.performance.now() : Date.now()));
    this.#now = now;
    this.#isNew = createDuplicateFilter(options.duplicateWindowMs ?? DUPLICATE_WINDOW_MS);
    this.#wedge = new KeyboardWedge({
      ...options.wedge,
      now,
      setTimer: options.setTimer ?? ((fn, ms) => setTimeout(fn, ms)),
      clearTimer: options.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>)),
      ignore: (e) => !this.#enabled || optedOut(e),
      onScan: (s) => this.#fromWedge(s),
      onHumanKey: (k) => this.#keyListeners.forEach((l) => l(k)),
    });
    const nav = options.navigator ?? g.navigator;
    const availability = hidAvailability({ navigator: nav, isSecureContext: options.isSecureContext ?? g.isSecureContext ?? false });
    this.hidSupported = availability.supported;
    this.hidUnavailableReason = availability.reason;
    const hid = nav?.hid;
    if (availability.supported && hid) {
      let storage: KeyValueStore | undefined = options.storage;
      try {
        storage ??= g.localStorage;
      } catch {
        // localStorage access can throw (blocked storage): serial-number knowledge then lasts one session.
      }
      this.#hid = new HidSource({
        hid,
        now,
        memory: new DeviceMemory(storage),
        onScan: (s) => this.#fromHid(s),
        onDevicesChange: (d) => (this.#devices = d),
        onError: (m) => (this.#lastError = m),
      });
    }
  }

  /** Listen for scans on the window (capture phase) and reconnect known HID scanners. */
  start(target?: Window): void {
    if (this.#detach) return;
    const t = target ?? (globalThis as { window?: Window }).window;
    const detachWedge = t ? this.#wedge.attach(t) : () => this.#wedge.flush();
    this.#detach = detachWedge;
    if (this.#hid) this.#hid.start().catch((err: unknown) => (this.#lastError = String(err)));
  }

  stop(): void {
    this.#detach?.();
    this.#detach = undefined;
    if (this.#hid) this.#hid.stop().catch((err: unknown) => (this.#lastError = String(err)));
  }

  onScan(listener: Listener<Scan>): () => void {
    this.#scanListeners.add(listener);
    return () => this.#scanListeners.delete(listener);
  }

  /** Keys a person typed (the amount…), in order, never part of a scan. */
  onHumanKey(listener: Listener<HumanKey>): () => void {
    this.#keyListeners.add(listener);
    return () => this.#keyListeners.delete(listener);
  }

  /** From a button: opens Chrome's chooser for HID POS scanners. Rejects with a readable message. */
  async pairHid(): Promise<void> {
    if (!this.#hid) throw new Error(this.hidUnavailableReason ?? 'HID scanners are not available here.');
    try {
      await this.#hid.pair();
      this.#lastError = undefined;
    } catch (err) {
      this.#lastError = err instanceof Error ? err.message : String(err);
      throw err;
    }
  }

  /** Feed one keydown directly (for an app that owns its own key listener, and for tests). */
  handleKeyDown(e: KeyInput): void {
    this.#wedge.handleKeyDown(e);
  }

  get devices(): HidDeviceInfo[] {
    return this.#devices;
  }

  /** Last scans, newest first, with source, symbology and timing: for the diagnostics screen. */
  get recent(): Scan[] {
    return this.#recent;
  }

  get enabled(): boolean {
    return this.#enabled;
  }

  /** Pause capture (e.g. while a PIN dialog is open): held keys are released as typing, HID scans dropped. */
  set enabled(value: boolean) {
    if (value === this.#enabled) return;
    if (!value) this.#wedge.flush();
    this.#enabled = value;
  }

  get lastError(): string | undefined {
    return this.#lastError;
  }

  get duplicatesDropped(): number {
    return this.#duplicatesDropped;
  }

  /** Keys currently held back while a burst is judged. */
  get pendingKeys(): number {
    return this.#wedge.pending;
  }

  #fromWedge(s: WedgeScan): void {
    this.#emit({ code: s.code, source: 'wedge', receivedAt: this.#now(), durationMs: s.endedAt - s.startedAt });
  }

  #fromHid(s: HidScan): void {
    if (!this.#enabled) return;
    const scan: Scan = { code: s.code, source: 'hid', receivedAt: this.#now(), durationMs: s.endedAt - s.startedAt, device: s.device };
    if (s.symbology) scan.symbology = s.symbology;
    this.#emit(scan);
  }

  #emit(scan: Scan): void {
    if (!this.#isNew(scan.code, scan.receivedAt)) {
      this.#duplicatesDropped += 1;
      return;
    }
    this.#recent = [scan, ...this.#recent].slice(0, RECENT_LIMIT);
    this.#scanListeners.forEach((l) => l(scan));
  }
}
