import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator, SIMULATOR_DEFAULTS, type Simulator } from '../../../server/simulator/app.ts';
import { sign } from '../../../server/wechat/sign.ts';
import { parseXml, toXml } from '../../../server/wechat/xml.ts';
import { createAlipayClient } from '../../../server/alipay/client.ts';
import { ALIPAY_SIMULATOR_DEFAULTS } from '../../../server/simulator/alipay/app.ts';
import { simulatorKey } from '../../../server/simulator/alipay/keys.ts';

/**
 * The phone page in real Chromium at phone size, mounted under /simulator as the product
 * server mounts it: the images load through relative URLs, and Confirm appears while the
 * payment for the shown code waits for the password. Leaves a screenshot for people to look at.
 */
const SHOTS = 'test-results/screenshots';
const PHONE = { width: 390, height: 844 };

let sim: Simulator;
let server: ServerType;
let base: string;
let browser: Browser;

beforeAll(async () => {
  sim = createSimulator();
  const outer = new Hono();
  outer.route('/simulator', sim.app);
  server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: outer.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/simulator`;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

afterAll(async () => {
  await browser?.close();
  sim?.close();
  await new Promise((r) => server?.close(r));
});

async function micropay(code: string, outTradeNo: string): Promise<Record<string, string>> {
  const fields: Record<string, string> = {
    appid: SIMULATOR_DEFAULTS.appid,
    mch_id: SIMULATOR_DEFAULTS.mch_id,
    nonce_str: 'phone0test',
    body: 'Shop-POS',
    out_trade_no: outTradeNo,
    total_fee: '2580',
    spbill_create_ip: '127.0.0.1',
    auth_code: code,
  };
  fields.sign = sign(fields, SIMULATOR_DEFAULTS.key);
  const res = await fetch(`${base}/pay/micropay`, { method: 'POST', body: toXml(fields) });
  return parseXml(await res.text());
}

describe('customer phone page in Chromium', () => {
  it('shows the code, then Confirm while the payment waits for the password, and pays on Confirm', async () => {
    const context = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 2, locale: 'zh-CN' });
    const page = await context.newPage();
    await page.goto(`${base}/phone?behaviour=password`);
    const digits = (await page.textContent('#digits'))!.replace(/\s/g, '');
    expect(digits).toMatch(/^130001\d{12}$/);

    // both images loaded through relative URLs under /simulator, at whole pixels per module
    const sizes = await page.$$eval('.codes img', (imgs) => imgs.map((i) => [(i as HTMLImageElement).naturalWidth, i.getBoundingClientRect().width]));
    expect(sizes).toEqual([
      [308, 308],
      [232, 232],
    ]);
    // the barcode fits the phone's width with room to spare
    expect(sizes[0]![0]).toBeLessThan(PHONE.width);
    expect(await page.isVisible('#password')).toBe(false);
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: `${SHOTS}/simulator-phone.png`, fullPage: true });

    expect((await micropay(digits, 'PHONE1')).err_code).toBe('USERPAYING');
    await page.waitForSelector('#confirm', { state: 'visible', timeout: 5000 });
    expect(await page.textContent('#status')).toContain('¥25.80');
    await page.screenshot({ path: `${SHOTS}/simulator-phone-password.png`, fullPage: true });

    await page.click('#confirm');
    await page.waitForFunction(() => document.getElementById('status')!.textContent!.includes('支付成功'), undefined, { timeout: 5000 });
    expect(sim.order('PHONE1')!.trade_state).toBe('SUCCESS');
    expect(await page.isVisible('#password')).toBe(false);
    await context.close();
  });

  it('declines from the phone: the payment fails', async () => {
    const context = await browser.newContext({ viewport: PHONE });
    const page = await context.newPage();
    await page.goto(`${base}/phone?behaviour=password`);
    const digits = (await page.textContent('#digits'))!.replace(/\s/g, '');
    await micropay(digits, 'PHONE2');
    await page.click('#decline', { timeout: 5000 });
    await page.waitForFunction(() => document.getElementById('status')!.className === 'failed', undefined, { timeout: 5000 });
    expect(sim.order('PHONE2')!.trade_state).toBe('PAYERROR');
    await context.close();
  });

  it('changing the behaviour loads a new code of that behaviour', async () => {
    const context = await browser.newContext({ viewport: PHONE });
    const page = await context.newPage();
    await page.goto(`${base}/phone`);
    const before = (await page.textContent('#digits'))!.replace(/\s/g, '');
    await Promise.all([page.waitForURL(/behaviour=notenough/), page.selectOption('#behaviour', 'notenough')]);
    const after = (await page.textContent('#digits'))!.replace(/\s/g, '');
    expect(after).toMatch(/^130006\d{12}$/);
    expect(after).not.toBe(before);
    await context.close();
  });

  it('offers Alipay test codes (28 + behaviour digits + 12): Confirm while the trade waits, paid on Confirm', async () => {
    const context = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 2, locale: 'zh-CN' });
    const page = await context.newPage();
    await page.goto(`${base}/phone`);
    await Promise.all([page.waitForURL(/wallet=alipay/), page.click('#switch')]);
    expect(await page.getAttribute('#wallet', 'data-wallet')).toBe('alipay');
    await Promise.all([page.waitForURL(/behaviour=password/), page.selectOption('#behaviour', 'password')]);
    const digits = (await page.textContent('#digits'))!.replace(/\s/g, '');
    expect(digits).toMatch(/^280001\d{12}$/);

    const client = createAlipayClient({ appId: ALIPAY_SIMULATOR_DEFAULTS.appId, privateKey: simulatorKey('appPrivateKey'), alipayPublicKey: simulatorKey('alipayPublicKey'), gateway: `${base}/alipay/gateway.do` });
    try {
      expect((await client.pay({ out_trade_no: 'PHONEALI1', amount_fen: 1990, auth_code: digits, subject: 'Shop-POS' })).kind).toBe('waiting');
      await page.waitForSelector('#confirm', { state: 'visible', timeout: 5000 });
      expect(await page.textContent('#status')).toContain('¥19.90');
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: `${SHOTS}/simulator-phone-alipay.png`, fullPage: true });
      await page.click('#confirm');
      await page.waitForFunction(() => document.getElementById('status')!.textContent!.includes('支付成功'), undefined, { timeout: 5000 });
      expect(sim.alipay.trade('PHONEALI1')!.trade_status).toBe('TRADE_SUCCESS');
    } finally {
      client.close();
      await context.close();
    }
  });
});

describe('customer phone page timing', () => {
  it('shows a new code after about 60 s when the code was not used, like WeChat', async () => {
    const context = await browser.newContext({ viewport: PHONE });
    const page = await context.newPage();
    await page.clock.install();
    await page.goto(`${base}/phone`);
    const before = (await page.textContent('#digits'))!.replace(/\s/g, '');
    await Promise.all([page.waitForURL(/behaviour=success/), page.clock.runFor(61_000)]);
    await page.waitForSelector('#digits');
    const after = (await page.textContent('#digits'))!.replace(/\s/g, '');
    expect(after).toMatch(/^130000\d{12}$/);
    expect(after).not.toBe(before);
    await context.close();
  });
});
