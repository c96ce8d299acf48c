/**
 * The Scanner class (compiled runes) in real Chromium with a fake navigator.hid injected before the
 * page loads (web/src/lib/scanner/hid.ts): the getDevices() reconnect path, real DataView input reports built
 * from the Voyager bytes, and the wedge on the same stream.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, type Rollup } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { chromium, type Browser } from 'playwright-core';
import { honeywellReports, voyagerReport } from './fake-hid.ts';
import { burst, digit, HOLDABLE_TIMERS } from './cdp-keys.ts';

let browser: Browser;
let bundle: string;

const FAKE_HID = `(() => {
  globalThis.__name ??= (f) => f;
  class FakeDevice extends EventTarget {
    opened = false; vendorId = 0x0c2e; productId = 0x0b61; productName = 'Voyager 1602g';
    collections = [{ usagePage: 0x8c, usage: 0x02, children: [], inputReports: [] }];
    async open() { this.opened = true; }
    async close() { this.opened = false; }
  }
  const device = new FakeDevice();
  class FakeHid extends EventTarget {
    async getDevices() { return [device]; }
    async requestDevice() { return [device]; }
  }
  const hid = new FakeHid();
  Object.defineProperty(Navigator.prototype, 'hid', { get: () => hid, configurable: true });
  globalThis.__sendReport = (bytes) => {
    const e = new Event('inputreport');
    Object.assign(e, { device, reportId: bytes[0], data: new DataView(new Uint8Array(bytes.slice(1)).buffer) });
    device.dispatchEvent(e);
  };
  globalThis.__device = device;
})();`;

beforeAll(async () => {
  const result = (await build({
    configFile: false,
    logLevel: 'silent',
    plugins: [svelte()],
    build: { write: false, minify: false, lib: { entry: 'web/src/lib/scanner/index.ts', formats: ['iife'], name: 'ScannerLib' } },
  })) as Rollup.RollupOutput | Rollup.RollupOutput[];
  const output = Array.isArray(result) ? result[0]! : result;
  bundle = output.output[0].code;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

afterAll(async () => {
  await browser?.close();
});

describe('Scanner in Chromium with a fake navigator.hid', () => {
  it('reconnects the known HID scanner on start and merges its scans with wedge scans', async () => {
    const page = await browser.newPage();
    await page.addInitScript(FAKE_HID);
    // http://localhost is a secure context; the page is served by Playwright's router, no network.
    await page.route('http://localhost/pos', (route) => route.fulfill({ contentType: 'text/html', body: '<input id="amount">' }));
    await page.goto('http://localhost/pos');
    await page.addScriptTag({ content: bundle });
    await page.evaluate(HOLDABLE_TIMERS);
    await page.evaluate(`(() => {
      window.__scans = [];
      const scanner = new ScannerLib.Scanner({ setTimer: window.__setTimer, clearTimer: window.__clearTimer });
      window.__scanner = scanner;
      scanner.onScan((s) => window.__scans.push(s));
      scanner.start(window);
    })()`);
    await page.waitForFunction('window.__device.opened === true');
    for (const r of [...honeywellReports('134567890123456789\r\n', ']C0'), voyagerReport()]) await page.evaluate(`__sendReport(${JSON.stringify(r)})`);
    const cdp = await page.context().newCDPSession(page);
    await burst(cdp, [...[...'124567890123456789'].map((d) => digit(d, 'us')), { key: 'Enter', code: 'Enter', vk: 13, text: '\r' }]);
    await page.waitForFunction('window.__scans.length >= 3');
    const state = (await page.evaluate(`({
      scans: window.__scans.map((s) => [s.code, s.source, s.symbology ?? null, s.device ?? null]),
      devices: window.__scanner.devices.map((d) => [d.name, d.connected, d.layout]),
      hidSupported: window.__scanner.hidSupported,
      recent: window.__scanner.recent.length,
      value: document.getElementById('amount').value,
    })`)) as { scans: unknown[]; devices: unknown[]; hidSupported: boolean; recent: number; value: string };
    expect(state.hidSupported).toBe(true);
    expect(state.devices).toEqual([['Voyager 1602g', true, 'honeywell']]);
    expect(state.scans, JSON.stringify(state)).toEqual([
      ['134567890123456789', 'hid', 'Code 128 (]C0)', 'Voyager 1602g'],
      ['um: N/A', 'hid', 'Other (]X0)', 'Voyager 1602g'],
      ['124567890123456789', 'wedge', null, null],
    ]);
    expect(state.recent).toBe(3);
    expect(state.value).toBe('');
    await page.close();
  });

  it('falls back to the wedge on an insecure page and says why', async () => {
    const page = await browser.newPage();
    await page.addInitScript(FAKE_HID);
    await page.goto('data:text/html,<p>insecure</p>');
    await page.addScriptTag({ content: bundle });
    const state = (await page.evaluate(`(() => {
      const scanner = new ScannerLib.Scanner();
      return { supported: scanner.hidSupported, reason: scanner.hidUnavailableReason };
    })()`)) as { supported: boolean; reason: string };
    expect(state.supported).toBe(false);
    expect(state.reason).toMatch(/secure page .* keyboard wedge is used/);
    await page.close();
  });
});
