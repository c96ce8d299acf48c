import { describe, expect, it } from 'vitest';
import { ALIPAY_ERROR_CATALOGUE, ERROR_CATALOGUE, knownError } from '../../../shared/error-catalogue.ts';
import { WALLET_CATALOGUES } from '../../../server/payments/port.ts';
import type { PaymentStatus } from '../../../shared/api.ts';
import { FLOW_DEFAULTS } from '../../../server/payments/config.ts';
import { afterRefund, afterRefundQuery } from '../../../server/payments/refund-transitions.ts';
import { afterMicropay, afterQuery, afterReverse, UNKNOWN_OUTCOME_CODES, type Answer, type Ctx } from '../../../server/payments/transitions.ts';
import type { FlowStep, PaymentPatch, PaymentRow, RefundPatch, RefundRow } from '../../../server/store/types.ts';
import type { RefundStatus, TradeState } from '../../../server/wechat/gateway.ts';
import { storedPayment, storedRefund } from '../../support/journal-rows.ts';

/**
 * Every code the flow can write into the journal has a catalogue entry of its own in Chinese and
 * English, so the web app never shows "Unknown error" for a code this product produces. The pure
 * transitions are driven with every answer the gateway can give (each catalogue code, each trade
 * and refund state, each unknown-outcome and configuration code) from every step; only a code
 * WeChat itself invents is allowed the generic text.
 */
const INVENTED = 'SOMETHING_WECHAT_INVENTED';
/** The wallet whose answers are driven (Alipay's port answers with Alipay's codes and the flow's control codes). */
let wallet: 'wechat' | 'alipay' = 'wechat';
const ctx = (language: 'zh' | 'en'): Ctx => ({ now: 1_000_000, config: { ...FLOW_DEFAULTS, language }, catalogue: WALLET_CATALOGUES[wallet] });
const fields = {};

/** What alipay-port.ts hands the flow besides Alipay's own codes. */
const ALIPAY_PORT_CODES = ['USERPAYING', 'SYSTEMERROR', 'ORDERNOTEXIST', 'REVERSE_EXPIRE', 'REFUNDNOTEXIST'];
const codesOf = (tables: object) => [...new Set(Object.values(tables).flatMap((table) => Object.keys(table as object)))];
let allCodes = [...codesOf(ERROR_CATALOGUE), INVENTED];
const unknownCodes = UNKNOWN_OUTCOME_CODES;
let configCodes = ['CERT_MISSING', 'CERT_UNREADABLE', 'WALLET_OFF'];
const WECHAT_TRADE_STATES: TradeState[] = ['SUCCESS', 'REFUND', 'NOTPAY', 'CLOSED', 'REVOKED', 'USERPAYING', 'PAYERROR', 'ACCEPT'];
let tradeStates = WECHAT_TRADE_STATES;
const WECHAT_REFUND_STATES: RefundStatus[] = ['SUCCESS', 'REFUNDCLOSE', 'PROCESSING', 'CHANGE'];
let refundStates = WECHAT_REFUND_STATES;

function answers<T>(okValues: T[]): Answer<T>[] {
  return [
    ...okValues.map((value) => ({ kind: 'ok' as const, value, fields })),
    ...allCodes.map((code) => ({ kind: 'business_error' as const, code, description: 'desc', fields })),
    { kind: 'rejected', message: 'rejected', fields },
    ...unknownCodes.map((code) => ({ kind: 'unknown' as const, code, detail: 'detail' })),
    ...configCodes.map((code) => ({ kind: 'config' as const, code, detail: 'detail' })),
  ];
}

// Past the deadline and out of reverse attempts, so every branch that gives up is reached too.
const paymentRow = (step: FlowStep, status: PaymentStatus, flags: Partial<PaymentRow>): PaymentRow =>
  storedPayment({ out_trade_no: 'P1', amount_fen: 1000, status, step, sent_at: 0, reverse_attempts: 99, ...flags }, 0);

const refundRow = (step: RefundRow['step']): RefundRow => storedRefund({ amount_fen: 100, step, attempts: 1 }, 0);

const paid = (total_fee: number) => ({ transaction_id: '4200', out_trade_no: 'P1', total_fee });

function journaledPaymentCodes(language: 'zh' | 'en'): Map<string, string> {
  const seen = new Map<string, string>();
  const keep = (patch: PaymentPatch | undefined) => {
    if (patch?.error_code) seen.set(patch.error_code, patch.error_message ?? '');
  };
  const steps: FlowStep[] = ['query', 'reverse', 'confirm'];
  const statuses: PaymentStatus[] = ['processing', 'user_paying', 'needs_attention'];
  const variants: Partial<PaymentRow>[] = [{}, { send_rejected: true }, { reverse_decided_at: 1, cancel_requested: true }, { reverse_decided_at: 1 }];
  for (const step of steps) {
    for (const status of statuses) {
      for (const flags of variants) {
        const row = paymentRow(step, status, flags);
        for (const a of answers([paid(1000), paid(999)])) keep(afterMicropay(row, a, ctx(language)));
        for (const a of answers(tradeStates.map((trade_state) => ({ trade_state, paid: paid(1000) })))) keep(afterQuery(row, a, ctx(language)));
        for (const a of answers([{ recall: false }, { recall: true }])) keep(afterReverse(row, a, ctx(language)));
      }
    }
  }
  return seen;
}

function journaledRefundCodes(language: 'zh' | 'en'): Map<string, string> {
  const seen = new Map<string, string>();
  const keep = (patch: RefundPatch | undefined) => {
    if (patch?.error_code) seen.set(patch.error_code, patch.error_message ?? '');
  };
  for (const a of answers([{ refund_id: 'R1', out_refund_no: 'r', refund_fee: 100 }])) keep(afterRefund(refundRow('send'), a, ctx(language)));
  for (const a of answers(refundStates.map((refund_status) => ({ out_refund_no: 'r', refund_fee: 100, refund_status })))) keep(afterRefundQuery(refundRow('query'), a, ctx(language)));
  return seen;
}

describe('codes the flow journals', () => {
  it.each([
    ['payments', journaledPaymentCodes, 'micropay'],
    ['refunds', journaledRefundCodes, 'refund'],
  ] as const)('have their own Chinese and English text in the shared catalogue (%s)', (_what, journaled, operation) => {
    const zh = journaled('zh');
    const en = journaled('en');
    expect([...zh.keys()].sort()).toEqual([...en.keys()].sort());
    expect(zh.size).toBeGreaterThan(5);
    for (const code of zh.keys()) {
      if (code === INVENTED) continue;
      const entry = knownError(code, operation);
      expect(entry, `${code} has no catalogue entry`).toBeDefined();
      expect(zh.get(code)).toContain(entry!.zh);
      expect(en.get(code)).toContain(entry!.en);
    }
  });

  it('gives an Alipay payment’s and refund’s every journaled code a text of Alipay’s catalogue, never one that names WeChat', () => {
    wallet = 'alipay';
    allCodes = [...codesOf(ALIPAY_ERROR_CATALOGUE), ...ALIPAY_PORT_CODES, INVENTED];
    configCodes = ['WALLET_OFF'];
    // The states alipay-port.ts reports (trade.query's four, REFUND_SUCCESS).
    tradeStates = ['USERPAYING', 'SUCCESS', 'REVOKED', 'PAYERROR'];
    refundStates = ['SUCCESS'];
    try {
      for (const [journaled, operation] of [[journaledPaymentCodes, 'micropay'], [journaledRefundCodes, 'refund']] as const) {
        for (const language of ['zh', 'en'] as const) {
          const seen = journaled(language);
          expect(seen.size).toBeGreaterThan(5);
          for (const [code, text] of seen) {
            if (code === INVENTED) continue;
            expect(text, code).toContain(WALLET_CATALOGUES.alipay.describe(code, operation)[language]);
            expect(text, `${code}: ${text}`).not.toMatch(language === 'zh' ? /微信|未知错误/ : /WeChat|Unknown error/);
          }
        }
      }
    } finally {
      wallet = 'wechat';
      allCodes = [...codesOf(ERROR_CATALOGUE), INVENTED];
      configCodes = ['CERT_MISSING', 'CERT_UNREADABLE', 'WALLET_OFF'];
      tradeStates = WECHAT_TRADE_STATES;
      refundStates = WECHAT_REFUND_STATES;
    }
  });

  it('journals the product’s own codes, not only WeChat’s', () => {
    const codes = new Set([...journaledPaymentCodes('en').keys(), ...journaledRefundCodes('en').keys()]);
    for (const code of ['AMOUNT_MISMATCH', 'REQUEST_REJECTED', 'REFUNDCLOSE', 'CHANGE', 'LATE_PAYMENT', 'OUTCOME_UNKNOWN', 'REVERSED', 'CANCELED', 'CERT_UNREADABLE', 'BANKERROR', 'GATEWAY_TIMEOUT']) {
      expect(codes, code).toContain(code);
    }
  });
});
