import type { AlipayGateway, AlipayOutcome, PaidTrade, TradeState } from '../alipay/gateway.ts';
import type { OrderState, Outcome, PaidOrder, TradeState as FlowTradeState } from '../wechat/gateway.ts';
import type { ResolvedFlowConfig } from './config.ts';
import type { CancelAnswer, ShopLookup, WalletPort } from './port.ts';

/**
 * Alipay face-to-face payment behind the flow's port (port.ts): Alipay's answers translated to
 * the flow's vocabulary, as server/alipay/README.md's table says:
 *
 * | Alipay | the flow reads |
 * |---|---|
 * | trade.pay 10000 | paid |
 * | trade.pay 10003 (WAIT_BUYER_PAY) | USERPAYING: poll trade.query until the deadline |
 * | 20000, ACQ.SYSTEM_ERROR, isp.unknow-error… (`unknown`) | that code, class U: query at once |
 * | 40004 + sub_code | the sub_code, judged by the Alipay catalogue's class (C/M fail) |
 * | trade.query WAIT_BUYER_PAY / TRADE_SUCCESS, TRADE_FINISHED | USERPAYING / SUCCESS |
 * | trade.query TRADE_CLOSED | REVOKED once we decided to cancel, else PAYERROR (closed unpaid: declined or expired) |
 * | ACQ.TRADE_NOT_EXIST (query) | ORDERNOTEXIST |
 * | trade.cancel retry_flag=Y / ok | recall / acknowledged, with `action` |
 * | trade.cancel unknown or ACQ.SYSTEM_ERROR | SYSTEMERROR: cancel again with backoff |
 * | ACQ.TRADE_CANCEL_TIME_OUT | REVERSE_EXPIRE: needs attention, keep checking |
 * | trade.refund ok | accepted; fastpay.refund.query confirms (REFUND_SUCCESS), NONE → REFUNDNOTEXIST: send again, same out_request_no |
 */
export function alipayPort(gateway: AlipayGateway, config: ResolvedFlowConfig, shopOf?: ShopLookup): WalletPort {
  return {
    wallet: 'alipay',
    async charge(row, authCode) {
      // The shop's name heads the subject as it heads WeChat's body (Alipay has no sub-merchant here).
      const prefix = (await shopOf?.(row.shop_id))?.name ?? config.body;
      const answer = await gateway.pay({
        out_trade_no: row.out_trade_no,
        amount_fen: row.amount_fen,
        auth_code: authCode,
        subject: row.description ? `${prefix}-${row.description}` : prefix,
        terminal_id: row.terminal_id,
        // 门店编号 on Alipay's bill: the shops of one Alipay account are reconciled apart by it.
        store_id: row.shop_id,
        // Alipay closes an unpaid trade on its own after this too (whole minutes, at least 1).
        timeout_express: `${Math.max(1, Math.ceil(config.deadlineMs / 60_000))}m`,
      });
      if (answer.kind === 'ok') return ok(paidOrder(answer.value));
      if (answer.kind === 'waiting') return business('USERPAYING');
      return common(answer);
    },
    async query(row) {
      const answer = await gateway.query({ out_trade_no: row.out_trade_no });
      if (answer.kind === 'ok') return ok(orderState(answer.value, row.reverse_decided_at !== null));
      if (answer.kind === 'business_error' && answer.code === 'ACQ.TRADE_NOT_EXIST') return business('ORDERNOTEXIST');
      return common(answer);
    },
    async cancel(row) {
      const answer = await gateway.cancel({ out_trade_no: row.out_trade_no });
      if (answer.kind === 'ok') {
        const value: CancelAnswer = { recall: answer.value.retry };
        if (answer.value.action) value.action = answer.value.action;
        return ok(value);
      }
      if (answer.kind === 'unknown' || (answer.kind === 'business_error' && /SYSTEM_ERROR$/.test(answer.code))) return business('SYSTEMERROR');
      if (answer.kind === 'business_error' && answer.code === 'ACQ.TRADE_CANCEL_TIME_OUT') return business('REVERSE_EXPIRE');
      return common(answer);
    },
    async refund(refund, payment) {
      const answer = await gateway.refund({
        out_trade_no: payment.out_trade_no,
        out_request_no: refund.id,
        refund_fen: refund.amount_fen,
        ...(refund.reason ? { refund_reason: refund.reason } : {}),
      });
      // Alipay has no refund id of its own: the trade's number stands in.
      if (answer.kind === 'ok') return ok({ refund_id: answer.value.trade_no, out_refund_no: refund.id, refund_fee: refund.amount_fen });
      return common(answer);
    },
    async refundQuery(refund, payment) {
      const answer = await gateway.refundQuery({ out_trade_no: payment.out_trade_no, out_request_no: refund.id });
      if (answer.kind === 'ok') {
        if (answer.value.refund_status === 'NONE') return business('REFUNDNOTEXIST');
        return ok({ out_refund_no: refund.id, refund_fee: answer.value.refund_fen ?? refund.amount_fen, refund_status: 'SUCCESS' });
      }
      return common(answer);
    },
  };
}

const ok = <T>(value: T): Outcome<T> => ({ kind: 'ok', value, fields: {} });
const business = (code: string, description = code): Outcome<never> => ({ kind: 'business_error', code, description, fields: {} });

/** Answers every call shares: Alipay's own codes go through, for the catalogue to judge and word. */
function common(answer: AlipayOutcome<unknown>): Outcome<never> {
  switch (answer.kind) {
    case 'rejected':
      return { kind: 'rejected', message: `${answer.code}: ${answer.message}`, fields: {} };
    case 'unknown':
    case 'business_error':
      return business(answer.code, answer.description);
    default:
      // 'ok' and 'waiting' are read by each call; anything left is an answer the call does not expect.
      return business('ACQ.SYSTEM_ERROR', `unexpected ${answer.kind} answer`);
  }
}

function paidOrder(trade: PaidTrade): PaidOrder {
  const order: PaidOrder = { transaction_id: trade.trade_no, out_trade_no: trade.out_trade_no, total_fee: trade.total_fen };
  if (trade.buyer_pay_fen !== undefined) order.cash_fee = trade.buyer_pay_fen;
  const coupons = (trade.discount_fen ?? 0) + (trade.mdiscount_fen ?? 0);
  if (coupons > 0) order.coupon_fee = coupons;
  if (trade.paid_at) order.time_end = trade.paid_at.replace(/\D/g, '');
  if (trade.fund_channels?.length) order.bank_type = trade.fund_channels[0]!.fund_channel;
  return order;
}

function orderState(trade: TradeState, cancelDecided: boolean): OrderState {
  const state = (s: FlowTradeState): OrderState => ({ trade_state: s });
  switch (trade.trade_status) {
    case 'WAIT_BUYER_PAY':
      return state('USERPAYING');
    case 'TRADE_SUCCESS':
    case 'TRADE_FINISHED':
      return trade.paid ? { trade_state: 'SUCCESS', paid: paidOrder(trade.paid) } : state('SUCCESS');
    case 'TRADE_CLOSED':
      // Closed unpaid (or paid and given back by our cancel): after our cancel it is the cancel's
      // doing; before it the customer declined or the trade expired, so nothing was charged.
      return state(cancelDecided ? 'REVOKED' : 'PAYERROR');
  }
}
