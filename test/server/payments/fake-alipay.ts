import type { AlipayGateway, AlipayOutcome, CancelResult, PaidTrade, RefundResult, RefundState, TradePayRequest, TradeRefundRequest, TradeState, TradeStatus } from '../../../server/alipay/gateway.ts';
import { GatewayError } from '../../../server/alipay/gateway.ts';

/**
 * A small model of Alipay's trade book behind AlipayGateway, as FakeWechat is for WeChat: pay
 * pays at once unless told to wait, query reads the book, cancel closes (or gives back) a trade.
 * Tests script one-off answers per call (`once`); every call is recorded.
 */
type Op = 'pay' | 'query' | 'cancel' | 'refund' | 'refundQuery';
/** A function gets the unscripted answer's maker (it changes the book) and answers in its place. */
type Scripted = AlipayOutcome<unknown> | GatewayError | ((fallback: () => AlipayOutcome<unknown>) => AlipayOutcome<unknown>);

interface Trade {
  total_fen: number;
  status: TradeStatus;
  trade_no: string;
  refunds: Map<string, number>;
}

export const alipayOk = <T>(value: T): AlipayOutcome<T> => ({ kind: 'ok', value, answer: {} });
export const alipayBiz = (code: string): AlipayOutcome<never> => ({ kind: 'business_error', code, description: code, answer: {} });
export const alipayUnknown = (code = 'ACQ.SYSTEM_ERROR'): AlipayOutcome<never> => ({ kind: 'unknown', code, description: code, answer: {} });

export class FakeAlipay implements AlipayGateway {
  readonly trades = new Map<string, Trade>();
  readonly calls: Array<{ op: Op; out_trade_no: string; out_request_no?: string }> = [];
  payMode: 'pay' | 'wait' = 'pay';
  #script = new Map<Op, Scripted[]>();
  #seq = 0;

  once(op: Op, ...answers: Scripted[]): this {
    this.#script.set(op, [...(this.#script.get(op) ?? []), ...answers]);
    return this;
  }

  count(op: Op): number {
    return this.calls.filter((c) => c.op === op).length;
  }

  /** The customer confirms on the phone. */
  confirm(outTradeNo: string): void {
    const t = this.trades.get(outTradeNo);
    if (t) t.status = 'TRADE_SUCCESS';
  }

  async #answer<T>(op: Op, fallback: () => AlipayOutcome<T>): Promise<AlipayOutcome<T>> {
    const next = this.#script.get(op)?.shift();
    if (next === undefined) return fallback();
    if (next instanceof GatewayError) throw next;
    if (typeof next === 'function') return next(fallback) as AlipayOutcome<T>;
    return next as AlipayOutcome<T>;
  }

  #paid(no: string, t: Trade): PaidTrade {
    return { trade_no: t.trade_no, out_trade_no: no, total_fen: t.total_fen, buyer_pay_fen: t.total_fen };
  }

  pay(req: TradePayRequest): Promise<AlipayOutcome<PaidTrade>> {
    this.calls.push({ op: 'pay', out_trade_no: req.out_trade_no });
    return this.#answer('pay', () => {
      const t: Trade = { total_fen: req.amount_fen, status: this.payMode === 'pay' ? 'TRADE_SUCCESS' : 'WAIT_BUYER_PAY', trade_no: `2026${String(++this.#seq).padStart(24, '0')}`, refunds: new Map() };
      this.trades.set(req.out_trade_no, t);
      if (t.status === 'TRADE_SUCCESS') return alipayOk(this.#paid(req.out_trade_no, t));
      return { kind: 'waiting', value: { out_trade_no: req.out_trade_no, trade_no: t.trade_no }, answer: {} };
    });
  }

  query(q: { out_trade_no: string }): Promise<AlipayOutcome<TradeState>> {
    this.calls.push({ op: 'query', out_trade_no: q.out_trade_no });
    return this.#answer('query', () => {
      const t = this.trades.get(q.out_trade_no);
      if (!t) return alipayBiz('ACQ.TRADE_NOT_EXIST');
      const state: TradeState = { trade_status: t.status, out_trade_no: q.out_trade_no, trade_no: t.trade_no, total_fen: t.total_fen };
      if (t.status === 'TRADE_SUCCESS') state.paid = this.#paid(q.out_trade_no, t);
      return alipayOk(state);
    });
  }

  cancel(q: { out_trade_no: string }): Promise<AlipayOutcome<CancelResult>> {
    this.calls.push({ op: 'cancel', out_trade_no: q.out_trade_no });
    return this.#answer('cancel', () => {
      const t = this.trades.get(q.out_trade_no);
      if (!t) return alipayOk({ retry: false });
      const action = t.status === 'TRADE_SUCCESS' ? 'refund' : 'close';
      t.status = 'TRADE_CLOSED';
      return alipayOk({ retry: false, action, trade_no: t.trade_no });
    });
  }

  refund(req: TradeRefundRequest): Promise<AlipayOutcome<RefundResult>> {
    this.calls.push({ op: 'refund', out_trade_no: req.out_trade_no, out_request_no: req.out_request_no });
    return this.#answer('refund', () => {
      const t = this.trades.get(req.out_trade_no)!;
      const repeat = t.refunds.has(req.out_request_no);
      t.refunds.set(req.out_request_no, req.refund_fen);
      const total = [...t.refunds.values()].reduce((a, b) => a + b, 0);
      return alipayOk({ trade_no: t.trade_no, out_trade_no: req.out_trade_no, refunded_total_fen: total, fund_change: !repeat });
    });
  }

  refundQuery(q: { out_trade_no: string; out_request_no: string }): Promise<AlipayOutcome<RefundState>> {
    this.calls.push({ op: 'refundQuery', out_trade_no: q.out_trade_no, out_request_no: q.out_request_no });
    return this.#answer<RefundState>('refundQuery', () => {
      const fen = this.trades.get(q.out_trade_no)?.refunds.get(q.out_request_no);
      if (fen === undefined) return alipayOk<RefundState>({ out_trade_no: q.out_trade_no, out_request_no: q.out_request_no, refund_status: 'NONE' });
      return alipayOk<RefundState>({ out_trade_no: q.out_trade_no, out_request_no: q.out_request_no, refund_status: 'REFUND_SUCCESS', refund_fen: fen });
    });
  }
}
