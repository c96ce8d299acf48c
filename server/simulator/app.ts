import { createHash } from 'node:crypto';
import { createDelays } from './delays.ts';
import { gzipSync } from 'node:zlib';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { isSignType, sign, verify, type SignType } from '../wechat/sign.ts';
import { MAX_XML_BYTES, parseXml, toXml, XmlError, type XmlFields } from '../wechat/xml.ts';
import { createAlipaySimulator, type AlipaySimulator } from './alipay/app.ts';
import { barcodeSvg, type Symbology } from './barcode.ts';
import { controlGuard } from './control-guard.ts';
import { controlRoutes } from './control-routes.ts';
import { renderBill, selectRecords, type BillType } from './bill.ts';
import { nonceStr } from './ids.ts';
import { createLedger, type Answer, type SimOrder } from './ledger/index.ts';
import { SIMULATOR_DEFAULTS } from './defaults.ts';
import { memoryLedgerStore, sqliteLedgerStore } from './ledger-store.ts';
import { phonePage } from './phone.ts';
import { isAlipayBehaviour, isBehaviour, testCodeList, type AlipayBehaviour, type Behaviour } from './test-codes.ts';
import { beijingDay } from './time.ts';
import { isReturnFail, validateByOrder, validateDownloadBill, validateEnvelope, validateMicropay, validateRefund, validateRefundQuery, type Refusal } from './validate.ts';

export type { SimOrder, SimRefund, SimTradeState } from './ledger/index.ts';

/**
 * A WeChat Pay v2 gateway at WeChat's own paths, for development, tests, demos and cashier
 * training (WeChat's sandbox is retired). It checks requests the way the real gateway does
 * (XML, signature, merchant ids, field formats), keeps its ledger in memory or, given a file,
 * in SQLite (ledger-store.ts), and behaves by test payment code (test-codes.ts). JSON control endpoints and a "customer phone" page drive it.
 */

/** Credentials the simulator accepts when WECHAT_APPID / WECHAT_MCH_ID / WECHAT_API_KEY are unset. */
export { SIMULATOR_DEFAULTS };

export interface SimulatorOptions {
  appid?: string;
  mch_id?: string;
  key?: string;
  /** Added to every gateway answer (default 0). */
  latencyMs?: number;
  /** Delay of the 'slow' behaviour's micropay answer (default 10000: longer than a client timeout). */
  slowMs?: number;
  /** When a 'password_declined' payment fails (default 3000). */
  passwordDeclineMs?: number;
  /** How long an accepted refund stays PROCESSING before SUCCESS (default 1000; 0 = at once). */
  refundSettleMs?: number;
  /** How long a code from POST /control/codes or the phone page can be charged (default 180000). */
  codeTtlMs?: number;
  /** An unpaid order (the customer never confirmed) is revoked this long after creation (default 45000, as WeChat). */
  unpaidRevokeMs?: number;
  /** How many orderqueries of a query_systemerror order answer SYSTEMERROR (default 3). */
  querySystemErrors?: number;
  /**
   * The SQLite file that keeps the ledger across restarts (created if missing; held exclusively,
   * a second simulator on it throws LedgerInUseError). Default: memory only. Alipay's trades go
   * to a file beside it (alipayLedgerFile: simulator.sqlite → simulator-alipay.sqlite).
   */
  ledgerFile?: string;
  /** At most this many orders are kept, the oldest dropped first (default 50000). */
  ledgerMaxOrders?: number;
  /** Lets other machines use the control API with header X-Simulator-Token (default: this machine only). */
  controlToken?: string;
  /** The Alipay app id the Alipay simulator accepts (default ALIPAY_APP_ID, else its own default). */
  alipayAppId?: string;
  now?: () => Date;
}

export interface Simulator {
  app: Hono;
  orders(): SimOrder[];
  order(out_trade_no: string): SimOrder | undefined;
  confirm(out_trade_no: string): boolean;
  decline(out_trade_no: string): boolean;
  reset(): void;
  close(): void;
  /** The Alipay gateway at /alipay/gateway.do (same timings and latency). */
  alipay: AlipaySimulator;
}

/** Bills are kept about three months, as at WeChat. */
const BILL_RETENTION_DAYS = 92;

type GatewayResult = Answer | { bill: string; gzip: boolean } | { fail: string; extra?: Record<string, string> };

/** Where the simulated Alipay keeps its trades, beside WeChat's ledger file. */
export function alipayLedgerFile(ledgerFile: string): string {
  return ledgerFile.replace(/(\.sqlite)?$/, '-alipay.sqlite');
}

export function createSimulator(options: SimulatorOptions = {}): Simulator {
  const appid = options.appid ?? SIMULATOR_DEFAULTS.appid;
  const mchId = options.mch_id ?? SIMULATOR_DEFAULTS.mch_id;
  const key = options.key ?? SIMULATOR_DEFAULTS.key;
  const latencyMs = options.latencyMs ?? 0;
  const now = options.now ?? (() => new Date());
  // What the forged_signature behaviour signs with: not the merchant's key, so verification must fail.
  const forgedKey = createHash('md5').update(`forged:${key}`).digest('hex');

  const ledger = createLedger({
    now,
    store: options.ledgerFile ? sqliteLedgerStore(options.ledgerFile) : memoryLedgerStore(),
    ...(options.unpaidRevokeMs !== undefined ? { unpaidRevokeMs: options.unpaidRevokeMs } : {}),
    ...(options.querySystemErrors !== undefined ? { querySystemErrors: options.querySystemErrors } : {}),
    ...(options.ledgerMaxOrders !== undefined ? { maxOrders: options.ledgerMaxOrders } : {}),
    slowMs: options.slowMs ?? 10_000,
    passwordDeclineMs: options.passwordDeclineMs ?? 3_000,
    refundSettleMs: options.refundSettleMs ?? 1_000,
    codeTtlMs: options.codeTtlMs ?? 180_000,
  });

  const { wait, releaseAll } = createDelays();

  const xml = (c: Context, body: string) => c.body(body, 200, { 'Content-Type': 'text/xml; charset=utf-8' });
  const failXml = (msg: string, extra: Record<string, string> = {}) => toXml({ return_code: 'FAIL', return_msg: msg, ...extra });

  /** A signed answer, with the request's algorithm; WeChat never puts sign_type in answers. */
  function signedAnswer(req: XmlFields, signType: SignType, answer: Answer): string {
    const fields: Record<string, string> = {
      return_code: 'SUCCESS',
      return_msg: 'OK',
      appid: req.appid || appid,
      mch_id: req.mch_id || mchId,
      ...(req.sub_appid ? { sub_appid: req.sub_appid } : {}),
      ...(req.sub_mch_id ? { sub_mch_id: req.sub_mch_id } : {}),
      ...(req.device_info ? { device_info: req.device_info } : {}),
      nonce_str: nonceStr(),
    };
    if (answer.ok) Object.assign(fields, { result_code: 'SUCCESS' }, answer.fields);
    else Object.assign(fields, { result_code: 'FAIL', err_code: answer.code, err_code_des: answer.des }, answer.fields ?? {});
    fields.sign = sign(fields, answer.ok && answer.forged ? forgedKey : key, signType);
    return toXml(fields);
  }

  /** A refusal as the gateway sends it: unsigned return_code=FAIL, or a signed business error. */
  const refused = (e: Refusal): GatewayResult => (isReturnFail(e) ? { fail: e.return_msg } : { ok: false, code: e.code, des: e.des });

  /**
   * The envelope every gateway call shares, in WeChat's order: POST, size, UTF-8, XML,
   * sign_type, signature (return_code FAIL, unsigned), then merchant ids and nonce (signed
   * business errors), then the call itself.
   */
  async function gateway(c: Context, call: (f: XmlFields) => GatewayResult): Promise<Response> {
    let delayMs = 0;
    const respond = async (body: string | Uint8Array, type = 'text/xml; charset=utf-8') => {
      await wait(latencyMs + delayMs);
      return c.body(body as string, 200, { 'Content-Type': type });
    };
    if (c.req.method !== 'POST') return respond(failXml('请使用post方法'));

    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(await c.req.arrayBuffer());
    } catch {
      return respond(failXml('编码格式错误，请使用UTF-8'));
    }
    let f: XmlFields;
    try {
      f = parseXml(text);
    } catch (error) {
      if (error instanceof XmlError) return respond(failXml('XML格式错误'));
      throw error;
    }

    const signType = f.sign_type || 'MD5';
    if (!isSignType(signType)) return respond(failXml('sign_type参数错误，只能是MD5或HMAC-SHA256'));
    if (!verify(f, key, signType)) return respond(failXml('签名错误'));

    const business = (answer: Answer) => respond(signedAnswer(f, signType, answer));
    const envelope = validateEnvelope(f);
    if (envelope) return respond(failXml(envelope.return_msg));
    if (f.mch_id !== mchId) return business({ ok: false, code: 'MCHID_NOT_EXIST', des: '商户号不存在' });
    if (f.appid !== appid) {
      // A well-formed appid that is not this merchant's is a mismatch; anything else does not exist.
      return /^wx[0-9A-Za-z]{16}$/.test(f.appid!)
        ? business({ ok: false, code: 'APPID_MCHID_NOT_MATCH', des: 'appid和mch_id不匹配' })
        : business({ ok: false, code: 'APPID_NOT_EXIST', des: 'appid不存在' });
    }

    const result = call(f);
    if ('bill' in result) {
      return result.gzip ? respond(gzipSync(result.bill), 'application/x-gzip') : respond(result.bill, 'text/plain; charset=utf-8');
    }
    if ('fail' in result) return respond(failXml(result.fail, result.extra));
    delayMs = result.delayMs ?? 0;
    return business(result);
  }

  const byOrder = (f: XmlFields) => ({
    ...(f.transaction_id ? { transaction_id: f.transaction_id } : {}),
    ...(f.out_trade_no ? { out_trade_no: f.out_trade_no } : {}),
  });

  function downloadBill(f: XmlFields): GatewayResult {
    const today = beijingDay(now());
    const billDate = f.bill_date!;
    if (billDate > today) return { fail: 'invalid bill_date', extra: { error_code: '20001' } };
    const oldest = beijingDay(new Date(now().getTime() - BILL_RETENTION_DAYS * 86_400_000));
    if (billDate < oldest) return { fail: 'No Bill Exist', extra: { error_code: '20002' } };
    const billType = (f.bill_type || 'ALL') as BillType;
    // A service provider's bill for one sub-merchant holds that sub-merchant's orders only; without sub_mch_id, every order.
    const records = selectRecords(ledger.billRecords(billDate), billType).filter((r) => !f.sub_mch_id || r.sub_mch_id === f.sub_mch_id);
    if (records.length === 0) return { fail: 'No Bill Exist', extra: { error_code: '20002' } };
    const merchant = { appid, mch_id: mchId, ...(f.sub_mch_id ? { sub_mch_id: f.sub_mch_id } : {}) };
    return { bill: renderBill(records, merchant, billType), gzip: f.tar_type === 'GZIP' };
  }

  const app = new Hono();
  const limit = bodyLimit({
    maxSize: MAX_XML_BYTES,
    onError: (c) => xml(c, failXml(`请求体过大（最多${MAX_XML_BYTES}字节）`)),
  });
  const route = (path: string, call: (f: XmlFields) => GatewayResult) => app.all(path, limit, (c) => gateway(c, call));

  route('/pay/micropay', (f) => {
    const invalid = validateMicropay(f, now());
    if (invalid) return refused(invalid);
    return ledger.micropay({
      out_trade_no: f.out_trade_no!,
      total_fee: Number(f.total_fee),
      auth_code: f.auth_code!,
      body: f.body!,
      ...(f.device_info ? { device_info: f.device_info } : {}),
      ...(f.attach ? { attach: f.attach } : {}),
      ...(f.sub_mch_id ? { sub_mch_id: f.sub_mch_id } : {}),
    });
  });
  route('/pay/orderquery', (f) => {
    const invalid = validateByOrder(f);
    return invalid ? refused(invalid) : ledger.orderQuery(byOrder(f));
  });
  route('/secapi/pay/reverse', (f) => {
    const invalid = validateByOrder(f);
    return invalid ? refused(invalid) : ledger.reverse(byOrder(f));
  });
  route('/secapi/pay/refund', (f) => {
    const invalid = validateRefund(f);
    if (invalid) return refused(invalid);
    return ledger.refund({ order: byOrder(f), out_refund_no: f.out_refund_no!, total_fee: Number(f.total_fee), refund_fee: Number(f.refund_fee) });
  });
  route('/pay/refundquery', (f) => {
    const invalid = validateRefundQuery(f);
    if (invalid) return refused(invalid);
    return ledger.refundQuery({
      ...byOrder(f),
      ...(f.out_refund_no ? { out_refund_no: f.out_refund_no } : {}),
      ...(f.refund_id ? { refund_id: f.refund_id } : {}),
      ...(f.offset ? { offset: Number(f.offset) } : {}),
    });
  });
  route('/pay/downloadbill', (f) => {
    const invalid = validateDownloadBill(f);
    return invalid ? refused(invalid) : downloadBill(f);
  });
  route('/payitil/report', () => {
    ledger.report();
    return { ok: true, fields: {} };
  });

  // ---- control (JSON) ----
  app.use('/control/*', controlGuard(options.controlToken ? { token: options.controlToken } : {}));
  app.route(
    '/control',
    controlRoutes({
      noun: 'order',
      waitingFor: 'the password',
      orders: () => ledger.orders(),
      orderForCode: (code) => ledger.orderForCode(code),
      order: (outTradeNo) => ledger.order(outTradeNo),
      state: (order) => order.trade_state,
      confirm: (outTradeNo) => ledger.confirm(outTradeNo),
      decline: (outTradeNo) => ledger.decline(outTradeNo),
      isBehaviour,
      behaviours: testCodeList,
      issueCode: (behaviour) => ledger.issueCode(behaviour),
      reset: () => ledger.reset(),
    }),
  );

  const alipay = createAlipaySimulator({
    now,
    latencyMs,
    ...(options.alipayAppId !== undefined ? { appId: options.alipayAppId } : {}),
    ...(options.slowMs !== undefined ? { slowMs: options.slowMs } : {}),
    ...(options.passwordDeclineMs !== undefined ? { passwordDeclineMs: options.passwordDeclineMs } : {}),
    ...(options.refundSettleMs !== undefined ? { refundSettleMs: options.refundSettleMs } : {}),
    ...(options.codeTtlMs !== undefined ? { codeTtlMs: options.codeTtlMs } : {}),
    ...(options.ledgerFile ? { ledgerFile: alipayLedgerFile(options.ledgerFile) } : {}),
  });
  app.route('/', alipay.app); // Alipay: /alipay/gateway.do, /control/alipay/*

  // ---- customer phone ----
  app.get('/phone', (c) => {
    const asked = c.req.query('behaviour') ?? 'success';
    c.header('Cache-Control', 'no-store');
    if (c.req.query('wallet') === 'alipay') {
      const behaviour: AlipayBehaviour = isAlipayBehaviour(asked) ? asked : 'success';
      return c.html(phonePage(alipay.issueCode(behaviour), behaviour, 'alipay'));
    }
    const behaviour: Behaviour = isBehaviour(asked) ? asked : 'success';
    return c.html(phonePage(ledger.issueCode(behaviour), behaviour));
  });
  const svgRoute = (symbology: Symbology) => (c: Context) => {
    const code = c.req.query('code') ?? '';
    if (!/^\d{1,32}$/.test(code)) return c.text('code must be 1-32 digits', 400);
    return c.body(barcodeSvg(code, symbology), 200, { 'Content-Type': 'image/svg+xml', 'Cache-Control': 'no-store' });
  };
  app.get('/phone/code128.svg', svgRoute('code128'));
  app.get('/phone/qrcode.svg', svgRoute('qrcode'));

  return {
    app,
    orders: ledger.orders,
    order: ledger.order,
    confirm: ledger.confirm,
    decline: ledger.decline,
    reset: () => {
      ledger.reset();
      alipay.reset();
    },
    close: () => {
      releaseAll();
      ledger.close();
      alipay.close();
    },
    alipay,
  };
}
