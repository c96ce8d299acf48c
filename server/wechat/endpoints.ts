/** Where each WeChat Pay v2 call goes, and which need the merchant's client certificate (docs/wechat-protocol.md). */

export const MAIN_API_BASE = 'https://api.mch.weixin.qq.com';
/** WeChat's cross-city backup host, for failover of queries and reversals. */
export const BACKUP_API_BASE = 'https://api2.mch.weixin.qq.com';

/**
 * `resend`: may be sent once more when a reused keep-alive connection is reset before any answer.
 * Not micropay: the gateway may have charged the first copy, and the copy's answer (e.g.
 * AUTHCODEEXPIRE for the now-used code) could read as a customer error; an unknown outcome is
 * settled by query instead. The others are queries or idempotent by their order/refund number.
 */
export const ENDPOINTS = {
  micropay: { path: '/pay/micropay', mtls: false, resend: false },
  orderQuery: { path: '/pay/orderquery', mtls: false, resend: true },
  reverse: { path: '/secapi/pay/reverse', mtls: true, resend: true },
  refund: { path: '/secapi/pay/refund', mtls: true, resend: true },
  refundQuery: { path: '/pay/refundquery', mtls: false, resend: true },
  downloadBill: { path: '/pay/downloadbill', mtls: false, resend: true },
} as const;

export type Endpoint = (typeof ENDPOINTS)[keyof typeof ENDPOINTS];

/** An `http://` base is a local simulator: plain HTTP, no client certificate. */
export function isPlainHttp(base: string): boolean {
  return base.startsWith('http://');
}

/** The backup host to fail over to: WeChat's api2 host for the main host, none for any other base. */
export function defaultBackupBase(apiBase: string): string | undefined {
  return trimBase(apiBase) === MAIN_API_BASE ? BACKUP_API_BASE : undefined;
}

export function trimBase(base: string): string {
  return base.replace(/\/+$/, '');
}
