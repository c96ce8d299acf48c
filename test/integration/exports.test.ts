import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Payment } from '../../shared/api.ts';
import { formatYuan } from '../../shared/money.ts';
import { localDate, localDayRange, localParts } from '../../server/payments/shop-time.ts';
import { makeTestCode } from '../../server/simulator/test-codes.ts';
import type { NewPayment, PaymentRow } from '../../server/store/types.ts';
import { newId, startHarness, type Harness } from './harness.ts';

/**
 * The CSV exports over HTTP, opened back with a CSV parser (csv-parse, as a spreadsheet would
 * read them) and matched row for row with the journal.
 */

const MANAGER = { 'x-manager-pin': '2468' };
const TZ = 'Asia/Shanghai';
let h: Harness;
let till: string;
let today: string;

beforeAll(async () => {
  h = await startHarness();
  till = await h.terminal('Front 1');
  today = localDate(Date.now(), TZ);
});
afterAll(async () => {
  await h?.close();
});

async function download(path: string, headers: Record<string, string> = MANAGER): Promise<{ status: number; headers: Headers; text: string; bytes: Uint8Array }> {
  const res = await fetch(h.base + path, { headers: { authorization: `Bearer ${till}`, ...headers } });
  const bytes = new Uint8Array(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, bytes, text: new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes) };
}

const table = (text: string): Record<string, string>[] => parse(text, { bom: true, columns: true, skip_empty_lines: true });
const pad = (n: number) => String(n).padStart(2, '0');
const timeOf = (ms: number) => {
  const p = localParts(ms, TZ);
  return `${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
};
/** What a spreadsheet must show for a text cell: formulas neutralised with a leading quote. */
const shown = (text: string) => (/^[=+\-@\t\r]/.test(text) ? `'${text}` : text);

async function journalOf(day: string): Promise<PaymentRow[]> {
  const { from, to } = localDayRange(day, TZ);
  return h.server.store.paymentsCreatedBetween(from, to);
}

describe('payments.csv and refunds.csv', () => {
  let refundedId: string;

  beforeAll(async () => {
    const descriptions = ['=HYPERLINK("http://x","click")', '+1', '-2+3', '@SUM(A1)', 'tea, "green"', '奶茶 2 杯', undefined];
    for (const [i, description] of descriptions.entries()) {
      const res = await h.call<Payment>('POST', '/api/payments', {
        token: till,
        body: { id: newId(), amount_fen: 1000 + i * 111, auth_code: makeTestCode(i === 3 ? 'notenough' : 'success'), ...(description ? { description } : {}) },
      });
      expect(res.status).toBe(200);
      if (i === 0) refundedId = res.body.id;
    }
    const refund = await h.call('POST', `/api/payments/${refundedId}/refunds`, { token: till, headers: MANAGER, body: { id: newId('r'), amount_fen: 250, reason: '=cmd|calc' } });
    expect(refund.body.status).toBe('succeeded');
  });

  it('exports every payment of the range as UTF-8 with a BOM, row for row with the journal', async () => {
    const csv = await download(`/api/exports/payments.csv?from=${today}&to=${today}&lang=en`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toBe(`attachment; filename="payments_${today}_${today}.csv"`);
    expect([...csv.bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(csv.text).toContain('\r\n');

    const rows = table(csv.text);
    const journal = await journalOf(today);
    expect(rows).toHaveLength(journal.length);
    expect(journal.length).toBeGreaterThanOrEqual(7);
    rows.forEach((row, i) => {
      const p = journal[i]!;
      expect(row).toEqual({
        shop_day: today,
        time: timeOf(p.created_at),
        out_trade_no: p.out_trade_no,
        transaction_id: p.transaction_id ?? '',
        wallet: 'wechat',
        status: p.status,
        amount: formatYuan(p.amount_fen),
        cash: row.cash,
        coupon: row.coupon,
        settlement: row.settlement,
        refunded: formatYuan(p.refunded_fen),
        bank_type: row.bank_type,
        terminal: 'Front 1',
        cashier: '',
        description: shown(p.description ?? ''),
        error_code: p.error_code ?? '',
        payment_id: p.id,
      });
    });
    const refunded = rows.find((r) => r.payment_id === refundedId)!;
    expect(refunded).toMatchObject({ refunded: '2.50', description: `'=HYPERLINK("http://x","click")` });
    expect(rows.map((r) => r.description)).toEqual(expect.arrayContaining(["'+1", "'-2+3", "'@SUM(A1)", 'tea, "green"', '奶茶 2 杯']));
    expect(rows.find((r) => r.status === 'failed')).toMatchObject({ error_code: 'NOTENOUGH', transaction_id: '' });
  });

  it('exports the refunds made in the range with the payment each returns', async () => {
    const csv = await download(`/api/exports/refunds.csv?from=${today}&to=${today}&lang=en`);
    expect(csv.status).toBe(200);
    const rows = table(csv.text);
    const payment = (await h.server.store.payment(refundedId))!;
    const [refund] = await h.server.store.refundsOf(refundedId);
    expect(rows).toEqual([
      {
        shop_day: today,
        time: timeOf(refund!.created_at),
        out_refund_no: refund!.id,
        refund_id: refund!.refund_id,
        out_trade_no: payment.out_trade_no,
        transaction_id: payment.transaction_id,
        wallet: 'wechat',
        status: 'succeeded',
        amount: '2.50',
        payment_amount: formatYuan(payment.amount_fen),
        payment_shop_day: today,
        reason: "'=cmd|calc",
        terminal: 'Front 1',
        cashier: '',
        error_code: '',
      },
    ]);
  });

  it('writes Chinese headers and statuses for lang=zh, or for a Chinese Accept-Language', async () => {
    const zh = table((await download(`/api/exports/payments.csv?from=${today}&to=${today}&lang=zh`)).text);
    expect(Object.keys(zh[0]!).slice(0, 7)).toEqual(['营业日', '时间', '商户订单号', '支付单号', '钱包', '状态', '金额(元)']);
    expect(new Set(zh.map((r) => r['状态']))).toEqual(new Set(['支付成功', '支付失败']));
    expect(zh[0]!['钱包']).toBe('微信支付');
    const byHeader = table((await download(`/api/exports/refunds.csv?from=${today}&to=${today}`, { ...MANAGER, 'accept-language': 'zh-CN,zh;q=0.9' })).text);
    expect(byHeader[0]).toMatchObject({ 状态: '退款成功', '退款金额(元)': '2.50' });
  });

  it.each([
    ['without the manager PIN', `from=${'2026-11-01'}&to=${'2026-11-02'}`, {}, 403, 'PIN_REQUIRED'],
    ['with a wrong PIN', 'from=2026-11-01&to=2026-11-02', { 'x-manager-pin': '1111' }, 403, 'PIN_WRONG'],
    ['without a range', 'from=2026-11-01', MANAGER, 400, 'INVALID_RANGE'],
    ['with a day that does not exist', 'from=2026-02-30&to=2026-03-01', MANAGER, 400, 'INVALID_DATE'],
    ['with from after to', 'from=2026-11-05&to=2026-11-01', MANAGER, 400, 'INVALID_RANGE'],
    ['for more than a year', 'from=2025-01-01&to=2026-01-02', MANAGER, 400, 'INVALID_RANGE'],
  ])('refuses an export %s', async (_, query, headers, status, code) => {
    const res = await download(`/api/exports/payments.csv?${query}`, headers);
    expect(res.status).toBe(status);
    expect(JSON.parse(res.text).error.code).toBe(code);
  });

  it('pages through a busy day in order: every payment once, matching the journal', async () => {
    const day = '2026-01-15';
    const { from } = localDayRange(day, TZ);
    const terminalId = (await h.server.terminals.authenticate(till))!.id;
    const rows: NewPayment[] = Array.from({ length: 1_234 }, (_, i) => ({
      id: `bulk-${String(i).padStart(5, '0')}`,
      out_trade_no: `O${20260115}${String(i).padStart(6, '0')}`,
      terminal_id: terminalId,
      amount_fen: 100 + i,
      description: null,
      auth_code_masked: '1300**********0000',
      auth_code_hash: `h${i}`,
      status: i % 10 === 0 ? 'failed' : 'succeeded',
      step: 'done',
      error_code: i % 10 === 0 ? 'NOTENOUGH' : null,
      error_message: null,
      transaction_id: i % 10 === 0 ? null : `4200${String(i).padStart(24, '0')}`,
      late_payment: false,
      cancel_requested: false,
      send_rejected: false,
      sent_at: from,
      reverse_decided_at: null,
      reverse_reason: null,
      reverse_attempts: 0,
      deadline_at: from,
      reverse_after: from,
      next_at: from,
      // Pairs share a millisecond: the page boundary must order them by id, not lose one.
      created_at: from + Math.floor(i / 2) * 60_000,
      updated_at: from,
    }));
    for (let i = 0; i < rows.length; i += 200) await Promise.all(rows.slice(i, i + 200).map((r) => h.server.store.insertPayment(r)));

    const csv = table((await download(`/api/exports/payments.csv?from=${day}&to=${day}&lang=en`)).text);
    const journal = await journalOf(day);
    expect(journal).toHaveLength(1_234);
    expect(csv.map((r) => [r.payment_id, r.time, r.amount, r.status])).toEqual(journal.map((p) => [p.id, timeOf(p.created_at), formatYuan(p.amount_fen), p.status]));
    // The next day holds none of them; a range over both holds each once.
    expect(table((await download('/api/exports/payments.csv?from=2026-01-16&to=2026-01-16')).text)).toHaveLength(0);
    expect(table((await download('/api/exports/payments.csv?from=2026-01-14&to=2026-01-16')).text)).toHaveLength(1_234);
  });
});
