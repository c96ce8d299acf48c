/** Where each WeChat Pay v2 call goes, and which need the merchant's client certificate (wechat-pay-v2.md §1). */

export const MAIN_API_BASE = 'https://api.mch.weixin.qq.com';
/** WeChat's cross-city backup host, for failover of queries and reversals. */
export const BACKUP_API_BASE = 'https://api2.mch.weixin.qq.com';

export const ENDPOINTS = {
  micropay: { path: '/pay/micropay', mtls: false },
  orderQuery: { path: '/pay/orderquery', mtls: false },
  reverse: { path: '/secapi/pay/reverse', mtls: true },
  refund: { path: '/secapi/pay/refund', mtls: true },
  refundQuery: { path: '/pay/refundquery', mtls: false },
  downloadBill: { path: '/pay/downloadbill', mtls: false },
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
