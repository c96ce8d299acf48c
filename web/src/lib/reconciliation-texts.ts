/**
 * Texts of the reconciliation screen, in Chinese and English; they load with that screen. What
 * each difference is and what to do about it come from shared/reconciliation-texts.ts, which
 * the CSV export uses too.
 */
import type { ReconciliationKind } from '../../../shared/api.ts';
import type { Wallet } from '../../../shared/payment-code.ts';
import { WALLET_NAMES, kindActionText, kindLabelText } from '../../../shared/reconciliation-texts.ts';
import { i18n } from './i18n.svelte.ts';

const TEXTS = {
  title: { zh: '对账', en: 'Reconciliation' },
  explain: {
    zh: '把本店的收银记录与微信支付、支付宝的对账单逐笔核对。账单在次日 10:00（北京时间）前后提供，保留 3 个月；服务器每天自动核对前一天。',
    en: 'Checks this shop’s till records against WeChat Pay’s and Alipay’s bills, payment by payment. Each wallet publishes a day’s bill by about 10:00 Beijing time the next day and keeps it for 3 months; the server checks the day before every day.',
  },
  date: { zh: '账单日期（北京时间）', en: 'Bill date (Beijing time)' },
  pin: { zh: '店长密码', en: 'Manager PIN' },
  show: { zh: '查看结果', en: 'Show result' },
  open: { zh: '打开对账', en: 'Open reconciliation' },
  run: { zh: '立即对账', en: 'Reconcile now' },
  running: { zh: '正在对账…', en: 'Reconciling…' },
  loading: { zh: '正在读取…', en: 'Loading…' },
  csv: { zh: '导出 CSV', en: 'Export CSV' },
  lock: { zh: '锁定', en: 'Lock' },
  none: { zh: '这一天还没有对账结果：点“立即对账”。', en: 'No reconciliation for this day yet: choose “Reconcile now”.' },
  matched: { zh: '一致：收银记录与账单完全相符。', en: 'Matched: the till and the bills agree on every payment.' },
  differences: { zh: '发现 {n} 处差异，请按每行的处理方法核实。', en: '{n} differences found: follow the action on each row.' },
  no_bill: { zh: '还没有这一天的账单（{reason}）。账单在次日 10:00 前后生成；收银记录中有 {n} 笔成功收款等待核对。', en: 'No bill for this day yet ({reason}). Bills come by 10:00 the next day; {n} succeeded payments in the till wait for it.' },
  error: { zh: '对账没有完成：{reason}。请稍后再试。', en: 'The reconciliation did not finish: {reason}. Try again later.' },
  counts: { zh: '收银成功 {journal} 笔 · 账单 {bill} 笔 · 一致 {matched} 笔', en: 'Till: {journal} paid · bill: {bill} paid · {matched} agree' },
  walletLine: { zh: '{wallet}：{state} · 收银成功 {journal} 笔 · 账单 {bill} 笔 · 一致 {matched} 笔 · 差异 {differences} 处', en: '{wallet}: {state} · till {journal} paid · bill {bill} paid · {matched} agree · {differences} differences' },
  state_matched: { zh: '一致', en: 'matched' },
  state_differences: { zh: '有差异', en: 'differences' },
  state_no_bill: { zh: '暂无账单', en: 'no bill yet' },
  state_error: { zh: '未完成', en: 'not done' },
  colWallet: { zh: '钱包', en: 'Wallet' },
  ranAt: { zh: '对账时间：{at}', en: 'Checked at {at}' },
  colKind: { zh: '差异', en: 'Difference' },
  colOrder: { zh: '商户订单号', en: 'Order number' },
  colTill: { zh: '收银记录', en: 'Till' },
  colWechat: { zh: '账单', en: 'Bill' },
  colAction: { zh: '处理方法', en: 'Action' },
  refundNo: { zh: '退款单号 {n}', en: 'refund {n}' },
  absent: { zh: '无', en: 'none' },
  exported: { zh: '已下载 {file}', en: 'Downloaded {file}' },
} as const satisfies Record<string, { zh: string; en: string }>;

export type ReconciliationTextKey = keyof typeof TEXTS;

export function rx(key: ReconciliationTextKey, params?: Record<string, string | number>): string {
  let text: string = TEXTS[key][i18n.lang];
  if (params) for (const [k, v] of Object.entries(params)) text = text.replace(`{${k}}`, String(v));
  return text;
}

export const kindLabel = (kind: ReconciliationKind, wallet?: Wallet): string => kindLabelText(kind, wallet, i18n.lang);
export const kindAction = (kind: ReconciliationKind, wallet?: Wallet): string => kindActionText(kind, wallet, i18n.lang);
export const walletName = (wallet: Wallet): string => WALLET_NAMES[wallet][i18n.lang];
