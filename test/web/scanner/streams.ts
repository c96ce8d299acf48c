/**
 * Synthetic keyboard streams for the wedge tests and the wedge bench: what a wedge scanner or a
 * person sends, as timed keydown objects shaped like KeyboardEvent, plus a virtual clock so timers
 * run in simulated milliseconds.
 */
import type { KeyInput } from '../../../web/src/lib/scanner/types.ts';

export type Layout = 'us' | 'azerty' | 'ime';
export type Terminator = 'Enter' | 'Tab' | 'CRLF' | 'none';

export interface KeySpec {
  key: string;
  code: string;
  keyCode: number;
  shiftKey?: boolean;
  ctrlKey?: boolean;
  repeat?: boolean;
}

export interface TimedKey {
  at: number;
  spec: KeySpec;
}

/** A keydown object that records what the wedge did with it. */
export class FakeKeyEvent implements KeyInput {
  key: string;
  code: string;
  keyCode: number;
  which: number;
  shiftKey: boolean;
  ctrlKey = false;
  altKey = false;
  metaKey = false;
  repeat: boolean;
  target: EventTarget | null = null;
  defaultPrevented = false;
  propagationStopped = false;
  constructor(spec: KeySpec) {
    this.key = spec.key;
    this.code = spec.code;
    this.keyCode = spec.keyCode;
    this.which = spec.keyCode;
    this.shiftKey = spec.shiftKey ?? false;
    this.ctrlKey = spec.ctrlKey ?? false;
    this.repeat = spec.repeat ?? false;
  }
  preventDefault(): void {
    this.defaultPrevented = true;
  }
  stopPropagation(): void {
    this.propagationStopped = true;
  }
  stopImmediatePropagation(): void {
    this.propagationStopped = true;
  }
}

/** Simulated time: timers fire in order as the clock is advanced. */
export class VirtualClock {
  t = 0;
  #timers: { id: number; at: number; fn: () => void }[] = [];
  #next = 1;
  now = (): number => this.t;
  setTimeout = (fn: () => void, ms: number): number => {
    const id = this.#next++;
    this.#timers.push({ id, at: this.t + Math.max(0, ms), fn });
    return id;
  };
  clearTimeout = (id: unknown): void => {
    this.#timers = this.#timers.filter((x) => x.id !== id);
  };
  /** Run every timer due by `t` (in time order), then set the clock to `t`. */
  advanceTo(t: number): void {
    for (;;) {
      const due = this.#timers.filter((x) => x.at <= t).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.#timers = this.#timers.filter((x) => x !== due);
      this.t = Math.max(this.t, due.at);
      due.fn();
    }
    this.t = Math.max(this.t, t);
  }
}

const SHIFTED_DIGITS = ')!@#$%^&*(';
const PUNCT: Record<string, [string, boolean]> = {
  '-': ['Minus', false], _: ['Minus', true], '=': ['Equal', false], '+': ['Equal', true],
  '.': ['Period', false], ',': ['Comma', false], '/': ['Slash', false], ':': ['Semicolon', true],
  ' ': ['Space', false], '*': ['Digit8', true],
};

/** The physical key (US positions) a scanner presses for a character. */
export function usKeyFor(ch: string): { code: string; shift: boolean; keyCode: number } {
  if (ch >= '0' && ch <= '9') return { code: `Digit${ch}`, shift: false, keyCode: ch.charCodeAt(0) };
  if (ch >= 'a' && ch <= 'z') return { code: `Key${ch.toUpperCase()}`, shift: false, keyCode: ch.toUpperCase().charCodeAt(0) };
  if (ch >= 'A' && ch <= 'Z') return { code: `Key${ch}`, shift: true, keyCode: ch.charCodeAt(0) };
  const sd = SHIFTED_DIGITS.indexOf(ch);
  if (sd >= 0 && ch !== '*') return { code: `Digit${sd}`, shift: true, keyCode: 48 + sd };
  const p = PUNCT[ch];
  if (p) return { code: p[0], shift: p[1], keyCode: ch === '.' ? 190 : ch === '-' || ch === '_' ? 189 : ch === ' ' ? 32 : 186 };
  throw new Error(`no US key for ${JSON.stringify(ch)}`);
}

const AZERTY_DIGIT_ROW = ['à', '&', 'é', '"', "'", '(', '-', 'è', '_', 'ç'];
const AZERTY_LETTERS: Record<string, string> = { KeyQ: 'a', KeyA: 'q', KeyW: 'z', KeyZ: 'w', KeyM: ',', Semicolon: 'm' };

/** The `key` a French AZERTY host reports for a US-position key press. */
export function azertyKey(code: string, shift: boolean): string {
  if (code.startsWith('Digit')) {
    const d = Number(code.slice(5));
    return shift ? String(d) : (AZERTY_DIGIT_ROW[d] ?? '?');
  }
  const l = AZERTY_LETTERS[code];
  if (l) return shift ? l.toUpperCase() : l;
  if (code.startsWith('Key')) return shift ? code.slice(3) : code.slice(3).toLowerCase();
  if (code === 'Period') return shift ? '.' : ';';
  return '?';
}

/** The keydown a scanner in US keyboard mode produces for `ch` on a host with `layout`. */
export function scannerKey(ch: string, layout: Layout): KeySpec {
  const k = usKeyFor(ch);
  if (layout === 'ime') return { key: 'Process', code: k.code, keyCode: 229, shiftKey: k.shift };
  if (layout === 'azerty') return { key: azertyKey(k.code, k.shift), code: k.code, keyCode: k.keyCode, shiftKey: k.shift };
  return { key: ch, code: k.code, keyCode: k.keyCode, shiftKey: k.shift };
}

export const ENTER: KeySpec = { key: 'Enter', code: 'Enter', keyCode: 13 };
export const TAB: KeySpec = { key: 'Tab', code: 'Tab', keyCode: 9 };
/** LF from a scanner in control-character mode: Ctrl+J. */
export const LINE_FEED: KeySpec = { key: 'j', code: 'KeyJ', keyCode: 74, ctrlKey: true };
export const BACKSPACE: KeySpec = { key: 'Backspace', code: 'Backspace', keyCode: 8 };

export function terminatorKeys(t: Terminator, layout: Layout): KeySpec[] {
  const ime = (s: KeySpec): KeySpec => (layout === 'ime' ? { ...s, key: s.code === 'Enter' ? 'Enter' : s.key, keyCode: 229 } : s);
  if (t === 'Enter') return [ime(ENTER)];
  if (t === 'Tab') return [ime(TAB)];
  if (t === 'CRLF') return [ime(ENTER), LINE_FEED];
  return [];
}

/** Deterministic PRNG (mulberry32) so streams are the same on every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface ScanStreamOptions {
  code: string;
  start: number;
  gapMs: number;
  /** Relative jitter of each gap, e.g. 0.2 = ±20 %. */
  jitter?: number;
  layout?: Layout;
  terminator?: Terminator;
  random?: () => number;
}

/** A scanner typing `code` at `gapMs` per key (± jitter), then its terminator. */
export function scanStream(o: ScanStreamOptions): TimedKey[] {
  const layout = o.layout ?? 'us';
  const random = o.random ?? Math.random;
  const gap = () => Math.max(0.2, o.gapMs * (1 + (o.jitter ?? 0) * (2 * random() - 1)));
  const keys: KeySpec[] = [...o.code].map((c) => scannerKey(c, layout));
  keys.push(...terminatorKeys(o.terminator ?? 'Enter', layout));
  const out: TimedKey[] = [];
  let t = o.start;
  keys.forEach((spec, i) => {
    if (i > 0) t += gap();
    out.push({ at: t, spec });
  });
  return out;
}

/** A person typing `text` with the given gap before each key after the first (US layout keys). */
export function typedStream(text: string, start: number, gaps: readonly number[], layout: 'us' | 'azerty' = 'us'): TimedKey[] {
  const out: TimedKey[] = [];
  let t = start;
  [...text].forEach((ch, i) => {
    if (i > 0) t += gaps[(i - 1) % gaps.length] ?? 150;
    let spec: KeySpec;
    if (ch === '\n') spec = ENTER;
    else if (ch === '\b') spec = BACKSPACE;
    else if (layout === 'azerty' && ch >= '0' && ch <= '9') spec = { key: ch, code: `Digit${ch}`, keyCode: ch.charCodeAt(0), shiftKey: true };
    else if (layout === 'azerty' && ch === '.') spec = { key: '.', code: 'Comma', keyCode: 188, shiftKey: true };
    else spec = scannerKey(ch, 'us');
    out.push({ at: t, spec });
  });
  return out;
}

/** Merge streams by time. */
export function merge(...streams: TimedKey[][]): TimedKey[] {
  return streams.flat().sort((a, b) => a.at - b.at);
}

/** A WeChat-shaped test code: 18 digits starting 10–15. */
export function wechatCode(random: () => number): string {
  let s = `1${Math.floor(random() * 6)}`;
  while (s.length < 18) s += String(Math.floor(random() * 10));
  return s;
}

/** An Alipay payment code: 25–30, then digits, 16–24 long. */
export function alipayCode(random: () => number): string {
  let s = String(25 + Math.floor(random() * 6));
  const length = 16 + Math.floor(random() * 9);
  while (s.length < length) s += String(Math.floor(random() * 10));
  return s;
}

/** Replay a stream into a keydown handler on the virtual clock; returns the events as dispatched. */
export function play(stream: readonly TimedKey[], clock: VirtualClock, handle: (e: FakeKeyEvent) => void, settleMs = 1000): FakeKeyEvent[] {
  const events: FakeKeyEvent[] = [];
  for (const k of stream) {
    clock.advanceTo(k.at);
    const e = new FakeKeyEvent(k.spec);
    events.push(e);
    handle(e);
  }
  clock.advanceTo((stream[stream.length - 1]?.at ?? clock.t) + settleMs);
  return events;
}
