/**
 * Headless Chromium at tablet size for end-to-end tests (playwright-core on the system Chromium),
 * with the helpers every test needs: pairing through the real link, screenshots, and key streams
 * that look like a keyboard-wedge scanner or a person.
 */
import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { PosServer, Terminal } from './pos-server.ts';

export const LANDSCAPE = { width: 1280, height: 800 };
export const PORTRAIT = { width: 800, height: 1280 };
export const SHOTS = 'test-results/screenshots';

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface TabletOptions {
  portrait?: boolean;
  lang?: 'zh' | 'en';
  /** Service workers are off by default so each test sees the network as it is. */
  serviceWorkers?: 'allow' | 'block';
}

export async function newTablet(browser: Browser, o: TabletOptions = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: o.portrait ? PORTRAIT : LANDSCAPE,
    locale: o.lang === 'en' ? 'en-US' : 'zh-CN',
    hasTouch: true,
    serviceWorkers: o.serviceWorkers ?? 'block',
  });
  // tsx/vitest name helpers with __name(); page.evaluate of such functions needs it defined.
  await context.addInitScript('globalThis.__name ??= (f) => f;');
  const page = await context.newPage();
  return { context, page };
}

/**
 * Puts the terminal's token where a paired tablet keeps it, then opens the checkout. The server
 * rate-limits pairing links per address, so only the pairing test goes through the link itself.
 */
export async function signIn(context: BrowserContext, page: Page, pos: PosServer, terminal: Terminal): Promise<void> {
  await context.addInitScript((token) => {
    if (!localStorage.getItem('pos.token')) localStorage.setItem('pos.token', token);
  }, terminal.token);
  await page.goto(`${pos.url}/#/`);
  await page.waitForSelector('[data-testid=amount]', { timeout: 30_000 });
}

/** Opens the terminal's pairing link, as a cashier would, and waits for the checkout. */
export async function pairTablet(page: Page, pos: PosServer, terminal: Terminal): Promise<void> {
  const link = new URL(terminal.pair_url);
  await page.goto(`${pos.url}/${link.hash}`);
  await page.waitForSelector('[data-testid=amount]', { timeout: 30_000 });
}

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  // Finite animations (the result's pop-in) are finished first: the shot shows what the cashier sees after a moment.
  await page.screenshot({ path: `${SHOTS}/${name}.png`, animations: 'disabled' });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One physical key as CDP Input.dispatchKeyEvent describes it. */
export interface KeySpec {
  key: string;
  code: string;
  keyCode: number;
  text?: string;
}

/** US layout: what a scanner in its default configuration sends. */
export function usKey(ch: string): KeySpec {
  if (ch === '\n' || ch === 'Enter') return { key: 'Enter', code: 'Enter', keyCode: 13, text: '\r' };
  if (/^\d$/.test(ch)) return { key: ch, code: `Digit${ch}`, keyCode: 48 + Number(ch), text: ch };
  throw new Error(`usKey: no key for ${ch}`);
}

/** AZERTY (French): the same physical keys, unshifted, give & é " ' ( - è _ ç à. */
const AZERTY_DIGITS = ['à', '&', 'é', '"', "'", '(', '-', 'è', '_', 'ç'];
export function azertyKey(ch: string): KeySpec {
  const us = usKey(ch);
  return /^\d$/.test(ch) ? { ...us, key: AZERTY_DIGITS[Number(ch)]!, text: AZERTY_DIGITS[Number(ch)]! } : us;
}

/** A Chinese IME in composition: every key arrives as keyCode 229 / key "Process", only `code` is right. */
export function imeKey(ch: string): KeySpec {
  const us = usKey(ch);
  return us.key === 'Enter' ? us : { key: 'Process', code: us.code, keyCode: 229 };
}

/**
 * A keyboard-wedge scanner: real key events through CDP Input.dispatchKeyEvent, each stamped
 * with its press time `gapMs` after the previous one (as the USB keyboard reports would be),
 * then Enter. The events are sent back to back rather than paced from here: this test machine
 * is shared and stalls its senders for hundreds of ms, which would turn a scan into a person
 * typing; the page judges keys by event.timeStamp, which carries the scanner's rhythm.
 */
export async function wedgeScan(page: Page, code: string, gapMs = 8, keyOf: (ch: string) => KeySpec = usKey, terminator: string | null = 'Enter'): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  const keys = [...code, ...(terminator ? [terminator] : [])].map(keyOf);
  // Press times in the past, as a scanner's keys are by the time a busy page reads them: the wedge
  // judges by event.timeStamp, so a loaded machine's late, uneven delivery cannot split the burst.
  // A key pressed before the page existed carries no press time: a fresh page waits until it can.
  const origin = (await page.evaluate('performance.timeOrigin')) as number;
  const span = keys.length * gapMs + 50;
  const tooEarly = origin + 50 - (Date.now() - span);
  if (tooEarly > 0) await sleep(tooEarly);
  const start = (Date.now() - span) / 1000;
  const sent: Promise<unknown>[] = [];
  for (const [i, k] of keys.entries()) {
    const timestamp = start + (i * gapMs) / 1000;
    const base = { key: k.key, code: k.code, windowsVirtualKeyCode: k.keyCode, nativeVirtualKeyCode: k.keyCode };
    const text = k.text ? { text: k.text, unmodifiedText: k.text } : {};
    sent.push(cdp.send('Input.dispatchKeyEvent', { type: k.text ? 'keyDown' : 'rawKeyDown', ...base, ...text, timestamp }));
    sent.push(cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', ...base, timestamp: timestamp + 0.002 }));
  }
  await Promise.all(sent);
  await cdp.detach();
}

/** A person typing, ~150 ms a key. */
export async function typeLikeAPerson(page: Page, keys: string[], gapMs = 150): Promise<void> {
  for (const key of keys) {
    await page.keyboard.press(key);
    await sleep(gapMs);
  }
}

export async function waitForStatus(page: Page, testId: 'progress' | 'result' | 'attention', status?: string, timeout = 30_000): Promise<void> {
  const sel = status ? `[data-testid=${testId}][data-status=${status}]` : `[data-testid=${testId}]`;
  try {
    await page.waitForSelector(sel, { timeout });
  } catch (error) {
    // A timeout alone says only what did not appear; say what the till showed instead.
    throw new Error(`${(error as Error).message}\nthe till showed instead: ${await tillState(page)}`, { cause: error });
  }
}

/** The checkout's visible panels with their status and text, and any notice: for failure messages. */
async function tillState(page: Page): Promise<string> {
  const shown = await page
    .$$eval('[data-testid=progress], [data-testid=result], [data-testid=attention], [data-testid=notice], [data-testid=scan-prompt], [data-testid=amount]', (els) =>
      els.map((el) => `${el.getAttribute('data-testid')}${el.getAttribute('data-status') ? `[${el.getAttribute('data-status')}]` : ''}: ${(el.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 160)}`),
    )
    .catch((err: Error) => [`(page unreadable: ${err.message})`]);
  return shown.length ? shown.join(' | ') : '(none of progress, result, attention, notice, scan prompt, amount)';
}
