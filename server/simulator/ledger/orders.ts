import { behaviourOf, makeTestCode, type Behaviour } from '../test-codes.ts';
import { beijingStamp } from '../time.ts';
import { CODE_USED, err, PAYERROR_ERR, USERPAYING_ERR, type Answer } from './answers.ts';
import type { Books } from './books.ts';
import { paidFields } from './fields.ts';
import type { MicropayInput, Order, SimTradeState } from './types.ts';

const REVERSE_WINDOW_MS = 7 * 24 * 3600_000;

const TRADE_STATE_DESC: Record<SimTradeState, string> = {
  SUCCESS: '支付成功',
  REFUND: '订单发生过退款，退款详情请查询退款单',
  NOTPAY: '订单未支付',
  CLOSED: '订单已关闭',
  REVOKED: '订单已撤销',
  USERPAYING: '需要用户输入支付密码',
  // The live gateway's text for a failed micropay order (a real 2024 orderquery answer).
  PAYERROR: '支付失败，请撤销订单',
  ACCEPT: '已接收，等待扣款',
};

/**
 * The ledger's orders: micropay, orderquery and reverse as WeChat answers them, the customer's
 * confirm or decline on the phone page, and the payment codes handed out.
 */
export function createOrders(books: Books) {
  const { options, now, ids, store, orders, usedCodes, issuedCodes, touched, index, settle, find } = books;
  const querySystemErrors = options.querySystemErrors ?? 3;

  function pay(order: Order): void {
    order.trade_state = 'SUCCESS';
    order.paid_at = now();
    delete order.last_error;
  }

  /** What a micropay for an existing order answers: a retry gets the order's current state. */
  function answerFor(order: Order): Answer {
    const delayMs = order.behaviour === 'slow' ? options.slowMs : 0;
    switch (order.trade_state) {
      case 'SUCCESS':
        return { ok: true, fields: paidFields(order), delayMs };
      case 'REFUND':
        return err('ORDERPAID', '订单已支付');
      case 'REVOKED':
        return err('ORDERREVERSED', '订单已撤销');
      case 'CLOSED':
        return err('ORDERCLOSED', '订单已关闭');
      case 'USERPAYING':
        return err(USERPAYING_ERR.code, USERPAYING_ERR.des);
      case 'ACCEPT':
        return err('SYSTEMERROR', '系统超时');
      default:
        if (order.behaviour === 'forged_signature') return { ok: true, forged: true, fields: { ...paidFields(order), time_end: beijingStamp(now()) } };
        return err(order.last_error?.code ?? 'TRADE_ERROR', order.last_error?.des ?? '支付失败');
    }
  }

  function micropay(input: MicropayInput): Answer {
    const existing = orders.get(input.out_trade_no);
    if (existing) {
      settle(existing);
      existing.micropay_calls += 1;
      if (existing.trade_state === 'REVOKED') return err('ORDERREVERSED', '订单已撤销');
      const retry = existing.auth_code === input.auth_code && existing.total_fee === input.total_fee;
      if (retry) return answerFor(existing);
      if (existing.trade_state === 'SUCCESS' || existing.trade_state === 'REFUND') return err('ORDERPAID', '订单已支付');
      if (existing.trade_state === 'CLOSED') return err('ORDERCLOSED', '订单已关闭');
      return err('OUT_TRADE_NO_USED', '商户订单号重复');
    }

    if (usedCodes.has(input.auth_code)) return err(CODE_USED.code, CODE_USED.des);
    const behaviour = behaviourOf(input.auth_code);
    const issued = issuedCodes.get(input.auth_code);
    if (behaviour === 'authcode_expired' || (issued && now().getTime() - issued.getTime() > options.codeTtlMs)) {
      return err('AUTHCODEEXPIRE', '二维码已过期，请用户在微信上刷新后再试');
    }

    const created = now();
    const order: Order = {
      out_trade_no: input.out_trade_no,
      transaction_id: ids.transactionId(created),
      total_fee: input.total_fee,
      trade_state: 'NOTPAY',
      auth_code: input.auth_code,
      behaviour,
      body: input.body,
      openid: ids.openid(),
      created_at: created,
      reversed_after_payment: false,
      refunds: [],
      reverse_calls: 0,
      micropay_calls: 1,
      query_calls: 0,
      ...(input.device_info ? { device_info: input.device_info } : {}),
      ...(input.attach ? { attach: input.attach } : {}),
      ...(input.sub_mch_id ? { sub_mch_id: input.sub_mch_id } : {}),
      ...(behaviour === 'coupon' || behaviour === 'promotion' ? { coupon_id: ids.couponId() } : {}),
    };
    index(order);
    touched.add(order);

    switch (behaviour) {
      case 'success':
      case 'slow':
      case 'coupon':
      case 'promotion':
        pay(order);
        return answerFor(order);
      case 'systemerror_paid':
      case 'query_systemerror':
        pay(order);
        return err('SYSTEMERROR', '系统超时');
      case 'accept_paid':
        // Accepted, awaiting the debit: the outcome is unknown to the caller until it queries.
        order.trade_state = 'ACCEPT';
        return answerFor(order);
      case 'password':
      case 'password_declined':
      case 'reverse_recall':
        order.trade_state = 'USERPAYING';
        return answerFor(order);
      case 'bankerror':
        order.last_error = { code: 'BANKERROR', des: '银行系统异常' };
        return answerFor(order);
      case 'notenough':
        order.trade_state = 'PAYERROR';
        order.last_error = { code: 'NOTENOUGH', des: '余额不足' };
        return answerFor(order);
      case 'forged_signature':
        return answerFor(order);
    }
  }

  function orderQuery(q: { out_trade_no?: string; transaction_id?: string }): Answer {
    const order = find(q);
    if (!order) return err('ORDERNOTEXIST', '订单不存在');
    order.query_calls += 1;
    if (order.behaviour === 'query_systemerror' && order.query_calls <= querySystemErrors) return err('SYSTEMERROR', '系统错误');
    if (order.trade_state === 'ACCEPT') {
      // This query still sees ACCEPT; the debit completes now, so the next one finds SUCCESS.
      pay(order);
      const accepted = { ...(order.device_info ? { device_info: order.device_info } : {}), out_trade_no: order.out_trade_no, total_fee: String(order.total_fee), fee_type: 'CNY' };
      return { ok: true, fields: { ...accepted, trade_state: 'ACCEPT', trade_state_desc: TRADE_STATE_DESC.ACCEPT } };
    }
    const everPaid = order.paid_at !== undefined;
    const fields: Record<string, string> = everPaid
      ? paidFields(order, true)
      : {
          ...(order.device_info ? { device_info: order.device_info } : {}),
          out_trade_no: order.out_trade_no,
          ...(order.total_fee ? { total_fee: String(order.total_fee), fee_type: 'CNY' } : {}),
          ...(order.attach ? { attach: order.attach } : {}),
        };
    return { ok: true, fields: { ...fields, trade_state: order.trade_state, trade_state_desc: TRADE_STATE_DESC[order.trade_state] } };
  }

  function reverse(q: { out_trade_no?: string; transaction_id?: string }): Answer {
    const order = find(q);
    if (!order) {
      if (!q.out_trade_no) return err('INVALID_TRANSACTIONID', '无效transaction_id');
      // WeChat's answer for a number it does not know. It blocks nothing: a micropay that arrives
      // afterwards with this number is charged like any other (the case the POS must survive).
      return err('ORDERNOTEXIST', '订单不存在');
    }
    order.reverse_calls += 1;
    if (order.behaviour === 'reverse_recall' && order.trade_state === 'USERPAYING' && !order.recall_answered) {
      order.recall_answered = true;
      return err('SYSTEMERROR', '系统超时，请重新调用撤销', { fields: { recall: 'Y' } });
    }
    switch (order.trade_state) {
      case 'REVOKED':
      case 'CLOSED':
        return { ok: true, fields: { recall: 'N' } };
      case 'REFUND':
        return err('TRADE_ERROR', '订单已发生退款，不能撤销，请走退款流程', { fields: { recall: 'N' } });
      case 'SUCCESS':
        if (now().getTime() - order.created_at.getTime() > REVERSE_WINDOW_MS) {
          return err('REVERSE_EXPIRE', '订单已超过撤销期限，请走退款流程', { fields: { recall: 'N' } });
        }
        order.reversed_after_payment = true;
        break;
      default: // NOTPAY, USERPAYING, PAYERROR, ACCEPT: nothing was taken; the payment can no longer complete
        break;
    }
    order.trade_state = 'REVOKED';
    order.revoked_at = now();
    return { ok: true, fields: { recall: 'N' } };
  }

  /** The customer confirmed the password: a waiting payment is paid. */
  function confirm(outTradeNo: string): boolean {
    const order = find({ out_trade_no: outTradeNo });
    if (!order || order.trade_state !== 'USERPAYING') return false;
    pay(order);
    return true;
  }

  /** The customer cancelled (or got the password wrong): a waiting payment fails. */
  function decline(outTradeNo: string): boolean {
    const order = find({ out_trade_no: outTradeNo });
    if (!order || order.trade_state !== 'USERPAYING') return false;
    order.trade_state = 'PAYERROR';
    order.last_error = PAYERROR_ERR;
    return true;
  }

  function issueCode(behaviour: Behaviour): string {
    let code = makeTestCode(behaviour);
    while (usedCodes.has(code) || issuedCodes.has(code)) code = makeTestCode(behaviour);
    const at = now();
    issuedCodes.set(code, at);
    store.saveCode({ code, issued_ms: at.getTime() });
    return code;
  }

  return { micropay, orderQuery, reverse, confirm, decline, issueCode };
}
