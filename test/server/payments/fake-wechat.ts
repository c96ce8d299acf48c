import type {
  Gateway,
  MicropayRequest,
  OrderState,
  Outcome,
  PaidOrder,
  RefundAccepted,
  RefundRequest,
  RefundState,
  RefundStatus,
  ReverseResult,
  TradeState,
} from '../../../server/wechat/gateway.ts';
import { GatewayError } from '../../../server/wechat/gateway.ts';

/**
 * A small model of WeChat's order book behind the Gateway interface: micropay pays at once unless
 * told otherwise, query reads the book, reverse revokes. Tests script one-off answers per
 * operation (`once`) to reach every branch; every call is recorded.
 */
type Op = 'micropay' | 'orderQuery' | 'reverse' | 'refund' | 'refundQuery';
type Scripted = Outcome<unknown> | GatewayError | ((fallback: () => Promise<Outcome<unknown>>) => Promise<Outcome<unknown>> | Outcome<unknown>);

interface Order {
  total_fee: number;
  state: TradeState;
  transaction_id: string;
}

export const ok = <T>(value: T): Outcome<T> => ({ kind: 'ok', value, fields: {} });
export const bizError = (code: string, fields: Record<string, string> = {}): Outcome<never> => ({ kind: 'business_error', code, description: code, fields });
export const rejected = (message = '签名错误'): Outcome<never> => ({ kind: 'rejected', message, fields: {} });

export class FakeWechat implements Gateway {
  readonly orders = new Map<string, Order>();
  readonly refunds = new Map<string, { out_trade_no: string; refund_fee: number; status: RefundStatus }>();
  readonly calls: Array<{ op: Op; out_trade_no?: string; out_refund_no?: string; auth_code?: string }> = [];
  /** What micropay does when nothing is scripted: pay, or wait for the password. */
  micropayMode: 'pay' | 'userpaying' = 'pay';
  /** The status refundquery reports for new refunds. */
  refundOutcome: RefundStatus = 'SUCCESS';
  lastMicropay?: MicropayRequest;
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
  pay(outTradeNo: string): void {
    const order = this.orders.get(outTradeNo);
    if (order) order.state = 'SUCCESS';
  }

  setState(outTradeNo: string, state: TradeState, totalFee = 0): void {
    const order = this.orders.get(outTradeNo);
    if (order) order.state = state;
    else this.orders.set(outTradeNo, { total_fee: totalFee, state, transaction_id: this.#txid() });
  }

  async #answer<T>(op: Op, fallback: () => Promise<Outcome<T>>): Promise<Outcome<T>> {
    const next = this.#script.get(op)?.shift();
    if (next === undefined) return fallback();
    if (next instanceof GatewayError) throw next;
    if (typeof next === 'function') return (await next(fallback as () => Promise<Outcome<unknown>>)) as Outcome<T>;
    return next as Outcome<T>;
  }

  #txid(): string {
    return `42000${String(++this.#seq).padStart(23, '0')}`;
  }

  #paid(outTradeNo: string, order: Order): PaidOrder {
    return { transaction_id: order.transaction_id, out_trade_no: outTradeNo, total_fee: order.total_fee };
  }

  micropay(req: MicropayRequest): Promise<Outcome<PaidOrder>> {
    this.calls.push({ op: 'micropay', out_trade_no: req.out_trade_no, auth_code: req.auth_code });
    this.lastMicropay = req;
    return this.#answer('micropay', async () => {
      const known = this.orders.get(req.out_trade_no);
      if (known?.state === 'REVOKED') return bizError('ORDERREVERSED');
      const order: Order = { total_fee: req.total_fee, state: this.micropayMode === 'pay' ? 'SUCCESS' : 'USERPAYING', transaction_id: this.#txid() };
      this.orders.set(req.out_trade_no, order);
      return order.state === 'SUCCESS' ? ok(this.#paid(req.out_trade_no, order)) : bizError('USERPAYING');
    });
  }

  orderQuery(q: { out_trade_no: string }): Promise<Outcome<OrderState>> {
    this.calls.push({ op: 'orderQuery', out_trade_no: q.out_trade_no });
    return this.#answer('orderQuery', async () => {
      const order = this.orders.get(q.out_trade_no);
      if (!order) return bizError('ORDERNOTEXIST');
      const state: OrderState = { trade_state: order.state };
      if (order.state === 'SUCCESS' || order.state === 'REFUND') state.paid = this.#paid(q.out_trade_no, order);
      return ok(state);
    });
  }

  reverse(q: { out_trade_no: string }): Promise<Outcome<ReverseResult>> {
    this.calls.push({ op: 'reverse', out_trade_no: q.out_trade_no });
    return this.#answer('reverse', async () => {
      const order = this.orders.get(q.out_trade_no);
      // As WeChat: an order it does not know is not blocked, so a micropay arriving later still charges.
      if (!order) return bizError('ORDERNOTEXIST');
      order.state = 'REVOKED';
      return ok({ recall: false });
    });
  }

  refund(req: RefundRequest): Promise<Outcome<RefundAccepted>> {
    this.calls.push({ op: 'refund', out_trade_no: req.out_trade_no, out_refund_no: req.out_refund_no });
    return this.#answer('refund', async () => {
      if (!this.refunds.has(req.out_refund_no)) this.refunds.set(req.out_refund_no, { out_trade_no: req.out_trade_no, refund_fee: req.refund_fee, status: 'PROCESSING' });
      return ok({ refund_id: `50000${req.out_refund_no}`, out_refund_no: req.out_refund_no, refund_fee: req.refund_fee });
    });
  }

  refundQuery(q: { out_refund_no: string }): Promise<Outcome<RefundState>> {
    this.calls.push({ op: 'refundQuery', out_refund_no: q.out_refund_no });
    return this.#answer('refundQuery', async () => {
      const r = this.refunds.get(q.out_refund_no);
      if (!r) return bizError('REFUNDNOTEXIST');
      if (r.status === 'PROCESSING') r.status = this.refundOutcome;
      return ok({ out_refund_no: q.out_refund_no, refund_id: `50000${q.out_refund_no}`, refund_fee: r.refund_fee, refund_status: r.status });
    });
  }
}
