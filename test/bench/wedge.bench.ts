/**
 * Wedge capture vs onscan.js 1.5.2 (defaults) on the same synthetic key streams.
 *
 * Both run in this Node process on one virtual clock: our KeyboardWedge gets the clock injected;
 * onscan.js (a browser library) is attached to a minimal fake DOM element (addEventListener /
 * dispatchEvent; Node 20 provides CustomEvent) while Date.now, setTimeout and clearTimeout are
 * swapped for the virtual clock, so its 100 ms "time before scan test" runs in simulated time.
 * Every stream is replayed key by key at its timestamps; each key is a fresh KeyboardEvent-shaped
 * object (key, code, keyCode/which, shiftKey, ctrlKey, repeat) so both see identical input.
 *
 * Figures per stream class:
 * - captured: the stream produced exactly one scan with exactly the code (and, for ours, no key
 *   of the scan reached onHumanKey);
 * - leaked keys: scan keys whose default action was not prevented (they would land in a focused
 *   field or fire a shortcut);
 * - latency: scan delivered minus the time of the code's last character (ms);
 * - human mistaken: a person's typing produced a scan; typed-key delay: how late our wedge hands a
 *   typed key to the app (onscan never holds keys back, it also never stops them).
 */
import { createRequire } from 'node:module';
import { KeyboardWedge } from '../../web/src/lib/scanner/wedge.ts';
import {
  FakeKeyEvent,
  merge,
  rng,
  scanStream,
  typedStream,
  VirtualClock,
  alipayCode,
  wechatCode,
  type Layout,
  type Terminator,
  type TimedKey,
} from '../web/scanner/streams.ts';

interface OnScanApi {
  attachTo(el: object, options: Record<string, unknown>): unknown;
  detachFrom(el: object): void;
}
const onScan = createRequire(import.meta.url)('onscan.js') as OnScanApi;

interface Outcome {
  scans: { code: string; at: number }[];
  /** Typed keys delivered to the app (ours only), with delay. */
  typed: { key: string; delay: number }[];
  /** Indices (into the stream) of keys whose default action was not prevented. */
  notPrevented: Set<number>;
}

function runOurs(stream: readonly TimedKey[]): Outcome {
  const clock = new VirtualClock();
  const out: Outcome = { scans: [], typed: [], notPrevented: new Set() };
  const wedge = new KeyboardWedge({
    now: clock.now,
    setTimer: clock.setTimeout,
    clearTimer: clock.clearTimeout,
    onScan: (s) => out.scans.push({ code: s.code, at: clock.t }),
    onHumanKey: (k) => out.typed.push({ key: k.key, delay: clock.t - k.at }),
  });
  replay(stream, clock, (e) => wedge.handleKeyDown(e), out);
  return out;
}

function runOnscan(stream: readonly TimedKey[]): Outcome {
  const clock = new VirtualClock();
  const out: Outcome = { scans: [], typed: [], notPrevented: new Set() };
  const listeners: ((e: FakeKeyEvent) => void)[] = [];
  const element = {
    addEventListener: (_type: string, fn: (e: FakeKeyEvent) => void) => listeners.push(fn),
    removeEventListener: () => undefined,
    dispatchEvent: () => true,
  };
  const saved = { now: Date.now, setTimeout: globalThis.setTimeout, clearTimeout: globalThis.clearTimeout };
  Date.now = () => clock.t;
  (globalThis as { setTimeout: unknown }).setTimeout = (fn: (...a: unknown[]) => void, ms: number, ...args: unknown[]) => clock.setTimeout(() => fn(...args), ms);
  (globalThis as { clearTimeout: unknown }).clearTimeout = (id: unknown) => clock.clearTimeout(id);
  try {
    onScan.attachTo(element, { onScan: (code: string) => out.scans.push({ code, at: clock.t }) });
    replay(stream, clock, (e) => listeners.forEach((l) => l.call(element, e)), out);
    onScan.detachFrom(element);
  } finally {
    Date.now = saved.now;
    globalThis.setTimeout = saved.setTimeout;
    globalThis.clearTimeout = saved.clearTimeout;
  }
  return out;
}

function replay(stream: readonly TimedKey[], clock: VirtualClock, handle: (e: FakeKeyEvent) => void, out: Outcome): void {
  stream.forEach((k, i) => {
    clock.advanceTo(k.at);
    const e = new FakeKeyEvent(k.spec);
    handle(e);
    if (!e.defaultPrevented) out.notPrevented.add(i);
  });
  clock.advanceTo((stream.at(-1)?.at ?? 0) + 2000);
}

// ---------- stream generation ----------

const SPEEDS = [1, 5, 10, 20, 50, 80, 100];
const TERMINATORS: Terminator[] = ['Enter', 'Tab', 'CRLF', 'none'];
const LAYOUTS: Layout[] = ['us', 'azerty', 'ime'];
const CODES_PER_CELL = 12;
const JITTER = 0.15;

interface ScanCase {
  code: string;
  stream: TimedKey[];
  /** Stream indices that belong to the scan (code and terminator). */
  scanKeys: Set<number>;
  /** Time of the code's last character. */
  lastCharAt: number;
  /** Keys a person typed around the scan, expected in onHumanKey in this order (ours). */
  typed: string;
  speed: number;
  layout: Layout;
  terminator: Terminator;
}

function scanCase(code: string, speed: number, layout: Layout, terminator: Terminator, random: () => number): ScanCase {
  const stream = scanStream({ code, start: 1000, gapMs: speed, jitter: JITTER, layout, terminator, random });
  return { code, stream, scanKeys: new Set(stream.map((_, i) => i)), lastCharAt: stream[code.length - 1]!.at, typed: '', speed, layout, terminator };
}

function amount(random: () => number): string {
  const lead = random() < 0.4 ? '1' : String(1 + Math.floor(random() * 9));
  let s = lead;
  const intDigits = Math.floor(random() * 4);
  for (let i = 0; i < intDigits; i++) s += String(Math.floor(random() * 10));
  if (random() < 0.6) {
    s += '.';
    const dec = 1 + Math.floor(random() * 2);
    for (let i = 0; i < dec; i++) s += String(Math.floor(random() * 10));
  }
  return s;
}

type GapModel = (random: () => number, i: number) => number;
const HUMAN_MODELS: [string, GapModel][] = [
  ['steady typist 120–250 ms/key', (r) => 120 + r() * 130],
  ['fast typist: 30 ms bigrams + 80–160 ms', (r, i) => (i % 2 === 0 ? 25 + r() * 10 : 80 + r() * 80)],
  ['numpad pro 55–110 ms/key', (r) => 55 + r() * 55],
  ['payment code keyed by hand 150–300 ms', (r) => 150 + r() * 150],
];

function humanStream(text: string, model: GapModel, random: () => number): TimedKey[] {
  const gaps = Array.from({ length: text.length }, (_, i) => model(random, i));
  return typedStream(text, 1000, gaps);
}

// ---------- measuring ----------

interface Tally {
  n: number;
  captured: number;
  leakedKeys: number;
  scanKeys: number;
  latencies: number[];
}
const tally = (): Tally => ({ n: 0, captured: 0, leakedKeys: 0, scanKeys: 0, latencies: [] });

function judgeScan(c: ScanCase, o: Outcome, ours: boolean, t: Tally): void {
  t.n += 1;
  t.scanKeys += c.scanKeys.size;
  for (const i of c.scanKeys) if (o.notPrevented.has(i)) t.leakedKeys += 1;
  const hits = o.scans.filter((s) => s.code === c.code);
  const typedOk = !ours || o.typed.map((k) => k.key).join('') === c.typed;
  if (o.scans.length === 1 && hits.length === 1 && typedOk) {
    t.captured += 1;
    t.latencies.push(hits[0]!.at - c.lastCharAt);
  }
}

const pct = (a: number, b: number) => (b === 0 ? '—' : `${((100 * a) / b).toFixed(1)}%`);
function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}
const ms = (x: number) => (Number.isNaN(x) ? '—' : x.toFixed(1));

export async function run(): Promise<void> {
  const random = rng(20261128);
  const groups: [string, (c: ScanCase) => string][] = [
    ['speed', (c) => `${c.speed} ms/key`],
    ['layout', (c) => c.layout],
    ['terminator', (c) => c.terminator],
  ];
  for (const [wallet, makeCode] of [['WeChat', wechatCode], ['Alipay', alipayCode]] as const) {
    const cases: ScanCase[] = [];
    for (const speed of SPEEDS)
      for (const terminator of TERMINATORS)
        for (const layout of LAYOUTS) for (let i = 0; i < CODES_PER_CELL; i++) cases.push(scanCase(makeCode(random), speed, layout, terminator, random));
    const results = cases.map((c) => ({ c, ours: runOurs(c.stream), theirs: runOnscan(c.stream) }));

    console.log(`${wallet} payment codes: ${cases.length} scans (${CODES_PER_CELL} per speed × terminator × layout, gaps ±${JITTER * 100}% jitter)`);
    // Alipay's table by speed only: layouts and terminators behave as for WeChat codes.
    for (const [name, key] of wallet === 'WeChat' ? groups : groups.slice(0, 1)) {
      const rows = new Map<string, { ours: Tally; theirs: Tally }>();
      for (const r of results) {
        const k = key(r.c);
        const row = rows.get(k) ?? { ours: tally(), theirs: tally() };
        judgeScan(r.c, r.ours, true, row.ours);
        judgeScan(r.c, r.theirs, false, row.theirs);
        rows.set(k, row);
      }
      console.table(
        [...rows].map(([k, { ours, theirs }]) => ({
          [name]: k,
          'captured ours': pct(ours.captured, ours.n),
          'captured onscan': pct(theirs.captured, theirs.n),
          'keys leaked ours': pct(ours.leakedKeys, ours.scanKeys),
          'keys leaked onscan': pct(theirs.leakedKeys, theirs.scanKeys),
          'latency ours p50/max ms': `${ms(quantile(ours.latencies, 0.5))} / ${ms(Math.max(...ours.latencies))}`,
          'latency onscan p50/max ms': theirs.latencies.length ? `${ms(quantile(theirs.latencies, 0.5))} / ${ms(Math.max(...theirs.latencies))}` : '—',
        })),
      );
    }
  }

  // Other barcodes a cashier may scan by mistake (USB scanners, terminated): must arrive as scans.
  const others = ['6901234567892', 'ABC-12345', '2812345678901234', '62170012345678901'];
  console.log('Other barcodes (EAN-13, Code 128 text, Alipay, UnionPay), USB speeds 1–20 ms/key, US/AZERTY/IME');
  const otherRows: Record<string, string | number>[] = [];
  for (const terminator of ['Enter', 'none'] as const) {
    const otherCases = others.flatMap((code) => [1, 5, 10, 20].flatMap((speed) => LAYOUTS.map((layout) => scanCase(code, speed, layout, terminator, random))));
    const o = { ours: tally(), theirs: tally() };
    for (const c of otherCases) {
      judgeScan(c, runOurs(c.stream), true, o.ours);
      judgeScan(c, runOnscan(c.stream), false, o.theirs);
    }
    otherRows.push({
      terminator,
      streams: o.ours.n,
      'captured ours': pct(o.ours.captured, o.ours.n),
      'captured onscan': pct(o.theirs.captured, o.theirs.n),
      'latency ours p50/max ms': `${ms(quantile(o.ours.latencies, 0.5))} / ${ms(Math.max(...o.ours.latencies))}`,
      'latency onscan p50/max ms': o.theirs.latencies.length ? `${ms(quantile(o.theirs.latencies, 0.5))} / ${ms(Math.max(...o.theirs.latencies))}` : '—',
    });
  }
  console.table(otherRows);

  // A person typing: amounts (with Enter), a payment code keyed by hand, a held-down key.
  const HUMAN_PER_MODEL = 400;
  const humanRows: Record<string, string>[] = [];
  const judgeHuman = (label: string, streams: { stream: TimedKey[]; text: string }[]) => {
    let oursMistaken = 0;
    let theirsMistaken = 0;
    let inOrder = 0;
    const delays: number[] = [];
    for (const { stream, text } of streams) {
      const ours = runOurs(stream);
      const theirs = runOnscan(stream);
      if (ours.scans.length > 0) oursMistaken += 1;
      if (theirs.scans.length > 0) theirsMistaken += 1;
      if (ours.typed.map((k) => (k.key === 'Enter' ? '\n' : k.key)).join('') === text) inOrder += 1;
      delays.push(...ours.typed.map((k) => k.delay));
    }
    humanRows.push({
      'human stream': label,
      streams: String(streams.length),
      'mistaken ours': pct(oursMistaken, streams.length),
      'mistaken onscan': pct(theirsMistaken, streams.length),
      'all keys in order (ours)': pct(inOrder, streams.length),
      'typed-key delay ours p50/p95/max ms': `${ms(quantile(delays, 0.5))} / ${ms(quantile(delays, 0.95))} / ${ms(Math.max(...delays))}`,
    });
  };
  for (const [label, model] of HUMAN_MODELS) {
    const streams = Array.from({ length: HUMAN_PER_MODEL }, () => {
      const text = label.startsWith('payment code') ? `${wechatCode(random)}\n` : `${amount(random)}\n`;
      return { stream: humanStream(text, model, random), text };
    });
    judgeHuman(label, streams);
  }
  judgeHuman(
    'held-down key (auto-repeat 33 ms)',
    Array.from({ length: 50 }, () => {
      const d = String(Math.floor(random() * 10));
      const stream: TimedKey[] = Array.from({ length: 16 }, (_, i) => ({
        at: i === 0 ? 1000 : 1500 + i * 33,
        spec: { key: d, code: `Digit${d}`, keyCode: 48 + Number(d), repeat: i > 0 },
      }));
      return { stream, text: d.repeat(16) };
    }),
  );
  console.log('A person typing (amounts end with Enter)');
  console.table(humanRows);

  // A scan arriving while a person has typed half an amount.
  const mixed = { ours: tally(), theirs: tally() };
  for (let i = 0; i < 300; i++) {
    const before = amount(random).slice(0, 3);
    const speed = SPEEDS[i % SPEEDS.length]!;
    const typed = humanStream(before, HUMAN_MODELS[i % 2]![1], random);
    const code = wechatCode(random);
    const start = typed.at(-1)!.at + 300 + random() * 700;
    const scan = scanStream({ code, start, gapMs: speed, jitter: JITTER, terminator: TERMINATORS[i % 4]!, layout: LAYOUTS[i % 3]!, random });
    const after = typedStream('5', scan.at(-1)!.at + 400, []);
    const stream = merge(typed, scan, after);
    const scanKeys = new Set(stream.map((k, j) => (scan.includes(k) ? j : -1)).filter((j) => j >= 0));
    const c: ScanCase = { code, stream, scanKeys, lastCharAt: scan[code.length - 1]!.at, typed: `${before}5`, speed, layout: 'us', terminator: 'Enter' };
    judgeScan(c, runOurs(stream), true, mixed.ours);
    judgeScan(c, runOnscan(stream), false, mixed.theirs);
  }
  console.log('A scan while half an amount is typed (ours must also deliver the typed keys, in order)');
  console.table([
    {
      streams: mixed.ours.n,
      'correct ours': pct(mixed.ours.captured, mixed.ours.n),
      'correct onscan': pct(mixed.theirs.captured, mixed.theirs.n),
      'keys leaked ours': pct(mixed.ours.leakedKeys, mixed.ours.scanKeys),
      'keys leaked onscan': pct(mixed.theirs.leakedKeys, mixed.theirs.scanKeys),
    },
  ]);
}
