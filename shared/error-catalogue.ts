/**
 * Every WeChat Pay v2 err_code a POS meets (wechat-pay-v2.md §6), with its class and what the
 * cashier should do, in Chinese and English. The server and the web app switch on the same codes.
 *
 * Classes: U outcome unknown → query; C the customer must act; M merchant configuration or
 * bug, final; S order state; R retry the same call; F final (refund cannot be done this way).
 */
export type ErrorClass = 'U' | 'C' | 'M' | 'S' | 'R' | 'F';
export type Operation = 'micropay' | 'orderquery' | 'reverse' | 'refund' | 'local';

export interface ErrorEntry {
  readonly class: ErrorClass;
  readonly zh: string;
  readonly en: string;
}

type Table = Readonly<Record<string, ErrorEntry>>;
const e = (cls: ErrorClass, zh: string, en: string): ErrorEntry => ({ class: cls, zh, en });

const CONFIG_ZH = '收银系统配置有误，请联系店长或技术支持，本次未扣款。';
const CONFIG_EN = 'The till is misconfigured. Call the manager or support; the customer was not charged.';

const micropay: Table = {
  SYSTEMERROR: e('U', '微信系统繁忙，正在确认支付结果，请稍候，不要重复扫码。', 'WeChat is busy. Checking whether the payment went through; please wait and do not scan again.'),
  BANKERROR: e('U', '银行系统异常，正在确认支付结果，请稍候，不要重复扫码。', 'The bank had a problem. Checking whether the payment went through; please wait and do not scan again.'),
  USERPAYING: e('U', '等待顾客在手机上输入支付密码。', 'Waiting for the customer to enter their payment password on the phone.'),
  AUTHCODEEXPIRE: e('C', '付款码已过期，请顾客刷新付款码后重新扫码。', 'The payment code has expired. Ask the customer to refresh it, then scan again.'),
  AUTH_CODE_ERROR: e('C', '付款码错误，请顾客刷新付款码后重新扫码。', 'The payment code is wrong. Ask the customer to refresh it, then scan again.'),
  AUTH_CODE_INVALID: e('C', '不是有效的微信付款码，请扫描顾客微信里的付款码。', 'Not a valid WeChat payment code. Scan the payment code in the customer’s WeChat.'),
  NOTENOUGH: e('C', '顾客余额不足，请顾客在付款码页面更换银行卡后重新扫码。', 'Insufficient balance. Ask the customer to switch to another card on the payment code screen, then scan again.'),
  NOTSUPORTCARD: e('C', '不支持该卡，请顾客更换银行卡后重新扫码。', 'This card is not supported. Ask the customer to switch to another card, then scan again.'),
  BUYER_MISMATCH: e('C', '付款人与首次付款人不一致，请原付款人付款。', 'The payer differs from the first payer of this order. Ask the original payer to pay.'),
  TRADE_ERROR: e('C', '交易被微信风控拒绝或顾客未输入密码，请顾客换用其他支付方式。', 'WeChat declined the payment (risk control, or the password was not entered). Ask the customer to pay another way.'),
  PAYERROR: e('C', '支付失败（顾客取消或密码错误），请顾客重新扫码或换用其他方式。', 'The payment failed (the customer cancelled or the password was wrong). Scan a fresh code or pay another way.'),
  ORDERPAID: e('S', '该订单已支付，无需重复收款。', 'This order is already paid. Do not charge again.'),
  ORDERCLOSED: e('S', '订单已关闭，请重新下单收款。', 'This order is closed. Start a new sale.'),
  ORDERREVERSED: e('S', '订单已撤销，请重新下单收款。', 'This order was reversed. Start a new sale.'),
  OUT_TRADE_NO_USED: e('S', '商户订单号重复，请重新下单收款。', 'The order number was already used. Start a new sale.'),
  NOAUTH: e('M', '商户没有付款码支付权限，请联系店长开通。', 'The merchant is not authorised for payment-code payments. Ask the manager to enable it.'),
  PARAM_ERROR: e('M', '请求参数错误。' + CONFIG_ZH, 'The request had a wrong parameter. ' + CONFIG_EN),
  LACK_PARAMS: e('M', '请求缺少参数。' + CONFIG_ZH, 'The request lacked a parameter. ' + CONFIG_EN),
  XML_FORMAT_ERROR: e('M', '请求格式错误。' + CONFIG_ZH, 'The request was malformed. ' + CONFIG_EN),
  REQUIRE_POST_METHOD: e('M', '请求方式错误。' + CONFIG_ZH, 'The request used the wrong method. ' + CONFIG_EN),
  SIGNERROR: e('M', '签名错误：请检查商户API密钥和签名方式。' + CONFIG_ZH, 'Signature error: check the merchant API key and sign type. ' + CONFIG_EN),
  NOT_UTF8: e('M', '编码错误。' + CONFIG_ZH, 'Wrong text encoding. ' + CONFIG_EN),
  APPID_NOT_EXIST: e('M', 'AppID 不存在。' + CONFIG_ZH, 'The AppID does not exist. ' + CONFIG_EN),
  MCHID_NOT_EXIST: e('M', '商户号不存在。' + CONFIG_ZH, 'The merchant id does not exist. ' + CONFIG_EN),
  APPID_MCHID_NOT_MATCH: e('M', 'AppID 与商户号不匹配。' + CONFIG_ZH, 'The AppID and merchant id do not match. ' + CONFIG_EN),
  INVALID_REQUEST: e('M', '无效请求。' + CONFIG_ZH, 'Invalid request. ' + CONFIG_EN),
};

const orderquery: Table = {
  ORDERNOTEXIST: e('S', '微信没有这笔订单，顾客未被扣款。', 'WeChat has no such order: the customer was not charged.'),
  SYSTEMERROR: e('R', '微信系统繁忙，正在重试查询。', 'WeChat is busy; retrying the query.'),
};

const reverse: Table = {
  SYSTEMERROR: e('R', '微信系统繁忙，正在重试撤销。', 'WeChat is busy; retrying the reversal.'),
  REVERSE_EXPIRE: e('F', '订单已超过撤销期限，请改为退款。', 'Too late to reverse this order: refund it instead.'),
  INVALID_TRANSACTIONID: e('M', '微信订单号无效。' + CONFIG_ZH, 'Invalid WeChat transaction id. ' + CONFIG_EN),
  PARAM_ERROR: micropay.PARAM_ERROR!,
  SIGNERROR: micropay.SIGNERROR!,
  INVALID_REQUEST: micropay.INVALID_REQUEST!,
  TRADE_ERROR: e('M', '该订单无法撤销，请联系店长处理。', 'This order cannot be reversed. Call the manager.'),
  USERPAYING: e('R', '顾客正在支付，稍后重试撤销。', 'The customer is still paying; retrying the reversal shortly.'),
};

const refund: Table = {
  SYSTEMERROR: e('R', '微信系统繁忙，请稍后用同一退款单重试。', 'WeChat is busy. Retry later with the same refund.'),
  BIZERR_NEED_RETRY: e('R', '退款处理中断，请稍后用同一退款单重试。', 'The refund was interrupted. Retry later with the same refund.'),
  INVALID_REQ_TOO_MUCH: e('R', '请求过于频繁，请1分钟后再试。', 'Too many requests. Try again in a minute.'),
  FREQUENCY_LIMITED: e('R', '退款请求过于频繁，请稍后再试。', 'Refunds are rate-limited. Try again later.'),
  NOTENOUGH: e('M', '商户账户余额不足，无法退款，请店长充值后再试。', 'The merchant account balance is too low to refund. The manager must top it up first.'),
  TRADE_OVERDUE: e('F', '订单已超过退款期限（1年），无法原路退款，请线下处理。', 'The order is over a year old and cannot be refunded online. Settle it by other means.'),
  USER_ACCOUNT_ABNORMAL: e('F', '顾客账户异常，无法原路退款，请线下处理。', 'The customer’s account is frozen or closed. Settle the refund by other means.'),
  ORDERNOTEXIST: e('M', '微信没有这笔订单，无法退款。', 'WeChat has no such order; nothing to refund.'),
  // refundquery's answer when WeChat has no record of the refund: it was never accepted.
  REFUNDNOTEXIST: e('R', '微信没有这笔退款记录，退款未受理，请用同一退款单重新提交。', 'WeChat has no record of this refund, so it was not accepted. Submit it again with the same refund.'),
  ERROR: e('F', '退款被拒绝，详见错误描述。', 'The refund was refused; see the details.'),
  PARAM_ERROR: micropay.PARAM_ERROR!,
  SIGNERROR: micropay.SIGNERROR!,
  INVALID_REQUEST: micropay.INVALID_REQUEST!,
};

/** Errors this product raises itself (transport, verification, flow), in the same shape. */
const local: Table = {
  GATEWAY_TIMEOUT: e('U', '微信未及时应答，正在确认支付结果，请不要重复扫码。', 'WeChat did not answer in time. Checking the outcome; do not scan again.'),
  GATEWAY_UNREACHABLE: e('U', '无法连接微信支付，正在确认支付结果，请不要重复扫码。', 'Cannot reach WeChat Pay. Checking the outcome; do not scan again.'),
  BAD_SIGNATURE: e('U', '收到无法验证的应答，按结果未知处理，正在确认。', 'Got an answer that failed verification. Treating the outcome as unknown and checking.'),
  BAD_RESPONSE: e('U', '收到格式错误的应答，按结果未知处理，正在确认。', 'Got a malformed answer. Treating the outcome as unknown and checking.'),
  CERT_MISSING: e('M', '未配置商户证书（apiclient_cert.pem / apiclient_key.pem），无法撤销或退款。', 'The merchant certificate (apiclient_cert.pem / apiclient_key.pem) is not configured: reversals and refunds are impossible.'),
  REVERSED: e('S', '支付超时未完成，已撤销，顾客未被扣款。请顾客重新出示付款码。', 'The payment did not complete in time and was reversed: the customer was not charged. Scan a fresh code.'),
  CANCELED: e('S', '已取消收款，顾客未被扣款。', 'The payment was cancelled: the customer was not charged.'),
  LATE_PAYMENT: e('S', '撤销决定后顾客完成了支付，已按成功入账，请核对。', 'The customer paid after the reversal was decided. It is recorded as paid; please check it.'),
  OUTCOME_UNKNOWN: e('U', '暂时无法确认支付结果，系统会继续自动确认。请勿重复收款，联系店长核对。', 'The outcome is not settled yet; the system keeps checking. Do not charge again; ask the manager to check.'),
};

export const ERROR_CATALOGUE: Readonly<Record<Operation, Table>> = { micropay, orderquery, reverse, refund, local };

const UNKNOWN_ENTRY = (code: string): ErrorEntry =>
  e('M', `未知错误（${code}），请联系店长。`, `Unknown error (${code}). Call the manager.`);

// Own entries only: a code such as "constructor" must not find Object.prototype's members.
const entry = (table: Table, code: string): ErrorEntry | undefined => (Object.hasOwn(table, code) ? table[code] : undefined);

/** The catalogue entry for `code` in `operation`, falling back to the micropay table, then a generic entry. */
export function describeError(code: string, operation: Operation = 'micropay'): ErrorEntry {
  return entry(ERROR_CATALOGUE[operation], code) ?? entry(micropay, code) ?? entry(local, code) ?? UNKNOWN_ENTRY(code);
}

export function errorMessage(code: string, lang: 'zh' | 'en', operation: Operation = 'micropay'): string {
  return describeError(code, operation)[lang];
}
