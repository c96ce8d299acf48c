import { isIP } from 'node:net';
import { isWechatCode } from '../../shared/payment-code.ts';
import { parseBeijingStamp } from './time.ts';

/**
 * Field rules of each gateway call, with the official field tables' maximum lengths. Lengths
 * are UTF-8 bytes, as WeChat counts them (a Chinese character is 3). Empty values count as
 * absent, as in the signature. Fields a call does not know are accepted and ignored.
 *
 * Two kinds of refusal, as the real gateway sends them:
 * - a required field missing or a value longer than its table allows: `return_code=FAIL`,
 *   unsigned, `return_msg` 缺少参数 / `<name>参数长度有误` (real captures of both);
 * - a value of the wrong form: a signed business error (PARAM_ERROR, AUTH_CODE_INVALID).
 */
export type ValidationCode = 'PARAM_ERROR' | 'AUTH_CODE_INVALID';
export interface ValidationError {
  code: ValidationCode;
  des: string;
}
/** An envelope refusal: answered `return_code=FAIL` with this return_msg, unsigned. */
export interface ReturnFail {
  return_msg: string;
}
export type Refusal = ValidationError | ReturnFail;

export const isReturnFail = (r: Refusal): r is ReturnFail => 'return_msg' in r;

type Check = (value: string, name: string) => ValidationError | null;
interface Rule {
  required?: boolean;
  /** Maximum length in UTF-8 bytes (the field table's String(n)). */
  max?: number;
  checks: Check[];
}

const paramError = (des: string): ValidationError => ({ code: 'PARAM_ERROR', des });

/** The real gateway's texts for the envelope refusals. */
export const MISSING_PARAMETER = '缺少参数';
export const tooLong = (name: string) => `${name}参数长度有误`;

/** WeChat's real text when time_expire leaves less than a minute (a live micropay answer). */
export const TIME_EXPIRE_TOO_SHORT = 'time_expire时间过短，刷卡至少1分钟，其他5分钟';

const pattern =
  (re: RegExp): Check =>
  (v, name) =>
    re.test(v) ? null : paramError(`${name}参数格式错误`);

const oneOf =
  (...allowed: string[]): Check =>
  (v, name) =>
    allowed.includes(v) ? null : paramError(`${name}参数错误，只能是${allowed.join('/')}`);

/** A positive integer number of fen, as text, within WeChat's Int range. */
const positiveFen: Check = (v, name) =>
  /^[1-9]\d{0,9}$/.test(v) && Number(v) <= 2_147_483_647 ? null : paramError(`${name}参数格式错误，应为正整数（单位：分）`);

const ipAddress: Check = (v, name) => (isIP(v) ? null : paramError(`${name}参数格式错误`));

const stamp: Check = (v, name) => (parseBeijingStamp(v) ? null : paramError(`${name}参数格式错误，应为yyyyMMddHHmmss`));

const day: Check = (v, name) => (/^\d{8}$/.test(v) && parseBeijingStamp(`${v}000000`) ? null : paramError(`${name}参数格式错误，应为yyyyMMdd`));

const wechatCode: Check = (v) =>
  isWechatCode(v) ? null : { code: 'AUTH_CODE_INVALID', des: '请扫描微信支付授权码(以10/11/12/13/14/15开头的18位数字)' };

const req = (max: number | undefined, ...checks: Check[]): Rule => ({ required: true, ...(max ? { max } : {}), checks });
const opt = (max: number | undefined, ...checks: Check[]): Rule => ({ ...(max ? { max } : {}), checks });

const OUT_TRADE_NO = pattern(/^[0-9A-Za-z_\-|*]+$/);
const OUT_REFUND_NO = pattern(/^[0-9A-Za-z_\-|*@]+$/);
const DIGITS = pattern(/^\d+$/);

/** Every call: the merchant ids and the nonce (String(32) each). */
const ENVELOPE: Record<string, Rule> = {
  appid: req(32),
  mch_id: req(32),
  nonce_str: req(32),
  sub_appid: opt(32),
  sub_mch_id: opt(32),
  sign_type: opt(32),
};

const MICROPAY: Record<string, Rule> = {
  body: req(128),
  out_trade_no: req(32, OUT_TRADE_NO),
  total_fee: req(undefined, positiveFen),
  spbill_create_ip: req(64, ipAddress),
  auth_code: req(128, wechatCode),
  device_info: opt(32),
  attach: opt(127),
  detail: opt(6000),
  goods_tag: opt(32),
  fee_type: opt(16, oneOf('CNY')),
  limit_pay: opt(32, oneOf('no_credit')),
  time_start: opt(14, stamp),
  time_expire: opt(14, stamp),
  receipt: opt(8),
  scene_info: opt(256),
  version: opt(32),
};

const BY_ORDER: Record<string, Rule> = {
  transaction_id: opt(32, DIGITS),
  out_trade_no: opt(32, OUT_TRADE_NO),
};

const REFUND: Record<string, Rule> = {
  ...BY_ORDER,
  out_refund_no: req(64, OUT_REFUND_NO),
  total_fee: req(undefined, positiveFen),
  refund_fee: req(undefined, positiveFen),
  refund_fee_type: opt(8, oneOf('CNY')),
  refund_desc: opt(80),
  refund_account: opt(30, oneOf('REFUND_SOURCE_UNSETTLED_FUNDS', 'REFUND_SOURCE_RECHARGE_FUNDS')),
  notify_url: opt(256),
};

const REFUND_QUERY: Record<string, Rule> = {
  ...BY_ORDER,
  out_refund_no: opt(64, OUT_REFUND_NO),
  refund_id: opt(32, DIGITS),
  offset: opt(undefined, pattern(/^\d{1,4}$/)),
};

const DOWNLOAD_BILL: Record<string, Rule> = {
  bill_date: req(8, day),
  bill_type: opt(8, oneOf('ALL', 'SUCCESS', 'REFUND', 'RECHARGE_REFUND')),
  tar_type: opt(8, oneOf('GZIP')),
};

const absent = (v: string | undefined) => v === undefined || v === '';

/** First pass, as the gateway's front door does it: presence and length, refused unsigned. */
function envelopeRules(fields: Record<string, string>, rules: Record<string, Rule>): ReturnFail | null {
  for (const [name, rule] of Object.entries(rules)) {
    const value = fields[name];
    if (absent(value)) {
      if (rule.required) return { return_msg: MISSING_PARAMETER };
      continue;
    }
    if (rule.max !== undefined && Buffer.byteLength(value!, 'utf8') > rule.max) return { return_msg: tooLong(name) };
  }
  return null;
}

/** Second pass: the form of each value, refused as a signed business error. */
function formRules(fields: Record<string, string>, rules: Record<string, Rule>): ValidationError | null {
  for (const [name, rule] of Object.entries(rules)) {
    const value = fields[name];
    if (absent(value)) continue;
    for (const check of rule.checks) {
      const error = check(value!, name);
      if (error) return error;
    }
  }
  return null;
}

const atLeastOne = (fields: Record<string, string>, names: string[]): ReturnFail | null =>
  names.some((n) => !absent(fields[n])) ? null : { return_msg: MISSING_PARAMETER };

/** The envelope every call shares (merchant ids, nonce): missing or over-long → unsigned FAIL. */
export function validateEnvelope(f: Record<string, string>): ReturnFail | null {
  return envelopeRules(f, ENVELOPE);
}

/** Each call's rules: the unsigned envelope refusals first, then the signed ones. */
function validate(f: Record<string, string>, rules: Record<string, Rule>, oneOfNames?: string[]): Refusal | null {
  return (oneOfNames ? atLeastOne(f, oneOfNames) : null) ?? envelopeRules(f, rules) ?? formRules(f, rules);
}

/**
 * micropay. time_start and time_expire are Beijing time (UTC+8) whatever the caller's zone:
 * time_expire must leave at least a minute after Beijing's now and after time_start.
 */
export function validateMicropay(f: Record<string, string>, now: Date): Refusal | null {
  const error = validate(f, MICROPAY);
  if (error) return error;
  if (f.time_expire) {
    const expire = parseBeijingStamp(f.time_expire)!.getTime();
    const start = f.time_start ? parseBeijingStamp(f.time_start)!.getTime() : now.getTime();
    if (expire - Math.max(now.getTime(), start) < 60_000) return paramError(TIME_EXPIRE_TOO_SHORT);
  }
  return null;
}

export function validateByOrder(f: Record<string, string>): Refusal | null {
  return validate(f, BY_ORDER, ['transaction_id', 'out_trade_no']);
}

export function validateRefund(f: Record<string, string>): Refusal | null {
  const error = validate(f, REFUND, ['transaction_id', 'out_trade_no']);
  if (error) return error;
  if (Number(f.refund_fee) > Number(f.total_fee)) return paramError('退款金额大于订单金额');
  return null;
}

export function validateRefundQuery(f: Record<string, string>): Refusal | null {
  return validate(f, REFUND_QUERY, ['refund_id', 'out_refund_no', 'transaction_id', 'out_trade_no']);
}

export function validateDownloadBill(f: Record<string, string>): Refusal | null {
  return validate(f, DOWNLOAD_BILL);
}
