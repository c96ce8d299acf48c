import type { ReconciliationKind } from './api.ts';

/**
 * What each reconciliation difference is called and what the manager must do about it, in both
 * languages: the web screen and the CSV export (server/reconciliation/csv.ts) say the same.
 */
export const KIND_LABELS: Readonly<Record<ReconciliationKind, { zh: string; en: string }>> = {
  missing_in_journal: { zh: '微信已收款，收银无成功记录', en: 'Paid at WeChat, not succeeded in the till' },
  missing_at_wechat: { zh: '收银成功，微信账单无收款', en: 'Succeeded in the till, not paid at WeChat' },
  amount_mismatch: { zh: '金额不一致', en: 'Amounts differ' },
  status_mismatch: { zh: '状态不一致（微信已撤销）', en: 'Status differs (reversed at WeChat)' },
  refund_mismatch: { zh: '退款不一致', en: 'Refund differs' },
};

export const KIND_ACTIONS: Readonly<Record<ReconciliationKind, { zh: string; en: string }>> = {
  missing_in_journal: {
    zh: '微信已收到这笔钱，但收银记录里没有成功的交易：与顾客核实后，退款或补记这笔销售。',
    en: 'WeChat took this money but the till has no succeeded sale for it: check with the customer, then refund it or record the sale.',
  },
  missing_at_wechat: {
    zh: '收银记录为成功，但微信账单中没有这笔收款：凭商户订单号在微信支付商户平台核实，未收到的款项向顾客补收。',
    en: 'The till shows this sale paid but WeChat has no such payment: look the order number up in the WeChat Pay merchant platform and collect any money not received.',
  },
  amount_mismatch: {
    zh: '微信实收金额与收银记录不同：在微信支付商户平台核对订单，退还或补收差额。',
    en: 'WeChat charged another amount than the till recorded: check the order in the WeChat Pay merchant platform, then refund or collect the difference.',
  },
  status_mismatch: {
    zh: '微信已撤销这笔交易（钱已退回顾客），收银记录却为成功：重新收款或更正这笔销售。',
    en: 'WeChat reversed this payment (the money went back to the customer) but the till shows it paid: collect it again or correct the sale.',
  },
  refund_mismatch: {
    zh: '退款在收银记录和微信账单中不一致：在微信支付商户平台核对，核实之前不要再次退款。',
    en: 'The refund differs between the till and WeChat: check it in the WeChat Pay merchant platform, and do not refund again before it is checked.',
  },
};
