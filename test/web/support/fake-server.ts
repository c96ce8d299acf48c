/**
 * An in-memory stand-in for the POS server's HTTP API, behind a fetch function: enough of the
 * contract (docs/http-api.md) to drive the web app's state classes, with switches for network failures.
 */
import type { Payment, PaymentStatus } from '../../../shared/api.ts';
import type { Fetch } from '../../../web/src/lib/api.ts';

export interface Call {
  method: string;
  path: string;
  body?: Record<string, unknown>;
  headers: Record<string, string>;
}

export class FakeServer {
  readonly payments = new Map<string, Payment>();
  readonly calls: Call[] = [];
  /** Number of next requests that fail as network errors (the request may or may not have arrived). */
  dropNext = 0;
  /** When dropping, whether the server processed the request before the answer was lost. */
  processDropped = false;
  active: Payment | null = null;
  refundResponses: Array<{ status: number; body: unknown }> = [];
  createError: { status: number; code: string; message: string } | undefined;

  fetch: Fetch = async (input, init) => {
    const url = new URL(input, 'http://pos.test');
    const method = init?.method ?? 'GET';
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as Record<string, unknown>) : undefined;
    const headers = (init?.headers ?? {}) as Record<string, string>;
    this.calls.push({ method, path: url.pathname + url.search, body, headers });
    if (this.dropNext > 0) {
      this.dropNext--;
      if (this.processDropped) this.#handle(method, url, body);
      throw new TypeError('Failed to fetch');
    }
    const [status, answer] = this.#handle(method, url, body);
    return new Response(JSON.stringify(answer), { status, headers: { 'Content-Type': 'application/json' } });
  };

  setStatus(id: string, status: PaymentStatus, extra: Partial<Payment> = {}): void {
    const p = this.payments.get(id);
    if (!p) throw new Error(`no payment ${id}`);
    this.payments.set(id, { ...p, ...extra, status, updated_at: new Date().toISOString() });
  }

  posts(path = '/api/payments'): Call[] {
    return this.calls.filter((c) => c.method === 'POST' && c.path === path);
  }

  #handle(method: string, url: URL, body?: Record<string, unknown>): [number, unknown] {
    const path = url.pathname;
    if (method === 'POST' && path === '/api/payments') return this.#create(body ?? {});
    if (method === 'GET' && path === '/api/payments/active') return [200, { payment: this.active }];
    const refund = /^\/api\/payments\/([^/]+)\/refunds$/.exec(path);
    if (method === 'POST' && refund) return this.#refund();
    const cancel = /^\/api\/payments\/([^/]+)\/cancel$/.exec(path);
    if (method === 'POST' && cancel) {
      this.setStatus(decodeURIComponent(cancel[1]!), 'user_paying', { cancel_requested: true });
      return [200, this.payments.get(decodeURIComponent(cancel[1]!))];
    }
    const one = /^\/api\/payments\/([^/]+)$/.exec(path);
    if (method === 'GET' && one) {
      const p = this.payments.get(decodeURIComponent(one[1]!));
      return p ? [200, p] : [404, { error: { code: 'NOT_FOUND', message: 'No such payment.' } }];
    }
    return [404, { error: { code: 'NOT_FOUND', message: `no route ${method} ${path}` } }];
  }

  #create(body: Record<string, unknown>): [number, unknown] {
    if (this.createError) return [this.createError.status, { error: { code: this.createError.code, message: this.createError.message } }];
    const id = String(body.id);
    const existing = this.payments.get(id);
    if (existing) {
      if (existing.amount_fen !== body.amount_fen) return [409, { error: { code: 'ID_CONFLICT', message: 'Same id, other fields.' } }];
      return [200, existing];
    }
    const now = new Date().toISOString();
    const payment: Payment = {
      id, wallet: 'wechat', out_trade_no: `T${id}`, amount_fen: Number(body.amount_fen), status: 'processing',
      refunded_fen: 0, created_at: now, updated_at: now,
    };
    this.payments.set(id, payment);
    return [200, payment];
  }

  #refund(): [number, unknown] {
    const next = this.refundResponses.shift();
    if (!next) return [500, { error: { code: 'NO_FIXTURE', message: 'no refund answer queued' } }];
    return [next.status, next.body];
  }
}

/** A Storage-like map for the state classes' persistence. */
export class MemoryStorage {
  readonly map = new Map<string, string>();
  getItem = (k: string) => this.map.get(k) ?? null;
  setItem = (k: string, v: string) => void this.map.set(k, v);
  removeItem = (k: string) => void this.map.delete(k);
}
