import type { Gateway } from '../wechat/gateway.ts';
import type { ResolvedFlowConfig } from './config.ts';
import type { WalletPort } from './port.ts';
import { wechatTime } from './shop-time.ts';

/** WeChat Pay behind the flow's port: its answers are the flow's vocabulary, passed through. */
export function wechatPort(gateway: Gateway, config: ResolvedFlowConfig): WalletPort {
  return {
    wallet: 'wechat',
    charge: (row, authCode) =>
      gateway.micropay({
        out_trade_no: row.out_trade_no,
        total_fee: row.amount_fen,
        auth_code: authCode,
        body: wechatBody(config.body, row.description),
        device_info: row.terminal_id,
        attach: row.id,
        time_start: wechatTime(row.created_at, config.timeZone),
        // WeChat wants time_expire at least a minute after time_start.
        time_expire: wechatTime(row.created_at + Math.max(config.deadlineMs, 60_000) + 60_000, config.timeZone),
        ...(config.spbillCreateIp ? { spbill_create_ip: config.spbillCreateIp } : {}),
      }),
    query: (row) => gateway.orderQuery({ out_trade_no: row.out_trade_no }),
    cancel: (row) => gateway.reverse({ out_trade_no: row.out_trade_no }),
    refund: (refund, payment) =>
      gateway.refund({
        out_trade_no: payment.out_trade_no,
        out_refund_no: refund.id,
        total_fee: payment.amount_fen,
        refund_fee: refund.amount_fen,
        ...(refund.reason ? { refund_desc: refund.reason } : {}),
      }),
    refundQuery: (refund) => gateway.refundQuery({ out_refund_no: refund.id }),
  };
}

/** WeChat's `body`: "<shop>-<description>", at most 127 bytes of UTF-8. */
export function wechatBody(prefix: string, description: string | null): string {
  const full = description ? `${prefix}-${description}` : prefix;
  let out = '';
  for (const ch of full) {
    if (Buffer.byteLength(out + ch) > 127) break;
    out += ch;
  }
  return out || 'POS';
}
