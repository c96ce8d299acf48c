import { describe, expect, it } from 'vitest';
import { createApi, MAX_BODY_BYTES, type ApiLog } from '../../../server/api/index.ts';
import { AttemptLimiter } from '../../../server/terminals/rate-limit.ts';
import { TerminalRegistry } from '../../../server/terminals/registry.ts';
import { makeTestCode } from '../../../server/simulator/test-codes.ts';
import { memoryTerminalStore } from '../terminals/memory-terminal-store.ts';
import { FakePaymentService } from './fake-service.ts';
import { fromRefusal } from '../../../server/api/errors.ts';
import { Refusal } from '../../../server/payments/errors.ts';

interface Setup {
  api: ReturnType<typeof createApi>;
  service: FakePaymentService;
  registry: TerminalRegistry;
  token: string;
  lines: { level: string; msg: string; fields?: Record<string, unknown> }[];
  /** From now on the journal's probe write fails with `error` (undefined: it works again). */
  failJournal(error: Error | undefined): void;
  call(method: string, path: string, options?: { body?: unknown; token?: string | null; headers?: Record<string, string> }): Promise<{ status: number; body: any; headers: Headers }>;
}

async function setup(options: { envPin?: string; storedPin?: string; maxAmountFen?: number; pinChecks?: { maxConcurrent: number; maxQueued: number }; trainingMode?: boolean } = {}): Promise<Setup> {
  const service = new FakePaymentService();
  const registry = new TerminalRegistry({ store: memoryTerminalStore(), ...(options.envPin ? { envPin: options.envPin } : {}) });
  if (options.storedPin) await registry.setPin(options.storedPin);
  const lines: Setup['lines'] = [];
  const log: ApiLog = {
    debug: (msg, fields) => lines.push({ level: 'debug', msg, fields }),
    info: (msg, fields) => lines.push({ level: 'info', msg, fields }),
    warn: (msg, fields) => lines.push({ level: 'warn', msg, fields }),
    error: (msg, fields) => lines.push({ level: 'error', msg, fields }),
  };
  let journalError: Error | undefined;
  const api = createApi({
    service,
    terminals: registry,
    journal: {
      checkWritable: async () => {
        if (journalError) throw journalError;
      },
    },
    mode: 'simulator',
    maxAmountFen: options.maxAmountFen ?? 1_000_000,
    timeZone: 'Asia/Shanghai',
    shopName: 'Test shop',
    log,
    limits: {
      pairing: new AttemptLimiter({ limit: 5, windowMs: 60_000 }),
      pin: new AttemptLimiter({ limit: 5, windowMs: 60_000, lockAfter: 10, lockMs: 900_000 }),
    },
    ...(options.pinChecks ? { pinChecks: options.pinChecks } : {}),
    now: () => new Date('2026-11-28T17:30:00Z'),
    ...(options.trainingMode !== undefined ? { trainingMode: options.trainingMode } : {}),
  });
  const { token } = await registry.add('Till 1');
  const call: Setup['call'] = async (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...opts.headers };
    const bearer = opts.token === undefined ? token : opts.token;
    if (bearer !== null) headers.authorization = `Bearer ${bearer}`;
    let body: string | undefined;
    if (opts.body !== undefined) {
      body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
      headers['content-type'] = 'application/json';
    }
    const res = await api.request(path, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  };
  return { api, service, registry, token, lines, call, failJournal: (error) => (journalError = error) };
}

const payment = (over: Record<string, unknown> = {}) => ({ id: 'pay-1', amount_fen: 1234, auth_code: makeTestCode('success'), ...over });

describe('open routes', () => {
  it('answers health without a token', async () => {
    const { call } = await setup();
    expect(await call('GET', '/api/health', { token: null })).toMatchObject({ status: 200, body: { ok: true, mode: 'simulator' } });
  });

  it('answers health 503 not ok, with the reason, when the journal cannot be written', async () => {
    const { call, failJournal, lines } = await setup();
    failJournal(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }));
    const res = await call('GET', '/api/health', { token: null });
    expect(res).toMatchObject({ status: 503, body: { ok: false, mode: 'simulator', reason: 'the journal cannot be written: database or disk is full (SQLITE_FULL)' } });
    expect(lines.some((l) => l.level === 'error' && l.msg.startsWith('health'))).toBe(true);
  });

  it('pairs a device once with a code and its token then works', async () => {
    const { registry, call } = await setup();
    const issued = await registry.add('Till 2');
    const paired = await call('POST', '/api/pair', { token: null, body: { code: issued.code } });
    expect(paired).toMatchObject({ status: 200, body: { token: expect.stringMatching(/^[\w-]{43}$/), terminal: { name: 'Till 2' } } });
    expect((await call('GET', '/api/terminal', { token: paired.body.token })).body.terminal.name).toBe('Till 2');
    expect(await call('POST', '/api/pair', { token: null, body: { code: issued.code } })).toMatchObject({ status: 400, body: { error: { code: 'INVALID_PAIRING_CODE' } } });
  });

  it('answers 429 after five wrong pairing codes a minute from one address', async () => {
    const { call } = await setup();
    for (let i = 0; i < 5; i++) expect((await call('POST', '/api/pair', { token: null, body: { code: `wrong-code-${i}` } })).status).toBe(400);
    const limited = await call('POST', '/api/pair', { token: null, body: { code: 'wrong-code-x' } });
    expect(limited).toMatchObject({ status: 429, body: { error: { code: 'TOO_MANY_ATTEMPTS' } } });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('authentication', () => {
  it.each([
    ['GET', '/api/terminal'],
    ['GET', '/api/payments'],
    ['GET', '/api/payments/active'],
    ['GET', '/api/payments/pay-1'],
    ['GET', '/api/payments/pay-1/refunds'],
    ['GET', '/api/terminals'],
    ['POST', '/api/payments'],
    ['POST', '/api/payments/pay-1/cancel'],
    ['POST', '/api/payments/pay-1/refunds'],
    ['GET', '/api/no-such-route'],
  ])('answers 401 UNAUTHORIZED to %s %s without a valid token', async (method, path) => {
    const { call, service } = await setup();
    for (const token of [null, 'not-a-real-token-at-all-0123456789', '']) {
      const res = await call(method, path, { token, body: method === 'POST' ? payment() : undefined });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('UNAUTHORIZED');
    }
    expect(service.calls).toEqual([]);
  });

  it('says who the terminal is and how the shop is set up', async () => {
    const { call } = await setup({ envPin: '1234' });
    expect((await call('GET', '/api/terminal')).body).toMatchObject({ terminal: { name: 'Till 1' }, mode: 'simulator', shop_name: 'Test shop', time_zone: 'Asia/Shanghai', max_amount_fen: 1_000_000, pin_configured: true });
  });
});

describe('POST /api/payments', () => {
  it('creates a payment and returns the same one for the same id', async () => {
    const { call } = await setup();
    const body = payment();
    const first = await call('POST', '/api/payments', { body });
    expect(first).toMatchObject({ status: 200, body: { id: 'pay-1', amount_fen: 1234, status: 'processing' } });
    expect(JSON.stringify(first.body)).not.toContain(body.auth_code);
    expect((await call('POST', '/api/payments', { body })).body).toEqual(first.body);
  });

  it('answers 409 ID_CONFLICT when the same id comes with another amount', async () => {
    const { call } = await setup();
    const body = payment();
    await call('POST', '/api/payments', { body });
    expect(await call('POST', '/api/payments', { body: { ...body, amount_fen: 999 } })).toMatchObject({ status: 409, body: { error: { code: 'ID_CONFLICT' } } });
  });

  it('answers 409 PAYMENT_IN_PROGRESS for a second payment on the same terminal', async () => {
    const { call } = await setup();
    await call('POST', '/api/payments', { body: payment() });
    const second = await call('POST', '/api/payments', { body: payment({ id: 'pay-2' }) });
    expect(second).toMatchObject({ status: 409, body: { error: { code: 'PAYMENT_IN_PROGRESS' } } });
    expect(second.body.error.message).toContain('pay-1');
  });

  it.each([
    ['{"id":', 400, 'INVALID_JSON'],
    ['[1,2]', 400, 'INVALID_JSON'],
    [JSON.stringify(payment({ id: 'has space' })), 400, 'INVALID_ID'],
    [JSON.stringify(payment({ id: 'x'.repeat(33) })), 400, 'INVALID_ID'],
    [JSON.stringify(payment({ id: 42 })), 400, 'INVALID_ID'],
    [JSON.stringify(payment({ amount_fen: 0 })), 400, 'INVALID_AMOUNT'],
    [JSON.stringify(payment({ amount_fen: -5 })), 400, 'INVALID_AMOUNT'],
    [JSON.stringify(payment({ amount_fen: 12.5 })), 400, 'INVALID_AMOUNT'],
    [JSON.stringify(payment({ amount_fen: '100' })), 400, 'INVALID_AMOUNT'],
    [JSON.stringify(payment({ amount_fen: 1_000_001 })), 422, 'AMOUNT_TOO_LARGE'],
    [JSON.stringify(payment({ auth_code: 134 })), 400, 'INVALID_AUTH_CODE'],
    [JSON.stringify(payment({ auth_code: '' })), 400, 'INVALID_AUTH_CODE'],
    [JSON.stringify(payment({ description: 'x'.repeat(65) })), 400, 'INVALID_DESCRIPTION'],
    [JSON.stringify(payment({ description: 'line\nbreak' })), 400, 'INVALID_DESCRIPTION'],
    // Characters JSON carries but XML cannot: the gateway call could never be made.
    [JSON.stringify(payment({ description: 'tea \uFFFE' })), 400, 'INVALID_DESCRIPTION'],
    [JSON.stringify(payment({ description: 'tea \uFFFF' })), 400, 'INVALID_DESCRIPTION'],
    [JSON.stringify(payment({ description: 'lone \uD800 high' })), 400, 'INVALID_DESCRIPTION'],
    [JSON.stringify(payment({ description: 'lone \uDFFF low' })), 400, 'INVALID_DESCRIPTION'],
    ['{"id":"pay-1","amount_fen":1,"auth_code":"130000123456789012","description":"raw \\ud83d escape"}', 400, 'INVALID_DESCRIPTION'],
  ])('refuses body %s with %i %s', async (body, status, code) => {
    const { call, service } = await setup();
    const res = await call('POST', '/api/payments', { body });
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(res.body.error.message.length).toBeGreaterThan(10);
    expect(service.calls).toEqual([]);
  });

  it('refuses a UnionPay code as not accepted here with the cashier sentence, in Chinese when asked', async () => {
    const { call } = await setup();
    const unionpay = payment({ auth_code: '6212345678901234567' });
    const en = await call('POST', '/api/payments', { body: unionpay });
    expect(en).toMatchObject({ status: 422, body: { error: { code: 'CODE_NOT_ACCEPTED' } } });
    expect(en.body.error.message).toMatch(/UnionPay QuickPass code: not accepted here/);
    const zh = await call('POST', '/api/payments', { body: unionpay, headers: { 'accept-language': 'zh-CN,zh;q=0.9' } });
    expect(zh.body.error.message).toMatch(/云闪付/);
  });

  it('takes an Alipay code like a WeChat one', async () => {
    const { call } = await setup();
    const res = await call('POST', '/api/payments', { body: payment({ auth_code: '285551234567890123' }) });
    expect(res.status).toBe(200);
  });

  it('answers 413 BODY_TOO_LARGE for a huge body', async () => {
    const { call } = await setup();
    const res = await call('POST', '/api/payments', { body: payment({ description: 'x'.repeat(MAX_BODY_BYTES) }) });
    expect(res).toMatchObject({ status: 413, body: { error: { code: 'BODY_TOO_LARGE' } } });
  });

  it('answers 413 BODY_TOO_LARGE from a declared Content-Length alone, and takes a body of declared size under it', async () => {
    const { call } = await setup();
    const huge = await call('POST', '/api/payments', { body: payment(), headers: { 'content-length': String(MAX_BODY_BYTES + 1) } });
    expect(huge).toMatchObject({ status: 413, body: { error: { code: 'BODY_TOO_LARGE' } } });
    const body = JSON.stringify(payment());
    const fine = await call('POST', '/api/payments', { body: payment(), headers: { 'content-length': String(Buffer.byteLength(body)) } });
    expect(fine.status).toBe(200);
  });
});

describe('reading payments', () => {
  it('gets one payment or 404', async () => {
    const { call } = await setup();
    await call('POST', '/api/payments', { body: payment() });
    expect((await call('GET', '/api/payments/pay-1')).body.id).toBe('pay-1');
    expect(await call('GET', '/api/payments/pay-9')).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
    expect(await call('GET', '/api/payments/bad%20id')).toMatchObject({ status: 400, body: { error: { code: 'INVALID_ID' } } });
  });

  it("lists today's payments in the shop's time zone by default", async () => {
    const { call, service } = await setup();
    // 17:30 UTC on the 28th is already the 29th in Shanghai.
    expect((await call('GET', '/api/payments')).body.date).toBe('2026-11-29');
    expect((await call('GET', '/api/payments?date=2026-11-01')).body).toMatchObject({ date: '2026-11-01', totals: { count: 0 } });
    expect(service.calls).toEqual(['list 2026-11-29 @default', 'list 2026-11-01 @default']);
  });

  it('passes a page’s limit, cursor, terminal and search on to the service', async () => {
    const { call, service } = await setup();
    const res = await call('GET', '/api/payments?date=2026-11-28&limit=20&cursor=MTIzOnA&terminal=t-1&q=25.80');
    expect(res).toMatchObject({ status: 200, body: { next_cursor: null } });
    expect(service.calls).toEqual(['list 2026-11-28 @default {"limit":20,"cursor":"MTIzOnA","terminal":"t-1","q":"25.80"}']);
  });

  it.each([
    ['limit=ten', 'INVALID_LIMIT'],
    ['limit=-1', 'INVALID_LIMIT'],
    [`cursor=${'x'.repeat(201)}`, 'INVALID_CURSOR'],
    ['terminal=bad%20id', 'INVALID_ID'],
    [`q=${'9'.repeat(41)}`, 'INVALID_QUERY'],
  ])('refuses the list parameter %s with %s', async (param, code) => {
    const { call, service } = await setup();
    expect(await call('GET', `/api/payments?${param}`)).toMatchObject({ status: 400, body: { error: { code } } });
    expect(service.calls).toEqual([]);
  });

  it('lists a payment’s refunds with who asked for them, or 404', async () => {
    const { call, service, registry } = await setup({ envPin: '1234' });
    await call('POST', '/api/payments', { body: payment() });
    service.settle('pay-1', 'succeeded');
    await call('POST', '/api/payments/pay-1/refunds', { body: { id: 'r-1', amount_fen: 100, reason: 'cup' }, headers: { 'x-manager-pin': '1234' } });
    const till = (await registry.list())[0]!;
    expect(service.calls).toContain(`refund pay-1 r-1 by ${till.id}`);
    expect(await call('GET', '/api/payments/pay-1/refunds')).toMatchObject({ status: 200, body: { refunds: [{ id: 'r-1', amount_fen: 100 }] } });
    expect(await call('GET', '/api/payments/pay-9/refunds')).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
  });

  it('names the shop’s terminals (for the history’s filter), without their tokens', async () => {
    const { call, registry } = await setup();
    await registry.add('Till 2');
    const res = await call('GET', '/api/terminals');
    expect(res.body.terminals.map((t: { name: string }) => t.name).sort()).toEqual(['Till 1', 'Till 2']);
    expect(Object.keys(res.body.terminals[0]).sort()).toEqual(['id', 'name']);
  });

  it.each(['2026-13-01', '2026-02-30', '28.11.2026', 'today'])('refuses the date %s with INVALID_DATE', async (date) => {
    const { call } = await setup();
    expect(await call('GET', `/api/payments?date=${date}`)).toMatchObject({ status: 400, body: { error: { code: 'INVALID_DATE' } } });
  });

  it("returns this terminal's payment in progress, and null once it is final", async () => {
    const { call, service } = await setup();
    expect((await call('GET', '/api/payments/active')).body).toEqual({ payment: null });
    await call('POST', '/api/payments', { body: payment() });
    expect((await call('GET', '/api/payments/active')).body.payment.id).toBe('pay-1');
    service.settle('pay-1', 'succeeded');
    expect((await call('GET', '/api/payments/active')).body).toEqual({ payment: null });
  });

  it('requests a cancel and maps a refusal', async () => {
    const { call, service } = await setup();
    await call('POST', '/api/payments', { body: payment() });
    expect((await call('POST', '/api/payments/pay-1/cancel')).body).toMatchObject({ id: 'pay-1', cancel_requested: true });
    service.settle('pay-1', 'succeeded');
    expect(await call('POST', '/api/payments/pay-1/cancel')).toMatchObject({ status: 409, body: { error: { code: 'NOT_CANCELABLE' } } });
    expect(await call('POST', '/api/payments/nope/cancel')).toMatchObject({ status: 404 });
  });
});

describe('refunds', () => {
  async function paid(options: { envPin?: string } = { envPin: '2468' }) {
    const s = await setup(options);
    await s.call('POST', '/api/payments', { body: payment() });
    s.service.settle('pay-1', 'succeeded');
    return s;
  }
  const refund = { id: 'ref-1', amount_fen: 234, reason: 'returned' };

  it('refunds with the right manager PIN, idempotently by refund id', async () => {
    const { call, service } = await paid();
    const first = await call('POST', '/api/payments/pay-1/refunds', { body: refund, headers: { 'x-manager-pin': '2468' } });
    expect(first).toMatchObject({ status: 200, body: { id: 'ref-1', amount_fen: 234, status: 'succeeded' } });
    expect((await call('POST', '/api/payments/pay-1/refunds', { body: refund, headers: { 'x-manager-pin': '2468' } })).body).toEqual(first.body);
    expect(service.payments.get('pay-1')!.refunded_fen).toBe(234);
  });

  it('asks for the PIN, refuses a wrong one, and never reaches the service', async () => {
    const { call, service } = await paid();
    expect(await call('POST', '/api/payments/pay-1/refunds', { body: refund })).toMatchObject({ status: 403, body: { error: { code: 'PIN_REQUIRED' } } });
    expect(await call('POST', '/api/payments/pay-1/refunds', { body: refund, headers: { 'x-manager-pin': '1111' } })).toMatchObject({ status: 403, body: { error: { code: 'PIN_WRONG' } } });
    expect(service.calls.filter((c) => c.startsWith('refund'))).toEqual([]);
  });

  it('says no PIN is set when none was configured', async () => {
    const { call } = await paid({});
    const res = await call('POST', '/api/payments/pay-1/refunds', { body: refund, headers: { 'x-manager-pin': '2468' } });
    expect(res).toMatchObject({ status: 403, body: { error: { code: 'PIN_REQUIRED' } } });
    expect(res.body.error.message).toMatch(/MANAGER_PIN/);
  });

  it('says how many wrong tries are left, then answers 429 even for the right PIN', async () => {
    const { call } = await paid();
    for (let left = 4; left >= 0; left--) {
      const res = await call('POST', '/api/payments/pay-1/refunds', { body: refund, headers: { 'x-manager-pin': '0000' } });
      expect(res).toMatchObject({ status: 403, body: { error: { code: 'PIN_WRONG', attempts_left: left } } });
    }
    const limited = await call('POST', '/api/payments/pay-1/refunds', { body: refund, headers: { 'x-manager-pin': '2468' } });
    expect(limited).toMatchObject({ status: 429, body: { error: { code: 'TOO_MANY_ATTEMPTS' } } });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('never slows down a manager who types the right PIN, refund after refund', async () => {
    const { call } = await paid();
    for (let i = 0; i < 8; i++) {
      const res = await call('POST', '/api/payments/pay-1/refunds', { body: { id: `many-${i}`, amount_fen: 1 }, headers: { 'x-manager-pin': '2468' } });
      expect(res.status).toBe(200);
    }
  });

  it.each(['\uFFFE', '\uFFFF', '\uD800', '\uDC00', 'x'.repeat(81), 'two\nlines'])('refuses a refund reason holding %j with 400 INVALID_REASON before the PIN is checked', async (bad) => {
    const { call, service } = await paid();
    const res = await call('POST', '/api/payments/pay-1/refunds', { body: { id: 'ref-x', amount_fen: 1, reason: `returned ${bad}` }, headers: { 'x-manager-pin': '0000' } });
    expect(res).toMatchObject({ status: 400, body: { error: { code: 'INVALID_REASON' } } });
    expect(service.calls.filter((c) => c.startsWith('refund'))).toEqual([]);
    // Not a PIN guess: the next wrong PIN still has every try.
    expect((await call('POST', '/api/payments/pay-1/refunds', { body: refund, headers: { 'x-manager-pin': '0000' } })).body.error.attempts_left).toBe(4);
  });

  it('takes emoji and CJK in a reason and a description (characters XML carries)', async () => {
    const { call } = await paid();
    expect((await call('POST', '/api/payments/pay-1/refunds', { body: { id: 'ref-ok', amount_fen: 1, reason: '顾客退货 🎁' }, headers: { 'x-manager-pin': '2468' } })).status).toBe(200);
    const other = await setup();
    expect((await other.call('POST', '/api/payments', { body: payment({ description: '奶茶 🧋' }) })).status).toBe(200);
  });

  it('maps too large and not allowed refunds, and validates the body', async () => {
    const { call, service } = await paid();
    const pin = { 'x-manager-pin': '2468' };
    expect(await call('POST', '/api/payments/pay-1/refunds', { body: { id: 'ref-2', amount_fen: 5000 }, headers: pin })).toMatchObject({ status: 409, body: { error: { code: 'REFUND_TOO_LARGE' } } });
    expect(await call('POST', '/api/payments/pay-1/refunds', { body: { id: 'ref 2', amount_fen: 5 }, headers: pin })).toMatchObject({ status: 400, body: { error: { code: 'INVALID_ID' } } });
    expect(await call('POST', '/api/payments/pay-1/refunds', { body: { id: 'ref-3', amount_fen: 0 }, headers: pin })).toMatchObject({ status: 400, body: { error: { code: 'INVALID_AMOUNT' } } });
    service.settle('pay-1', 'failed');
    expect(await call('POST', '/api/payments/pay-1/refunds', { body: { id: 'ref-4', amount_fen: 5 }, headers: pin })).toMatchObject({ status: 409, body: { error: { code: 'REFUND_NOT_ALLOWED' } } });
  });
});

describe('manager PIN under attack', () => {
  const refund = { id: 'ref-1', amount_fen: 1 };
  const guesses = (n: number, right: string) => Array.from({ length: n }, (_, i) => (i === n - 1 ? right : String(i).padStart(4, '0')));

  it.each([
    ['from MANAGER_PIN', { envPin: '7777' }],
    ['set by command (scrypt)', { storedPin: '7777' }],
  ])('checks at most five of 100 concurrent guesses %s, so the right one among them is never found', async (_, pinOption) => {
    const s = await setup(pinOption);
    await s.call('POST', '/api/payments', { body: payment() });
    s.service.settle('pay-1', 'succeeded');
    const answers = await Promise.all(guesses(100, '7777').map((pin) => s.call('POST', '/api/payments/pay-1/refunds', { body: refund, headers: { 'x-manager-pin': pin } })));
    const wrong = answers.filter((a) => a.status === 403);
    expect(wrong.length).toBeGreaterThan(0);
    expect(wrong.length).toBeLessThanOrEqual(5);
    expect(wrong.every((a) => a.body.error.code === 'PIN_WRONG')).toBe(true);
    expect(answers.filter((a) => a.status === 429)).toHaveLength(100 - wrong.length);
    expect(s.service.calls.filter((c) => c.startsWith('refund'))).toEqual([]);
  });

  it('bounds PIN checks across terminals: a burst from many terminals is refused beyond the bound', async () => {
    const s = await setup({ storedPin: '7777', pinChecks: { maxConcurrent: 1, maxQueued: 2 } });
    await s.call('POST', '/api/payments', { body: payment() });
    s.service.settle('pay-1', 'succeeded');
    const tokens = await Promise.all(Array.from({ length: 12 }, async (_, i) => (await s.registry.add(`Burst ${i}`)).token));
    const answers = await Promise.all(tokens.map((token) => s.call('POST', '/api/payments/pay-1/refunds', { token, body: refund, headers: { 'x-manager-pin': '0000' } })));
    expect(answers.filter((a) => a.status === 403)).toHaveLength(3);
    expect(answers.filter((a) => a.status === 429).every((a) => a.headers.get('retry-after') === '1')).toBe(true);
    // Refused for load is not a guess: that terminal still has every try.
    const refused = answers.findIndex((a) => a.status === 429);
    const again = await s.call('POST', '/api/payments/pay-1/refunds', { token: tokens[refused]!, body: refund, headers: { 'x-manager-pin': '0000' } });
    expect(again.body.error).toMatchObject({ code: 'PIN_WRONG', attempts_left: 4 });
  });

  it('looks the payment up before the PIN: an unknown payment costs no try', async () => {
    const s = await setup({ envPin: '7777' });
    for (let i = 0; i < 10; i++) {
      expect(await s.call('POST', `/api/payments/nope-${i}/refunds`, { body: refund, headers: { 'x-manager-pin': '0000' } })).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
    }
    await s.call('POST', '/api/payments', { body: payment() });
    s.service.settle('pay-1', 'succeeded');
    expect((await s.call('POST', '/api/payments/pay-1/refunds', { body: refund, headers: { 'x-manager-pin': '0000' } })).body.error.attempts_left).toBe(4);
  });
});

describe('POST /api/terminal/unpair', () => {
  it('revokes this terminal\'s token at once with the manager PIN; the terminal stays and re-pairs with a new link', async () => {
    const s = await setup({ envPin: '7777' });
    const terminalId = (await s.call('GET', '/api/terminal')).body.terminal.id;
    expect(await s.call('POST', '/api/terminal/unpair')).toMatchObject({ status: 403, body: { error: { code: 'PIN_REQUIRED' } } });
    expect(await s.call('POST', '/api/terminal/unpair', { headers: { 'x-manager-pin': '1111' } })).toMatchObject({ status: 403, body: { error: { code: 'PIN_WRONG', attempts_left: 4 } } });
    expect((await s.call('GET', '/api/terminal')).status).toBe(200);
    expect(await s.call('POST', '/api/terminal/unpair', { headers: { 'x-manager-pin': '7777' } })).toMatchObject({ status: 200, body: { ok: true } });
    expect((await s.call('GET', '/api/terminal')).status).toBe(401);
    // Taking a payment reads the token with the shift, in a query of its own: revoked there too.
    expect((await s.call('POST', '/api/payments', { body: payment() })).status).toBe(401);
    expect(s.service.calls).toEqual([]);
    expect((await s.registry.list()).map((t) => t.id)).toContain(terminalId);
    const link = await s.registry.rotate(terminalId);
    const paired = await s.call('POST', '/api/pair', { token: null, body: { code: link.code } });
    expect((await s.call('GET', '/api/terminal', { token: paired.body.token })).body.terminal.id).toBe(terminalId);
  });

  it('leaves the other terminals paired', async () => {
    const s = await setup({ envPin: '7777' });
    const other = (await s.registry.add('Till 2')).token;
    await s.call('POST', '/api/terminal/unpair', { headers: { 'x-manager-pin': '7777' } });
    expect((await s.call('GET', '/api/terminal', { token: other })).status).toBe(200);
  });
});

describe('cancel scope', () => {
  it('lets a terminal cancel only its own payments (403 NOT_YOUR_PAYMENT), while reading stays shop-wide', async () => {
    const s = await setup();
    const other = (await s.registry.add('Till 2')).token;
    await s.call('POST', '/api/payments', { body: payment() });
    expect((await s.call('GET', '/api/payments/pay-1', { token: other })).status).toBe(200);
    expect(await s.call('POST', '/api/payments/pay-1/cancel', { token: other })).toMatchObject({ status: 403, body: { error: { code: 'NOT_YOUR_PAYMENT' } } });
    expect(s.service.payments.get('pay-1')!.cancel_requested).toBeUndefined();
    expect(await s.call('POST', '/api/payments/pay-1/cancel')).toMatchObject({ status: 200, body: { cancel_requested: true } });
  });
});

describe('logging and errors', () => {
  it('logs each request without tokens, PINs or payment codes', async () => {
    const { call, lines, token } = await setup({ envPin: '2468' });
    const body = payment();
    await call('POST', '/api/payments', { body });
    await call('POST', '/api/payments/pay-1/refunds', { body: { id: 'r1', amount_fen: 1 }, headers: { 'x-manager-pin': '2468' } });
    const text = JSON.stringify(lines);
    expect(lines.some((l) => l.msg === 'http' && l.fields?.path === '/api/payments' && l.fields?.status === 200)).toBe(true);
    for (const secret of [token, body.auth_code, '2468']) expect(text).not.toContain(secret);
  });

  it('answers 500 INTERNAL_ERROR when the service throws something unexpected, and logs it', async () => {
    const { call, service, lines } = await setup();
    service.get = async () => {
      throw new Error('disk on fire');
    };
    expect(await call('GET', '/api/payments/pay-1')).toMatchObject({ status: 500, body: { error: { code: 'INTERNAL_ERROR' } } });
    expect(lines.some((l) => l.level === 'error' && l.fields?.error === 'disk on fire')).toBe(true);
  });

  it('answers 503 JOURNAL_UNAVAILABLE, not 500, when the journal write of a request fails', async () => {
    const { call, service } = await setup();
    service.create = async () => {
      throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR_WRITE' });
    };
    const res = await call('POST', '/api/payments', { body: payment() });
    expect(res).toMatchObject({ status: 503, body: { error: { code: 'JOURNAL_UNAVAILABLE' } } });
    expect(res.body.error.message).toMatch(/same payment id/);
  });

  it('answers 404 as JSON for an unknown route of a paired terminal', async () => {
    const { call } = await setup();
    expect(await call('GET', '/api/nothing-here')).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
  });
});

describe('training mode (the simulator without SIMULATOR_ACCEPT_ANY_CODE=1)', () => {
  it('refuses a real customer’s WeChat code with 422 TRAINING_MODE, in the cashier’s language, and charges nothing', async () => {
    const { call, service } = await setup({ trainingMode: true });
    const real = payment({ auth_code: '134567890123456789' });
    const en = await call('POST', '/api/payments', { body: real });
    expect(en).toMatchObject({ status: 422, body: { error: { code: 'TRAINING_MODE', message: expect.stringMatching(/test payment codes/) } } });
    const zh = await call('POST', '/api/payments', { body: real, headers: { 'accept-language': 'zh-CN' } });
    expect(zh.body.error.message).toMatch(/训练模式/);
    expect(service.calls).toEqual([]);
  });

  it.each(['success', 'password', 'notenough'] as const)('takes the simulator’s %s test code', async (behaviour) => {
    const { call } = await setup({ trainingMode: true });
    expect((await call('POST', '/api/payments', { body: payment({ auth_code: makeTestCode(behaviour) }) })).status).toBe(200);
  });

  it('takes any WeChat code when training mode is off (live, or SIMULATOR_ACCEPT_ANY_CODE=1)', async () => {
    const { call } = await setup({ trainingMode: false });
    expect((await call('POST', '/api/payments', { body: payment({ auth_code: '134567890123456789' }) })).status).toBe(200);
  });
});

describe('refusals of the domain', () => {
  it('turns a Refusal into the API error with its code’s status, keeping the code and the sentence', () => {
    expect(fromRefusal(new Refusal('ID_CONFLICT', 'used'))).toMatchObject({ status: 409, code: 'ID_CONFLICT', message: 'used' });
    expect(fromRefusal(new Refusal('NOT_FOUND', 'none')).status).toBe(404);
    expect(fromRefusal(new Refusal('AMOUNT_TOO_LARGE', 'too much')).status).toBe(422);
  });
});
