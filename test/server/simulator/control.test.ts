import { Hono } from 'hono';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SIMULATOR_DEFAULTS } from '../../../server/simulator/app.ts';
import type { SimOrder } from '../../../server/simulator/ledger/index.ts';
import { BEHAVIOURS, behaviourOf, testCodeList, testCodeMarkdown } from '../../../server/simulator/test-codes.ts';
import { barsOf, decodeCode128C } from './code128.ts';
import { harness } from './helpers.ts';

const json = async (res: Response) => (await res.json()) as unknown;
/** Control POSTs say they are JSON (the guard refuses anything a cross-site form could send). */
const JSON_TYPE = { 'content-type': 'application/json' };

describe('simulator control endpoints', () => {
  it('lists orders and shows one', async () => {
    const h = harness();
    await h.micropay({ out_trade_no: 'K1', device_info: 'T-9' });
    await h.pay('password', { out_trade_no: 'K2' });
    const list = (await json(await h.sim.app.request('/control/orders'))) as SimOrder[];
    expect(list.map((o) => [o.out_trade_no, o.trade_state])).toEqual([
      ['K1', 'SUCCESS'],
      ['K2', 'USERPAYING'],
    ]);
    const one = (await json(await h.sim.app.request('/control/orders/K1'))) as SimOrder;
    expect(one).toMatchObject({ out_trade_no: 'K1', total_fee: 1234, trade_state: 'SUCCESS', device_info: 'T-9', refunds: [], reverse_calls: 0, micropay_calls: 1, created_at: '2026-11-28T02:00:00.000Z', paid_at: '2026-11-28T02:00:00.000Z' });
    expect(one.transaction_id).toMatch(/^\d{28}$/);
    expect((await h.sim.app.request('/control/orders/NOPE')).status).toBe(404);
  });

  it('confirms and declines a payment waiting for the password', async () => {
    const h = harness();
    await h.pay('password', { out_trade_no: 'K3' });
    await h.pay('password', { out_trade_no: 'K4' });
    const ok = await h.sim.app.request('/control/orders/K3/confirm', { method: 'POST', headers: JSON_TYPE });
    expect(ok.status).toBe(200);
    expect(await json(ok)).toMatchObject({ out_trade_no: 'K3', trade_state: 'SUCCESS' });
    const no = await h.sim.app.request('/control/orders/K4/decline', { method: 'POST', headers: JSON_TYPE });
    expect(await json(no)).toMatchObject({ trade_state: 'PAYERROR' });
    expect((await h.query('K4')).fields.trade_state).toBe('PAYERROR');
  });

  it('answers 409 when the order is not waiting and 404 when it does not exist', async () => {
    const h = harness();
    await h.micropay({ out_trade_no: 'K5' });
    const conflict = await h.sim.app.request('/control/orders/K5/confirm', { method: 'POST', headers: JSON_TYPE });
    expect(conflict.status).toBe(409);
    expect(await json(conflict)).toMatchObject({ error: { code: 'NOT_WAITING' } });
    expect((await h.sim.app.request('/control/orders/NONE/decline', { method: 'POST', headers: JSON_TYPE })).status).toBe(404);
  });

  it('hands out fresh codes for a behaviour', async () => {
    const h = harness();
    const a = (await json(await h.sim.app.request('/control/codes', { method: 'POST', headers: JSON_TYPE, body: JSON.stringify({ behaviour: 'password' }) }))) as { code: string; behaviour: string };
    const b = (await json(await h.sim.app.request('/control/codes', { method: 'POST', headers: JSON_TYPE, body: JSON.stringify({ behaviour: 'password' }) }))) as { code: string };
    expect(a.behaviour).toBe('password');
    expect(a.code).toMatch(/^130001\d{12}$/);
    expect(behaviourOf(a.code)).toBe('password');
    expect(b.code).not.toBe(a.code);
    const plain = (await json(await h.sim.app.request('/control/codes', { method: 'POST', headers: JSON_TYPE }))) as { behaviour: string };
    expect(plain.behaviour).toBe('success');
  });

  it('answers 400 for an unknown behaviour or a body that is not JSON', async () => {
    const h = harness();
    const bad = await h.sim.app.request('/control/codes', { method: 'POST', headers: JSON_TYPE, body: '{"behaviour":"free_money"}' });
    expect(bad.status).toBe(400);
    expect(await json(bad)).toMatchObject({ error: { code: 'UNKNOWN_BEHAVIOUR' } });
    expect((await h.sim.app.request('/control/codes', { method: 'POST', headers: JSON_TYPE, body: 'behaviour=x' })).status).toBe(400);
  });

  it('lists every behaviour with its prefix and texts', async () => {
    const h = harness();
    const list = (await json(await h.sim.app.request('/control/behaviours'))) as { behaviour: string; prefix: string; zh: string; en: string }[];
    expect(list).toHaveLength(Object.keys(BEHAVIOURS).length);
    expect(list[0]).toEqual({ behaviour: 'success', prefix: '130000', en: 'Paid at once', zh: '立即支付成功' });
  });

  it('forgets every order on reset, so codes and numbers can be used again', async () => {
    const h = harness();
    await h.micropay({ out_trade_no: 'K6' });
    expect(await json(await h.sim.app.request('/control/reset', { method: 'POST', headers: JSON_TYPE }))).toEqual({ ok: true });
    expect(h.sim.orders()).toEqual([]);
    expect((await h.query('K6')).fields.err_code).toBe('ORDERNOTEXIST');
  });

  it('finds the order charged with one full code (what the phone page polls)', async () => {
    const h = harness();
    const code = '130001000000000042';
    await h.micropay({ out_trade_no: 'K7', auth_code: code });
    expect(await json(await h.sim.app.request(`/control/orders?auth_code=${code}`))).toMatchObject([{ out_trade_no: 'K7', trade_state: 'USERPAYING' }]);
    expect(await json(await h.sim.app.request('/control/orders?auth_code=130001000000000043'))).toEqual([]);
  });
});

describe('test code list for the README', () => {
  it('gives every behaviour a distinct six-digit prefix of a valid WeChat code', () => {
    const list = testCodeList();
    expect(new Set(list.map((t) => t.prefix)).size).toBe(list.length);
    for (const t of list) expect(t.prefix).toMatch(/^1[0-5]\d{4}$/);
  });

  it('renders a markdown table with one row per behaviour', () => {
    const lines = testCodeMarkdown().split('\n');
    expect(lines[0]).toBe('| Code | Behaviour | What happens | 说明 |');
    expect(lines).toHaveLength(testCodeList().length + 2);
    expect(lines[2]).toBe('| `130000` + 12 digits | `success` | Paid at once | 立即支付成功 |');
  });

  it('is the table the project README shows, row for row', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    for (const row of testCodeMarkdown().split('\n').slice(2)) expect(readme).toContain(row);
  });
});

describe('simulator customer phone page', () => {
  it('serves a phone-sized page with a fresh code of the chosen behaviour, as text, Code 128 and QR', async () => {
    const h = harness();
    const res = await h.sim.app.request('/phone?behaviour=password');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    expect(html).toContain('name="viewport"');
    const code = /const code = "(\d{18})"/.exec(html)?.[1];
    expect(code).toMatch(/^130001\d{12}$/);
    expect(html).toContain(code!.replace(/(\d{4})(?=\d)/g, '$1 '));
    expect(html).toContain(`src="phone/code128.svg?code=${code}"`);
    expect(html).toContain(`src="phone/qrcode.svg?code=${code}"`);
    expect(html).toContain('<option value="password" selected>');
    // relative URLs only, so the page works under /simulator too
    expect(html).not.toMatch(/(?:src|href)="\/|fetch\('\//);
    // the shown code is a handed-out code: charged within its time to live it pays
    expect((await h.micropay({ out_trade_no: 'PH1', auth_code: code! })).fields.err_code).toBe('USERPAYING');
  });

  it('gives a new code on every load and falls back to success for an unknown behaviour', async () => {
    const h = harness();
    const codeOf = async (q: string) => /const code = "(\d{18})"/.exec(await (await h.sim.app.request(`/phone${q}`)).text())![1]!;
    const a = await codeOf('');
    const b = await codeOf('');
    expect(a).not.toBe(b);
    expect(a.startsWith(BEHAVIOURS.success.prefix)).toBe(true);
    expect((await codeOf('?behaviour=nonsense')).startsWith(BEHAVIOURS.success.prefix)).toBe(true);
  });

  it('draws a Code 128 SVG that decodes to the code, with 2 px modules and 10-module quiet zones', async () => {
    const h = harness();
    const code = '130005987654321012';
    const res = await h.sim.app.request(`/phone/code128.svg?code=${code}`);
    expect(res.headers.get('content-type')).toBe('image/svg+xml');
    const svg = await res.text();
    expect(svg).toContain(`aria-label="Code 128 ${code}"`);
    expect(decodeCode128C(svg)).toBe(code);
    const { bars, viewWidth } = barsOf(svg);
    const width = Number(/<svg width="(\d+)"/.exec(svg)![1]);
    expect(width / viewWidth).toBe(2);
    expect(bars[0]!.left).toBeGreaterThanOrEqual(10);
    const last = bars.at(-1)!;
    expect(viewWidth - (last.left + last.width)).toBeGreaterThanOrEqual(10);
    expect(svg).toContain('fill="#FFFFFF"');
  });

  it('draws a QR SVG of 8 px modules with a 4-module quiet zone', async () => {
    const h = harness();
    const svg = await (await h.sim.app.request('/phone/qrcode.svg?code=130000123456789012')).text();
    const width = Number(/<svg width="(\d+)"/.exec(svg)![1]);
    // version 1 (21 modules) + 2 × 4 quiet modules, 8 px each
    expect(width).toBe(29 * 8);
    // the first dark square (the top-left finder) starts 4 modules (8 units) in
    expect(svg).toMatch(/<path d="M8 /);
  });

  it('refuses to draw anything but digits', async () => {
    const h = harness();
    expect((await h.sim.app.request('/phone/code128.svg?code=<script>')).status).toBe(400);
    expect((await h.sim.app.request('/phone/qrcode.svg')).status).toBe(400);
  });

  it('works mounted under /simulator, as the product server mounts it', async () => {
    const h = harness();
    const outer = new Hono();
    outer.route('/simulator', h.sim.app);
    const html = await (await outer.request('/simulator/phone')).text();
    const code = /const code = "(\d{18})"/.exec(html)![1]!;
    const svgUrl = new URL(`phone/code128.svg?code=${code}`, 'http://x/simulator/phone');
    expect(svgUrl.pathname).toBe('/simulator/phone/code128.svg');
    expect(decodeCode128C(await (await outer.request(svgUrl.pathname + svgUrl.search)).text())).toBe(code);
    const ordersUrl = new URL('control/orders', 'http://x/simulator/phone');
    expect((await outer.request(ordersUrl.pathname)).status).toBe(200);
    const micropay = await outer.request('/simulator/pay/micropay', { method: 'POST', body: h.signedXml({ body: 'b', out_trade_no: 'MNT1', total_fee: '1', spbill_create_ip: '127.0.0.1', auth_code: code }) });
    expect(await micropay.text()).toContain('<result_code><![CDATA[SUCCESS]]></result_code>');
    expect(SIMULATOR_DEFAULTS.appid).toMatch(/^wx[0-9A-Za-z]{16}$/);
  });
});
