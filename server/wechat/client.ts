import { parseBill, type Bill, type BillType } from './bill.ts';
import { ENDPOINTS, defaultBackupBase, isPlainHttp, trimBase, type Endpoint } from './endpoints.ts';
import { GatewayConfigError, GatewayError, GatewayRequestError, type Gateway, type Outcome } from './gateway.ts';
import { nonceStr } from './nonce.ts';
import {
  badResponse,
  byOutTradeNo,
  micropayFields,
  readOrderState,
  readPaidOrder,
  readRefundAccepted,
  readRefundState,
  readReverse,
  refundFields,
  refundQueryFields,
  type RequestFields,
} from './operations.ts';
import { sign, verify, type SignType } from './sign.ts';
import { createHttpTransport, type Transport } from './transport.ts';
import { MAX_XML_BYTES, XmlError, parseXml, toXml, type XmlFields } from './xml.ts';

export interface WechatConfig {
  appid: string;
  mch_id: string;
  key: string;
  signType: SignType;
  /** Provider (服务商) mode: the sub-merchant and its app. */
  subMchId?: string;
  subAppid?: string;
  /** e.g. https://api.mch.weixin.qq.com; an http:// base is a local simulator (no client certificate). */
  apiBase: string;
  /** Where queries and reversals go when apiBase cannot be reached. Unset: WeChat's api2 host for the main host, none otherwise; '' turns failover off. */
  backupBase?: string;
  /** Client certificate and key as PEM text (see cert.ts loadCertificate). */
  certPem?: string;
  keyPem?: string;
  /** Deadline of one HTTP exchange. */
  timeoutMs: number;
  /** IP of this machine for spbill_create_ip when a request gives none. */
  spbillCreateIp?: string;
}

export interface BillQuery {
  /** yyyyMMdd, Beijing time. */
  bill_date: string;
  bill_type?: BillType;
  /** 'GZIP': WeChat sends the bill gzipped (a busy day's bill is a few MB of text). */
  tar_type?: 'GZIP';
}

export interface WechatClient extends Gateway {
  /** The day's bill: CSV parsed into records in fen; a failure (e.g. "No Bill Exist") is `rejected`. */
  downloadBill(q: BillQuery): Promise<Outcome<Bill>>;
  /** Drops idle connections (tests, shutdown). */
  close(): void;
}

/** A busy shop's day bill is a few MB; it is not on the payment path, so it gets more time. */
const BILL_TIMEOUT_MS = 60_000;
const MAX_BILL_BYTES = 64 * 1024 * 1024;
const FALLBACK_IP = '127.0.0.1';

interface SendOptions {
  /** Retry on backupBase after a network error or timeout (queries and reversals only). */
  failover: boolean;
  timeoutMs: number;
  maxBytes: number;
}

export function createWechatClient(config: WechatConfig, deps: { transport?: Transport } = {}): WechatClient {
  const apiBase = trimBase(config.apiBase);
  const backupBase = config.backupBase === undefined ? defaultBackupBase(apiBase) : config.backupBase ? trimBase(config.backupBase) : undefined;
  const hasCertificate = Boolean(config.certPem && config.keyPem);
  const transport =
    deps.transport ??
    createHttpTransport({ ...(hasCertificate ? { certPem: config.certPem!, keyPem: config.keyPem! } : {}) });
  const { key, signType } = config;
  const merchant: RequestFields = {
    appid: config.appid,
    mch_id: config.mch_id,
    sub_appid: config.subAppid,
    sub_mch_id: config.subMchId,
  };
  const defaultIp = config.spbillCreateIp || FALLBACK_IP;
  const callOptions = (failover: boolean): SendOptions => ({ failover, timeoutMs: config.timeoutMs, maxBytes: MAX_XML_BYTES });

  /**
   * The pipeline every XML call follows (docs/wechat-protocol.md): fields → nonce_str → sign → POST with a
   * timeout → parse → return_code → signature over every returned field → typed result.
   * It never hands back an unverified body.
   */
  async function call<T>(endpoint: Endpoint, business: RequestFields, read: (fields: XmlFields) => T, options: SendOptions): Promise<Outcome<T>> {
    const body = signedRequest(business);
    const text = await send(endpoint, body, options);
    const answer = verifiedAnswer(text);
    if (answer.kind === 'rejected') return answer;
    return typedResult(answer.fields, read);
  }

  function signedRequest(business: RequestFields): string {
    const fields: RequestFields = { ...merchant, ...business, nonce_str: nonceStr(), sign_type: signType };
    fields.sign = sign(fields, key, signType);
    try {
      return toXml(fields);
    } catch (error) {
      if (error instanceof XmlError) throw new GatewayRequestError(`the request cannot be sent: ${error.message}. Nothing was sent.`);
      throw error;
    }
  }

  async function send(endpoint: Endpoint, body: string, options: SendOptions): Promise<string> {
    requireCertificate(endpoint, apiBase);
    const post = { timeoutMs: options.timeoutMs, maxBytes: options.maxBytes, resendOnStaleConnection: endpoint.resend };
    try {
      return await transport.post(apiBase + endpoint.path, body, post);
    } catch (error) {
      const unreachable = error instanceof GatewayError && (error.kind === 'network' || error.kind === 'timeout');
      if (!options.failover || !backupBase || !unreachable || !certificateAvailable(endpoint, backupBase)) throw error;
      try {
        return await transport.post(backupBase + endpoint.path, body, post);
      } catch (backupError) {
        if (!(backupError instanceof GatewayError)) throw backupError;
        throw new GatewayError(backupError.kind, `${error.message}; backup: ${backupError.message}`, { cause: backupError });
      }
    }
  }

  function certificateAvailable(endpoint: Endpoint, base: string): boolean {
    return !endpoint.mtls || isPlainHttp(base) || hasCertificate;
  }

  function requireCertificate(endpoint: Endpoint, base: string): void {
    if (certificateAvailable(endpoint, base)) return;
    throw new GatewayConfigError(
      'CERT_MISSING',
      `${endpoint.path} needs the merchant API certificate: set WECHAT_CERT_PEM and WECHAT_KEY_PEM to apiclient_cert.pem and apiclient_key.pem. Nothing was sent.`,
    );
  }

  /** return_code FAIL answers are unsigned and say the request was not processed; SUCCESS answers must verify. */
  function verifiedAnswer(text: string): { kind: 'verified'; fields: XmlFields } | Extract<Outcome<never>, { kind: 'rejected' }> {
    let fields: XmlFields;
    try {
      fields = parseXml(text);
    } catch (error) {
      if (error instanceof XmlError) throw new GatewayError('bad_response', `malformed answer: ${error.message}`, { cause: error });
      throw error;
    }
    if (fields.return_code === 'FAIL') return { kind: 'rejected', message: fields.return_msg || 'FAIL', fields };
    if (fields.return_code !== 'SUCCESS') throw badResponse(`return_code is "${fields.return_code ?? ''}", not SUCCESS or FAIL`);
    // With the request's algorithm: answers carry no sign_type (docs/wechat-protocol.md).
    if (!verify(fields, key, signType)) {
      throw new GatewayError('bad_signature', `the answer's signature does not verify with the merchant key (${signType}): outcome unknown`);
    }
    return { kind: 'verified', fields };
  }

  function typedResult<T>(fields: XmlFields, read: (fields: XmlFields) => T): Outcome<T> {
    if (fields.result_code === 'SUCCESS') return { kind: 'ok', value: read(fields), fields };
    if (fields.result_code === 'FAIL') {
      if (!fields.err_code) throw badResponse('result_code FAIL without err_code');
      return { kind: 'business_error', code: fields.err_code, description: fields.err_code_des ?? '', fields };
    }
    throw badResponse(`result_code is "${fields.result_code ?? ''}", not SUCCESS or FAIL`);
  }

  return {
    micropay: async (req) =>
      call(ENDPOINTS.micropay, micropayFields(req, defaultIp), (f) => readPaidOrder(f, req.out_trade_no), callOptions(false)),
    orderQuery: async (q) => call(ENDPOINTS.orderQuery, byOutTradeNo(q), (f) => readOrderState(f, q.out_trade_no), callOptions(true)),
    reverse: async (q) => call(ENDPOINTS.reverse, byOutTradeNo(q), readReverse, callOptions(true)),
    refund: async (req) => call(ENDPOINTS.refund, refundFields(req), (f) => readRefundAccepted(f, req), callOptions(false)),
    refundQuery: async (q) => call(ENDPOINTS.refundQuery, refundQueryFields(q), (f) => readRefundState(f, q.out_refund_no), callOptions(false)),

    /** Success answers CSV (unsigned, like every bill); failure answers XML: branch on a leading `<`. */
    async downloadBill(q) {
      const body = signedRequest({ bill_date: q.bill_date, bill_type: q.bill_type ?? 'ALL', ...(q.tar_type ? { tar_type: q.tar_type } : {}) });
      const options = { failover: false, timeoutMs: Math.max(config.timeoutMs, BILL_TIMEOUT_MS), maxBytes: MAX_BILL_BYTES };
      const text = await send(ENDPOINTS.downloadBill, body, options);
      if (text.trimStart().startsWith('<')) {
        const answer = verifiedAnswer(text);
        if (answer.kind === 'rejected') return answer;
        return typedResult(answer.fields, () => {
          throw badResponse('a SUCCESS XML answer where the bill CSV was expected');
        });
      }
      return { kind: 'ok', value: parseBill(text), fields: {} };
    },

    close: () => transport.close(),
  };
}
