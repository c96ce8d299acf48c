import { formatYuan } from '../../shared/money.ts';
import type { ReconciliationResult } from '../../shared/api.ts';
import { KIND_ACTIONS, KIND_LABELS } from '../../shared/reconciliation-texts.ts';
import { BOM, csvLines } from '../exports/csv.ts';

/** A reconciliation's differences as CSV, with the same helpers (BOM, CRLF, formula guard) as the exports. */
const HEADERS = {
  zh: ['账单日期', '差异', '商户订单号', '商户退款单号', '收银付款号', '微信订单号', '收银金额', '微信账单金额', '收银状态', '微信状态', '处理'],
  en: ['Bill date', 'Difference', 'Order number', 'Refund number', 'Payment id', 'WeChat transaction', 'Till amount', 'WeChat bill amount', 'Till status', 'WeChat status', 'Action'],
};

const yuan = (fen: number | null | undefined) => (fen === null || fen === undefined ? '' : formatYuan(fen));

export function reconciliationCsv(result: ReconciliationResult, lang: 'zh' | 'en'): string {
  const rows = result.differences.map((d) => [
    result.date,
    KIND_LABELS[d.kind][lang],
    d.out_trade_no,
    d.out_refund_no ?? '',
    d.payment_id ?? '',
    d.transaction_id ?? '',
    yuan(d.journal_fen),
    yuan(d.bill_fen),
    d.journal_status ?? '',
    d.bill_status ?? '',
    KIND_ACTIONS[d.kind][lang],
  ]);
  return BOM + csvLines([HEADERS[lang], ...rows]);
}
