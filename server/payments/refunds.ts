import type { RefundAccepted, RefundState } from '../wechat/gateway.ts';
import type { PaymentRow, RefundPatch, RefundRow } from '../store/types.ts';
import { callGateway, type FlowDeps } from './flow.ts';
import { portOf, WALLET_CATALOGUES } from './port.ts';
import type { Answer, Ctx } from './transitions.ts';

/**
 * Refunds: the refund row (status processing) is journaled before the gateway call; the refund
 * id is WeChat's out_refund_no (Alipay's out_request_no), so re-sending after a crash or an unknown outcome refunds once.
 * A SUCCESS answer only means accepted: refundquery (Alipay: fastpay.refund.query) confirms, and
 * refunded_fen (derived from succeeded refunds) moves only then.
 */

function refundFailed(code: string, ctx: Ctx, detail?: string): RefundPatch {
  const base = (ctx.catalogue ?? WALLET_CATALOGUES.wechat).describe(code, 'refund')[ctx.config.language];
  return { status: 'failed', step: 'done', error_code: code, error_message: detail ? `${base} (${detail})` : base };
}

/** Pace of refundquery: the poll interval while the cashier waits, then the background pace. */
function nextCheck(row: RefundRow, ctx: Ctx): number {
  const waiting = ctx.now - row.created_at < ctx.config.refundConfirmMs;
  return ctx.now + (waiting ? ctx.config.pollIntervalMs : ctx.config.attentionIntervalMs);
}

function retrySend(row: RefundRow, ctx: Ctx): RefundPatch {
  return { step: 'send', next_at: nextCheck(row, ctx) };
}

export function beforeRefund(row: RefundRow, ctx: Ctx): RefundPatch | undefined {
  return row.step === 'send' ? { attempts: row.attempts + 1, next_at: ctx.now } : undefined;
}

export function afterRefund(row: RefundRow, answer: Answer<RefundAccepted>, ctx: Ctx): RefundPatch | undefined {
  if (row.step !== 'send') return undefined;
  switch (answer.kind) {
    case 'ok':
      return { step: 'query', refund_id: answer.value.refund_id, next_at: ctx.now };
    case 'business_error': {
      const entry = (ctx.catalogue ?? WALLET_CATALOGUES.wechat).own(answer.code, 'refund');
      // Busy, or the outcome unknown: the same refund number again refunds once.
      if (!entry || entry.class === 'R' || entry.class === 'U' || answer.code === 'SYSTEMERROR') return retrySend(row, ctx);
      return refundFailed(answer.code, ctx, answer.code === 'ERROR' ? answer.description : undefined);
    }
    case 'rejected':
      return refundFailed('REQUEST_REJECTED', ctx, answer.message);
    case 'config':
      return refundFailed(answer.code, ctx);
    default:
      return retrySend(row, ctx); // unknown outcome: the same out_refund_no again refunds once
  }
}

export function afterRefundQuery(row: RefundRow, answer: Answer<RefundState>, ctx: Ctx): RefundPatch | undefined {
  if (row.step !== 'query') return undefined;
  if (answer.kind === 'ok') {
    switch (answer.value.refund_status) {
      case 'SUCCESS':
        return { status: 'succeeded', step: 'done', refund_id: answer.value.refund_id ?? row.refund_id, error_code: null, error_message: null };
      case 'REFUNDCLOSE':
      case 'CHANGE':
        return refundFailed(answer.value.refund_status, ctx);
      default:
        return { next_at: nextCheck(row, ctx) };
    }
  }
  // WeChat does not know this refund (yet): send it again; out_refund_no makes that safe.
  if (answer.kind === 'business_error' && /NOTEXIST/.test(answer.code)) return retrySend(row, ctx);
  return { next_at: nextCheck(row, ctx) };
}

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
