/**
 * The official downloadbill samples, verbatim (each as found; the sources are named beside it).
 * Every one of them shows a single record under totals that count more (the publishers cut the
 * rest), so `complete()` rebuilds the totals line from the records shown: a text in the official
 * layout whose totals agree with its lines.
 */

/** From WeChat Cloud Run's official bill doc (developers.weixin.qq.com …/wxcloudrun/src/development/pay/order/bill.md), service-provider layout. */
export const OFFICIAL_ALL = "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注\n`2022-03-21 13:51:31,`wxfdc955f7104ad557,`180023671,`176531292,`,`420000612032130748613220688,`2021WERUN1647840687637,`oZWaCKXip5njeEiloC4oeOV1TTsk,`JSAPI,`SUCCESS,`OTHERS,`CNY,`0.01,`0.00,`0,`0,`0.00,`0.00,`,`,`微信云托管支付测试,`,`0.00000,`0.90%,`0.01,`0.00,`\n总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\n`12,`0.06,`0.06,`0.00,`0.00000,`0.06,`0.06\n";

/** From binarywang/WxJava WxPayBillResultTest.java PAY_BILL_RESULT_ALL_CONTENT (a real merchant, ids masked). */
export const OFFICIAL_ALL_MASKED = "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注\n`2019-07-25 08:35:41,`WWWW,`XXXXXXXX,`0,`,`XXXXXXXXXXXXX,`XXXXXXXXXX,`XXXXXXXXXXX,`JSAPI,`SUCCESS,`PSBC_DEBIT,`CNY,`6.00,`0.00,`0,`0,`0.00,`0.00,`,`,`XXXXXX,`XXXXXXX,`0.04000,`0.60%,`6.00,`0.00,`\n总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\n`48,`5.76,`1.42,`0.00,`0.01000,`5.76,`1.42\n";

/** From the old official downloadbill doc's example, as copied into WxJava WxPayBillResultTest.java (PAY_BILL_RESULT_ALL_CONTENT_1). */
export const OFFICIAL_ALL_LEGACY = "交易时间,公众账号ID,商户号,子商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,总金额,代金券或立减优惠金额,微信退款单号,商户退款单号,退款金额,代金券或立减优惠退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率\n`2014-11-10 16：33：45,`wx2421b1c4370ec43b,`10000100,`0,`1000,`1001690740201411100005734289,`1415640626,`085e9858e3ba5186aafcbaed1,`MICROPAY,`SUCCESS,`OTHERS,`CNY,`0.01,`0.0,`0,`0,`0,`0,`,`,`被扫支付测试,`订单额外描述,`0,`0.60%\n`2014-11-10 16：46：14,`wx2421b1c4370ec43b,`10000100,`0,`1000,`1002780740201411100005729794,`1415635270,`085e9858e90ca40c0b5aee463,`MICROPAY,`SUCCESS,`OTHERS,`CNY,`0.01,`0.0,`0,`0,`0,`0,`,`,`被扫支付测试,`订单额外描述,`0,`0.60%\n总交易单数,总交易额,总退款金额,总代金券或立减优惠退款金额,手续费总金额\n`2,`0.02,`0.0,`0.0,`0";

/** From WxJava WxPayBillResultTest.java PAY_BILL_RESULT_SUCCESS_CONTENT (ids masked). */
export const OFFICIAL_SUCCESS = "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,商品名称,商户数据包,手续费,费率,订单金额,费率备注\n`2019-07-23 18:46:41,`XXXX,`XXX,`XXX,`,`XXX,`XXX,`XXX,`JSAPI,`SUCCESS,`CFT,`CNY,`0.01,`0.00,`XXX,`XXXX,`0.00000,`0.60%,`0.01,`\n总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\n`31,`3.05,`0.00,`0.00,`0.02000,`3.05,`0.00";

/** From WxJava WxPayBillResultTest.java PAY_BILL_RESULT_REFUND_CONTENT (ids masked). */
export const OFFICIAL_REFUND = "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,退款申请时间,退款成功时间,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注\n`2019-07-23 20:53:36,`xxx,`xxx,`xxx,`,`xxx,`xxxx,`xxxxx,`JSAPI,`REFUND,`CFT,`CNY,`0.00,`0.00,`2019-07-23 20:53:36,`2019-07-23 20:53:40,`xxxx,`xxx,`0.01,`0.00,`ORIGINAL,`SUCCESS,`xxxx,`xxxx,`0.00000,`0.60%,`0.00,`0.01,`\n总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\n`4,`0.00,`2.02,`0.00,`-0.02000,`0.00,`2.02";
/** The header line, the record lines and the totals header of a sample, with a totals line that matches its records. */
export function complete(sample: string, totals: readonly string[]): string {
  const lines = sample.split(/\r?\n/).filter((line) => line !== '');
  return [...lines.slice(0, -1), totals.map((v) => '`' + v).join(',')].join('\r\n') + '\r\n';
}
