import { describe, expect, it, vi } from 'vitest';
import { Scanner, RECENT_LIMIT, type HumanKey, type Scan } from '../../../web/src/lib/scanner/index.ts';
import { FakeHid, FakeHidDevice, honeywellReports } from './fake-hid.ts';
import { play, scanStream, typedStream, VirtualClock } from './streams.ts';

const CODE = '134567890123456789';

function setup(opts: { hid?: FakeHid; duplicateWindowMs?: number } = {}) {
  const clock = new VirtualClock();
  const scanner = new Scanner({
    now: clock.now,
    setTimer: clock.setTimeout,
    clearTimer: clock.clearTimeout,
    navigator: { userAgent: 'Chrome/131', ...(opts.hid ? { hid: opts.hid } : {}) },
    isSecureContext: true,
    storage: { getItem: () => null, setItem: () => undefined },
    ...(opts.duplicateWindowMs !== undefined ? { duplicateWindowMs: opts.duplicateWindowMs } : {}),
  });
  const scans: Scan[] = [];
  const keys: HumanKey[] = [];
  scanner.onScan((s) => scans.push(s));
  scanner.onHumanKey((k) => keys.push(k));
  const feed = (stream: Parameters<typeof play>[0]) => play(stream, clock, (e) => scanner.handleKeyDown(e));
  return { clock, scanner, scans, keys, feed };
}

describe('Scanner', () => {
  it('merges wedge and HID scans into one stream with source, timing and symbology', async () => {
    const hid = new FakeHid();
    const dev = new FakeHidDevice(0x0c2e, 0x0b61, 'Voyager');
    hid.granted.push(dev);
    const s = setup({ hid });
    s.scanner.start();
    await vi.waitFor(() => expect(dev.opened).toBe(true));
    await vi.waitFor(() => expect(s.scanner.devices).toHaveLength(1));
    s.feed(scanStream({ code: CODE, start: 100, gapMs: 10, terminator: 'Enter' }));
    s.clock.advanceTo(5000);
    for (const r of honeywellReports('https://example.com/q', ']Q1')) dev.sendRaw(r);
    expect(s.scans).toEqual([
      { code: CODE, source: 'wedge', receivedAt: 270, durationMs: 170 },
      { code: 'https://example.com/q', source: 'hid', symbology: 'QR Code (]Q1)', receivedAt: 5000, durationMs: 0, device: 'Voyager' },
    ]);
    expect(s.scanner.recent.map((r) => r.source)).toEqual(['hid', 'wedge']);
    expect(s.scanner.devices.map((d) => d.name)).toEqual(['Voyager']);
    s.scanner.stop();
  });

  it('drops a duplicate read of one code within the window and lets a deliberate re-scan through', () => {
    const s = setup({ duplicateWindowMs: 1500 });
    s.feed(scanStream({ code: CODE, start: 0, gapMs: 5, terminator: 'Enter' }));
    s.feed(scanStream({ code: CODE, start: 400, gapMs: 5, terminator: 'Enter' }));
    s.feed(scanStream({ code: CODE, start: 4000, gapMs: 5, terminator: 'Enter' }));
    expect(s.scans.map((x) => x.receivedAt)).toEqual([85, 4085]);
    expect(s.scanner.duplicatesDropped).toBe(1);
    expect(s.keys).toEqual([]);
  });

  it('keeps the last scans for diagnostics, newest first', () => {
    const s = setup();
    for (let i = 0; i < RECENT_LIMIT + 5; i++) {
      const code = `1${String(i % 6)}${String(1000000000000000 + i)}`;
      s.feed(scanStream({ code, start: i * 2000, gapMs: 3, terminator: 'Enter' }));
    }
    expect(s.scanner.recent).toHaveLength(RECENT_LIMIT);
    expect(s.scanner.recent[0]!.code).toBe(`1${String((RECENT_LIMIT + 4) % 6)}${String(1000000000000000 + RECENT_LIMIT + 4)}`);
  });

  it('passes typed keys to onHumanKey and stops listeners that unsubscribed', () => {
    const s = setup();
    const extra: string[] = [];
    const off = s.scanner.onHumanKey((k) => extra.push(k.key));
    s.feed(typedStream('9.5', 0, [200, 200]));
    off();
    s.feed(typedStream('7', 2000, []));
    expect(s.keys.map((k) => k.key)).toEqual(['9', '.', '5', '7']);
    expect(extra).toEqual(['9', '.', '5']);
  });

  it('ignores keys and HID scans while paused, releasing held keys as typing when paused', async () => {
    const hid = new FakeHid();
    const dev = new FakeHidDevice(0x0c2e, 0x0b61, 'Voyager');
    hid.granted.push(dev);
    const s = setup({ hid });
    s.scanner.start();
    await vi.waitFor(() => expect(dev.opened).toBe(true));
    await vi.waitFor(() => expect(s.scanner.devices).toHaveLength(1));
    s.clock.advanceTo(10);
    s.scanner.handleKeyDown({ key: '4', code: 'Digit4', preventDefault() {}, stopPropagation() {} });
    s.scanner.enabled = false;
    expect(s.keys.map((k) => k.key)).toEqual(['4']);
    const events = s.feed(scanStream({ code: CODE, start: 100, gapMs: 5, terminator: 'Enter' }));
    for (const r of honeywellReports(CODE, ']C0')) dev.sendRaw(r);
    expect(s.scans).toEqual([]);
    expect(events.some((e) => e.defaultPrevented)).toBe(false);
    s.scanner.enabled = true;
    s.feed(scanStream({ code: CODE, start: 3000, gapMs: 5, terminator: 'Enter' }));
    expect(s.scans.map((x) => x.code)).toEqual([CODE]);
    s.scanner.stop();
  });

  it('says why HID is unavailable and refuses to pair there', async () => {
    const scanner = new Scanner({ navigator: { userAgent: 'Mozilla/5.0 (Linux; Android 14) Chrome/131.0 Mobile' }, isSecureContext: true });
    expect(scanner.hidSupported).toBe(false);
    expect(scanner.hidUnavailableReason).toMatch(/Android/);
    await expect(scanner.pairHid()).rejects.toThrow(/Android/);
  });

  it('listens on the window in the capture phase and stops on stop()', () => {
    const s = setup();
    const calls: [string, unknown][] = [];
    let listener: ((e: Event) => void) | undefined;
    const win = {
      addEventListener: (type: string, l: (e: Event) => void, o: unknown) => {
        calls.push([`add:${type}`, o]);
        listener = l;
      },
      removeEventListener: (type: string, _l: unknown, o: unknown) => calls.push([`remove:${type}`, o]),
    } as unknown as Window;
    s.scanner.start(win);
    expect(calls).toEqual([['add:keydown', { capture: true }]]);
    expect(listener).toBeTypeOf('function');
    s.scanner.stop();
    expect(calls[1]).toEqual(['remove:keydown', { capture: true }]);
  });
});
