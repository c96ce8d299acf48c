import { describeError } from '../../shared/error-catalogue.ts';
import { beijingWorkingDaysLater } from '../wechat/beijing-time.ts';
import type { RefundAccepted, RefundState } from '../wechat/gateway.ts';
import type { RefundPatch, RefundRow } from '../store/types.ts';
import { WALLET_CATALOGUES } from './port.ts';
import type { Answer, Ctx } from './transitions.ts';

/**
 * The decisions of a refund, as pure functions (journal row + gateway answer + now → patch),
 * like transitions.ts for payments; refunds.ts makes the calls and applies them.
 */

function refundFailed(code: string, ctx: Ctx, detail?: string): RefundPatch {
  const base = (ctx.catalogue ?? WALLET_CATALOGUES.wechat).describe(code, 'refund')[ctx.config.language];
  return { status: 'failed', step: 'done', error_code: code, error_message: detail ? `${base} (${detail})` : base };
}

/** Sends of a refund answered with an err_code WeChat does not document before it counts as refused. */
export const UNKNOWN_CODE_MAX_SENDS = 3;
/** The slowest pace of refundquery for a refund WeChat keeps PROCESSING. */
const MAX_CHECK_MS = 3_600_000;
/** WeChat: a refund reaches the customer within 1 to 3 working days; still PROCESSING later is flagged. */
const PROCESSING_WORKING_DAYS = 3;

/**
 * Pace of refundquery: the poll interval while the cashier waits, then a backoff with the refund's
 * age (a tenth of it, from attentionIntervalMs up to an hour): a refund pending for days is asked
 * hourly, not every minute.
 */
function nextCheck(row: RefundRow, ctx: Ctx): number {
  const age = ctx.now - row.created_at;
  if (age < ctx.config.refundConfirmMs) return ctx.now + ctx.config.pollIntervalMs;
  return ctx.now + Math.min(Math.max(ctx.config.attentionIntervalMs, Math.floor(age / 10)), Math.max(MAX_CHECK_MS, ctx.config.attentionIntervalMs));
}

/** Still PROCESSING: poll on, flagged once it is older than 3 working days (Beijing calendar). */
function stillProcessing(row: RefundRow, ctx: Ctx): RefundPatch {
  const overdue = ctx.now >= beijingWorkingDaysLater(row.created_at, PROCESSING_WORKING_DAYS);
  if (!overdue || row.error_code === 'REFUND_PROCESSING_LONG') return { next_at: nextCheck(row, ctx) };
  const text = describeError('REFUND_PROCESSING_LONG', 'refund')[ctx.config.language];
  return { next_at: nextCheck(row, ctx), error_code: 'REFUND_PROCESSING_LONG', error_message: text };
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
      if (entry?.class === 'R' || entry?.class === 'U' || answer.code === 'SYSTEMERROR') return retrySend(row, ctx);
      if (!entry) {
        // A code the wallet does not document: the same refund number again a few times (refunds once), then refused.
        if (row.attempts < UNKNOWN_CODE_MAX_SENDS) return retrySend(row, ctx);
        return refundFailed('REFUND_UNKNOWN_ERROR', ctx, `${answer.code}${answer.description ? `: ${answer.description}` : ''}`);
      }
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
        return stillProcessing(row, ctx);
    }
  }
  // WeChat does not know this refund (yet): send it again; out_refund_no makes that safe.
  if (answer.kind === 'business_error' && /NOTEXIST/.test(answer.code)) return retrySend(row, ctx);
  return { next_at: nextCheck(row, ctx) };
}
