/**
 * Every code a payment or refund can be journaled with (WeChat Pay v2 err_codes and this
 * product's own), with its class and what the cashier should do, in Chinese and English; and
 * the API's refusals in the cashier's words. The server stores these texts and the web app
 * shows them, so both speak of one code the same way.
 *
 * Classes: U outcome unknown → query; C the customer must act; M merchant configuration or
 * bug, final; S order state; R retry the same call; F final (refund cannot be done this way).
 */
import type { ApiErrorCode } from './api.ts';

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
  // WeChat's own text for it: "每个二维码仅限使用一次，请刷新再试" (a code already used, or one that has expired).
  AUTH_CODE_INVALID: e('C', '付款码已使用或已过期，请顾客刷新付款码后重新扫码。', 'This payment code was already used or has expired. Ask the customer to refresh it, then scan again.'),
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
  // refundquery's final states other than SUCCESS.
  REFUNDCLOSE: e('F', '退款已关闭，未退回顾客。', 'The refund was closed by WeChat: nothing went back to the customer.'),
  CHANGE: e('F', '退款异常（顾客卡已失效等），请在商户平台手工处理。', 'The refund hit a problem (e.g. the customer’s card is gone). Settle it by hand in the merchant platform.'),
  // refundquery's answer when WeChat has no record of the refund: it was never accepted.
  REFUNDNOTEXIST: e('R', '微信没有这笔退款记录，退款未受理，请用同一退款单重新提交。', 'WeChat has no record of this refund, so it was not accepted. Submit it again with the same refund.'),
  ERROR: e('F', '退款被拒绝，详见错误描述。', 'The refund was refused; see the details.'),
  // This product's, for refunds WeChat leaves pending or answers with a code it does not document.
  REFUND_PROCESSING_LONG: e('S', '退款已受理，但超过3个工作日仍在处理中，请在商户平台核对。', 'The refund was accepted but is still processing after 3 working days. Check it in the merchant platform.'),
  REFUND_UNKNOWN_ERROR: e('F', '微信支付以未知错误拒绝了退款，多次重试无果，未退款。请在商户平台核对后再处理。', 'WeChat Pay refused the refund with an error it does not document, several times: nothing was refunded. Check it in the merchant platform.'),
  PARAM_ERROR: micropay.PARAM_ERROR!,
  SIGNERROR: micropay.SIGNERROR!,
  INVALID_REQUEST: micropay.INVALID_REQUEST!,
};

/** Errors this product raises itself (transport, verification, flow), in the same shape. */
const local: Table = {
  // Why an outcome was unknown (journaled on the payment's events): the answer was not trusted, a query settles it.
  GATEWAY_TIMEOUT: e('U', '微信支付未及时应答：支付结果通过查询确认，请不要重复扫码。', 'No answer from WeChat Pay in time: the outcome is confirmed by query. Do not scan again.'),
  NETWORK: e('U', '无法连接微信支付：支付结果通过查询确认，请不要重复扫码。', 'WeChat Pay could not be reached: the outcome is confirmed by query. Do not scan again.'),
  BAD_SIGNATURE: e('U', '收到签名验证失败的应答（可能被伪造，或 API 密钥有误）：不予采信，支付结果通过查询确认。', 'An answer failed signature verification (forged, or a wrong API key): it was not trusted, the outcome is confirmed by query.'),
  BAD_RESPONSE: e('U', '微信支付返回了格式错误的应答：不予采信，支付结果通过查询确认。', 'WeChat Pay sent a malformed answer: it was not trusted, the outcome is confirmed by query.'),
  INTERNAL: e('U', '服务器调用微信支付时出错：支付结果通过查询确认，请告知店长。', 'The server failed while calling WeChat Pay: the outcome is confirmed by query. Tell the manager.'),
  REQUEST_INVALID: e('M', '请求中含有微信支付无法接收的字符，未发送给微信：未扣款，也未退款。请去掉特殊字符后重试。', 'The request holds characters WeChat Pay cannot receive, so it was not sent: nothing was charged or refunded. Remove the special characters and try again.'),
  CERT_MISSING: e('M', '未配置商户证书（apiclient_cert.pem / apiclient_key.pem），无法撤销或退款。', 'The merchant certificate (apiclient_cert.pem / apiclient_key.pem) is not configured: reversals and refunds are impossible.'),
  CERT_UNREADABLE: e('M', '商户证书无法读取，无法撤销或退款，请联系店长检查证书文件。', 'The merchant certificate cannot be read: reversals and refunds are impossible. Ask the manager to check the certificate files.'),
  AMOUNT_MISMATCH: e('M', '微信返回的支付金额与应收金额不一致，请店长核对后处理（必要时退款）。', 'WeChat reports a paid amount that differs from the amount asked. The manager must check it (and refund if needed).'),
  REQUEST_REJECTED: e('M', '微信支付拒绝了请求（未处理），顾客未被扣款。请联系店长检查收银配置。', 'WeChat Pay refused the request without processing it: the customer was not charged. Ask the manager to check the till configuration.'),
  REVERSED: e('S', '支付超时未完成，已撤销，顾客未被扣款。请顾客重新出示付款码。', 'The payment did not complete in time and was reversed: the customer was not charged. Scan a fresh code.'),
  CANCELED: e('S', '已取消收款，顾客未被扣款。', 'The payment was cancelled: the customer was not charged.'),
  LATE_PAYMENT: e('S', '撤销决定后顾客完成了支付，已按成功入账，请核对。', 'The customer paid after the reversal was decided. It is recorded as paid; please check it.'),
  LATE_PAYMENT_RETURNING: e('S', '告知未收款后顾客仍被扣款，正在自动撤销退回顾客，请勿另行退款。', 'The customer was charged after the till said the payment did not go through: the charge is being reversed automatically. Do not refund it by hand.'),
  LATE_PAYMENT_RETURNED: e('S', '告知未收款后顾客仍被扣款，该笔已自动撤销，款项已退回顾客。', 'The customer was charged after the till said the payment did not go through: the charge was reversed automatically and the money went back to the customer.'),
  WALLET_OFF: e('M', '本服务器未配置微信支付，无法查询这笔微信收款，请店长检查配置。', 'WeChat Pay is not configured on this server, so this WeChat payment cannot be checked. The manager must check the set-up.'),
  OUTCOME_UNKNOWN: e('U', '暂时无法确认支付结果，系统会继续自动确认。请勿重复收款，联系店长核对。', 'The outcome is not settled yet; the system keeps checking. Do not charge again; ask the manager to check.'),
};

export const ERROR_CATALOGUE: Readonly<Record<Operation, Table>> = { micropay, orderquery, reverse, refund, local };

type Text = { readonly zh: string; readonly en: string };
const APP_PROBLEM: Text = { zh: '收银程序发出了无效的请求，请刷新页面后重试。', en: 'The app sent a request the server could not accept. Reload the page and try again.' };
const REPAIR: Text = { zh: '这台设备未配对或配对已失效，请向店长索取新的配对链接。', en: 'This device is not paired, or its pairing was replaced. Ask the manager for a new pairing link.' };

/** The API's refusals as the cashier reads them (the API's own messages are for developers). */
export const API_ERRORS: Readonly<Record<ApiErrorCode, Text>> = {
  UNAUTHORIZED: REPAIR,
  UNKNOWN_TERMINAL: REPAIR,
  INVALID_JSON: APP_PROBLEM,
  INVALID_ID: APP_PROBLEM,
  INVALID_DESCRIPTION: APP_PROBLEM,
  INVALID_REASON: { zh: '退款原因中有无法发送给微信支付的字符，请删掉特殊字符后重试。', en: 'The refund reason holds a character WeChat Pay cannot carry. Remove it and try again.' },
  NOT_YOUR_PAYMENT: { zh: '这笔收款是另一台收银台的，只能由那台收银台取消。', en: 'This payment belongs to another terminal: only that terminal can cancel it.' },
  HTTPS_REQUIRED: { zh: '正式模式下收银台必须通过 HTTPS 连接服务器，请店长配置证书。', en: 'In live mode the till must reach the server over HTTPS. The manager sets up the certificate.' },
  JOURNAL_UNAVAILABLE: { zh: '收银服务器暂时无法记账，现在不能收款，请稍后再试或联系店长。', en: 'The POS server cannot record payments right now, so none can be taken. Try again shortly or call the manager.' },
  BODY_TOO_LARGE: APP_PROBLEM,
  INVALID_DATE: APP_PROBLEM,
  INVALID_LIMIT: APP_PROBLEM,
  INVALID_CURSOR: APP_PROBLEM,
  INVALID_AMOUNT: { zh: '金额无效，请重新输入。', en: 'The amount is not valid. Key it in again.' },
  AMOUNT_TOO_LARGE: { zh: '金额超过本店单笔收款上限。', en: 'The amount is above this shop’s limit for one payment.' },
  INVALID_AUTH_CODE: { zh: '没有读到付款码，请重新扫码。', en: 'No payment code was read. Scan again.' },
  CODE_NOT_ACCEPTED: { zh: '不是本收银台收取的付款码（只收微信支付和支付宝），请扫描顾客的微信或支付宝付款码。', en: 'Not a payment code this till takes (WeChat Pay and Alipay only). Scan the customer’s WeChat Pay or Alipay payment code.' },
  WALLET_OFF: { zh: '本收银台未开通这种钱包，请顾客换用另一种付款码。', en: 'This wallet is not set up on this till. Ask the customer to show the other wallet’s payment code.' },
  ID_CONFLICT: { zh: '这笔收款的编号已被使用，请重新扫码。顾客未被重复扣款。', en: 'This payment’s number was already used. Scan again; the customer was not charged twice.' },
  PAYMENT_IN_PROGRESS: { zh: '有一笔收款正在进行，请等待结果后再扫码。不要重复收款。', en: 'A payment is in progress. Wait for its result before scanning again. Do not charge twice.' },
  NOT_FOUND: { zh: '没有找到这笔收款。', en: 'This payment was not found.' },
  NOT_CANCELABLE: { zh: '这笔收款已有结果，不能再取消。', en: 'This payment already has its result and cannot be cancelled.' },
  PIN_REQUIRED: { zh: '需要店长密码。尚未设置店长密码时，请店长在收银服务器上设置。', en: 'The manager PIN is needed. If none is set yet, the manager sets it on the POS server.' },
  PIN_WRONG: { zh: '店长密码错误。', en: 'The manager PIN is wrong.' },
  TOO_MANY_ATTEMPTS: { zh: '尝试次数过多，请稍后再试。', en: 'Too many attempts. Try again later.' },
  REFUND_NOT_ALLOWED: { zh: '这笔支付不能退款（未成功或已全额退款）。', en: 'This payment cannot be refunded (not paid, or already fully refunded).' },
  REFUND_TOO_LARGE: { zh: '退款金额超过可退金额。', en: 'The refund is larger than what is left to refund.' },
  INVALID_PAIRING_CODE: { zh: '配对码无效、已使用或已过期，请向店长索取新的配对链接。', en: 'This pairing code is unknown, used or expired. Ask the manager for a new pairing link.' },
  INVALID_QUERY: { zh: '请输入金额（如 25.80）或单号末尾至少 4 位。', en: 'Search by an amount (e.g. 25.80) or the last 4 or more characters of an order number.' },
  SHIFT_REQUIRED: { zh: '本收银台没有开班：请收银员输入自己的密码签到。', en: 'No shift is open on this terminal: a cashier signs in with their PIN first.' },
  SHIFT_OPEN: { zh: '本收银台还有一个班没有交班：请先交班，再由下一位收银员签到。', en: 'A shift is still open on this terminal: hand over (close it) before the next cashier signs in.' },
  NO_CASHIERS: { zh: '本店没有设置收银员，无需签到即可收款。', en: 'This shop has no cashiers: the till takes payments without signing in.' },
  INVALID_CASHIER: { zh: '请输入收银员的名字。', en: 'Enter the cashier’s name.' },
  CASHIER_EXISTS: { zh: '已有同名收银员或相同的密码，请换一个。', en: 'A cashier with this name or PIN exists already. Choose another.' },
  INVALID_PIN: { zh: '收银员密码应为 4 到 6 位数字，且不能与其他收银员的相同，请换一个。', en: 'A cashier PIN is 4 to 6 digits and must differ from every other cashier’s: choose another.' },
  NOT_YOUR_SHIFT: { zh: '这个班属于另一台收银台：只能在那台收银台或用店长密码交班。', en: 'This shift belongs to another terminal: close it there, or with the manager PIN.' },
  READ_ONLY_TERMINAL: { zh: '这是老板的只读设备，不能收款或退款。', en: 'This is the owner’s read-only device: it cannot take payments or refunds.' },
  WRONG_ROLE: { zh: '此设备不能使用这个功能：连锁运营令牌只查看各店汇总，门店设备不能查看连锁汇总。', en: 'This device cannot do this: an operator token reads the chain summary only, and a shop’s device cannot read it.' },
  INVALID_PERIOD: APP_PROBLEM,
  INVALID_RANGE: { zh: '请选择开始和结束日期，开始日期不能晚于结束日期。', en: 'Choose a first and a last day, the first not after the last.' },
  TRAINING_MODE: {
    zh: '训练模式：只接受模拟器的测试付款码，不会真实扣款。测试码在模拟器的“顾客手机”页面获取。',
    en: 'Training mode: only the simulator’s test payment codes are accepted and no real money moves. Get a test code from the simulator’s customer phone page.',
  },
};

export function isApiErrorCode(code: string): code is ApiErrorCode {
  return Object.hasOwn(API_ERRORS, code);
}

const UNKNOWN_ENTRY = (code: string): ErrorEntry =>
  e('M', `未知错误（${code}），请联系店长。`, `Unknown error (${code}). Call the manager.`);

// Own entries only: a code such as "constructor" must not find Object.prototype's members.
const entry = (table: Table, code: string): ErrorEntry | undefined => (Object.hasOwn(table, code) ? table[code] : undefined);

/** Where a code not in the operation's own table is looked up next: a payment's journal holds codes of every call. */
const FALLBACK: readonly Table[] = [micropay, local, reverse, orderquery, refund];

/** The catalogue's own entry for `code` in `operation`, else in the other tables, if it has one. */
export function knownError(code: string, operation: Operation = 'micropay'): ErrorEntry | undefined {
  return entry(ERROR_CATALOGUE[operation], code) ?? FALLBACK.reduce<ErrorEntry | undefined>((found, table) => found ?? entry(table, code), undefined);
}

/** The catalogue entry for `code` in `operation`, falling back to the other tables, then a generic entry. */
export function describeError(code: string, operation: Operation = 'micropay'): ErrorEntry {
  return knownError(code, operation) ?? UNKNOWN_ENTRY(code);
}

export function errorMessage(code: string, lang: 'zh' | 'en', operation: Operation = 'micropay'): string {
  return describeError(code, operation)[lang];
}

// ---- Alipay ----------------------------------------------------------------------------------
// Alipay's answers (server/alipay/): code 40004 carries an ACQ.* sub_code per call; gateway
// refusals (40001/40002/40003/40006, 20001) and unknown outcomes (20000) carry isv.*/aop.*/isp.*
// sub_codes. Same classes as above. Codes and meanings from each call's business error table in
// Alipay's documents.

export type AlipayOperation = 'pay' | 'query' | 'cancel' | 'refund' | 'refund_query' | 'gateway' | 'local';

/** The flow's operation names (WeChat's calls) as Alipay's. */
export const ALIPAY_OPERATION: Readonly<Record<Operation, AlipayOperation>> = { micropay: 'pay', orderquery: 'query', reverse: 'cancel', refund: 'refund', local: 'local' };

const ALIPAY_CONFIG_ZH = '收银系统的支付宝配置有误，请联系店长或技术支持，本次未扣款。';
const ALIPAY_CONFIG_EN = 'The till’s Alipay set-up is wrong. Call the manager or support; the customer was not charged.';
const OTHER_WAY_ZH = '请顾客换用其他方式付款。';
const OTHER_WAY_EN = 'Ask the customer to pay another way.';

const alipayPay: Table = {
  'ACQ.SYSTEM_ERROR': e('U', '支付宝系统繁忙，正在确认支付结果，请稍候，不要重复扫码。', 'Alipay is busy. Checking whether the payment went through; please wait and do not scan again.'),
  'ACQ.PAYMENT_AUTH_CODE_INVALID': e('C', '付款码无效或已过期，请顾客刷新支付宝付款码后重新扫码。', 'The payment code is invalid or expired. Ask the customer to refresh the Alipay payment code, then scan again.'),
  'ACQ.BUYER_BALANCE_NOT_ENOUGH': e('C', '顾客余额不足，请顾客在付款码页面更换付款方式后重新扫码。', 'Insufficient balance. Ask the customer to switch the payment method on the payment code screen, then scan again.'),
  'ACQ.BUYER_BANKCARD_BALANCE_NOT_ENOUGH': e('C', '顾客银行卡余额不足，请顾客更换付款方式后重新扫码。', 'The customer’s bank card balance is too low. Ask them to switch the payment method, then scan again.'),
  'ACQ.ERROR_BALANCE_PAYMENT_DISABLE': e('C', '顾客关闭了余额支付，请顾客打开或更换付款方式后重新扫码。', 'The customer turned balance payments off. Ask them to turn it on or switch the payment method, then scan again.'),
  'ACQ.BUYER_SELLER_EQUAL': e('C', '买家与商家是同一支付宝账户，不能付款。' + OTHER_WAY_ZH, 'The buyer is the merchant’s own Alipay account. ' + OTHER_WAY_EN),
  'ACQ.BUYER_ENABLE_STATUS_FORBID': e('C', '顾客的支付宝账户状态异常。' + OTHER_WAY_ZH, 'The customer’s Alipay account is restricted. ' + OTHER_WAY_EN),
  'ACQ.PULL_MOBILE_CASHIER_FAIL': e('C', '无法在顾客手机上发起付款，请顾客刷新付款码后重新扫码。', 'Could not start the payment on the customer’s phone. Ask them to refresh the payment code, then scan again.'),
  'ACQ.MOBILE_PAYMENT_SWITCH_OFF': e('C', '顾客关闭了无线支付。' + OTHER_WAY_ZH, 'The customer turned mobile payments off. ' + OTHER_WAY_EN),
  'ACQ.USER_FACE_PAYMENT_SWITCH_OFF': e('C', '顾客关闭了当面付付款，请顾客在手机上打开后重新扫码。', 'The customer turned face-to-face payments off. Ask them to turn it on, then scan again.'),
  'ACQ.PAYMENT_FAIL': e('C', '支付失败，请顾客刷新付款码后重试一次，仍失败请换用其他方式。', 'The payment failed. Ask the customer to refresh the payment code and try once more, or pay another way.'),
  'ACQ.BUYER_PAYMENT_AMOUNT_DAY_LIMIT_ERROR': e('C', '顾客今日付款额度已用完。' + OTHER_WAY_ZH, 'The customer reached their daily payment limit. ' + OTHER_WAY_EN),
  'ACQ.BUYER_PAYMENT_AMOUNT_MONTH_LIMIT_ERROR': e('C', '顾客本月付款额度已用完。' + OTHER_WAY_ZH, 'The customer reached their monthly payment limit. ' + OTHER_WAY_EN),
  'ACQ.ERROR_BUYER_CERTIFY_LEVEL_LIMIT': e('C', '顾客的支付宝账户未完成实名认证。' + OTHER_WAY_ZH, 'The customer’s Alipay account is not verified. ' + OTHER_WAY_EN),
  'ACQ.PAYMENT_REQUEST_HAS_RISK': e('C', '支付宝风控拒绝了本次付款。' + OTHER_WAY_ZH, 'Alipay’s risk control declined the payment. ' + OTHER_WAY_EN),
  'ACQ.NO_PAYMENT_INSTRUMENTS_AVAILABLE': e('C', '顾客没有可用的付款方式。' + OTHER_WAY_ZH, 'The customer has no usable payment method. ' + OTHER_WAY_EN),
  'ACQ.TOTAL_FEE_EXCEED': e('C', '金额超过支付宝单笔限额，请减少金额或换用其他方式。', 'The amount is over Alipay’s limit. Charge less or take another payment method.'),
  'ACQ.TRADE_HAS_SUCCESS': e('S', '该订单已支付，无需重复收款。', 'This order is already paid. Do not charge again.'),
  'ACQ.TRADE_HAS_CLOSE': e('S', '订单已关闭，请重新下单收款。', 'This order is closed. Start a new sale.'),
  'ACQ.CONTEXT_INCONSISTENT': e('S', '订单号已用于另一笔交易，请重新下单收款。', 'The order number was used for another payment. Start a new sale.'),
  'ACQ.TRADE_BUYER_NOT_MATCH': e('S', '付款人与该订单原付款人不一致，请原付款人付款或重新下单。', 'The payer differs from this order’s first payer. Ask the original payer, or start a new sale.'),
  'ACQ.INVALID_PARAMETER': e('M', '请求参数无效。' + ALIPAY_CONFIG_ZH, 'The request had an invalid parameter. ' + ALIPAY_CONFIG_EN),
  'ACQ.ACCESS_FORBIDDEN': e('M', '商户未开通当面付（付款码支付）或合同已到期，请店长联系支付宝开通。', 'The merchant has no face-to-face (payment code) contract, or it expired. The manager must sign it with Alipay.'),
  'ACQ.EXIST_FORBIDDEN_WORD': e('M', '订单标题含有违禁词，请店长修改店名（SHOP_NAME）。', 'The order title contains a forbidden word. The manager must change the shop name (SHOP_NAME).'),
  'ACQ.PARTNER_ERROR': e('M', '支付宝应用 APP_ID 有误。' + ALIPAY_CONFIG_ZH, 'The Alipay APP_ID is wrong. ' + ALIPAY_CONFIG_EN),
  'ACQ.BEYOND_PAY_RESTRICTION': e('M', '商户收款额度已用完，请店长联系支付宝提高额度。', 'The merchant’s collection limit is used up. The manager must ask Alipay to raise it.'),
  'ACQ.BEYOND_PER_RECEIPT_RESTRICTION': e('M', '商户本月收款额度已用完，请店长联系支付宝提高额度。', 'The merchant’s monthly collection limit is used up. The manager must ask Alipay to raise it.'),
  'ACQ.SELLER_BEEN_BLOCKED': e('M', '商户支付宝账户被冻结，请店长联系支付宝。', 'The merchant’s Alipay account is frozen. The manager must contact Alipay.'),
  'ACQ.INVALID_STORE_ID': e('M', '门店编号无效。' + ALIPAY_CONFIG_ZH, 'The store id is invalid. ' + ALIPAY_CONFIG_EN),
  'ACQ.MERCHANT_AGREEMENT_NOT_EXIST': e('M', '商户与支付宝的协议不存在，请店长联系支付宝。', 'The merchant has no agreement with Alipay. The manager must contact Alipay.'),
  'ACQ.MERCHANT_AGREEMENT_INVALID': e('M', '商户与支付宝的协议已失效，请店长联系支付宝。', 'The merchant’s agreement with Alipay expired. The manager must contact Alipay.'),
  'ACQ.MERCHANT_STATUS_NOT_NORMAL': e('M', '商户状态异常（如长期无交易），请店长联系支付宝激活。', 'The merchant account is not active (for example after months without trades). The manager must contact Alipay.'),
  'ACQ.AMOUNT_OR_CURRENCY_ERROR': e('M', '金额或币种有误。' + ALIPAY_CONFIG_ZH, 'The amount or currency is wrong. ' + ALIPAY_CONFIG_EN),
  'ACQ.CURRENCY_NOT_SUPPORT': e('M', '商户未签约该币种。' + ALIPAY_CONFIG_ZH, 'The merchant has no contract for this currency. ' + ALIPAY_CONFIG_EN),
};

const alipayQuery: Table = {
  'ACQ.SYSTEM_ERROR': e('R', '支付宝系统繁忙，正在重试查询。', 'Alipay is busy; retrying the query.'),
  'ACQ.TRADE_NOT_EXIST': e('S', '支付宝没有这笔交易，顾客未被扣款。', 'Alipay has no such trade: the customer was not charged.'),
  'ACQ.INVALID_PARAMETER': alipayPay['ACQ.INVALID_PARAMETER']!,
};

const alipayCancel: Table = {
  'ACQ.SYSTEM_ERROR': e('R', '支付宝系统繁忙，正在重试撤销。', 'Alipay is busy; retrying the cancel.'),
  'AQC.SYSTEM_ERROR': e('R', '支付宝系统繁忙，正在重试撤销。', 'Alipay is busy; retrying the cancel.'),
  'ACQ.INVALID_PARAMETER': alipayPay['ACQ.INVALID_PARAMETER']!,
  'ACQ.SELLER_BALANCE_NOT_ENOUGH': e('M', '商户支付宝账户余额不足，无法撤销退回，请店长充值后再试。', 'The merchant’s Alipay balance is too low to give the money back. The manager must top it up first.'),
  'ACQ.REASON_TRADE_BEEN_FREEZEN': e('M', '该交易被冻结，不能撤销，请店长联系支付宝。', 'This trade is frozen and cannot be cancelled. The manager must contact Alipay.'),
  'ACQ.TRADE_CANCEL_TIME_OUT': e('F', '交易已超过撤销期限，请改为退款。', 'Too late to cancel this trade: refund it instead.'),
  'ACQ.CANCEL_NOT_ALLOWED': e('F', '该交易不能撤销（例如已有退款），请改为退款。', 'This trade cannot be cancelled (it has refunds, for example): refund it instead.'),
  'ACQ.TRADE_HAS_FINISHED': e('F', '交易已完结，不能撤销或退款，请线下处理。', 'The trade is finished and can no longer be cancelled or refunded. Settle it by other means.'),
};

const alipayRefund: Table = {
  'ACQ.SYSTEM_ERROR': e('R', '支付宝系统繁忙，请稍后用同一退款单重试。', 'Alipay is busy. Retry later with the same refund.'),
  'ACQ.INVALID_PARAMETER': alipayPay['ACQ.INVALID_PARAMETER']!,
  'ACQ.SELLER_BALANCE_NOT_ENOUGH': e('M', '商户支付宝账户余额不足，无法退款，请店长充值后再试。', 'The merchant’s Alipay balance is too low to refund. The manager must top it up first.'),
  'ACQ.REASON_TRADE_BEEN_FREEZEN': e('M', '该交易被冻结，不能退款，请店长联系支付宝。', 'This trade is frozen and cannot be refunded. The manager must contact Alipay.'),
  'ACQ.TRADE_NOT_EXIST': e('M', '支付宝没有这笔交易，无法退款。', 'Alipay has no such trade; nothing to refund.'),
  'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL': e('F', '退款金额超过可退金额。', 'The refund is more than what is left to refund.'),
  'ACQ.TRADE_HAS_FINISHED': e('F', '交易已完结（超过可退款期限），无法原路退款，请线下处理。', 'The trade is finished (past the refund period) and cannot be refunded online. Settle it by other means.'),
  'ACQ.TRADE_STATUS_ERROR': e('F', '交易未支付或已关闭，不能退款。', 'The trade is unpaid or closed; it cannot be refunded.'),
  'ACQ.TRADE_NOT_ALLOW_REFUND': e('F', '该交易不允许退款。', 'This trade does not allow refunds.'),
  'ACQ.DISCORDANT_REPEAT_REQUEST': e('F', '同一退款单号已用于不同金额的退款，请核对后处理。', 'This refund number was already used with another amount. Check it before going on.'),
  'ACQ.REASON_TRADE_REFUND_FEE_ERR': e('F', '退款金额无效。', 'The refund amount is invalid.'),
  'ACQ.REFUND_FEE_ERROR': e('F', '退款金额有误。', 'The refund amount is wrong.'),
};

const alipayRefundQuery: Table = {
  'ACQ.SYSTEM_ERROR': e('R', '支付宝系统繁忙，正在重试退款查询。', 'Alipay is busy; retrying the refund query.'),
  'ACQ.INVALID_PARAMETER': alipayPay['ACQ.INVALID_PARAMETER']!,
  'ACQ.TRADE_NOT_EXIST': alipayRefund['ACQ.TRADE_NOT_EXIST']!,
  // The refund query's answer without refund_status: the refund was not received (or not yet visible).
  REFUND_NOT_RECEIVED: e('R', '支付宝尚未查到这笔退款，请稍后用同一退款单重新提交。', 'Alipay does not show this refund yet. Submit it again later with the same refund.'),
};

/** Refusals before the business (code 40001–40006, 20001) and unknown outcomes (20000), any call. */
const alipayGateway: Table = {
  'isp.unknow-error': e('U', '支付宝系统繁忙，结果未知，正在确认，请不要重复扫码。', 'Alipay is busy and the outcome is unknown. Checking; do not scan again.'),
  'aop.unknow-error': e('U', '支付宝网关繁忙，结果未知，正在确认，请不要重复扫码。', 'Alipay’s gateway is busy and the outcome is unknown. Checking; do not scan again.'),
  'isv.invalid-signature': e('M', '签名错误：应用私钥与支付宝后台上传的应用公钥不匹配。' + ALIPAY_CONFIG_ZH, 'Signature error: the app private key does not match the app public key uploaded to Alipay. ' + ALIPAY_CONFIG_EN),
  'isv.missing-signature-config': e('M', '支付宝后台未设置应用公钥。' + ALIPAY_CONFIG_ZH, 'No app public key is set up in Alipay’s console. ' + ALIPAY_CONFIG_EN),
  'isv.invalid-app-id': e('M', 'APP_ID 无效或应用未上线。' + ALIPAY_CONFIG_ZH, 'The APP_ID is invalid or the app is not online. ' + ALIPAY_CONFIG_EN),
  'isv.invalid-timestamp': e('M', '请求时间戳无效，请检查服务器时间。' + ALIPAY_CONFIG_ZH, 'The request timestamp is invalid; check the server clock. ' + ALIPAY_CONFIG_EN),
  'isv.insufficient-isv-permissions': e('M', '应用没有调用该接口的权限（产品未签约或应用未绑定）。' + ALIPAY_CONFIG_ZH, 'The app may not call this (product not signed, or app not bound to the merchant). ' + ALIPAY_CONFIG_EN),
  'isv.app-call-limited': e('R', '请求过于频繁，请稍后再试。', 'Too many requests. Try again shortly.'),
  'isv.method-call-limited': e('R', '请求过于频繁，请稍后再试。', 'Too many requests. Try again shortly.'),
  'aop.invalid-app-auth-token': e('M', '商户授权令牌（app_auth_token）无效。' + ALIPAY_CONFIG_ZH, 'The merchant authorisation token (app_auth_token) is invalid. ' + ALIPAY_CONFIG_EN),
};

const alipayLocalWaiting = e('U', '等待顾客在支付宝中确认付款。', 'Waiting for the customer to confirm the payment in Alipay.');

/** This product's own Alipay states, in the same shape. */
const alipayLocal: Table = {
  WAIT_BUYER_PAY: alipayLocalWaiting,
  // The shared GATEWAY_* entries name WeChat; the wallet-neutral ones (BAD_SIGNATURE, REVERSED, …) apply as they are.
  GATEWAY_TIMEOUT: e('U', '支付宝未及时应答，正在确认支付结果，请不要重复扫码。', 'Alipay did not answer in time. Checking the outcome; do not scan again.'),
  GATEWAY_UNREACHABLE: e('U', '无法连接支付宝，正在确认支付结果，请不要重复扫码。', 'Cannot reach Alipay. Checking the outcome; do not scan again.'),
  NETWORK: e('U', '无法连接支付宝：支付结果通过查询确认，请不要重复扫码。', 'Alipay could not be reached: the outcome is confirmed by query. Do not scan again.'),
  BAD_RESPONSE: e('U', '支付宝返回了格式错误的应答：不予采信，支付结果通过查询确认。', 'Alipay sent a malformed answer: it was not trusted, the outcome is confirmed by query.'),
  BAD_SIGNATURE: e('U', '收到验签失败的支付宝应答（可能被伪造，或支付宝公钥配置有误）：不予采信，支付结果通过查询确认。', 'An Alipay answer failed signature verification (forged, or a wrong Alipay public key): it was not trusted, the outcome is confirmed by query.'),
  INTERNAL: e('U', '服务器调用支付宝时出错：支付结果通过查询确认，请告知店长。', 'The server failed while calling Alipay: the outcome is confirmed by query. Tell the manager.'),
  // The flow's own codes (server/payments/alipay-port.ts maps Alipay's answers onto them), worded for Alipay.
  PAYERROR: e('C', '支付宝交易已关闭：顾客取消或未完成付款，未扣款。请顾客重新出示付款码或换用其他方式。', 'The Alipay trade closed: the customer cancelled or did not finish paying, nothing was charged. Scan a fresh code or pay another way.'),
  ORDERCLOSED: e('S', '支付宝交易已关闭，请重新下单收款。', 'The Alipay trade is closed. Start a new sale.'),
  REVERSE_EXPIRE: e('F', '交易已超过撤销期限，请改为退款。', 'Too late to cancel this trade: refund it instead.'),
  USERPAYING: alipayLocalWaiting,
  SYSTEMERROR: e('U', '支付宝系统繁忙，正在确认结果，请不要重复扫码。', 'Alipay is busy. Checking the outcome; do not scan again.'),
  ORDERNOTEXIST: e('S', '支付宝没有这笔交易，顾客未被扣款。', 'Alipay has no such trade: the customer was not charged.'),
  REFUNDNOTEXIST: e('R', '支付宝尚未查到这笔退款，正在用同一退款单重新提交。', 'Alipay does not show this refund yet; it is being submitted again with the same refund number.'),
  AMOUNT_MISMATCH: e('M', '支付宝返回的支付金额与应收金额不一致，请店长核对后处理（必要时退款）。', 'Alipay reports a paid amount that differs from the amount asked. The manager must check it (and refund if needed).'),
  REQUEST_REJECTED: e('M', '支付宝拒绝了请求（未处理），顾客未被扣款。请联系店长检查支付宝配置。', 'Alipay refused the request without processing it: the customer was not charged. Ask the manager to check the Alipay set-up.'),
  WALLET_OFF: e('M', '本服务器未配置支付宝，无法查询这笔支付宝收款，请店长检查支付宝配置。', 'Alipay is not configured on this server, so this Alipay payment cannot be checked. The manager must check the Alipay set-up.'),
};

export const ALIPAY_ERROR_CATALOGUE: Readonly<Record<AlipayOperation, Table>> = {
  pay: alipayPay,
  query: alipayQuery,
  cancel: alipayCancel,
  refund: alipayRefund,
  refund_query: alipayRefundQuery,
  gateway: alipayGateway,
  local: alipayLocal,
};

const ALIPAY_UNKNOWN_ENTRY = (code: string): ErrorEntry =>
  e('M', `支付宝返回未知错误（${code}），请联系店长。`, `Alipay answered an unknown error (${code}). Call the manager.`);

/**
 * The catalogue entry for an Alipay sub_code in `operation`, falling back to the pay table, the
 * gateway table, this product's own codes, the other calls' tables, the shared local codes, then a
 * generic entry.
 */
export function describeAlipayError(code: string, operation: AlipayOperation = 'pay'): ErrorEntry {
  return (
    entry(ALIPAY_ERROR_CATALOGUE[operation], code) ??
    entry(alipayPay, code) ??
    entry(alipayGateway, code) ??
    entry(alipayLocal, code) ??
    // A payment's journal holds codes of every call (a cancel's, a query's).
    entry(alipayQuery, code) ??
    entry(alipayCancel, code) ??
    entry(alipayRefund, code) ??
    entry(alipayRefundQuery, code) ??
    entry(local, code) ??
    ALIPAY_UNKNOWN_ENTRY(code)
  );
}

export function alipayErrorMessage(code: string, lang: 'zh' | 'en', operation: AlipayOperation = 'pay'): string {
  return describeAlipayError(code, operation)[lang];
}
