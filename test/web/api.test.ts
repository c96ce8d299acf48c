import { describe, expect, it, vi } from 'vitest';
import { Api, ApiFailure } from '../../web/src/lib/api.ts';

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

describe('Api', () => {
  it('reports whether the server answered at all: any answer, even an error, is reachable; a failed fetch is not', async () => {
    const seen: boolean[] = [];
    let fail = true;
    const api = new Api({ token: () => 't', onReachable: (up) => seen.push(up), fetch: async () => (fail ? Promise.reject(new TypeError('Failed to fetch')) : json(404, { error: { code: 'NOT_FOUND', message: 'x' } })) });
    await api.health().catch(() => undefined);
    fail = false;
    await api.payment('x').catch(() => undefined);
    expect(seen).toEqual([false, true]);
  });

  it('builds the list’s query from the page, filter and search, leaving out what is unset', async () => {
    const fetch = vi.fn(async () => json(200, { date: '2026-11-28', payments: [], totals: {}, next_cursor: null }));
    const api = new Api({ token: () => 't', fetch });
    await api.payments({ date: '2026-11-28', limit: 50, cursor: 'abc', terminal: '', q: '25.8' });
    expect((fetch.mock.calls[0] as unknown as [string])[0]).toBe('/api/payments?date=2026-11-28&limit=50&cursor=abc&q=25.8');
  });

  it('keeps the other fields of an error body (attempts_left of PIN_WRONG)', async () => {
    const api = new Api({ token: () => 't', fetch: async () => json(403, { error: { code: 'PIN_WRONG', message: 'wrong', attempts_left: 2 } }) });
    const failure = (await api.unpair('0000').catch((e: unknown) => e)) as ApiFailure;
    expect(failure.details.attempts_left).toBe(2);
  });

  it('sends the bearer token, the language and a JSON body', async () => {
    const fetch = vi.fn(async () => json(200, { id: 'p1' }));
    const api = new Api({ token: () => 'secret', lang: () => 'zh', fetch });
    await api.createPayment({ id: 'p1', amount_fen: 100, auth_code: '134567890123456789' });
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/api/payments');
    expect(init.method).toBe('POST');
    expect(init.headers).toMatchObject({ Authorization: 'Bearer secret', 'Accept-Language': 'zh', 'Content-Type': 'application/json' });
    expect(JSON.parse(String(init.body))).toEqual({ id: 'p1', amount_fen: 100, auth_code: '134567890123456789' });
  });

  it('sends the manager PIN in X-Manager-Pin with a refund', async () => {
    const fetch = vi.fn(async () => json(200, { id: 'r1', amount_fen: 5, status: 'succeeded' }));
    await new Api({ token: () => 't', fetch }).refund('p 1', { id: 'r1', amount_fen: 5 }, '2468');
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/api/payments/p%201/refunds');
    expect(init.headers).toMatchObject({ 'X-Manager-Pin': '2468' });
  });

  it('turns an error answer into an ApiFailure with the server’s code and message', async () => {
    const api = new Api({ token: () => 't', fetch: async () => json(409, { error: { code: 'PAYMENT_IN_PROGRESS', message: 'busy' } }) });
    const failure = await api.payment('x').catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApiFailure);
    expect(failure).toMatchObject({ status: 409, code: 'PAYMENT_IN_PROGRESS', message: 'busy', network: false, retryable: false });
  });

  it('marks a request that got no answer as a retryable network failure', async () => {
    const api = new Api({ token: () => 't', fetch: async () => { throw new TypeError('Failed to fetch'); } });
    await expect(api.health()).rejects.toMatchObject({ network: true, retryable: true, code: 'NETWORK' });
  });

  it('treats a 5xx without a JSON body as retryable', async () => {
    const api = new Api({ token: () => 't', fetch: async () => new Response('Bad gateway', { status: 502 }) });
    await expect(api.health()).rejects.toMatchObject({ status: 502, code: 'HTTP_502', retryable: true });
  });

  it('reports a 401 so the app can return to the pairing screen', async () => {
    const onUnauthorized = vi.fn();
    const api = new Api({ token: () => 'old', onUnauthorized, fetch: async () => json(401, { error: { code: 'UNAUTHORIZED', message: 'no' } }) });
    await expect(api.payments({ date: '2026-11-28' })).rejects.toMatchObject({ status: 401 });
    expect(onUnauthorized).toHaveBeenCalledOnce();
  });

  it('unwraps the active payment answer', async () => {
    const api = new Api({ token: () => 't', fetch: async () => json(200, { payment: null }) });
    expect(await api.activePayment()).toBeNull();
  });

  it('calls any JSON route with extra headers, and downloads a file as a Blob', async () => {
    const fetch = vi.fn(async (url: string) =>
      url.endsWith('.csv?from=2026-11-01&to=2026-11-30') ? new Response('\uFEFFa,b\r\n', { status: 200, headers: { 'Content-Type': 'text/csv' } }) : json(200, { shift: null, cashiers_required: true }),
    );
    const api = new Api({ token: () => 't', fetch });
    expect(await api.call('GET', '/api/shifts/current', undefined, { 'X-Manager-Pin': '1' })).toEqual({ shift: null, cashiers_required: true });
    expect((fetch.mock.calls[0] as unknown as [string, RequestInit])[1].headers).toMatchObject({ 'X-Manager-Pin': '1', Authorization: 'Bearer t' });
    const blob = await api.download('/api/exports/payments.csv?from=2026-11-01&to=2026-11-30');
    expect(blob).toBeInstanceOf(Blob);
    expect(new Uint8Array(await blob.arrayBuffer()).subarray(0, 3)).toEqual(new Uint8Array([0xef, 0xbb, 0xbf]));
  });

  it('turns a refused download into the same ApiFailure as any call', async () => {
    const api = new Api({ token: () => 't', fetch: async () => json(403, { error: { code: 'PIN_WRONG', message: 'wrong' } }) });
    await expect(api.download('/api/exports/refunds.csv?from=x&to=y')).rejects.toMatchObject({ status: 403, code: 'PIN_WRONG' });
  });
});
