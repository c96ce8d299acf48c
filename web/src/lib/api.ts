/**
 * The one typed module that talks to the server (README "HTTP API"). Every call goes through
 * `request`, which adds the terminal's bearer token and turns every failure into an ApiFailure,
 * so callers switch on `code` (or `network`) and never parse bodies themselves. The shapes are
 * shared/api.ts's, the server's own.
 */
import type {
  ActivePayment,
  CreatePaymentRequest,
  Health,
  PairResult,
  Payment,
  PaymentList,
  PaymentListQuery,
  Refund,
  RefundList,
  RefundRequest,
  TerminalDetails,
  TerminalInfo,
  TerminalList,
} from '../../../shared/api.ts';

export type { Health, PairResult, RefundRequest, TerminalDetails, TerminalInfo };
export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

/** GET /api/payments: a shop day, a page at a time. */
export type ListQuery = PaymentListQuery;

/** A failed call: an answer with `{error: {code, message}}`, or no answer at all (`network`). */
export class ApiFailure extends Error {
  override readonly name = 'ApiFailure';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly network = false,
    /** The error body's other fields (e.g. attempts_left of PIN_WRONG). */
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
  /** The server never answered (or answered 5xx): the same request may be retried as is. */
  get retryable(): boolean {
    return this.network || this.status >= 500;
  }
}

export interface ApiOptions {
  fetch?: Fetch;
  token: () => string | null;
  /** The cashier's language: the server words its error messages in it. */
  lang?: () => string;
  /** Called when the server says the token is no longer valid (the terminal was removed). */
  onUnauthorized?: () => void;
  /** Told after every call whether the server answered at all (the till's online state). */
  onReachable?: (reachable: boolean) => void;
  base?: string;
}

export class Api {
  readonly #fetch: Fetch;
  readonly #opts: ApiOptions;

  constructor(opts: ApiOptions) {
    this.#opts = opts;
    // Bound so a page-level fetch wrapper (tests, benchmarks) sees every call.
    this.#fetch = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  health = () => this.#request<Health>('GET', '/api/health');
  pair = (code: string) => this.#request<PairResult>('POST', '/api/pair', { code });
  terminal = () => this.#request<TerminalDetails>('GET', '/api/terminal');
  createPayment = (req: CreatePaymentRequest) => this.#request<Payment>('POST', '/api/payments', req);
  payment = (id: string) => this.#request<Payment>('GET', `/api/payments/${encodeURIComponent(id)}`);
  activePayment = async () => (await this.#request<ActivePayment>('GET', '/api/payments/active')).payment;
  payments = (query: ListQuery) => {
    const params = new URLSearchParams({ date: query.date });
    for (const key of ['limit', 'cursor', 'terminal', 'q'] as const) if (query[key] !== undefined && query[key] !== '') params.set(key, String(query[key]));
    return this.#request<PaymentList>('GET', `/api/payments?${params}`);
  };
  refunds = async (paymentId: string) => (await this.#request<RefundList>('GET', `/api/payments/${encodeURIComponent(paymentId)}/refunds`)).refunds;
  terminals = async () => (await this.#request<TerminalList>('GET', '/api/terminals')).terminals;
  unpair = (pin: string) => this.#request<{ ok: boolean }>('POST', '/api/terminal/unpair', undefined, { 'X-Manager-Pin': pin });
  cancel = (id: string) => this.#request<Payment>('POST', `/api/payments/${encodeURIComponent(id)}/cancel`);
  refund = (paymentId: string, req: RefundRequest, pin: string) =>
    this.#request<Refund>('POST', `/api/payments/${encodeURIComponent(paymentId)}/refunds`, req, { 'X-Manager-Pin': pin });

  /** Any other JSON route (cashiers, shifts, the report: their typed calls live with their lazy screens). */
  call = <T>(method: string, path: string, body?: unknown, headers?: Record<string, string>) => this.#request<T>(method, path, body, headers);
  /** A file the server sends (CSV exports) as a Blob; a refusal is the same ApiFailure as any call's. */
  download = (path: string, headers?: Record<string, string>) => this.#request<Blob>('GET', path, undefined, headers, true);

  async #request<T>(method: string, path: string, body?: unknown, extra?: Record<string, string>, blob = false): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json', ...extra };
    const lang = this.#opts.lang?.();
    if (lang) headers['Accept-Language'] = lang;
    const token = this.#opts.token();
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let res: Response;
    try {
      res = await this.#fetch((this.#opts.base ?? '') + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store',
      });
    } catch (err) {
      this.#opts.onReachable?.(false);
      throw new ApiFailure(0, 'NETWORK', err instanceof Error ? err.message : String(err), true);
    }
    this.#opts.onReachable?.(true);
    if (res.ok && blob) return (await res.blob()) as T;
    const data: unknown = await res.json().catch(() => undefined);
    if (res.ok) return data as T;
    const error = (data as { error?: Record<string, unknown> } | undefined)?.error;
    const code = typeof error?.code === 'string' ? error.code : `HTTP_${res.status}`;
    const message = typeof error?.message === 'string' ? error.message : res.statusText;
    if (res.status === 401 && token) this.#opts.onUnauthorized?.();
    throw new ApiFailure(res.status, code, message, false, error ?? {});
  }
}
