import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { SIMULATOR_DEFAULTS } from '../../../server/simulator/app.ts';
import { BILL_HEADER, BILL_HEADERS, BILL_TOTALS_HEADER } from '../../../server/simulator/bill.ts';
import { parseBill } from '../../../server/wechat/bill.ts';
import { harness } from './helpers.ts';

const bill = (h: ReturnType<typeof harness>, fields: Record<string, string>) => h.call('/pay/downloadbill', fields);
const bill_ = (h: ReturnType<typeof harness>) => bill(h, { bill_date: '20261128' });

/** A bill line's values without the leading backticks. */
const cells = (line: string) =>
  line.split(',').map((v) => {
    expect(v.startsWith('`')).toBe(true);
    return v.slice(1);
  });

describe('simulator downloadbill', () => {
  it('answers the real CSV: header, one line per payment and refund, totals, amounts in yuan', async () => {
    const h = harness({ refundSettleMs: 0 });
    const paid = await h.micropay({ out_trade_no: 'D1', total_fee: '1234', device_info: 'T-01', attach: 'a1' });
    h.clock.advance(60_000);
    await h.micropay({ out_trade_no: 'D2', total_fee: '1' });
    h.clock.advance(60_000);
    const refund = await h.refund('D1', 'RD1', 234);
    await h.pay('bankerror', { out_trade_no: 'D3' }); // not paid: not in the bill

    const r = await bill(h, { bill_date: '20261128', bill_type: 'ALL' });
    expect(r.contentType).toContain('text/plain');
    const lines = r.text.split('\r\n');
    expect(lines.at(-1)).toBe('');
    expect(lines[0]).toBe(BILL_HEADER);
    expect(lines).toHaveLength(7);
    const d1 = cells(lines[1]!);
    expect(d1).toEqual([
      '2026-11-28 10:00:00', SIMULATOR_DEFAULTS.appid, SIMULATOR_DEFAULTS.mch_id, '0', 'T-01', paid.fields.transaction_id, 'D1', paid.fields.openid,
      'MICROPAY', 'SUCCESS', 'OTHERS', 'CNY', '12.34', '0.00', '0', '0', '0.00', '0.00', '', '', 'Shop-POS', 'a1', '0.07000', '0.60%', '12.34', '0.00', '',
    ]);
    expect(cells(lines[2]!)).toMatchObject({ 0: '2026-11-28 10:01:00', 6: 'D2', 9: 'SUCCESS', 12: '0.01', 22: '0.00000' });
    const refundLine = cells(lines[3]!);
    expect(refundLine).toMatchObject({ 0: '2026-11-28 10:02:00', 6: 'D1', 9: 'REFUND', 12: '0.00', 14: refund.fields.refund_id, 15: 'RD1', 16: '2.34', 18: 'ORIGINAL', 19: 'SUCCESS', 22: '-0.01000', 25: '2.34' });
    expect(lines[4]).toBe(BILL_TOTALS_HEADER);
    expect(cells(lines[5]!)).toEqual(['3', '12.35', '2.34', '0.00', '0.06000', '12.35', '2.34']);
  });

  it('writes the SUCCESS bill in its own 20 columns and the REFUND bill in its own 29, each with its totals', async () => {
    const h = harness({ refundSettleMs: 4_000 });
    await h.micropay({ out_trade_no: 'D4', total_fee: '600' });
    h.clock.advance(60_000);
    await h.refund('D4', 'RD4', 100, 600);
    h.clock.advance(5_000);

    const success = (await bill(h, { bill_date: '20261128', bill_type: 'SUCCESS' })).text.split('\r\n');
    expect(success[0]).toBe(BILL_HEADERS.SUCCESS);
    expect(success).toHaveLength(5);
    expect(cells(success[1]!)).toEqual([
      '2026-11-28 10:00:00', SIMULATOR_DEFAULTS.appid, SIMULATOR_DEFAULTS.mch_id, '0', '', expect.any(String), 'D4', expect.any(String),
      'MICROPAY', 'SUCCESS', 'OTHERS', 'CNY', '6.00', '0.00', 'Shop-POS', '', '0.04000', '0.60%', '6.00', '',
    ]);
    expect(cells(success[3]!)).toEqual(['1', '6.00', '0.00', '0.00', '0.04000', '6.00', '0.00']);

    const refunds = (await bill(h, { bill_date: '20261128', bill_type: 'REFUND' })).text.split('\r\n');
    expect(refunds[0]).toBe(BILL_HEADERS.REFUND);
    expect(refunds).toHaveLength(5);
    const line = cells(refunds[1]!);
    expect(line).toHaveLength(29);
    expect(line).toMatchObject({
      0: '2026-11-28 10:01:00', 6: 'D4', 9: 'REFUND', 12: '0.00', 14: '2026-11-28 10:01:00', 15: '2026-11-28 10:01:04', 17: 'RD4',
      18: '1.00', 20: 'ORIGINAL', 21: 'SUCCESS', 24: '-0.01000', 26: '0.00', 27: '1.00',
    });
    expect(cells(refunds[3]!)).toEqual(['1', '0.00', '1.00', '0.00', '-0.01000', '0.00', '1.00']);
  });

  it("dates a refund line when the refund was requested: on that day's bill while still PROCESSING", async () => {
    const h = harness({ refundSettleMs: 3 * 3600_000 });
    await h.micropay({ out_trade_no: 'D9', total_fee: '300' });
    h.clock.advance(13 * 3600_000 + 30 * 60_000); // 23:30 Beijing
    await h.refund('D9', 'RD9', 300, 300);
    h.clock.advance(3 * 3600_000); // settled at 02:30 the next day
    const refundLine = cells((await bill(h, { bill_date: '20261128', bill_type: 'REFUND' })).text.split('\r\n')[1]!);
    expect(refundLine).toMatchObject({ 0: '2026-11-28 23:30:00', 14: '2026-11-28 23:30:00', 15: '2026-11-29 02:30:00', 21: 'SUCCESS' });
    expect((await bill(h, { bill_date: '20261129' })).fields.return_msg).toBe('No Bill Exist');

    const h2 = harness({ refundSettleMs: 3 * 3600_000 });
    await h2.micropay({ out_trade_no: 'D10', total_fee: '300' });
    await h2.refund('D10', 'RD10', 200, 300);
    const processing = cells((await bill(h2, { bill_date: '20261128', bill_type: 'REFUND' })).text.split('\r\n')[1]!);
    expect(processing).toMatchObject({ 6: 'D10', 15: '', 18: '2.00', 21: 'PROCESSING' });
  });

  it('shows a coupon as 代金券金额, settles a no-cash coupon net of it (应结订单金额) and charges the fee on what is settled', async () => {
    const h = harness();
    await h.pay('coupon', { out_trade_no: 'C1', total_fee: '2000' }); // 200 fen no-cash coupon
    await h.pay('promotion', { out_trade_no: 'C2', total_fee: '1000' }); // 100 fen promotion, settled in full
    const bill = parseBill((await bill_(h)).text);
    expect(bill.records.find((r) => r.out_trade_no === 'C1')).toMatchObject({ total_fee: 2000, coupon_fee: 200, settlement_total_fee: 1800, service_fee_millifen: 11_000 });
    expect(bill.records.find((r) => r.out_trade_no === 'C2')).toMatchObject({ total_fee: 1000, coupon_fee: 100, settlement_total_fee: 1000, service_fee_millifen: 6_000 });
    expect(bill.summary).toMatchObject({ settlement_total_fee: 2800, total_fee: 3000 });
  });

  it('writes bills the bill reader takes back exactly, totals included', async () => {
    const h = harness({ refundSettleMs: 0 });
    for (let i = 0; i < 5; i++) {
      await h.micropay({ out_trade_no: `R${i}`, total_fee: String(117 * (i + 1)) });
      h.clock.advance(1_000);
    }
    await h.refund('R3', 'RR3', 99, 468);
    await h.reverse('R4');
    for (const billType of ['ALL', 'SUCCESS', 'REFUND'] as const) {
      const parsed = parseBill((await bill(h, { bill_date: '20261128', bill_type: billType })).text);
      expect(parsed.summary.count).toBe(billType === 'ALL' ? 7 : billType === 'SUCCESS' ? 5 : 2);
    }
    const all = parseBill((await bill(h, { bill_date: '20261128' })).text);
    expect(all.records.find((r) => r.out_trade_no === 'R2')).toMatchObject({ total_fee: 351, service_fee_millifen: 2000 });
    expect(all.records.find((r) => r.trade_state === 'REVOKED')).toMatchObject({ out_trade_no: 'R4', refund_fee: 585 });
  });

  it('lists the reversal of a paid order as a REVOKED line', async () => {
    const h = harness();
    await h.micropay({ out_trade_no: 'D5', total_fee: '500' });
    await h.reverse('D5');
    const lines = (await bill(h, { bill_date: '20261128' })).text.split('\r\n');
    expect(cells(lines[2]!)).toMatchObject({ 6: 'D5', 9: 'REVOKED', 16: '5.00' });
  });

  it("gives a service provider one sub-merchant's orders when sub_mch_id is asked, every order without it", async () => {
    const h = harness();
    await h.micropay({ out_trade_no: 'S1', sub_mch_id: '1900000201' });
    await h.micropay({ out_trade_no: 'S2', sub_mch_id: '1900000202' });
    await h.micropay({ out_trade_no: 'S3' });
    const one = (await bill(h, { bill_date: '20261128', sub_mch_id: '1900000201' })).text.split('\r\n');
    expect(one.filter((l) => l.includes('`S'))).toHaveLength(1);
    expect(cells(one[1]!)).toMatchObject({ 3: '1900000201', 6: 'S1' });
    const all = (await bill(h, { bill_date: '20261128' })).text;
    expect(['`S1', '`S2', '`S3'].every((n) => all.includes(n))).toBe(true);
    expect((await bill(h, { bill_date: '20261128', sub_mch_id: '1900000299' })).fields.return_msg).toBe('No Bill Exist');
  });

  it('puts a payment on its Beijing day, not its UTC day', async () => {
    const h = harness();
    h.clock.advance(15 * 3600_000 + 30 * 60_000); // 17:30 UTC = 01:30 next day in Beijing
    await h.micropay({ out_trade_no: 'D6' });
    expect((await bill(h, { bill_date: '20261128' })).fields.return_msg).toBe('No Bill Exist');
    expect((await bill(h, { bill_date: '20261129' })).text).toContain('`D6');
  });

  it('answers GZIP when tar_type=GZIP', async () => {
    const h = harness();
    await h.micropay({ out_trade_no: 'D7' });
    const res = await h.sim.app.request('/pay/downloadbill', { method: 'POST', body: h.signedXml({ bill_date: '20261128', tar_type: 'GZIP' }) });
    expect(res.headers.get('content-type')).toBe('application/x-gzip');
    const text = gunzipSync(Buffer.from(await res.arrayBuffer())).toString('utf8');
    expect(text.startsWith(BILL_HEADER)).toBe(true);
    expect(text).toContain('`D7');
  });

  it('answers XML No Bill Exist for a day without payments', async () => {
    const h = harness();
    const r = await bill(h, { bill_date: '20261127' });
    expect(r.fields).toEqual({ return_code: 'FAIL', return_msg: 'No Bill Exist', error_code: '20002' });
  });

  it('answers XML for a future day and for a bill older than three months', async () => {
    const h = harness();
    expect((await bill(h, { bill_date: '20261129' })).fields.return_msg).toBe('invalid bill_date');
    expect((await bill(h, { bill_date: '20260801' })).fields.return_msg).toBe('No Bill Exist');
  });

  it('answers PARAM_ERROR for a malformed date or bill_type, an unsigned FAIL for a missing or over-long date', async () => {
    const h = harness();
    expect((await bill(h, { bill_date: '2026112X' })).fields.err_code).toBe('PARAM_ERROR');
    expect((await bill(h, { bill_date: '2026-11-28' })).fields).toEqual({ return_code: 'FAIL', return_msg: 'bill_date参数长度有误' });
    expect((await bill(h, { bill_date: '20261131' })).fields.err_code).toBe('PARAM_ERROR');
    expect((await bill(h, { bill_date: '20261128', bill_type: 'PAYMENTS' })).fields.err_code).toBe('PARAM_ERROR');
    expect((await bill(h, {})).fields).toEqual({ return_code: 'FAIL', return_msg: '缺少参数' });
  });

  it('needs a valid signature like every other call', async () => {
    const h = harness();
    await h.micropay({ out_trade_no: 'D8' });
    const r = await h.call('/pay/downloadbill', { bill_date: '20261128' }, { key: 'z'.repeat(32) });
    expect(r.fields).toEqual({ return_code: 'FAIL', return_msg: '签名错误' });
  });
});
