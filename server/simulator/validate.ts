import { isIP } from 'node:net';
import { isWechatCode } from '../../shared/payment-code.ts';
import { parseBeijingStamp } from './time.ts';

/**
 * Field rules of each gateway call, answered with WeChat's own error codes. Lengths are UTF-8
 * bytes, as WeChat counts them (a Chinese character is 3). Empty values count as absent, as in
 * the signature. Fields a call does not know are accepted and ignored, as WeChat does.
 */
export type ValidationCode = 'LACK_PARAMS' | 'PARAM_ERROR' | 'AUTH_CODE_INVALID';
export interface ValidationError {
  code: ValidationCode;
  des: string;
}

type Check = (value: string, name: string) => ValidationError | null;
interface Rule {
  required?: boolean;
  checks: Check[];
}

const paramError = (des: string): ValidationError => ({ code: 'PARAM_ERROR', des });

const maxBytes =
  (n: number): Check =>
  (v, name) =>
    Buffer.byteLength(v, 'utf8') > n ? paramError(`${name}参数长度有误（最多${n}字节）`) : null;

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

const OUT_TRADE_NO = [maxBytes(32), pattern(/^[0-9A-Za-z_\-|*]+$/)];
const OUT_REFUND_NO = [maxBytes(64), pattern(/^[0-9A-Za-z_\-|*@]+$/)];
const WECHAT_ID = [maxBytes(32), pattern(/^\d+$/)];

const req = (...checks: Check[]): Rule => ({ required: true, checks });
const opt = (...checks: Check[]): Rule => ({ checks });

const MICROPAY: Record<string, Rule> = {
  body: req(maxBytes(128)),
  out_trade_no: req(...OUT_TRADE_NO),
  total_fee: req(positiveFen),
  spbill_create_ip: req(ipAddress),
  auth_code: req(wechatCode),
  device_info: opt(maxBytes(32)),
  attach: opt(maxBytes(127)),
  detail: opt(maxBytes(6000)),
  goods_tag: opt(maxBytes(32)),
  fee_type: opt(oneOf('CNY')),
  limit_pay: opt(oneOf('no_credit')),
  time_start: opt(stamp),
  time_expire: opt(stamp),
};

const BY_ORDER: Record<string, Rule> = {
  transaction_id: opt(...WECHAT_ID),
  out_trade_no: opt(...OUT_TRADE_NO),
};

const REFUND: Record<string, Rule> = {
  ...BY_ORDER,
  out_refund_no: req(...OUT_REFUND_NO),
  total_fee: req(positiveFen),
  refund_fee: req(positiveFen),
  refund_fee_type: opt(oneOf('CNY')),
  refund_desc: opt(maxBytes(80)),
  refund_account: opt(oneOf('REFUND_SOURCE_UNSETTLED_FUNDS', 'REFUND_SOURCE_RECHARGE_FUNDS')),
  notify_url: opt(maxBytes(256)),
};

const REFUND_QUERY: Record<string, Rule> = {
  ...BY_ORDER,
  out_refund_no: opt(...OUT_REFUND_NO),
  refund_id: opt(...WECHAT_ID),
  offset: opt(pattern(/^\d{1,4}$/)),
};

const DOWNLOAD_BILL: Record<string, Rule> = {
  bill_date: req(day),
  bill_type: opt(oneOf('ALL', 'SUCCESS', 'REFUND', 'RECHARGE_REFUND')),
  tar_type: opt(oneOf('GZIP')),
};

function applyRules(fields: Record<string, string>, rules: Record<string, Rule>): ValidationError | null {
  for (const [name, rule] of Object.entries(rules)) {
    const value = fields[name];
    if (value === undefined || value === '') {
      if (rule.required) return { code: 'LACK_PARAMS', des: `缺少参数${name}` };
      continue;
    }
    for (const check of rule.checks) {
      const error = check(value, name);
      if (error) return error;
    }
  }
  return null;
}

function atLeastOne(fields: Record<string, string>, names: string[]): ValidationError | null {
  return names.some((n) => fields[n]) ? null : { code: 'LACK_PARAMS', des: `${names.join('、')}至少填一个` };
}

export function validateMicropay(f: Record<string, string>): ValidationError | null {
  const error = applyRules(f, MICROPAY);
  if (error) return error;
  if (f.time_start && f.time_expire) {
    const start = parseBeijingStamp(f.time_start)!.getTime();
    const expire = parseBeijingStamp(f.time_expire)!.getTime();
    if (expire - start < 60_000) return paramError('time_expire时间过短，刷卡至少1分钟');
  }
  return null;
}

export function validateByOrder(f: Record<string, string>): ValidationError | null {
  return atLeastOne(f, ['transaction_id', 'out_trade_no']) ?? applyRules(f, BY_ORDER);
}

export function validateRefund(f: Record<string, string>): ValidationError | null {
  const error = atLeastOne(f, ['transaction_id', 'out_trade_no']) ?? applyRules(f, REFUND);
  if (error) return error;
  if (Number(f.refund_fee) > Number(f.total_fee)) return paramError('退款金额大于订单金额');
  return null;
}

export function validateRefundQuery(f: Record<string, string>): ValidationError | null {
  return atLeastOne(f, ['refund_id', 'out_refund_no', 'transaction_id', 'out_trade_no']) ?? applyRules(f, REFUND_QUERY);
}

export function validateDownloadBill(f: Record<string, string>): ValidationError | null {
  return applyRules(f, DOWNLOAD_BILL);
}
