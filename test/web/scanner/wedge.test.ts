import { describe, expect, it } from 'vitest';
import { WEDGE_DEFAULTS } from '../../../web/src/lib/scanner/wedge.ts';
import { wedgeHarness } from './harness.ts';
import {
  BACKSPACE,
  FakeKeyEvent,
  merge,
  rng,
  scanStream,
  typedStream,
  wechatCode,
  type Layout,
  type Terminator,
  type TimedKey,
} from './streams.ts';

const SPEEDS = [1, 5, 10, 20, 50, 80, 100];
const TERMINATORS: Terminator[] = ['Enter', 'Tab', 'CRLF', 'none'];
const LAYOUTS: Layout[] = ['us', 'azerty', 'ime'];
const CODE = '134567890123456789';

const matrix = SPEEDS.flatMap((speed) => TERMINATORS.flatMap((terminator) => LAYOUTS.map((layout) => ({ speed, terminator, layout }))));

describe('keyboard wedge: WeChat payment codes', () => {
  it.each(matrix)('captures a code at $speed ms/key ending with $terminator on a $layout host, once and whole', ({ speed, terminator, layout }) => {
    const h = wedgeHarness();
    const stream = scanStream({ code: CODE, start: 1000, gapMs: speed, jitter: 0.1, layout, terminator, random: rng(speed) });
    const events = h.play(stream);
    expect(h.out.scans.map((s) => s.code)).toEqual([CODE]);
    expect(h.out.human).toEqual([]);
    expect(events.every((e) => e.defaultPrevented && e.propagationStopped)).toBe(true);
  });

  it.each(SPEEDS)('accepts the code the moment its 18th digit arrives at %i ms/key, before any terminator', (speed) => {
    const h = wedgeHarness();
    const stream = scanStream({ code: CODE, start: 500, gapMs: speed, terminator: 'Enter' });
    h.play(stream);
    const lastDigit = stream[17]!.at;
    expect(h.out.scans[0]?.emittedAt).toBe(lastDigit);
    expect(h.out.scans[0]?.end).toBe('complete-code');
    expect(h.out.scans[0]?.endedAt! - h.out.scans[0]?.startedAt!).toBeCloseTo(17 * speed, 5);
  });

  it('reads numpad digits as digits whatever NumLock reports as the key', () => {
    const h = wedgeHarness();
    const stream: TimedKey[] = [...CODE].map((d, i) => ({ at: i * 3, spec: { key: i % 2 ? d : 'End', code: `Numpad${d}`, keyCode: 96 + Number(d) } }));
    h.play(stream);
    expect(h.out.scans.map((s) => s.code)).toEqual([CODE]);
  });

  it('keeps back-to-back scans apart, with and without terminators', () => {
    const h = wedgeHarness();
    const r = rng(7);
    const a = wechatCode(r);
    const b = wechatCode(r);
    const c = wechatCode(r);
    const first = scanStream({ code: a, start: 0, gapMs: 5, terminator: 'Enter' });
    const second = scanStream({ code: b, start: first.at(-1)!.at + 20, gapMs: 5, terminator: 'none' });
    const third = scanStream({ code: c, start: second.at(-1)!.at + 5, gapMs: 5, terminator: 'CRLF' });
    h.play([...first, ...second, ...third]);
    expect(h.out.scans.map((s) => s.code)).toEqual([a, b, c]);
    expect(h.out.human).toEqual([]);
  });

  it('swallows a double Enter after a scan instead of passing the second one to the page', () => {
    const h = wedgeHarness();
    const stream = scanStream({ code: CODE, start: 0, gapMs: 4, terminator: 'Enter' });
    stream.push({ at: stream.at(-1)!.at + 4, spec: { key: 'Enter', code: 'Enter', keyCode: 13 } });
    const events = h.play(stream);
    expect(h.out.scans).toHaveLength(1);
    expect(h.out.human).toEqual([]);
    expect(events.at(-1)!.defaultPrevented).toBe(true);
  });

  it('lets a person press Enter again once the scan is over', () => {
    const h = wedgeHarness();
    const stream = scanStream({ code: CODE, start: 0, gapMs: 4, terminator: 'Enter' });
    stream.push({ at: stream.at(-1)!.at + 800, spec: { key: 'Enter', code: 'Enter', keyCode: 13 } });
    const events = h.play(stream);
    expect(h.out.human.map((k) => k.key)).toEqual(['Enter']);
    expect(events.at(-1)!.defaultPrevented).toBe(false);
  });
});

describe('keyboard wedge: other barcodes', () => {
  it.each([1, 5, 10, 20])('captures a terminated Code 128 text at %i ms/key when its terminator arrives', (speed) => {
    const h = wedgeHarness();
    const stream = scanStream({ code: 'ABC-12345/x', start: 0, gapMs: speed, terminator: 'Enter', layout: 'azerty' });
    h.play(stream);
    expect(h.out.scans.map((s) => [s.code, s.end])).toEqual([['ABC-12345/x', 'terminator']]);
    expect(h.out.scans[0]!.emittedAt).toBe(stream.at(-1)!.at);
  });

  it('captures an unterminated EAN-13 after the burst goes quiet for one fast gap', () => {
    const h = wedgeHarness();
    const stream = scanStream({ code: '6901234567892', start: 0, gapMs: 8, terminator: 'none' });
    h.play(stream);
    expect(h.out.scans.map((s) => [s.code, s.end])).toEqual([['6901234567892', 'idle']]);
    expect(h.out.scans[0]!.emittedAt - stream.at(-1)!.at).toBeLessThanOrEqual(WEDGE_DEFAULTS.fastGapMs + 1);
  });

  it('delivers a non-WeChat code as a scan, not as digits in the amount', () => {
    const h = wedgeHarness();
    h.play(scanStream({ code: '2812345678901234', start: 0, gapMs: 6, terminator: 'Enter' }));
    expect(h.out.scans.map((s) => s.code)).toEqual(['2812345678901234']);
    expect(h.out.human).toEqual([]);
  });
});

describe('keyboard wedge: Alipay payment codes', () => {
  const ALIPAY_CODES = ['2812345678901234', '280012345678901234', '301234567890123456789012'];
  const alipayMatrix = ALIPAY_CODES.flatMap((code) => SPEEDS.flatMap((speed) => TERMINATORS.map((terminator) => ({ code, speed, terminator }))));

  it.each(alipayMatrix)('captures the $code.length-digit code $code at $speed ms/key ending with $terminator, once and whole', ({ code, speed, terminator }) => {
    const h = wedgeHarness();
    const stream = scanStream({ code, start: 1000, gapMs: speed, jitter: 0.1, terminator, random: rng(speed) });
    const events = h.play(stream);
    expect(h.out.scans.map((s) => s.code)).toEqual([code]);
    expect(h.out.human).toEqual([]);
    expect(events.every((e) => e.defaultPrevented && e.propagationStopped)).toBe(true);
  });

  it('accepts a slow scanner’s unterminated Alipay code one slow gap after its last digit, its length not being known before', () => {
    const h = wedgeHarness();
    const stream = scanStream({ code: ALIPAY_CODES[1]!, start: 0, gapMs: 90, terminator: 'none' });
    h.play(stream);
    expect(h.out.scans.map((s) => s.end)).toEqual(['idle']);
    const wait = h.out.scans[0]!.emittedAt - stream.at(-1)!.at;
    expect(wait).toBeGreaterThan(WEDGE_DEFAULTS.fastGapMs);
    expect(wait).toBeLessThanOrEqual(WEDGE_DEFAULTS.slowGapMs + 1);
  });

  it.each([
    ['25', [120]],
    ['30.5', [110, 125, 100]],
    ['288', [100, 100]],
  ])('keeps an amount %j that starts like an Alipay code as typing', (text, gaps) => {
    const h = wedgeHarness();
    h.play(typedStream(text, 0, gaps));
    expect(h.out.scans).toEqual([]);
    expect(h.typedText()).toBe(text);
  });
});

describe('keyboard wedge: a person typing', () => {
  const slowGaps = [120, 250, 180, 140, 210, 160];
  it.each([
    ['12.50', slowGaps],
    ['1', slowGaps],
    ['1000', [140, 130, 150]],
    ['15.8', [131, 135, 200]],
    ['9.99', [120, 180, 250]],
    ['12.50\n', [30, 180, 30, 160, 90]],
    ['15\n', [25, 30]],
    ['100.05\n', [60, 45, 30, 200, 35, 33]],
  ])('never takes %j typed at human pace for a scan and delivers every key in order', (text, gaps) => {
    const h = wedgeHarness();
    h.play(typedStream(text, 0, gaps));
    expect(h.out.scans).toEqual([]);
    expect(h.typedText()).toBe(text.replace('\n', 'Enter'));
  });

  it('keeps a payment code keyed in by hand (150–300 ms/key) as typing', () => {
    const h = wedgeHarness();
    const r = rng(3);
    const gaps = Array.from({ length: 17 }, () => 150 + r() * 150);
    h.play(typedStream(CODE, 0, gaps));
    expect(h.out.scans).toEqual([]);
    expect(h.typedText()).toBe(CODE);
  });

  it('shows a typed key after at most one fast gap, or one slow gap when it could start a payment code', () => {
    const h = wedgeHarness();
    const stream = typedStream('9.5', 0, [300, 300]);
    h.play(stream);
    h.out.human.forEach((k) => expect(k.emittedAt - k.at).toBeLessThanOrEqual(WEDGE_DEFAULTS.fastGapMs + 1));
    for (const first of ['1', '2', '3']) {
      const one = wedgeHarness();
      one.play(typedStream(first, 0, []));
      expect(one.out.human[0]!.emittedAt).toBeGreaterThan(WEDGE_DEFAULTS.fastGapMs);
      expect(one.out.human[0]!.emittedAt).toBeLessThanOrEqual(WEDGE_DEFAULTS.slowGapMs + 1);
    }
  });

  it('releases a held "1" at once when the next key rules out a WeChat code', () => {
    const h = wedgeHarness();
    h.play(typedStream('1.', 0, [100]));
    expect(h.out.human.map((k) => [k.key, k.emittedAt])).toEqual([
      ['1', 100],
      ['.', 100 + WEDGE_DEFAULTS.fastGapMs + 1],
    ]);
  });

  it('reads AZERTY typing by the layout key the person sees (Shift+Digit1 is "1")', () => {
    const h = wedgeHarness();
    h.play(typedStream('12.5', 0, [150, 150, 150], 'azerty'));
    expect(h.out.scans).toEqual([]);
    expect(h.typedText()).toBe('12.5');
  });

  it('marks held keys deferred and lets keys no scanner sends through untouched', () => {
    const h = wedgeHarness();
    const stream: TimedKey[] = [...typedStream('45', 0, [200]), { at: 330, spec: BACKSPACE }];
    const events = h.play(stream);
    expect(h.out.human.map((k) => [k.key, k.deferred])).toEqual([
      ['4', true],
      ['5', true],
      ['Backspace', false],
    ]);
    expect(events.map((e) => e.defaultPrevented)).toEqual([true, true, false]);
  });

  it('never takes a held-down key (auto-repeat) for a scan', () => {
    const h = wedgeHarness();
    const stream: TimedKey[] = Array.from({ length: 20 }, (_, i) => ({
      at: i === 0 ? 0 : 500 + i * 33,
      spec: { key: '0', code: 'Digit0', keyCode: 48, repeat: i > 0 },
    }));
    h.play(stream);
    expect(h.out.scans).toEqual([]);
    expect(h.typedText()).toBe('0'.repeat(20));
  });

  it('lets Ctrl shortcuts through without holding them', () => {
    const h = wedgeHarness();
    const events = h.play([{ at: 0, spec: { key: 'c', code: 'KeyC', keyCode: 67, ctrlKey: true } }]);
    expect(events[0]!.defaultPrevented).toBe(false);
    expect(h.out.human.map((k) => [k.key, k.ctrlKey, k.deferred])).toEqual([['c', true, false]]);
  });

  it('lets Space through to press a focused button', () => {
    const h = wedgeHarness();
    const events = h.play([{ at: 0, spec: { key: ' ', code: 'Space', keyCode: 32 } }]);
    expect(events[0]!.defaultPrevented).toBe(false);
  });
});

describe('keyboard wedge: scans and typing together', () => {
  it('keeps what a person typed before a scan and the scan apart, in order', () => {
    const h = wedgeHarness();
    const typed = typedStream('12.', 0, [180, 200]);
    const scan = scanStream({ code: CODE, start: 900, gapMs: 10, terminator: 'Enter' });
    const more = typedStream('50', 1500, [170]);
    h.play(merge(typed, scan, more));
    expect(h.out.order).toEqual(['key:1', 'key:2', 'key:.', `scan:${CODE}`, 'key:5', 'key:0']);
  });

  it('splits a key typed just before a fast scan off the scan', () => {
    const h = wedgeHarness();
    const typed = typedStream('5', 0, []);
    const scan = scanStream({ code: CODE, start: 25, gapMs: 2, terminator: 'Enter' });
    h.play(merge(typed, scan));
    expect(h.out.order).toEqual(['key:5', `scan:${CODE}`]);
  });

  it('splits a typed "1" just before a fast scan even though "1" + 17 digits looks like a code', () => {
    const h = wedgeHarness();
    const typed = typedStream('1', 0, []);
    const scan = scanStream({ code: CODE, start: 30, gapMs: 1, terminator: 'none' });
    h.play(merge(typed, scan));
    expect(h.out.order).toEqual(['key:1', `scan:${CODE}`]);
  });

  it('captures a slow Bluetooth scan that starts while the person is mid-amount', () => {
    const h = wedgeHarness();
    const typed = typedStream('8.', 0, [200]);
    const scan = scanStream({ code: CODE, start: 700, gapMs: 95, jitter: 0.1, terminator: 'Enter', random: rng(11) });
    h.play(merge(typed, scan));
    expect(h.out.order).toEqual(['key:8', 'key:.', `scan:${CODE}`]);
  });
});

describe('keyboard wedge: press time', () => {
  it('judges keys by event.timeStamp, so a slow scan delivered late and bunched stays one scan', () => {
    const h = wedgeHarness();
    h.clock.advanceTo(5000);
    const events = scanStream({ code: CODE, start: 3000, gapMs: 90, terminator: 'none' }).map((k) => Object.assign(new FakeKeyEvent(k.spec), { timeStamp: k.at }));
    for (const e of events) h.wedge.handleKeyDown(e);
    h.clock.advanceTo(7000);
    expect(h.out.scans.map((s) => [s.code, s.startedAt, s.endedAt])).toEqual([[CODE, 3000, 3000 + 17 * 90]]);
    expect(h.out.human).toEqual([]);
  });

  it('falls back to now() when timeStamp is on another clock', () => {
    const h = wedgeHarness();
    h.clock.advanceTo(100);
    const e = Object.assign(new FakeKeyEvent({ key: '7', code: 'Digit7', keyCode: 55 }), { timeStamp: 1.7e12 });
    h.wedge.handleKeyDown(e);
    h.clock.advanceTo(1000);
    expect(h.out.human.map((k) => k.at)).toEqual([100]);
  });
});
