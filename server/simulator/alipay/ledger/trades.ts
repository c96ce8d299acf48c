import { randomInt } from 'node:crypto';
import { makeAlipayTestCode, alipayBehaviourOf, type AlipayBehaviour } from '../../test-codes.ts';
import { beijingDateTime } from '../../time.ts';
import { CANCEL_WINDOW_MS, failure, ok, UNKNOWN_ERROR, zeroAmounts } from './answers.ts';
import type { Books } from './books.ts';
import type { PayInput, SimAnswer, Trade } from './types.ts';

/** trade.pay, trade.query and trade.cancel, and the customer's phone (confirm, decline, codes). */
export function createTrades(books: Books) {
  const { options, trades, byTradeNo, usedCodes, issuedCodes, cancelRetries, store, touched, now, index, yuan, tradeNo, settle, close, find, amounts, paidFields, pay, waiting } = books;

  /** What a pay for an existing trade answers: a retry with the same code and amount gets its current state. */
  function answerFor(t: Trade): SimAnswer {
    const delayMs = t.behaviour === 'slow' ? options.slowMs : 0;
    switch (t.status) {
      case 'TRADE_SUCCESS':
      case 'TRADE_FINISHED':
        return ok(paidFields(t), { delayMs });
      case 'WAIT_BUYER_PAY':
        if (t.behaviour === 'forged_signature') return ok({ ...paidFields(t), ...forgedPaid(t) }, { forged: true });
        if (t.behaviour === 'bankerror') return failure('ACQ.SYSTEM_ERROR', '系统错误', { out_trade_no: t.out_trade_no, ...amounts(t) });
        return { code: '10003', msg: ' order success pay inprocess', fields: paidFields(t) };
      case 'TRADE_CLOSED':
        if (t.refusal) return failure(t.refusal.sub_code, t.refusal.sub_msg, { out_trade_no: t.out_trade_no, ...amounts(t) });
        return failure('ACQ.TRADE_HAS_CLOSE', '交易已经关闭', { out_trade_no: t.out_trade_no });
    }
  }

  const forgedPaid = (t: Trade) => ({
    buyer_pay_amount: yuan(t.total_fen),
    receipt_amount: yuan(t.total_fen),
    invoice_amount: yuan(t.total_fen),
    gmt_payment: beijingDateTime(now()),
  });

  function tradePay(input: PayInput): SimAnswer {
    const existing = trades.get(input.out_trade_no);
    if (existing) {
      settle(existing);
      existing.pay_calls += 1;
      if (existing.tombstone) return failure('ACQ.TRADE_HAS_CLOSE', '交易已经关闭', { out_trade_no: input.out_trade_no });
      const retry = existing.auth_code === input.auth_code && existing.total_fen === input.total_fen;
      if (retry) return answerFor(existing);
      if (existing.status === 'TRADE_SUCCESS' || existing.status === 'TRADE_FINISHED') return failure('ACQ.TRADE_HAS_SUCCESS', '交易已被支付', { out_trade_no: input.out_trade_no });
      if (existing.status === 'TRADE_CLOSED') return failure('ACQ.TRADE_HAS_CLOSE', '交易已经关闭', { out_trade_no: input.out_trade_no });
      return failure('ACQ.CONTEXT_INCONSISTENT', '交易信息被篡改', { out_trade_no: input.out_trade_no });
    }

    const behaviour = alipayBehaviourOf(input.auth_code);
    const issued = issuedCodes.get(input.auth_code);
    const expired = issued !== undefined && now().getTime() - issued.getTime() > options.codeTtlMs;
    // A code is single-use, as at Alipay; an expired, used or invalid code creates no trade.
    if (usedCodes.has(input.auth_code) || behaviour === 'authcode_expired' || expired) {
      return failure('ACQ.PAYMENT_AUTH_CODE_INVALID', '支付失败，获取顾客账户信息失败，请顾客刷新付款码后重新收款，如再次收款失败，请联系管理员处理。[SOUNDWAVE_PARSER_FAIL]', { out_trade_no: input.out_trade_no, ...zeroAmounts });
    }

    const created = now();
    const t: Trade = {
      out_trade_no: input.out_trade_no,
      trade_no: tradeNo(created),
      total_fen: input.total_fen,
      status: 'WAIT_BUYER_PAY',
      auth_code: input.auth_code,
      behaviour,
      subject: input.subject,
      ...(input.store_id ? { store_id: input.store_id } : {}),
      ...(input.terminal_id ? { terminal_id: input.terminal_id } : {}),
      ...(input.operator_id ? { operator_id: input.operator_id } : {}),
      buyer_logon_id: `1${randomInt(30, 90)}******${String(randomInt(100)).padStart(2, '0')}`,
      buyer_user_id: `2088${String(randomInt(1e9)).padStart(9, '0')}${String(randomInt(1000)).padStart(3, '0')}`,
      created_at: created,
      refunds: [],
      pay_calls: 1,
      cancel_calls: 0,
      tombstone: false,
    };
    index(t);
    touched.add(t);

    switch (behaviour) {
      case 'success':
      case 'slow':
        pay(t);
        return answerFor(t);
      case 'systemerror_paid':
        pay(t);
        return { ...UNKNOWN_ERROR, fields: {} };
      case 'notenough':
        t.refusal = { sub_code: 'ACQ.BUYER_BALANCE_NOT_ENOUGH', sub_msg: '买家余额不足' };
        close(t);
        return answerFor(t);
      default: // password, password_declined, reverse_recall, bankerror, forged_signature: unpaid, waiting
        return answerFor(t);
    }
  }

  function tradeQuery(q: { out_trade_no?: string; trade_no?: string }): SimAnswer {
    const t = find(q);
    if (!t) return failure('ACQ.TRADE_NOT_EXIST', '交易不存在', q.out_trade_no ? { out_trade_no: q.out_trade_no, ...zeroAmounts } : {});
    return ok({
      trade_no: t.trade_no,
      out_trade_no: t.out_trade_no,
      buyer_logon_id: t.buyer_logon_id,
      trade_status: t.status,
      total_amount: yuan(t.total_fen),
      ...amounts(t),
      ...(t.paid_at ? { send_pay_date: beijingDateTime(t.paid_at), fund_bill_list: [{ fund_channel: 'ALIPAYACCOUNT', amount: yuan(t.total_fen) }] } : {}),
      ...(t.store_id ? { store_id: t.store_id } : {}),
      ...(t.terminal_id ? { terminal_id: t.terminal_id } : {}),
      buyer_user_id: t.buyer_user_id,
    });
  }

  function tradeCancel(q: { out_trade_no?: string; trade_no?: string }): SimAnswer {
    const existing = q.trade_no ? byTradeNo.get(q.trade_no) : q.out_trade_no ? trades.get(q.out_trade_no) : undefined;
    const base = (t: { out_trade_no: string }) => ({ out_trade_no: t.out_trade_no });
    if (!existing || existing.tombstone) {
      if (!q.out_trade_no) return failure('ACQ.TRADE_NOT_EXIST', '交易不存在', { retry_flag: 'N' });
      if (existing) {
        touched.add(existing);
        existing.cancel_calls += 1;
        return ok({ ...base(existing), retry_flag: 'N' });
      }
      // No trade: nothing to close. A pay that arrives later with this number must not charge anyone.
      const created = now();
      const tombstone: Trade = {
        out_trade_no: q.out_trade_no,
        trade_no: '',
        total_fen: 0,
        status: 'TRADE_CLOSED',
        auth_code: '',
        subject: '',
        buyer_logon_id: '',
        buyer_user_id: '',
        created_at: created,
        closed_at: created,
        refunds: [],
        pay_calls: 0,
        cancel_calls: 1,
        tombstone: true,
      };
      index(tombstone);
      touched.add(tombstone);
      return ok({ out_trade_no: q.out_trade_no, retry_flag: 'N' });
    }
    const t = settle(existing);
    t.cancel_calls += 1;
    const acted = (action: 'close' | 'refund') => ok({ trade_no: t.trade_no, out_trade_no: t.out_trade_no, retry_flag: 'N', action });
    if (t.behaviour === 'reverse_recall' && t.status === 'WAIT_BUYER_PAY' && !cancelRetries.has(t.out_trade_no)) {
      cancelRetries.add(t.out_trade_no);
      return failure('ACQ.SYSTEM_ERROR', '系统错误', { ...base(t), retry_flag: 'Y' });
    }
    switch (t.status) {
      case 'WAIT_BUYER_PAY':
        close(t);
        t.cancel_action = 'close';
        return acted('close');
      case 'TRADE_CLOSED':
        // Cancel again: the same answer as the cancel that closed it.
        return acted(t.cancel_action ?? 'close');
      case 'TRADE_FINISHED':
        return failure('ACQ.TRADE_HAS_FINISHED', '交易已经完结', { ...base(t), retry_flag: 'N' });
      case 'TRADE_SUCCESS':
        if (t.refunds.length > 0) return failure('ACQ.CANCEL_NOT_ALLOWED', '交易已发生过退款，不允许撤销，请走退款流程', { ...base(t), retry_flag: 'N' });
        if (now().getTime() - t.paid_at!.getTime() > CANCEL_WINDOW_MS) return failure('ACQ.TRADE_CANCEL_TIME_OUT', '超过撤销时间范围', { ...base(t), retry_flag: 'N' });
        close(t);
        t.cancel_action = 'refund';
        return acted('refund');
    }
  }

  return {
    tradePay,
    tradeQuery,
    tradeCancel,
    /** The customer confirmed on the phone: a waiting trade is paid. */
    confirm(outTradeNo: string): boolean {
      const t = waiting(outTradeNo);
      if (!t) return false;
      pay(t);
      return true;
    },
    /** The customer declined: Alipay has no failed state, the unpaid trade closes. */
    decline(outTradeNo: string): boolean {
      const t = waiting(outTradeNo);
      if (!t) return false;
      close(t);
      return true;
    },
    issueCode(behaviour: AlipayBehaviour): string {
      let code = makeAlipayTestCode(behaviour);
      while (usedCodes.has(code) || issuedCodes.has(code)) code = makeAlipayTestCode(behaviour);
      const issued = now();
      issuedCodes.set(code, issued);
      store.saveCode({ code, issued_ms: issued.getTime() });
      return code;
    },
  };
}
