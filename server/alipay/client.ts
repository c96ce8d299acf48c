import type { KeyObject } from 'node:crypto';
import { createHttpTransport, type Transport } from '../wechat/transport.ts';
import { downloadBill, type AlipayBill } from './bill.ts';
import { GatewayError, type AlipayAnswer, type AlipayGateway, type AlipayOutcome, type BillUrl, type BillUrlQuery, type CallOptions, type WaitingTrade } from './gateway.ts';
import { loadPrivateKey, loadPublicKey } from './keys.ts';
import {
  METHODS,
  badResponse,
  billUrlContent,
  bizJson,
  byOutTradeNo,
  optionalText,
  payContent,
  readBillUrl,
  readCancel,
  readPaidTrade,
  readRefund,
  readRefundState,
  readTradeState,
  readWaiting,
  refundContent,
  refundQueryContent,
  responseKey,
  type BizContent,
  type Method,
} from './operations.ts';
import { AnswerFormatError, topLevelMembers } from './response.ts';
import { rsa2Verify, signParams } from './sign.ts';

export const PRODUCTION_GATEWAY = 'https://openapi.alipay.com/gateway.do';
/** What the official SDKs use per call (alipay-sdk: 5 s; Java: 3 s connect + 15 s read); the flow queries after it. */
export const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_ANSWER_BYTES = 256 * 1024;
const BILL_TIMEOUT_MS = 60_000;

export interface AlipayConfig {
  appId: string;
  /** The app private key (PEM PKCS#1 or PKCS#8, or bare base64), or a loaded KeyObject. */
  privateKey: string | KeyObject;
  /** Alipay's public key (not the app's), PEM or bare base64, or a loaded KeyObject. */
  alipayPublicKey: string | KeyObject;
  /** Default https://openapi.alipay.com/gateway.do; an http:// URL is a local simulator. */
  gateway?: string;
  /** Deadline of one HTTP exchange, unless a call gives its own. */
  timeoutMs?: number;
  /** Service-provider mode: the merchant's app_auth_token. */
  appAuthToken?: string;
  /** Clock for the `timestamp` parameter (tests). */
  now?: () => Date;
}

export interface AlipayClient extends AlipayGateway {
  /** alipay.data.dataservice.bill.downloadurl.query: where the day's (or month's) bill can be fetched for 30 s. */
  billDownloadUrl(q: BillUrlQuery, options?: CallOptions): Promise<AlipayOutcome<BillUrl>>;
  /** Fetches and reads the bill zip the URL points to (the trade detail CSV, in fen). */
  downloadBill(url: string, options?: CallOptions): Promise<AlipayBill>;
  close(): void;
}

/** The gateway's answer codes that mean "refused before the business": the request was not processed. */
const REJECTED_CODES = new Set(['20001', '40001', '40002', '40003', '40005', '40006']);
/**
 * 40004 sub_codes Alipay documents as "query the trade" / "call again": the outcome is unknown,
 * not a failure. Its documents spell them ACQ.SYSTEM_ERROR, AQC.SYSTEM_ERROR (cancel) and
 * aop.ACQ.SYSTEM_ERROR, and isp/aop.unknow-error under 20000.
 */
const isUnknownSubCode = (subCode: string) => /SYSTEM_ERROR$/.test(subCode) || subCode.endsWith('unknow-error');

export function createAlipayClient(config: AlipayConfig, deps: { transport?: Transport } = {}): AlipayClient {
  const privateKey = typeof config.privateKey === 'string' ? loadPrivateKey(config.privateKey, 'ALIPAY_PRIVATE_KEY').key : config.privateKey;
  const alipayPublicKey = typeof config.alipayPublicKey === 'string' ? loadPublicKey(config.alipayPublicKey, 'ALIPAY_PUBLIC_KEY').key : config.alipayPublicKey;
  const gateway = config.gateway ?? PRODUCTION_GATEWAY;
  const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const now = config.now ?? (() => new Date());
  const transport = deps.transport ?? createHttpTransport();

  /**
   * The pipeline every call follows: common parameters + biz_content → RSA2 signature → POST with
   * a deadline → the `<method>_response` text cut out as sent → signature over that text →
   * code → typed result. It never hands back an unverified answer.
   */
  async function call<T>(
    endpoint: Method,
    content: BizContent,
    read: (answer: AlipayAnswer) => T,
    options: CallOptions | undefined,
    readWaitingTrade?: (answer: AlipayAnswer) => WaitingTrade,
  ): Promise<AlipayOutcome<T>> {
    const body = signedRequest(endpoint.method, content);
    const text = await transport.post(gateway, body, {
      timeoutMs: options?.timeoutMs ?? timeoutMs,
      maxBytes: MAX_ANSWER_BYTES,
      resendOnStaleConnection: endpoint.resend,
      contentType: 'application/x-www-form-urlencoded;charset=utf-8',
      accept: 'application/json',
    });
    const { answer, signed } = verifiedAnswer(endpoint.method, text);
    return typedResult(endpoint, answer, signed, read, readWaitingTrade);
  }

  function signedRequest(method: string, content: BizContent): string {
    const params = signParams(
      {
        app_id: config.appId,
        method,
        format: 'JSON',
        charset: 'utf-8',
        sign_type: 'RSA2',
        timestamp: beijingTimestamp(now()),
        version: '1.0',
        app_auth_token: config.appAuthToken,
        biz_content: bizJson(content),
      },
      privateKey,
    );
    return new URLSearchParams(params).toString();
  }

  /** The answer object as sent, and whether a signature covered it (it verified, or this threw). */
  function verifiedAnswer(method: string, text: string): { answer: AlipayAnswer; signed: boolean } {
    let members: Map<string, string>;
    try {
      members = topLevelMembers(text);
    } catch (error) {
      if (error instanceof AnswerFormatError) throw badResponse(error.message);
      throw error;
    }
    const key = responseKey(method);
    const raw = members.get(key) ?? members.get('error_response');
    if (raw === undefined) throw badResponse(`no ${key} in the answer`);
    const answer = JSON.parse(raw) as unknown;
    if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) throw badResponse(`${key} is not an object`);
    const signText = members.get('sign');
    if (signText === undefined) return { answer: answer as AlipayAnswer, signed: false };
    const sign = JSON.parse(signText) as unknown;
    if (typeof sign !== 'string' || !rsa2Verify(raw, sign, alipayPublicKey)) {
      throw new GatewayError('bad_signature', `the answer to ${method} does not verify with the Alipay public key (RSA2): outcome unknown`);
    }
    return { answer: answer as AlipayAnswer, signed: true };
  }

  function typedResult<T>(
    endpoint: Method,
    answer: AlipayAnswer,
    signed: boolean,
    read: (answer: AlipayAnswer) => T,
    readWaitingTrade?: (answer: AlipayAnswer) => WaitingTrade,
  ): AlipayOutcome<T> {
    const code = optionalText(answer, 'code');
    if (code === undefined) throw badResponse('code is missing');
    const description = optionalText(answer, 'sub_msg') ?? optionalText(answer, 'msg') ?? '';
    const subCode = optionalText(answer, 'sub_code');
    // Only a refusal before the business may come unsigned; anything that reports on a trade must verify.
    if (REJECTED_CODES.has(code)) return { kind: 'rejected', code: subCode ?? code, message: description || code, answer };
    if (!signed) throw new GatewayError('bad_signature', `the answer to ${endpoint.method} (code ${code}) carries no signature: outcome unknown`);
    if (code === '10000') return { kind: 'ok', value: read(answer), answer };
    if (endpoint === METHODS.cancel && answer.retry_flag === 'Y') return { kind: 'ok', value: read(answer), answer };
    // 10003 is documented for trade.pay only: the customer confirms on the phone.
    if (code === '10003' && readWaitingTrade) return { kind: 'waiting', value: readWaitingTrade(answer), answer };
    if (code === '40004') {
      if (!subCode) throw badResponse('code 40004 without sub_code');
      if (isUnknownSubCode(subCode)) return { kind: 'unknown', code: subCode, description, answer };
      return { kind: 'business_error', code: subCode, description, answer };
    }
    // 20000 (service unavailable), 10003 outside trade.pay, or a code Alipay does not document here.
    return { kind: 'unknown', code: subCode ?? code, description: description || code, answer };
  }

  return {
    // async: a caller's bad argument (RangeError) is a rejection like every other failure.
    pay: async (req, options) =>
      call(METHODS.pay, payContent(req), (a) => readPaidTrade(a, req.out_trade_no), options, (a) => readWaiting(a, req.out_trade_no)),
    query: async (q, options) => call(METHODS.query, byOutTradeNo(q), (a) => readTradeState(a, q.out_trade_no), options),
    cancel: async (q, options) => call(METHODS.cancel, byOutTradeNo(q), readCancel, options),
    refund: async (req, options) => call(METHODS.refund, refundContent(req), (a) => readRefund(a, req), options),
    refundQuery: async (q, options) => call(METHODS.refundQuery, refundQueryContent(q), (a) => readRefundState(a, q), options),
    billDownloadUrl: async (q, options) => call(METHODS.billUrl, billUrlContent(q), readBillUrl, options),
    downloadBill: async (url, options) => downloadBill(url, { timeoutMs: options?.timeoutMs ?? Math.max(timeoutMs, BILL_TIMEOUT_MS) }),
    close: () => transport.close(),
  };
}

/** `yyyy-MM-dd HH:mm:ss` in Beijing time (UTC+8, no daylight saving), as the gateway expects. */
export function beijingTimestamp(date: Date): string {
  return new Date(date.getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}
