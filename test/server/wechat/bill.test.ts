import { describe, expect, it } from 'vitest';
import { parseBill } from '../../../server/wechat/bill.ts';
import { GatewayError } from '../../../server/wechat/gateway.ts';

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
      service_fee: 741,
      rate: '0.60%',
      body: '门店-收银',
      other: {},
    });
    expect(bill.records[1]).toMatchObject({ trade_state: 'REFUND', out_refund_no: 'R1', refund_fee: 50, apply_refund_fee: 50, service_fee: -1, refund_status: 'SUCCESS' });
  });

  it('reads the totals line in fen', () => {
    expect(parseBill(BILL).summary).toEqual({
      count: 2,
      settlement_total_fee: 123456,
      refund_fee: 50,
      coupon_refund_fee: 0,
      service_fee: 740,
      total_fee: 123456,
      apply_refund_fee: 50,
    });
  });

  it('accepts LF line ends and a bill with no trades', () => {
    expect(parseBill([HEADER, PAYMENT, TOTALS_HEADER, row(['1', '1234.56', '0.00', '0.00', '7.41', '1234.56', '0.00'])].join('\n')).records).toHaveLength(1);
    expect(parseBill([HEADER, TOTALS_HEADER, row(['0', '0.00', '0.00', '0.00', '0.00', '0.00', '0.00'])].join('\n')).records).toEqual([]);
  });

  it('finds columns by header, keeping columns it does not know', () => {
    const header = '交易时间,微信订单号,商户订单号,交易状态,订单金额,退款申请时间';
    const text = [header, row(['2026-11-28 10:00:00', '42', 'T1', 'SUCCESS', '0.01', '2026-11-28 12:00:00']), TOTALS_HEADER, row(['1', '0.01', '0', '0', '0', '0.01', '0'])].join('\n');
    const [record] = parseBill(text).records;
    expect(record).toMatchObject({ out_trade_no: 'T1', total_fee: 1, refund_fee: 0, other: { 退款申请时间: '2026-11-28 12:00:00' } });
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
