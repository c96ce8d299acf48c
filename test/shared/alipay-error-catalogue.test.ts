import { describe, expect, it } from 'vitest';
import { ALIPAY_ERROR_CATALOGUE, alipayErrorMessage, describeAlipayError, type AlipayOperation } from '../../shared/error-catalogue.ts';

// Each call's business error table in Alipay's documents (the codes a till meets).
const DOCUMENTED: Record<'pay' | 'query' | 'cancel' | 'refund' | 'refund_query', string[]> = {
  pay: [
    'ACQ.SYSTEM_ERROR', 'ACQ.INVALID_PARAMETER', 'ACQ.ACCESS_FORBIDDEN', 'ACQ.EXIST_FORBIDDEN_WORD', 'ACQ.PARTNER_ERROR', 'ACQ.TOTAL_FEE_EXCEED',
    'ACQ.PAYMENT_AUTH_CODE_INVALID', 'ACQ.CONTEXT_INCONSISTENT', 'ACQ.TRADE_HAS_SUCCESS', 'ACQ.TRADE_HAS_CLOSE', 'ACQ.BUYER_BALANCE_NOT_ENOUGH',
    'ACQ.BUYER_BANKCARD_BALANCE_NOT_ENOUGH', 'ACQ.ERROR_BALANCE_PAYMENT_DISABLE', 'ACQ.BUYER_SELLER_EQUAL', 'ACQ.TRADE_BUYER_NOT_MATCH',
    'ACQ.BUYER_ENABLE_STATUS_FORBID', 'ACQ.PULL_MOBILE_CASHIER_FAIL', 'ACQ.MOBILE_PAYMENT_SWITCH_OFF', 'ACQ.PAYMENT_FAIL',
    'ACQ.BUYER_PAYMENT_AMOUNT_DAY_LIMIT_ERROR', 'ACQ.BEYOND_PAY_RESTRICTION', 'ACQ.BEYOND_PER_RECEIPT_RESTRICTION',
    'ACQ.BUYER_PAYMENT_AMOUNT_MONTH_LIMIT_ERROR', 'ACQ.SELLER_BEEN_BLOCKED', 'ACQ.ERROR_BUYER_CERTIFY_LEVEL_LIMIT', 'ACQ.PAYMENT_REQUEST_HAS_RISK',
    'ACQ.NO_PAYMENT_INSTRUMENTS_AVAILABLE', 'ACQ.USER_FACE_PAYMENT_SWITCH_OFF', 'ACQ.INVALID_STORE_ID',
  ],
  query: ['ACQ.SYSTEM_ERROR', 'ACQ.INVALID_PARAMETER', 'ACQ.TRADE_NOT_EXIST'],
  cancel: ['ACQ.SYSTEM_ERROR', 'AQC.SYSTEM_ERROR', 'ACQ.INVALID_PARAMETER', 'ACQ.SELLER_BALANCE_NOT_ENOUGH', 'ACQ.REASON_TRADE_BEEN_FREEZEN', 'ACQ.TRADE_CANCEL_TIME_OUT', 'ACQ.CANCEL_NOT_ALLOWED', 'ACQ.TRADE_HAS_FINISHED'],
  refund: [
    'ACQ.SYSTEM_ERROR', 'ACQ.INVALID_PARAMETER', 'ACQ.SELLER_BALANCE_NOT_ENOUGH', 'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', 'ACQ.REASON_TRADE_BEEN_FREEZEN',
    'ACQ.TRADE_NOT_EXIST', 'ACQ.TRADE_HAS_FINISHED', 'ACQ.TRADE_STATUS_ERROR', 'ACQ.DISCORDANT_REPEAT_REQUEST', 'ACQ.REASON_TRADE_REFUND_FEE_ERR',
    'ACQ.TRADE_NOT_ALLOW_REFUND', 'ACQ.REFUND_FEE_ERROR',
  ],
  refund_query: ['ACQ.SYSTEM_ERROR', 'ACQ.INVALID_PARAMETER', 'ACQ.TRADE_NOT_EXIST'],
};

describe('the Alipay error catalogue', () => {
  it.each(Object.entries(DOCUMENTED))('has an own entry for every documented %s code', (operation, codes) => {
    const table = ALIPAY_ERROR_CATALOGUE[operation as AlipayOperation];
    for (const code of codes) expect(Object.hasOwn(table, code), `${operation} ${code}`).toBe(true);
  });

  it('gives every entry a Chinese and an English message a cashier can act on', () => {
    for (const [operation, table] of Object.entries(ALIPAY_ERROR_CATALOGUE)) {
      for (const [code, entry] of Object.entries(table)) {
        expect(entry.zh, `${operation} ${code}`).toMatch(/[\u4e00-\u9fff]/);
        expect(entry.en, `${operation} ${code}`).toMatch(/^[A-Z][^\u4e00-\u9fff]+[.)]$/);
        expect(['U', 'C', 'M', 'S', 'R', 'F']).toContain(entry.class);
      }
    }
  });

  it.each<[AlipayOperation, string, string]>([
    ['pay', 'ACQ.SYSTEM_ERROR', 'U'],
    ['pay', 'isp.unknow-error', 'U'],
    ['pay', 'ACQ.BUYER_BALANCE_NOT_ENOUGH', 'C'],
    ['pay', 'ACQ.PAYMENT_AUTH_CODE_INVALID', 'C'],
    ['pay', 'ACQ.TRADE_HAS_SUCCESS', 'S'],
    ['pay', 'isv.invalid-signature', 'M'],
    ['query', 'ACQ.SYSTEM_ERROR', 'R'],
    ['query', 'ACQ.TRADE_NOT_EXIST', 'S'],
    ['cancel', 'ACQ.SYSTEM_ERROR', 'R'],
    ['cancel', 'ACQ.TRADE_CANCEL_TIME_OUT', 'F'],
    ['refund', 'ACQ.SYSTEM_ERROR', 'R'],
    ['refund', 'ACQ.SELLER_BALANCE_NOT_ENOUGH', 'M'],
    ['refund_query', 'REFUND_NOT_RECEIVED', 'R'],
  ])('classes %s %s as %s', (operation, code, cls) => {
    expect(describeAlipayError(code, operation).class).toBe(cls);
  });

  it('never treats an unknown outcome of a payment as the customer’s failure', () => {
    for (const code of ['ACQ.SYSTEM_ERROR', 'isp.unknow-error', 'aop.unknow-error', 'WAIT_BUYER_PAY', 'GATEWAY_TIMEOUT', 'BAD_SIGNATURE']) {
      expect(describeAlipayError(code, 'pay').class, code).toBe('U');
    }
  });

  it('names Alipay, not WeChat, when Alipay timed out or could not be reached', () => {
    expect(alipayErrorMessage('GATEWAY_TIMEOUT', 'zh')).toContain('支付宝');
    expect(alipayErrorMessage('GATEWAY_UNREACHABLE', 'en')).toContain('Alipay');
  });

  it('falls back to the pay table, then to a generic entry that names the code', () => {
    expect(describeAlipayError('ACQ.PAYMENT_AUTH_CODE_INVALID', 'query')).toBe(ALIPAY_ERROR_CATALOGUE.pay['ACQ.PAYMENT_AUTH_CODE_INVALID']);
    const unknown = describeAlipayError('ACQ.SOMETHING_NEW');
    expect(unknown.class).toBe('M');
    expect(unknown.en).toContain('ACQ.SOMETHING_NEW');
    expect(describeAlipayError('constructor').en).toContain('constructor');
  });
});
