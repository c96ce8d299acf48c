/**
 * The wedge in real Chromium: real KeyboardEvents from CDP Input.dispatchKeyEvent (exact code/key
 * pairs for AZERTY and IME 229), a focused amount field that must receive nothing from a scan, and
 * a page-level shortcut handler that must not see scan keys.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, type Rollup } from 'vite';
import { chromium, type Browser, type CDPSession, type Page } from 'playwright-core';
import { burst, digit, HOLDABLE_TIMERS, press, type KeyDef } from './cdp-keys.ts';
import { eventually } from '../../support/eventually.ts';

const CHROMIUM = '/usr/bin/chromium';
let browser: Browser;
let bundle: string;

beforeAll(async () => {
  const result = (await build({
    configFile: false,
    logLevel: 'silent',
    build: { write: false, minify: false, lib: { entry: 'web/src/lib/scanner/wedge.ts', formats: ['iife'], name: 'Wedge' } },
  })) as Rollup.RollupOutput | Rollup.RollupOutput[];
  const output = Array.isArray(result) ? result[0]! : result;
  bundle = output.output[0].code;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

afterAll(async () => {
  await browser?.close();
});

interface PageLog {
  scans: string[];
  human: { key: string; deferred: boolean }[];
  fieldKeys: string[];
  shortcutKeys: string[];
  value: string;
}

async function openPage(): Promise<{ page: Page; cdp: CDPSession; log: () => Promise<PageLog> }> {
  const page = await browser.newPage();
  await page.addInitScript('globalThis.__name ??= (f) => f;');
  await page.setContent('<input id="amount" autocomplete="off">');
  await page.addScriptTag({ content: bundle });
  await page.evaluate(HOLDABLE_TIMERS);
  await page.evaluate(`(() => {
    const log = { scans: [], human: [], fieldKeys: [], shortcutKeys: [] };
    window.__log = log;
    const field = document.getElementById('amount');
    field.addEventListener('keydown', (e) => log.fieldKeys.push(e.key));
    document.addEventListener('keydown', (e) => log.shortcutKeys.push(e.key));
    const wedge = new Wedge.KeyboardWedge({
      now: () => performance.now(),
      setTimer: window.__setTimer,
      clearTimer: window.__clearTimer,
      onScan: (s) => log.scans.push(s.code),
      onHumanKey: (k) => log.human.push({ key: k.key, deferred: k.deferred }),
    });
    wedge.attach(window);
    field.focus();
  })()`);
  const cdp = await page.context().newCDPSession(page);
  const log = () => page.evaluate(`({ ...window.__log, value: document.getElementById('amount').value })`) as Promise<PageLog>;
  return { page, cdp, log };
}

const ENTER: KeyDef = { key: 'Enter', code: 'Enter', vk: 13, text: '\r' };
const CODE = '134567890123456789';

async function settle(page: Page, ms = 300): Promise<void> {
  await page.waitForTimeout(ms);
}

describe('keyboard wedge in Chromium', () => {
  it.each(['us', 'azerty', 'ime'] as const)('captures a scan on a %s host without a single key reaching the focused field or the page', async (layout) => {
    const { page, cdp, log } = await openPage();
    await burst(cdp, [...[...CODE].map((d) => digit(d, layout)), layout === 'ime' ? { key: 'Process', code: 'Enter', vk: 229 } : ENTER]);
    await settle(page);
    const l = await log();
    expect(l.scans, JSON.stringify(l)).toEqual([CODE]);
    expect(l.human).toEqual([]);
    expect(l.fieldKeys).toEqual([]);
    expect(l.shortcutKeys).toEqual([]);
    expect(l.value).toBe('');
    await page.close();
  });

  it('captures a slow Bluetooth-speed scan (pressed 80 ms apart) on its 18th digit', async () => {
    const { page, cdp, log } = await openPage();
    await burst(cdp, [...CODE].map((d) => digit(d, 'us')), 80);
    await settle(page);
    const l = await log();
    expect(l.scans, JSON.stringify(l)).toEqual([CODE]);
    expect(l.value).toBe('');
    await page.close();
  });

  it('captures a slow Bluetooth-speed Alipay scan without terminator (pressed 80 ms apart) when its digits stop', async () => {
    const { page, cdp, log } = await openPage();
    const alipay = '2800123456789012345';
    await burst(cdp, [...alipay].map((d) => digit(d, 'us')), 80);
    // Its end is known only when the digits stop: wait for the wedge's own timer to judge it (a loaded machine runs it late).
    const l = await eventually('the burst is judged', log, { done: (x) => x.scans.length > 0 || x.human.length > 0 });
    expect(l.scans, JSON.stringify(l)).toEqual([alipay]);
    expect(l.value).toBe('');
    await page.close();
  });

  it('judges by press time (event.timeStamp): typing pressed 200 ms apart but delivered in a bunch stays typing', async () => {
    const { page, cdp, log } = await openPage();
    // The burst's press times start ~2 s in the past; Chrome clamps times before the page existed to 0.
    await page.waitForFunction(() => performance.now() > 3000);
    await burst(cdp, [...[...'23456789'].map((d) => digit(d, 'us')), ENTER], 200);
    await settle(page);
    const l = await log();
    expect(l.scans, JSON.stringify(l)).toEqual([]);
    expect(l.human.map((k) => k.key).join(' ')).toBe('2 3 4 5 6 7 8 9 Enter');
    await page.close();
  });

  it('hands typed amount keys to the app in order and keeps them out of the field natively', async () => {
    const { page, cdp, log } = await openPage();
    for (const k of [digit('1', 'us'), digit('2', 'us'), { key: '.', code: 'Period', vk: 190, text: '.' }, digit('5', 'us')]) {
      await press(cdp, k);
      await page.waitForTimeout(160);
    }
    await press(cdp, { key: 'Backspace', code: 'Backspace', vk: 8 });
    await settle(page);
    const l = await log();
    expect(l.scans).toEqual([]);
    expect(l.human).toEqual([
      { key: '1', deferred: true },
      { key: '2', deferred: true },
      { key: '.', deferred: true },
      { key: '5', deferred: true },
      { key: 'Backspace', deferred: false },
    ]);
    expect(l.fieldKeys).toEqual(['Backspace']);
    await page.close();
  });
});
