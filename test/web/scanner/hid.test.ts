import { describe, expect, it, vi } from 'vitest';
import { hidAvailability, HidSource, type HidScan } from '../../../web/src/lib/scanner/hid.ts';
import { DeviceMemory, type KeyValueStore } from '../../../web/src/lib/scanner/hid-memory.ts';
import type { HidDeviceInfo } from '../../../web/src/lib/scanner/types.ts';
import { FakeHid, FakeHidDevice, honeywellReports, newlandReport, voyagerReport } from './fake-hid.ts';

class MapStore implements KeyValueStore {
  map = new Map<string, string>();
  getItem(k: string) {
    return this.map.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.map.set(k, v);
  }
}

const flush = () => new Promise((r) => setTimeout(r, 5));

function source(hid: FakeHid, store = new MapStore()) {
  const scans: HidScan[] = [];
  const errors: string[] = [];
  let devices: HidDeviceInfo[] = [];
  let t = 0;
  const src = new HidSource({
    hid,
    now: () => (t += 1),
    memory: new DeviceMemory(store),
    onScan: (s) => scans.push(s),
    onDevicesChange: (d) => (devices = d),
    onError: (m) => errors.push(m),
  });
  return { src, scans, errors, devices: () => devices, store };
}

const voyager = () => new FakeHidDevice(0x0c2e, 0x0b61, 'Honeywell Voyager 1602g');

describe('WebHID source', () => {
  it('reconnects scanners the origin already may use on start, opens them and reads their reports', async () => {
    const hid = new FakeHid();
    const dev = voyager();
    hid.granted.push(dev);
    const s = source(hid);
    await s.src.start();
    expect(dev.opened).toBe(true);
    for (const r of honeywellReports('134567890123456789\r\n', ']C0')) dev.sendRaw(r);
    dev.sendRaw(voyagerReport());
    expect(s.scans.map((x) => [x.code, x.symbology, x.device])).toEqual([
      ['134567890123456789', 'Code 128 (]C0)', 'Honeywell Voyager 1602g'],
      ['um: N/A', 'Other (]X0)', 'Honeywell Voyager 1602g'],
    ]);
    expect(s.devices()).toMatchObject([{ id: '0c2e:0b61', connected: true, layout: 'honeywell' }]);
  });

  it('skips devices that are not HID POS scanners', async () => {
    const hid = new FakeHid();
    hid.granted.push(new FakeHidDevice(0x046d, 0xc52b, 'Mouse', [{ usagePage: 0x01, usage: 0x02 }]));
    const s = source(hid);
    await s.src.start();
    expect(s.devices()).toEqual([]);
  });

  it('pairs from the chooser filtered on usage page 0x8C and reads a Newland scanner', async () => {
    const hid = new FakeHid();
    const dev = new FakeHidDevice(0x1eab, 0x1a03, 'Newland FM430');
    hid.choose = [dev];
    const s = source(hid);
    await s.src.start();
    await expect(s.src.pair()).resolves.toBe(1);
    expect(hid.requests).toEqual([{ filters: [{ usagePage: 0x8c }] }]);
    dev.sendRaw(newlandReport('134567890123456789\r'));
    expect(s.scans.map((x) => [x.code, x.symbology])).toEqual([['134567890123456789', undefined]]);
  });

  it('explains a cancelled chooser and an empty choice', async () => {
    const hid = new FakeHid();
    const s = source(hid);
    await s.src.start();
    hid.choose = Object.assign(new Error('No device selected.'), { name: 'NotFoundError' });
    await expect(s.src.pair()).rejects.toThrow('Pairing failed: No device selected.');
    hid.choose = Object.assign(new Error('Must be handling a user gesture'), { name: 'SecurityError' });
    await expect(s.src.pair()).rejects.toThrow('Pairing must start from a button press.');
    hid.choose = [];
    await expect(s.src.pair()).rejects.toThrow(/No scanner was chosen/);
  });

  it('reports a device it cannot open (used by another tab) and keeps the others', async () => {
    const hid = new FakeHid();
    const busy = voyager();
    busy.failOpen = Object.assign(new Error('Failed to open the device.'), { name: 'NotAllowedError' });
    hid.granted.push(busy);
    const s = source(hid);
    await s.src.start();
    expect(s.errors[0]).toMatch(/Could not open Honeywell Voyager 1602g: Failed to open the device/);
    expect(s.devices()[0]?.warning).toMatch(/another tab/);
  });

  it('follows disconnect and learns a scanner has a serial number when it comes back by itself', async () => {
    const hid = new FakeHid();
    const dev = voyager();
    hid.granted.push(dev);
    const s = source(hid);
    await s.src.start();
    hid.unplug(dev, true);
    expect(s.devices()[0]).toMatchObject({ connected: false, hasSerial: false, needsRepairAfterReplug: false });
    expect(s.devices()[0]?.warning).toMatch(/If it does not come back/);
    hid.plug(dev, true);
    await vi.waitFor(() => expect(s.devices()[0]).toMatchObject({ connected: true, hasSerial: true, needsRepairAfterReplug: false }));
    expect(s.devices()[0]?.warning).toBeUndefined();
    expect(dev.listenerCount).toBe(1);
    dev.sendRaw(voyagerReport());
    expect(s.scans).toHaveLength(1);
  });

  it('learns a scanner has no serial number when it must be paired again after a replug, and warns', async () => {
    const hid = new FakeHid();
    const dev = voyager();
    hid.choose = [dev];
    const s = source(hid);
    await s.src.start();
    await s.src.pair();
    hid.unplug(dev, false);
    hid.plug(dev, false); // no permission any more: Chrome fires no connect event
    await flush();
    expect(s.devices()[0]?.connected).toBe(false);
    await s.src.pair();
    expect(s.devices()[0]).toMatchObject({ connected: true, hasSerial: false, needsRepairAfterReplug: true });
    expect(s.devices()[0]?.warning).toMatch(/no USB serial number/);
  });

  it('remembers what it learnt about a scanner model across page loads', async () => {
    const store = new MapStore();
    const hid = new FakeHid();
    const dev = voyager();
    hid.choose = [dev];
    const first = source(hid, store);
    await first.src.start();
    await first.src.pair();
    hid.unplug(dev, false);
    await first.src.pair();
    await first.src.stop();
    const second = source(hid, store);
    await second.src.start();
    expect(second.devices()[0]).toMatchObject({ needsRepairAfterReplug: true });
  });

  it('stops reading and closes devices on stop', async () => {
    const hid = new FakeHid();
    const dev = voyager();
    hid.granted.push(dev);
    const s = source(hid);
    await s.src.start();
    await s.src.stop();
    dev.sendRaw(voyagerReport());
    expect(s.scans).toEqual([]);
    expect(dev.opened).toBe(false);
  });
});

describe('WebHID availability', () => {
  const chrome = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36';
  it('is supported in desktop Chrome on a secure page', () => {
    expect(hidAvailability({ navigator: { userAgent: chrome, hid: {} }, isSecureContext: true })).toEqual({ supported: true });
  });
  it.each([
    ['an insecure origin', { navigator: { userAgent: chrome, hid: {} }, isSecureContext: false }, /secure page \(HTTPS or localhost\)/],
    ['Chrome on Android', { navigator: { userAgent: 'Mozilla/5.0 (Linux; Android 14) Chrome/131.0 Mobile' }, isSecureContext: true }, /Chrome on Android has no WebHID/],
    ['Firefox', { navigator: { userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0' }, isSecureContext: true }, /This browser has no WebHID/],
    ['Chrome with WebHID disabled', { navigator: { userAgent: chrome }, isSecureContext: true }, /disabled by policy/],
  ])('explains that the keyboard wedge is used on %s', (_name, env, reason) => {
    const a = hidAvailability(env);
    expect(a.supported).toBe(false);
    expect(a.reason).toMatch(reason);
    expect(a.reason).toMatch(/keyboard wedge is used/);
  });
});

describe('WebHID source races', () => {
  it('opens a device once when start() and a connect event race', async () => {
    const hid = new FakeHid();
    const dev = voyager();
    hid.granted.push(dev);
    const s = source(hid);
    const started = s.src.start();
    hid.plug(dev, true);
    await started;
    await vi.waitFor(() => expect(dev.opened).toBe(true));
    await flush();
    expect(dev.openCalls).toBe(1);
    expect(dev.listenerCount).toBe(1);
    expect(s.errors).toEqual([]);
  });
});
