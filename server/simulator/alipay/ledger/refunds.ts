import { beijingDateTime } from '../../time.ts';
import { failure, ok } from './answers.ts';
import type { Books } from './books.ts';
import type { Refund, SimAnswer } from './types.ts';

/** trade.refund (idempotent by out_request_no) and trade.fastpay.refund.query. */
export function createRefunds(books: Books) {
  const { options, now, yuan, refunded, close, find } = books;

  function tradeRefund(input: { out_trade_no?: string; trade_no?: string; out_request_no: string; refund_fen: number; reason?: string }): SimAnswer {
    const t = find(input);
    if (!t) return failure('ACQ.TRADE_NOT_EXIST', '交易不存在');
    const accepted = (r: Refund, fundChange: boolean) =>
      ok({
        trade_no: t.trade_no,
        out_trade_no: t.out_trade_no,
        buyer_logon_id: t.buyer_logon_id,
        fund_change: fundChange ? 'Y' : 'N',
        refund_fee: yuan(refunded(t)),
        gmt_refund_pay: beijingDateTime(r.at),
        send_back_fee: fundChange ? yuan(r.refund_fen) : '0.00',
        buyer_user_id: t.buyer_user_id,
      });
    // The same out_request_no again is the same refund: answered again, never paid out twice.
    const again = t.refunds.find((r) => r.out_request_no === input.out_request_no);
    if (again) {
      if (again.refund_fen !== input.refund_fen) return failure('ACQ.DISCORDANT_REPEAT_REQUEST', '不一致的请求');
      return accepted(again, false);
    }
    if (t.status === 'TRADE_FINISHED') return failure('ACQ.TRADE_HAS_FINISHED', '交易已完结');
    if (t.status !== 'TRADE_SUCCESS') return failure('ACQ.TRADE_STATUS_ERROR', '交易状态非法');
    const left = t.total_fen - refunded(t);
    if (input.refund_fen > left) return failure('ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', `退款金额超限（可退${yuan(left)}元）`);
    const refund: Refund = { out_request_no: input.out_request_no, refund_fen: input.refund_fen, at: now(), ...(input.reason ? { reason: input.reason } : {}) };
    t.refunds.push(refund);
    if (refunded(t) === t.total_fen) close(t);
    return accepted(refund, true);
  }

  function refundQuery(q: { out_trade_no?: string; trade_no?: string; out_request_no: string }): SimAnswer {
    const t = find(q);
    if (!t) return failure('ACQ.TRADE_NOT_EXIST', '交易不存在');
    const r = t.refunds.find((x) => x.out_request_no === q.out_request_no);
    const visible = r && now().getTime() - r.at.getTime() >= options.refundSettleMs;
    // Not received (or not yet visible): Alipay answers 10000 without the refund's fields.
    if (!r || !visible) return ok({ trade_no: t.trade_no, out_trade_no: t.out_trade_no });
    return ok({
      trade_no: t.trade_no,
      out_trade_no: t.out_trade_no,
      out_request_no: r.out_request_no,
      total_amount: yuan(t.total_fen),
      refund_amount: yuan(r.refund_fen),
      refund_status: 'REFUND_SUCCESS',
      ...(r.reason ? { refund_reason: r.reason } : {}),
    });
  }

  return { tradeRefund, refundQuery };
}
