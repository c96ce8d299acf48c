import { formatYuan } from '../../shared/money.ts';
import type { ReconciliationResult } from '../../shared/api.ts';
import { WALLET_NAMES, kindActionText, kindLabelText } from '../../shared/reconciliation-texts.ts';
import { BOM, csvLines } from '../exports/csv.ts';

/**
 * A reconciliation's differences as CSV, with the same helpers (BOM, CRLF, formula guard) as the
 * exports: one row per difference, naming the wallet whose bill it is, then one row per wallet
 * with its status and totals, so the file alone tells what was checked.
 */
const HEADERS = {
  zh: ['账单日期', '差异', '商户订单号', '商户退款单号', '收银付款号', '支付平台单号', '收银金额', '账单金额', '收银状态', '账单状态', '处理', '钱包'],
  en: ['Bill date', 'Difference', 'Order number', 'Refund number', 'Payment id', 'Wallet transaction', 'Till amount', 'Bill amount', 'Till status', 'Bill status', 'Action', 'Wallet'],
};
const TOTALS = {
  zh: ['账单日期', '钱包', '结果', '收银成功笔数', '账单收款笔数', '一致笔数', '差异数', '说明'],
  en: ['Bill date', 'Wallet', 'Result', 'Till paid', 'Bill paid', 'Agree', 'Differences', 'Note'],
};

const yuan = (fen: number | null | undefined) => (fen === null || fen === undefined ? '' : formatYuan(fen));

export function reconciliationCsv(result: ReconciliationResult, lang: 'zh' | 'en'): string {
  const rows = result.differences.map((d) => [
    result.date,
    kindLabelText(d.kind, d.wallet, lang),
    d.out_trade_no,
    d.out_refund_no ?? '',
    d.payment_id ?? '',
    d.transaction_id ?? '',
    yuan(d.journal_fen),
    yuan(d.bill_fen),
    d.journal_status ?? '',
    d.bill_status ?? '',
    kindActionText(d.kind, d.wallet, lang),
    WALLET_NAMES[d.wallet ?? 'wechat'][lang],
  ]);
  const totals = (result.wallets ?? []).map((w) => [
    result.date,
    WALLET_NAMES[w.wallet][lang],
    w.status,
    String(w.counts.journal),
    String(w.counts.bill),
    String(w.counts.matched),
    String(w.differences),
    w.error ?? '',
  ]);
  return BOM + csvLines([HEADERS[lang], ...rows, ...(totals.length > 0 ? [[], TOTALS[lang], ...totals] : [])]);
}
