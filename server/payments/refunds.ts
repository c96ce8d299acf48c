import type { PaymentRow, RefundPatch, RefundRow } from '../store/types.ts';
import { callGateway, type FlowDeps } from './flow.ts';
import { portOf, WALLET_CATALOGUES } from './port.ts';
import { afterRefund, afterRefundQuery, beforeRefund } from './refund-transitions.ts';
import type { Ctx } from './transitions.ts';

/**
 * Refunds: the refund row (status processing) is journaled before the gateway call; the refund
 * id is WeChat's out_refund_no (Alipay's out_request_no), so re-sending after a crash or an unknown outcome refunds once.
 * A SUCCESS answer only means accepted: refundquery (Alipay: fastpay.refund.query) confirms, and
 * refunded_fen (derived from succeeded refunds) moves only then. The decisions are pure functions
 * in refund-transitions.ts; this file makes the calls and journals what they decide.
 */

/** One step of a refund: send (or re-send) it, or ask refundquery. */
export async function stepRefund(deps: FlowDeps, row: RefundRow, payment: PaymentRow): Promise<RefundRow | undefined> {
  const { store, ports, clock, config, log } = deps;
  const outTradeNo = payment.out_trade_no;
  const apply = (decide: (current: RefundRow, ctx: Ctx) => RefundPatch | undefined): Promise<RefundRow | undefined> => {
    const now = clock.now();
    const ctx: Ctx = { now, config, catalogue: WALLET_CATALOGUES[payment.wallet] };
    return store.transitionRefund(row.id, (current) => {
      const patch = decide(current, ctx);
      return patch ? { ...patch, updated_at: now } : undefined;
    });
  };
  const before = row;
  let after: RefundRow | undefined;
  if (row.step === 'send') {
    const journal = await apply(beforeRefund);
    if (!journal || journal.attempts === row.attempts) return journal;
    const answer = await callGateway(() => portOf(ports, payment.wallet).refund(journal, payment), log, {
      operation: 'refund',
      wallet: payment.wallet,
      refund: row.id,
      out_trade_no: outTradeNo,
    });
    after = await apply((current, ctx) => afterRefund(current, answer, ctx));
  } else if (row.step === 'query') {
    const answer = await callGateway(() => portOf(ports, payment.wallet).refundQuery(row, payment), log, {
      operation: 'refundquery',
      wallet: payment.wallet,
      refund: row.id,
      out_trade_no: outTradeNo,
    });
    after = await apply((current, ctx) => afterRefundQuery(current, answer, ctx));
  } else {
    return row;
  }
  if (after && (after.status !== before.status || after.step !== before.step)) {
    log[after.status === 'failed' ? 'warn' : 'info']('refund', {
      id: after.id,
      payment_id: after.payment_id,
      out_trade_no: outTradeNo,
      from: before.status,
      to: after.status,
      step: after.step,
      amount_fen: after.amount_fen,
      code: after.error_code ?? undefined,
    });
  }
  return after;
}
