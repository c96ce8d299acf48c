import { describe, expect, it } from 'vitest';
import { parseBill } from '../../../server/wechat/bill.ts';
import { GatewayError } from '../../../server/wechat/gateway.ts';
import { complete, OFFICIAL_ALL, OFFICIAL_ALL_LEGACY, OFFICIAL_ALL_MASKED, OFFICIAL_REFUND, OFFICIAL_SUCCESS } from './bill-samples.ts';

const HEADER =
  '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注';
const TOTALS_HEADER = '总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额';
const row = (values: string[]) => values.map((v) => '`' + v).join(',');

const PAYMENT = row([
  '2026-11-28 10:00:00', 'wx0000000000000001', '1900000001', '0', 'till-1', '4200000001202611280000000001', '000123', 'oUser',
  'MICROPAY', 'SUCCESS', 'OTHERS', 'CNY', '1234.56', '0.00', '0', '0', '0.00', '0.00', '', '', '门店-收银', '', '7.41', '0.60%',
  '1234.56', '0.00', '',
]);
const REFUND = row([
  '2026-11-28 11:00:00', 'wx0000000000000001', '1900000001', '0', 'till-1', '4200000001202611280000000001', '000123', 'oUser',
  'MICROPAY', 'REFUND', 'OTHERS', 'CNY', '0.00', '0.00', '50000001', 'R1', '0.50', '0.00', 'ORIGINAL', 'SUCCESS', '门店-收银', '',
  '-0.01', '0.60%', '0.00', '0.50', '',
]);
const TOTALS = row(['2', '1234.56', '0.50', '0.00', '7.40', '1234.56', '0.50']);
const BILL = [HEADER, PAYMENT, REFUND, TOTALS_HEADER, TOTALS].join('\r\n') + '\r\n';

function malformed(text: string): string {
  try {
    parseBill(text);
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).kind).toBe('bad_response');
    return (error as Error).message;
  }
  throw new Error('expected a malformed bill');
}

describe('parseBill', () => {
  it('reads every record with backticks dropped, ids as text and amounts in fen', () => {
    const bill = parseBill(BILL);
    expect(bill.records).toHaveLength(2);
    expect(bill.records[0]).toMatchObject({
      trade_time: '2026-11-28 10:00:00',
      out_trade_no: '000123',
      transaction_id: '4200000001202611280000000001',
      trade_state: 'SUCCESS',
      settlement_total_fee: 123456,
      total_fee: 123456,
      service_fee_millifen: 741_000,
      rate: '0.60%',
      body: '门店-收银',
      other: {},
    });
    expect(bill.records[1]).toMatchObject({ trade_state: 'REFUND', out_refund_no: 'R1', refund_fee: 50, apply_refund_fee: 50, service_fee_millifen: -1_000, refund_status: 'SUCCESS' });
  });

  it('reads the totals line in fen', () => {
    expect(parseBill(BILL).summary).toEqual({
      count: 2,
      settlement_total_fee: 123456,
      refund_fee: 50,
      coupon_refund_fee: 0,
      service_fee_millifen: 740_000,
      total_fee: 123456,
      apply_refund_fee: 50,
    });
  });

  it('accepts LF line ends and a bill with no trades', () => {
    expect(parseBill([HEADER, PAYMENT, TOTALS_HEADER, row(['1', '1234.56', '0.00', '0.00', '7.41', '1234.56', '0.00'])].join('\n')).records).toHaveLength(1);
    expect(parseBill([HEADER, TOTALS_HEADER, row(['0', '0.00', '0.00', '0.00', '0.00', '0.00', '0.00'])].join('\n')).records).toEqual([]);
  });

  it('finds columns by header, keeping columns it does not know', () => {
    const header = '交易时间,微信订单号,商户订单号,交易状态,订单金额,门店编号';
    const text = [header, row(['2026-11-28 10:00:00', '42', 'T1', 'SUCCESS', '0.01', 'S-001']), TOTALS_HEADER, row(['1', '0.01', '0', '0', '0', '0.01', '0'])].join('\n');
    const [record] = parseBill(text).records;
    expect(record).toMatchObject({ out_trade_no: 'T1', total_fee: 1, refund_fee: 0, other: { 门店编号: 'S-001' } });
  });

  it('refuses an amount that is not yuan with at most two decimals', () => {
    expect(malformed(BILL.replace('`1234.56,`0.00,`0,', '`12.345,`0.00,`0,'))).toMatch(/应结订单金额 on line 2 is not an amount: "12.345"/);
    malformed(BILL.replace('`7.41', '`abc'));
  });

  it('refuses a bill cut short', () => {
    malformed(BILL.slice(0, BILL.indexOf(TOTALS_HEADER)));
    malformed([HEADER, PAYMENT, REFUND, TOTALS_HEADER].join('\r\n'));
  });

  it('refuses totals that count more or fewer trades than listed', () => {
    expect(malformed([HEADER, PAYMENT, TOTALS_HEADER, TOTALS].join('\n'))).toMatch(/count 2 trades but the bill lists 1/);
  });

  it('refuses a line with a value too many or too few, or without backticks', () => {
    malformed([HEADER, PAYMENT + ',`extra', REFUND, TOTALS_HEADER, TOTALS].join('\n'));
    malformed([HEADER, PAYMENT.replaceAll('`', ''), REFUND, TOTALS_HEADER, TOTALS].join('\n'));
  });

  it('refuses a header without the columns that identify a trade', () => {
    expect(malformed(['a,b,c', row(['1', '2', '3']), TOTALS_HEADER, row(['1', '0', '0', '0', '0', '0', '0'])].join('\n'))).toMatch(/no 交易时间 column/);
  });
});

describe('parseBill on the official layouts', () => {
  it('reads the ALL bill of the official doc: 27 columns, a 5-decimal fee in milli-fen, the sub-merchant', () => {
    const bill = parseBill(complete(OFFICIAL_ALL, ['1', '0.01', '0.00', '0.00', '0.00000', '0.01', '0.00']));
    expect(bill.records).toEqual([
      {
        trade_time: '2022-03-21 13:51:31', appid: 'wxfdc955f7104ad557', mch_id: '180023671', sub_mch_id: '176531292', device_info: '',
        transaction_id: '420000612032130748613220688', out_trade_no: '2021WERUN1647840687637', openid: 'oZWaCKXip5njeEiloC4oeOV1TTsk',
        trade_type: 'JSAPI', trade_state: 'SUCCESS', bank_type: 'OTHERS', fee_type: 'CNY', settlement_total_fee: 1, coupon_fee: 0,
        refund_apply_time: '', refund_success_time: '', refund_id: '0', out_refund_no: '0', refund_fee: 0, coupon_refund_fee: 0,
        refund_type: '', refund_status: '', body: '微信云托管支付测试', attach: '', service_fee_millifen: 0, rate: '0.90%', total_fee: 1,
        apply_refund_fee: 0, rate_remark: '', other: {},
      },
    ]);
  });

  it('reads a real merchant ALL bill whose fee is 0.04000 yuan as 4000 milli-fen, exactly', () => {
    const bill = parseBill(complete(OFFICIAL_ALL_MASKED, ['1', '6.00', '0.00', '0.00', '0.04000', '6.00', '0.00']));
    expect(bill.records[0]).toMatchObject({ trade_state: 'SUCCESS', bank_type: 'PSBC_DEBIT', settlement_total_fee: 600, total_fee: 600, service_fee_millifen: 4000, rate: '0.60%' });
    expect(bill.summary).toEqual({ count: 1, settlement_total_fee: 600, refund_fee: 0, coupon_refund_fee: 0, service_fee_millifen: 4000, total_fee: 600, apply_refund_fee: 0 });
  });

  it('reads the SUCCESS bill: its own 20 columns, with no refund columns', () => {
    const bill = parseBill(complete(OFFICIAL_SUCCESS, ['1', '0.01', '0.00', '0.00', '0.00000', '0.01', '0.00']));
    expect(bill.records[0]).toMatchObject({ trade_time: '2019-07-23 18:46:41', trade_state: 'SUCCESS', bank_type: 'CFT', settlement_total_fee: 1, total_fee: 1, body: 'XXX', attach: 'XXXX', refund_id: '', other: {} });
  });

  it('reads the REFUND bill: 29 columns with the refund request and success times, a negative fee total', () => {
    const bill = parseBill(complete(OFFICIAL_REFUND, ['1', '0.00', '0.01', '0.00', '0.00000', '0.00', '0.01']));
    expect(bill.records[0]).toMatchObject({
      trade_time: '2019-07-23 20:53:36', trade_state: 'REFUND', settlement_total_fee: 0, refund_apply_time: '2019-07-23 20:53:36',
      refund_success_time: '2019-07-23 20:53:40', refund_id: 'xxxx', out_refund_no: 'xxx', refund_fee: 1, refund_type: 'ORIGINAL',
      refund_status: 'SUCCESS', total_fee: 0, apply_refund_fee: 1, other: {},
    });
    const fourRefunds = parseBill(OFFICIAL_REFUND.replace(/\n([^\n]*REFUND[^\n]*)\n/, (_m, line: string) => `\n${line}\n${line.replace('`0.01,`0.00,`ORIGINAL', '`1.00,`0.00,`ORIGINAL').replace('`0.00,`0.01,`', '`0.00,`1.00,`')}\n${line.replace('`0.01,`0.00,`ORIGINAL', '`1.00,`0.00,`ORIGINAL').replace('`0.00,`0.01,`', '`0.00,`1.00,`').replace('`0.00000', '`-0.01000')}\n${line.replace('`0.00000', '`-0.01000')}\n`));
    expect(fourRefunds.summary).toMatchObject({ count: 4, refund_fee: 202, apply_refund_fee: 202, service_fee_millifen: -2000 });
  });

  it('reads the old 24-column ALL layout verbatim: full-width colons, fee "0", the 5-field totals', () => {
    const bill = parseBill(OFFICIAL_ALL_LEGACY);
    expect(bill.records.map((r) => [r.trade_time, r.out_trade_no, r.total_fee, r.coupon_fee, r.service_fee_millifen, r.device_info])).toEqual([
      ['2014-11-10 16:33:45', '1415640626', 1, 0, 0, '1000'],
      ['2014-11-10 16:46:14', '1415635270', 1, 0, 0, '1000'],
    ]);
    expect(bill.summary).toMatchObject({ count: 2, total_fee: 2, refund_fee: 0, service_fee_millifen: 0 });
    expect(parseBill(OFFICIAL_ALL_LEGACY.replace('2014-11-10 16：33：45', '2014-11-1016：33：45')).records[0]!.trade_time).toBe('2014-11-10 16:33:45');
  });

  it('refuses the official samples as printed, whose totals count trades the publishers cut', () => {
    expect(malformed(OFFICIAL_ALL)).toMatch(/count 12 trades but the bill lists 1/);
    expect(malformed(OFFICIAL_SUCCESS)).toMatch(/count 31 trades/);
  });

  it('refuses a fee with more than 5 decimals and totals that disagree with the lines', () => {
    expect(malformed(complete(OFFICIAL_ALL_MASKED, ['1', '6.00', '0.00', '0.00', '0.04000', '6.00', '0.00']).replace('`0.04000,`0.60%', '`0.040001,`0.60%'))).toMatch(/手续费 on line 2/);
    expect(malformed(complete(OFFICIAL_ALL_MASKED, ['1', '6.00', '0.00', '0.00', '0.03000', '6.00', '0.00']))).toMatch(/手续费总金额 does not equal/);
    expect(malformed(complete(OFFICIAL_ALL_MASKED, ['1', '6.01', '0.00', '0.00', '0.04000', '6.00', '0.00']))).toMatch(/应结订单总金额/);
  });
});
