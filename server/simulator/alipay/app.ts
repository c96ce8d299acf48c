import { createHmac, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import { createDelays } from '../delays.ts';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { parseYuan } from '../../../shared/money.ts';
import { loadPrivateKey, loadPublicKey } from '../../alipay/keys.ts';
import { responseKey } from '../../alipay/operations.ts';
import { rsa2Sign, rsa2Verify, signContent } from '../../alipay/sign.ts';
import { beijingDateTime } from '../time.ts';
import { renderBill, type BillPeriod } from './bill.ts';
import { alipayControlRoutes } from './control.ts';
import { simulatorKey } from './keys.ts';
import { createAlipayLedger, type SimAlipayTrade, type SimAnswer } from './ledger/index.ts';
import { sqliteLedgerStore } from '../ledger-store.ts';
import { ALIPAY_SIMULATOR_DEFAULTS } from '../defaults.ts';

export type { SimAlipayTrade, SimAlipayStatus } from './ledger/index.ts';

/**
 * The classic Alipay openapi gateway (`/alipay/gateway.do`), for development, tests, demos and
 * cashier training: form parameters (query string and body), RSA2 request signatures verified
 * with the app's public key, JSON answers `{"<method>_response": {...}, "sign": "..."}` signed
 * with the simulator's Alipay key over the exact text of the response value, Alipay's error
 * shapes, and trades kept in memory with behaviours chosen by test payment code
 * (test-codes.ts, `28…`). Control routes (control.ts) drive it for tests and the phone page.
 */

/** What the simulator accepts when ALIPAY_APP_ID is unset, and the merchant it plays. */
export { ALIPAY_SIMULATOR_DEFAULTS };

export interface AlipaySimulatorOptions {
  /** Default: ALIPAY_APP_ID, else ALIPAY_SIMULATOR_DEFAULTS.appId. */
  appId?: string;
  /** PEM of the app public key requests are verified with (default: keys/app_public_key.pem). */
  appPublicKey?: string;
  /** PEM of the key answers are signed with (default: keys/alipay_private_key.pem). */
  alipayPrivateKey?: string;
  /** Added to every gateway answer (default 0). */
  latencyMs?: number;
  /** Delay of the 'slow' behaviour's pay answer (default 10000: longer than a client timeout). */
  slowMs?: number;
  /** When a 'password_declined' trade closes (default 3000). */
  passwordDeclineMs?: number;
  /** How long after trade.refund the refund query sees the refund (default 0). */
  refundSettleMs?: number;
  /** How long a code from the control route can be charged (default 180000). */
  codeTtlMs?: number;
  now?: () => Date;
  /** A SQLite file that keeps the trades across restarts (default: in memory). */
  ledgerFile?: string;
}

export interface AlipaySimulator {
  app: Hono;
  trades(): SimAlipayTrade[];
  trade(out_trade_no: string): SimAlipayTrade | undefined;
  confirm(out_trade_no: string): boolean;
  decline(out_trade_no: string): boolean;
  issueCode: ReturnType<typeof createAlipayLedger>['issueCode'];
  reset(): void;
  close(): void;
}

const MAX_REQUEST_BYTES = 64 * 1024;
/** A bill URL works for 30 seconds, as at Alipay. */
const BILL_URL_TTL_MS = 30_000;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const OUT_NO = /^[A-Za-z0-9_]{1,64}$/;

const METHOD_NAMES = [
  'alipay.trade.pay',
  'alipay.trade.query',
  'alipay.trade.cancel',
  'alipay.trade.refund',
  'alipay.trade.fastpay.refund.query',
  'alipay.data.dataservice.bill.downloadurl.query',
] as const;
type MethodName = (typeof METHOD_NAMES)[number];

/** A gateway-level refusal: `code` 40001/40002 with an isv.* sub_code. */
interface Refusal {
  code: '40001' | '40002';
  sub_code: string;
  sub_msg: string;
}
const MSG = { '40001': 'Missing Required Arguments', '40002': 'Invalid Arguments' } as const;
const refusal = (code: Refusal['code'], sub_code: string, sub_msg: string): Refusal => ({ code, sub_code, sub_msg });
const invalidParameter = (detail: string): SimAnswer => ({ code: '40004', msg: 'Business Failed', sub_code: 'ACQ.INVALID_PARAMETER', sub_msg: `参数无效：${detail}`, fields: {} });

export function createAlipaySimulator(options: AlipaySimulatorOptions = {}): AlipaySimulator {
  const appId = options.appId ?? (process.env.ALIPAY_APP_ID || ALIPAY_SIMULATOR_DEFAULTS.appId);
  const pid = ALIPAY_SIMULATOR_DEFAULTS.pid;
  const account = `${pid}0156`;
  const appPublicKey = loadPublicKey(options.appPublicKey ?? simulatorKey('appPublicKey'), 'app public key').key;
  const alipayPrivateKey = loadPrivateKey(options.alipayPrivateKey ?? simulatorKey('alipayPrivateKey'), 'Alipay private key').key;
  const latencyMs = options.latencyMs ?? 0;
  const now = options.now ?? (() => new Date());
  const billSecret = randomBytes(32);

  const ledger = createAlipayLedger({
    now,
    slowMs: options.slowMs ?? 10_000,
    passwordDeclineMs: options.passwordDeclineMs ?? 3_000,
    refundSettleMs: options.refundSettleMs ?? 0,
    codeTtlMs: options.codeTtlMs ?? 180_000,
    ...(options.ledgerFile ? { store: sqliteLedgerStore(options.ledgerFile) } : {}),
  });

  const { wait, releaseAll } = createDelays();

  /** Alipay escapes "/" in its JSON; the signature covers the text exactly as sent. */
  const json = (value: unknown) => JSON.stringify(value).replaceAll('/', '\\/');

  function envelope(key: string, body: Record<string, unknown>, signing: { key: KeyObject; forged?: boolean } | undefined): string {
    const raw = json(body);
    if (!signing) return `{"${key}":${raw}}`;
    // A forged answer is signed over other text, so it cannot verify.
    const sign = rsa2Sign(signing.forged ? `${raw} ` : raw, signing.key);
    return `{"${key}":${raw},"sign":"${sign}"}`;
  }

  const answerBody = (a: SimAnswer | Refusal): Record<string, unknown> =>
    'fields' in a
      ? { code: a.code, msg: a.msg, ...(a.sub_code ? { sub_code: a.sub_code, sub_msg: a.sub_msg } : {}), ...a.fields }
      : { code: a.code, msg: MSG[a.code], sub_code: a.sub_code, sub_msg: a.sub_msg };

  async function gateway(c: Context): Promise<Response> {
    let delayMs = 0;
    const respond = async (text: string) => {
      await wait(latencyMs + delayMs);
      // Alipay's gateway says text/html although the body is JSON.
      return c.body(text, 200, { 'Content-Type': 'text/html;charset=utf-8' });
    };

    const read = await readParams(c);
    if ('refusal' in read) return respond(envelope('error_response', answerBody(read.refusal), undefined));
    const p = read.params;

    // Before the app is known nothing can be signed: these answers carry no signature.
    if (!p.method) return respond(envelope('error_response', answerBody(refusal('40001', 'isv.missing-method', '缺少方法名参数')), undefined));
    if (!(METHOD_NAMES as readonly string[]).includes(p.method)) {
      return respond(envelope('error_response', answerBody(refusal('40002', 'isv.invalid-method', '不存在的方法名')), undefined));
    }
    const method = p.method as MethodName;
    const key = responseKey(method);
    const unsigned = (r: Refusal) => respond(envelope(key, answerBody(r), undefined));
    if (!p.app_id) return unsigned(refusal('40001', 'isv.missing-app-id', '缺少AppID参数'));
    if (p.app_id !== appId) return unsigned(refusal('40002', 'isv.invalid-app-id', '无效的AppID参数'));

    const signed = (a: SimAnswer | Refusal, forged = false) => respond(envelope(key, answerBody(a), { key: alipayPrivateKey, forged }));
    if (p.charset && p.charset.toLowerCase() !== 'utf-8') return signed(refusal('40002', 'isv.invalid-charset', '字符集错误（模拟器只支持utf-8）'));
    if (!p.sign_type) return signed(refusal('40001', 'isv.missing-signature-type', '缺少签名类型参数'));
    if (p.sign_type !== 'RSA2') return signed(refusal('40002', 'isv.invalid-signature-type', '无效签名类型（只支持RSA2）'));
    if (!p.sign) return signed(refusal('40001', 'isv.missing-signature', '缺少签名参数'));
    if (!p.timestamp) return signed(refusal('40001', 'isv.missing-timestamp', '缺少时间戳参数'));
    if (!TIMESTAMP.test(p.timestamp)) return signed(refusal('40002', 'isv.invalid-timestamp', '非法的时间戳参数'));
    if (!p.version) return signed(refusal('40001', 'isv.missing-version', '缺少版本参数'));
    if (p.version !== '1.0') return signed(refusal('40002', 'isv.invalid-parameter', '版本号只能是1.0'));
    const content = signContent(p);
    if (!rsa2Verify(content, p.sign, appPublicKey)) {
      return signed(refusal('40002', 'isv.invalid-signature', `验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为：${content}`));
    }

    let biz: Record<string, unknown>;
    try {
      const parsed = JSON.parse(p.biz_content ?? '') as unknown;
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      biz = parsed as Record<string, unknown>;
    } catch {
      return signed(refusal('40002', 'isv.invalid-parameter', 'biz_content 必须是JSON对象'));
    }

    const result = dispatch(method, biz, new URL(c.req.url));
    delayMs = result.delayMs ?? 0;
    return signed(result, result.forged === true);
  }

  function dispatch(method: MethodName, biz: Record<string, unknown>, url: URL): SimAnswer {
    const s = (name: string): string | undefined => {
      const v = biz[name];
      return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;
    };
    const byTrade = () => ({ ...(s('out_trade_no') ? { out_trade_no: s('out_trade_no')! } : {}), ...(s('trade_no') ? { trade_no: s('trade_no')! } : {}) });
    const needTrade = (): SimAnswer | undefined => (s('out_trade_no') || s('trade_no') ? undefined : invalidParameter('out_trade_no和trade_no不能同时为空'));
    switch (method) {
      case 'alipay.trade.pay': {
        const outTradeNo = s('out_trade_no');
        if (!outTradeNo || !OUT_NO.test(outTradeNo)) return invalidParameter('out_trade_no必填，64个字符以内，仅支持字母、数字、下划线');
        const scene = s('scene');
        if (scene !== 'bar_code' && scene !== 'wave_code') return invalidParameter('scene只能是bar_code或wave_code');
        const authCode = s('auth_code');
        if (!authCode) return invalidParameter('auth_code不能为空');
        const subject = s('subject');
        if (!subject || subject.length > 256) return invalidParameter('subject必填，256个字符以内');
        const amount = parseYuan(s('total_amount') ?? '');
        if (amount === null || amount < 1 || amount > 10_000_000_000) return invalidParameter('total_amount必须在[0.01,100000000]之间，最多两位小数');
        // Not an Alipay code at all (25–30 + 14–22 digits): the code is invalid, nothing is created.
        if (!/^(2[5-9]|30)\d{14,22}$/.test(authCode)) {
          return { code: '40004', msg: 'Business Failed', sub_code: 'ACQ.PAYMENT_AUTH_CODE_INVALID', sub_msg: '支付授权码无效', fields: { out_trade_no: outTradeNo } };
        }
        return ledger.tradePay({
          out_trade_no: outTradeNo,
          total_fen: amount,
          auth_code: authCode,
          subject,
          ...(s('store_id') ? { store_id: s('store_id')! } : {}),
          ...(s('terminal_id') ? { terminal_id: s('terminal_id')! } : {}),
          ...(s('operator_id') ? { operator_id: s('operator_id')! } : {}),
        });
      }
      case 'alipay.trade.query':
        return needTrade() ?? ledger.tradeQuery(byTrade());
      case 'alipay.trade.cancel':
        return needTrade() ?? ledger.tradeCancel(byTrade());
      case 'alipay.trade.refund': {
        const missing = needTrade();
        if (missing) return missing;
        const amount = parseYuan(s('refund_amount') ?? '');
        if (amount === null || amount < 1) return invalidParameter('refund_amount必须大于0，最多两位小数');
        const requestNo = s('out_request_no') ?? s('out_trade_no') ?? s('trade_no')!;
        if (requestNo.length > 64) return invalidParameter('out_request_no最长64个字符');
        return ledger.tradeRefund({ ...byTrade(), out_request_no: requestNo, refund_fen: amount, ...(s('refund_reason') ? { reason: s('refund_reason')! } : {}) });
      }
      case 'alipay.trade.fastpay.refund.query': {
        const missing = needTrade();
        if (missing) return missing;
        return ledger.refundQuery({ ...byTrade(), out_request_no: s('out_request_no') ?? s('out_trade_no') ?? s('trade_no')! });
      }
      case 'alipay.data.dataservice.bill.downloadurl.query':
        return billUrl(s('bill_type'), s('bill_date'), url);
    }
  }

  // ---- bills ----

  function billPeriod(billDate: string): BillPeriod | undefined {
    const m = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/.exec(billDate);
    if (!m) return undefined;
    const [y, mo, d] = [Number(m[1]), Number(m[2]), m[3] === undefined ? undefined : Number(m[3])];
    const beijing = (year: number, month: number, day: number) => new Date(Date.UTC(year, month - 1, day) - 8 * 3600_000);
    const from = beijing(y, mo, d ?? 1);
    const to = d === undefined ? beijing(y, mo + 1, 1) : beijing(y, mo, d + 1);
    // Reject rolled-over dates such as 2026-02-30.
    if (beijingDateTime(from).slice(0, d === undefined ? 7 : 10) !== billDate) return undefined;
    return { label: billDate.replaceAll('-', ''), from, to };
  }

  function billUrl(billType: string | undefined, billDate: string | undefined, url: URL): SimAnswer {
    if (billType !== 'trade' && billType !== 'signcustomer') return invalidParameter('bill_type只能是trade或signcustomer');
    const period = billDate ? billPeriod(billDate) : undefined;
    if (!period) return invalidParameter('bill_date格式为yyyy-MM-dd或yyyy-MM');
    const noBill: SimAnswer = { code: '40004', msg: 'Business Failed', sub_code: 'isp.bill_not_exist', sub_msg: '账单不存在', fields: {} };
    // Only the business bill is simulated; an account bill (signcustomer) has no data here.
    if (billType !== 'trade' || period.from > now() || ledger.billLines(period.from, period.to).length === 0) return noBill;
    const issued = now().getTime();
    const params = new URLSearchParams({
      bizType: 'trade',
      userId: account,
      fileType: 'csv.zip',
      bizDates: period.label,
      downloadFileName: `${account}_${period.label}.csv.zip`,
      fileId: `/trade/${account}/${period.label}.csv.zip`,
      timestamp: String(issued),
    });
    params.set('token', billToken(params));
    const target = new URL(`downloadBillFile.resource?${params}`, url);
    return { code: '10000', msg: 'Success', fields: { bill_download_url: target.toString() } };
  }

  function billToken(params: URLSearchParams): string {
    return createHmac('sha256', billSecret).update(`${params.get('bizDates')}|${params.get('timestamp')}`).digest('hex');
  }

  function downloadBill(c: Context): Response {
    const params = new URL(c.req.url).searchParams;
    const token = Buffer.from(params.get('token') ?? '', 'utf8');
    const expected = Buffer.from(billToken(params), 'utf8');
    const issued = Number(params.get('timestamp'));
    if (token.length !== expected.length || !timingSafeEqual(token, expected)) return c.text('无效的下载链接', 403);
    if (!(now().getTime() - issued <= BILL_URL_TTL_MS)) return c.text('下载链接已过期（有效期30秒）', 403);
    const label = params.get('bizDates') ?? '';
    const period = billPeriod(label.length === 8 ? `${label.slice(0, 4)}-${label.slice(4, 6)}-${label.slice(6)}` : `${label.slice(0, 4)}-${label.slice(4, 6)}`);
    if (!period) return c.text('无效的下载链接', 403);
    const bill = renderBill(ledger.billLines(period.from, period.to), account, period, now());
    return c.body(new Uint8Array(bill.zip), 200, {
      'Content-Type': 'application/oct-stream',
      'Content-Disposition': `attachment; filename=${bill.fileName}`,
    });
  }

  // ---- routes ----

  const app = new Hono();
  const limit = bodyLimit({ maxSize: MAX_REQUEST_BYTES, onError: (c) => c.text(`request body over ${MAX_REQUEST_BYTES} bytes`, 413) });
  app.on(['GET', 'POST'], '/alipay/gateway.do', limit, gateway);
  app.get('/alipay/downloadBillFile.resource', downloadBill);
  app.route('/control/alipay', alipayControlRoutes(ledger));

  return {
    app,
    trades: ledger.trades,
    trade: ledger.trade,
    confirm: ledger.confirm,
    decline: ledger.decline,
    issueCode: ledger.issueCode,
    reset: ledger.reset,
    close: () => {
      releaseAll();
      ledger.close();
    },
  };
}

type ParamsRead = { params: Record<string, string> } | { refusal: Refusal };

/**
 * Parameters from the query string and a form body together (the official SDKs put the common
 * parameters in the URL and biz_content in the body). A name given twice is refused.
 */
async function readParams(c: Context): Promise<ParamsRead> {
  const sources = [new URL(c.req.url).searchParams];
  if (c.req.method === 'POST') {
    const type = c.req.header('content-type') ?? '';
    if (type && !type.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
      return { refusal: refusal('40002', 'isv.invalid-parameter', '请求内容必须是application/x-www-form-urlencoded表单') };
    }
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(await c.req.arrayBuffer());
    } catch {
      return { refusal: refusal('40002', 'isv.invalid-charset', '请求不是合法的utf-8') };
    }
    sources.push(new URLSearchParams(text));
  }
  const params: Record<string, string> = {};
  for (const source of sources) {
    for (const [name, value] of source) {
      if (Object.hasOwn(params, name)) return { refusal: refusal('40002', 'isv.invalid-parameter', `参数${name}重复`) };
      params[name] = value;
    }
  }
  return { params };
}
