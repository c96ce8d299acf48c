import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE, describeError, errorMessage, type Operation } from '../../shared/error-catalogue.ts';
import { UNKNOWN_OUTCOME_CODES } from '../../server/payments/transitions.ts';

// docs/wechat-protocol.md (error codes): the codes every operation must explain.
const SPEC_CODES: Record<Exclude<Operation, 'local'>, string[]> = {
  micropay: [
    'SYSTEMERROR', 'BANKERROR', 'USERPAYING', 'AUTHCODEEXPIRE', 'AUTH_CODE_ERROR', 'AUTH_CODE_INVALID', 'NOTENOUGH', 'NOTSUPORTCARD',
    'BUYER_MISMATCH', 'TRADE_ERROR', 'ORDERPAID', 'ORDERCLOSED', 'ORDERREVERSED', 'OUT_TRADE_NO_USED', 'NOAUTH', 'PARAM_ERROR',
    'LACK_PARAMS', 'XML_FORMAT_ERROR', 'REQUIRE_POST_METHOD', 'SIGNERROR', 'NOT_UTF8', 'APPID_NOT_EXIST', 'MCHID_NOT_EXIST',
    'APPID_MCHID_NOT_MATCH', 'INVALID_REQUEST',
  ],
  orderquery: ['ORDERNOTEXIST', 'SYSTEMERROR'],
  reverse: ['SYSTEMERROR', 'REVERSE_EXPIRE', 'INVALID_TRANSACTIONID', 'PARAM_ERROR', 'SIGNERROR', 'INVALID_REQUEST', 'TRADE_ERROR'],
  refund: ['SYSTEMERROR', 'BIZERR_NEED_RETRY', 'INVALID_REQ_TOO_MUCH', 'FREQUENCY_LIMITED', 'NOTENOUGH', 'TRADE_OVERDUE', 'USER_ACCOUNT_ABNORMAL', 'ORDERNOTEXIST', 'ERROR'],
};

const SPEC_CLASSES: Array<[Operation, string, string]> = [
  ['micropay', 'SYSTEMERROR', 'U'],
  ['micropay', 'BANKERROR', 'U'],
  ['micropay', 'USERPAYING', 'U'],
  ['micropay', 'AUTHCODEEXPIRE', 'C'],
  ['micropay', 'NOTENOUGH', 'C'],
  ['micropay', 'TRADE_ERROR', 'C'],
  ['micropay', 'ORDERPAID', 'S'],
  ['micropay', 'SIGNERROR', 'M'],
  ['orderquery', 'SYSTEMERROR', 'R'],
  ['reverse', 'SYSTEMERROR', 'R'],
  ['refund', 'SYSTEMERROR', 'R'],
  ['refund', 'NOTENOUGH', 'M'],
];

describe('the error catalogue', () => {
  it.each(Object.entries(SPEC_CODES))('has an own entry for every documented %s code', (operation, codes) => {
    const table = ERROR_CATALOGUE[operation as Operation];
    for (const code of codes) expect(Object.hasOwn(table, code), `${operation} ${code}`).toBe(true);
  });

  it.each(SPEC_CLASSES)('classes %s %s as %s', (operation, code, cls) => {
    expect(describeError(code, operation).class).toBe(cls);
  });

  it('gives every entry a Chinese and an English message a cashier can act on', () => {
    for (const [operation, table] of Object.entries(ERROR_CATALOGUE)) {
      for (const [code, entry] of Object.entries(table)) {
        expect(entry.zh, `${operation} ${code}`).toMatch(/[\u4e00-\u9fff]/);
        expect(entry.en, `${operation} ${code}`).toMatch(/^[A-Z][^\u4e00-\u9fff]+[.)]$/);
        expect(['U', 'C', 'M', 'S', 'R', 'F']).toContain(entry.class);
      }
    }
  });

  it.each([...UNKNOWN_OUTCOME_CODES, 'REQUEST_INVALID'])('has its own zh and en text for %s, a code the payment flow journals', (code) => {
    expect(Object.hasOwn(ERROR_CATALOGUE.local, code)).toBe(true);
  });

  it('answers a refund query for an unknown refund (REFUNDNOTEXIST) with a retry message', () => {
    expect(describeError('REFUNDNOTEXIST', 'refund')).toMatchObject({ class: 'R' });
  });
});

describe('describeError', () => {
  it('prefers the operation’s own meaning of a shared code', () => {
    expect(describeError('SYSTEMERROR', 'micropay').class).toBe('U');
    expect(describeError('SYSTEMERROR', 'reverse').class).toBe('R');
    expect(describeError('NOTENOUGH', 'micropay').class).toBe('C');
    expect(describeError('NOTENOUGH', 'refund').class).toBe('M');
  });

  it('falls back to the micropay table, then to this product’s own codes', () => {
    expect(describeError('AUTHCODEEXPIRE', 'orderquery')).toBe(ERROR_CATALOGUE.micropay.AUTHCODEEXPIRE);
    expect(describeError('GATEWAY_TIMEOUT').class).toBe('U');
    expect(describeError('CERT_MISSING', 'refund').class).toBe('M');
  });

  it('gives an unknown code a generic entry that names it', () => {
    const entry = describeError('SOMETHING_NEW');
    expect(entry.class).toBe('M');
    expect(entry.en).toContain('SOMETHING_NEW');
    expect(entry.zh).toContain('SOMETHING_NEW');
  });

  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])('treats "%s" as an unknown code, not an object member', (code) => {
    const entry = describeError(code);
    expect(typeof entry.zh).toBe('string');
    expect(entry.en).toContain(code);
    expect(errorMessage(code, 'en')).toContain(code);
  });

  it('gives the message in the language asked for', () => {
    expect(errorMessage('NOTENOUGH', 'zh')).toMatch(/余额不足/);
    expect(errorMessage('NOTENOUGH', 'en')).toMatch(/Insufficient balance/);
  });
});
