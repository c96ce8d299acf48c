/**
 * Web app figures (README "Benchmarks"):
 *  1. initial JS+CSS, gzipped, of the built app: every script, stylesheet and modulepreload that
 *     dist/web/index.html loads (target ≤ 60 KB);
 *  2. scan to request: in headless Chromium against the real server, performance.now() at the
 *     dispatch of the key (or HID report) that completed the code, to the moment the app calls
 *     fetch for POST /api/payments (target ≤ 16 ms, one frame), median and p95 over 30 scans.
 * Run: npx tsx test/bench/run.ts web
 */
import { readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';
import type { Page } from 'playwright-core';
import { makeTestCode } from '../../server/simulator/test-codes.ts';
import { PosServer } from '../e2e/support/pos-server.ts';
import { launchBrowser, newTablet, signIn, wedgeScan } from '../e2e/support/browser.ts';
import { FAKE_HID_SCRIPT } from '../e2e/support/fake-hid.ts';
import { takeTurn } from '../e2e/support/one-at-a-time.ts';

const SCANS = 30;
const SIZE_TARGET_KB = 60;
const LATENCY_TARGET_MS = 16;

function initialAssets(): { file: string; raw: number; gzip: number }[] {
  const html = readFileSync('dist/web/index.html', 'utf8');
  const refs = new Set<string>();
  for (const m of html.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)) refs.add(m[1]!);
  for (const m of html.matchAll(/<link[^>]*rel="(?:stylesheet|modulepreload)"[^>]*href="([^"]+)"/g)) refs.add(m[1]!);
  for (const m of html.matchAll(/<link[^>]*href="([^"]+)"[^>]*rel="(?:stylesheet|modulepreload)"/g)) refs.add(m[1]!);
  return [...refs].map((ref) => {
    const bytes = readFileSync(`dist/web/${ref.replace(/^\//, '')}`);
    return { file: ref, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  });
}

/**
 * The receipt printer's lazy chunks, none of them in the first download: the print button (shown
 * on a success), the printer code and print view (first print), the GB18030 table (first USB print).
 */
function printerAssets(): { file: string; raw: number; gzip: number }[] {
  return lazyAssets(/^(receipt-button|print|printer-settings|gb18030)-[\w-]+\.(js|css)$/);
}

/**
 * The shop's day screens, none in the first download: the cashier sign-in, the hand-over, the
 * owner's report (its bar chart is plain SVG inside it), the CSV export dialog and their texts.
 */
function shopDayAssets(): { file: string; raw: number; gzip: number }[] {
  return lazyAssets(/^(shift-sign-in|shift-screen|handover-receipt|report-screen|export-dialog|shop-day|shop-day-texts)-[\w-]+\.(js|css)$/);
}

function lazyAssets(pattern: RegExp): { file: string; raw: number; gzip: number }[] {
  return readdirSync('dist/web/assets')
    .filter((f) => pattern.test(f))
    .map((f) => {
      const bytes = readFileSync(`dist/web/assets/${f}`);
      return { file: f, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
    });
}

/** Records, inside the page, the last input event before each POST /api/payments leaves. */
const PROBE = `(() => {
  const probe = { lastInput: 0, samples: [] };
  window.__probe = probe;
  window.addEventListener('keydown', () => { probe.lastInput = performance.now(); }, true);
  const original = window.fetch;
  window.fetch = function (input, init) {
    const url = typeof input === 'string' ? input : input.url;
    if ((init?.method ?? 'GET') === 'POST' && /\\/api\\/payments$/.test(url)) probe.samples.push(performance.now() - probe.lastInput);
    return original.call(this, input, init);
  };
})();`;

const HID_MARK = `window.__hidScanTimed = (code) => { window.__probe.lastInput = performance.now(); window.__hidScan(code, 200); };`;

function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { n: s.length, median: at(0.5), p95: at(0.95), max: s[s.length - 1]! };
}

async function measure(page: Page, send: (code: string) => Promise<void>): Promise<number[]> {
  for (let i = 0; i < SCANS; i++) {
    for (const k of '1.23') await page.click(`.keypad button:text-is("${k}")`);
    await send(makeTestCode('success'));
    await page.waitForSelector('[data-testid=result][data-status=succeeded]', { timeout: 30_000 });
    await page.click('button:has-text("Next sale")');
  }
  return page.evaluate(() => (window as unknown as { __probe: { samples: number[] } }).__probe.samples);
}

export async function run(): Promise<void> {
  await build({ configFile: 'vite.config.ts', logLevel: 'warn' });
  const assets = initialAssets();
  const totalGzip = assets.reduce((a, b) => a + b.gzip, 0);
  console.log('\nInitial JS+CSS loaded by index.html (gzip -9):');
  console.table(assets.map((a) => ({ file: a.file, 'raw KB': +(a.raw / 1024).toFixed(1), 'gzip KB': +(a.gzip / 1024).toFixed(1) })));
  console.log(`total ${(totalGzip / 1024).toFixed(1)} KB gzipped; target ≤ ${SIZE_TARGET_KB} KB → ${((totalGzip / 1024 / SIZE_TARGET_KB) * 100).toFixed(0)} % of budget`);
  const printer = printerAssets();
  const initialFiles = new Set(assets.map((a) => a.file.replace(/^\/assets\//, '')));
  if (printer.some((a) => initialFiles.has(a.file))) throw new Error('a receipt printer chunk is in the initial download');
  console.log('\nReceipt printer chunks, loaded on first use (gzip -9):');
  console.table(printer.map((a) => ({ file: a.file, 'raw KB': +(a.raw / 1024).toFixed(1), 'gzip KB': +(a.gzip / 1024).toFixed(1) })));
  const shopDay = shopDayAssets();
  if (shopDay.some((a) => initialFiles.has(a.file))) throw new Error('a shift, report or export chunk is in the initial download');
  console.log('\nShifts, report and export chunks, loaded on first use (gzip -9):');
  console.table(shopDay.map((a) => ({ file: a.file, 'raw KB': +(a.raw / 1024).toFixed(1), 'gzip KB': +(a.gzip / 1024).toFixed(1) })));

  const release = await takeTurn();
  const pos = new PosServer();
  await pos.start();
  const browser = await launchBrowser();
  try {
    const rows: Record<string, string | number>[] = [];
    for (const source of ['wedge (US keys, 8 ms/key, Enter)', 'HID POS (Honeywell reports)'] as const) {
      const terminal = await pos.addTerminal(`bench-${rows.length}`);
      const { context, page } = await newTablet(browser, { lang: 'en' });
      await context.addInitScript(PROBE);
      if (source.startsWith('HID')) {
        await context.addInitScript(FAKE_HID_SCRIPT);
        await context.addInitScript(HID_MARK);
      }
      await signIn(context, page, pos, terminal);
      const samples = await measure(page, source.startsWith('HID')
        ? (code) => page.evaluate((c) => (window as unknown as { __hidScanTimed: (c: string) => void }).__hidScanTimed(c), code)
        : (code) => wedgeScan(page, code, 8));
      const s = stats(samples);
      rows.push({ source, scans: s.n, 'median ms': +s.median.toFixed(2), 'p95 ms': +s.p95.toFixed(2), 'max ms': +s.max.toFixed(2), 'p95 / 16 ms target': +(s.p95 / LATENCY_TARGET_MS).toFixed(2) });
      await context.close();
    }
    console.log('\nLast key (or HID report) of a complete code → fetch(POST /api/payments) called, inside the page:');
    console.table(rows);
  } finally {
    await browser.close();
    await pos.dispose();
    release();
  }
}
