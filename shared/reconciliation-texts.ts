import type { ReconciliationKind } from './api.ts';
import type { Wallet } from './payment-code.ts';

/**
 * What each reconciliation difference is called and what the manager must do about it, in both
 * languages and for the wallet whose bill it is: the web screen and the CSV export
 * (server/reconciliation/csv.ts) say the same.
 */
type Lang = 'zh' | 'en';
type Text = { zh: string; en: string };

export const WALLET_NAMES: Readonly<Record<Wallet, Text>> = {
  wechat: { zh: '微信', en: 'WeChat' },
  alipay: { zh: '支付宝', en: 'Alipay' },
};

/** Where the merchant looks an order up. */
const PLATFORMS: Readonly<Record<Wallet, Text>> = {
  wechat: { zh: '微信支付商户平台', en: 'WeChat Pay merchant platform' },
  alipay: { zh: '支付宝商家平台', en: 'Alipay merchant portal' },
};

const LABELS: Readonly<Record<ReconciliationKind, Text>> = {
  missing_in_journal: { zh: '{wallet}已收款，收银无成功记录', en: 'Paid at {wallet}, not succeeded in the till' },
  missing_at_wechat: { zh: '收银成功，微信账单无收款', en: 'Succeeded in the till, not paid at WeChat' },
  missing_at_alipay: { zh: '收银成功，支付宝账单无收款', en: 'Succeeded in the till, not paid at Alipay' },
  amount_mismatch: { zh: '金额不一致', en: 'Amounts differ' },
  status_mismatch: { zh: '状态不一致（{wallet}已撤销）', en: 'Status differs (reversed at {wallet})' },
  refund_mismatch: { zh: '退款不一致', en: 'Refund differs' },
};

const missingAtWallet: Text = {
  zh: '收银记录为成功，但{wallet}账单中没有这笔收款：凭商户订单号在{platform}核实，未收到的款项向顾客补收。',
  en: 'The till shows this sale paid but {wallet} has no such payment: look the order number up in the {platform} and collect any money not received.',
};

const ACTIONS: Readonly<Record<ReconciliationKind, Text>> = {
  missing_in_journal: {
    zh: '{wallet}已收到这笔钱，但收银记录里没有成功的交易：与顾客核实后，退款或补记这笔销售。',
    en: '{wallet} took this money but the till has no succeeded sale for it: check with the customer, then refund it or record the sale.',
  },
  missing_at_wechat: missingAtWallet,
  missing_at_alipay: missingAtWallet,
  amount_mismatch: {
    zh: '{wallet}实收金额与收银记录不同：在{platform}核对订单，退还或补收差额。',
    en: '{wallet} charged another amount than the till recorded: check the order in the {platform}, then refund or collect the difference.',
  },
  status_mismatch: {
    zh: '{wallet}已撤销这笔交易（钱已退回顾客），收银记录却为成功：重新收款或更正这笔销售。',
    en: '{wallet} reversed this payment (the money went back to the customer) but the till shows it paid: collect it again or correct the sale.',
  },
  refund_mismatch: {
    zh: '退款在收银记录和{wallet}账单中不一致：在{platform}核对，核实之前不要再次退款。',
    en: 'The refund differs between the till and {wallet}: check it in the {platform}, and do not refund again before it is checked.',
  },
};

const fill = (text: Text, wallet: Wallet, lang: Lang) => text[lang].replaceAll('{wallet}', WALLET_NAMES[wallet][lang]).replaceAll('{platform}', PLATFORMS[wallet][lang]);

/** A difference's name; `wallet` defaults to WeChat (results stored before Alipay had none). */
export const kindLabelText = (kind: ReconciliationKind, wallet: Wallet | undefined, lang: Lang): string => fill(LABELS[kind], wallet ?? 'wechat', lang);
export const kindActionText = (kind: ReconciliationKind, wallet: Wallet | undefined, lang: Lang): string => fill(ACTIONS[kind], wallet ?? 'wechat', lang);
