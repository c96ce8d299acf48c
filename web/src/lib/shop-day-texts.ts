/**
 * Texts of the shift, cashier, export and report screens, in Chinese and English. Kept apart
 * from messages.ts so they load with those screens, never with the checkout.
 */
import { i18n } from './i18n.svelte.ts';
import { ApiFailure } from './api.ts';
import { errorText } from './error-text.ts';

export const SHOP_DAY_TEXTS = {
  'shift.signInTitle': { zh: '收银员签到', en: 'Cashier sign-in' },
  'shift.signInHint': { zh: '请输入您的收银员密码开班，之后的每笔收款都记在您的名下。', en: 'Enter your cashier PIN to open your shift: every payment from now on is recorded in your name.' },
  'shift.pin': { zh: '收银员密码', en: 'Cashier PIN' },
  'shift.signIn': { zh: '签到开班', en: 'Open my shift' },
  'shift.wrongPin': { zh: '没有收银员使用这个密码。', en: 'No cashier has this PIN.' },
  'shift.badPin': { zh: '收银员密码是 4–6 位数字。', en: 'A cashier PIN is 4 to 6 digits.' },
  'shift.title': { zh: '交班', en: 'Shift hand-over' },
  'shift.current': { zh: '当前班次', en: 'Current shift' },
  'shift.reportTitle': { zh: '交班报告', en: 'Hand-over report' },
  'shift.cashier': { zh: '收银员', en: 'Cashier' },
  'shift.terminal': { zh: '收银台', en: 'Terminal' },
  'shift.opened': { zh: '开班时间', en: 'Opened' },
  'shift.closed': { zh: '交班时间', en: 'Closed' },
  'shift.stillOpen': { zh: '进行中', en: 'still open' },
  'shift.count': { zh: '收款笔数', en: 'Payments' },
  'shift.countValue': { zh: '{n} 笔（成功 {ok} 笔）', en: '{n} ({ok} paid)' },
  'shift.received': { zh: '收款', en: 'Received' },
  'shift.refunded': { zh: '退款', en: 'Refunded' },
  'shift.net': { zh: '净额', en: 'Net' },
  'shift.byWallet': { zh: '按支付方式', en: 'By wallet' },
  'shift.openPayments': { zh: '未完成的支付', en: 'Payments still open' },
  'shift.none': { zh: '无', en: 'None' },
  'shift.processingRefunds': { zh: '处理中的退款：{n} 笔，{amount}', en: 'Refunds in progress: {n}, {amount}' },
  'shift.close': { zh: '交班', en: 'Close shift' },
  'shift.closeConfirm': { zh: '确认交班？交班后需下一位收银员签到才能继续收款。', en: 'Close this shift? The next cashier signs in before taking payments.' },
  'shift.closing': { zh: '正在交班…', en: 'Closing…' },
  'shift.print': { zh: '打印交班报告', en: 'Print hand-over' },
  'shift.next': { zh: '下一位收银员签到', en: 'Next cashier signs in' },
  'shift.asking': { zh: '正在读取本班数据…', en: 'Getting this shift’s figures…' },
  'shift.lastKnown': { zh: '无法连接服务器：以下是上次读取的数据，可能不含最新的收款。', en: 'The server cannot be reached: these are the figures last read and may miss the latest sales.' },
  'shift.noShift': { zh: '本收银台没有进行中的班次。', en: 'No shift is open on this terminal.' },
  'shift.noCashiers': { zh: '还没有设置收银员：收银台无需签到即可收款。可在“设置 → 收银员”中添加。', en: 'No cashiers are set up: the till takes payments without a sign-in. Add them in Settings → Cashiers.' },
  'shift.today': { zh: '今日班次', en: 'Today’s shifts' },
  'shift.inProgress': { zh: '有一笔收款正在进行：请等待结果或取消后再交班。', en: 'A payment is in progress: wait for its outcome or cancel it, then close the shift.' },
  'shift.printed': { zh: '已发送到打印机', en: 'Sent to the printer' },
  'cashiers.title': { zh: '收银员', en: 'Cashiers' },
  'cashiers.explain': { zh: '添加收银员后，每台收银台需收银员用自己的密码签到开班才能收款，交班时生成交班报告。', en: 'Once cashiers exist, each terminal asks a cashier to sign in with their PIN before taking payments, and hands over with a report.' },
  'cashiers.managerPin': { zh: '店长密码', en: 'Manager PIN' },
  'cashiers.unlock': { zh: '管理收银员', en: 'Manage cashiers' },
  'cashiers.name': { zh: '姓名', en: 'Name' },
  'cashiers.pin': { zh: '收银员密码（4–6 位数字）', en: 'Cashier PIN (4–6 digits)' },
  'cashiers.add': { zh: '添加收银员', en: 'Add cashier' },
  'cashiers.remove': { zh: '删除', en: 'Remove' },
  'cashiers.removeConfirm': { zh: '删除收银员“{name}”？其历史班次和收款记录保留。', en: 'Remove cashier “{name}”? Their past shifts and payments keep their name.' },
  'cashiers.none': { zh: '还没有收银员：收银台无需签到即可收款。', en: 'No cashiers yet: the till takes payments without a sign-in.' },
  'cashiers.added': { zh: '已添加“{name}”。', en: 'Added “{name}”.' },
  'cashiers.lock': { zh: '完成', en: 'Done' },
  'export.button': { zh: '导出 CSV', en: 'Export CSV' },
  'export.title': { zh: '导出对账明细（CSV）', en: 'Export for the bookkeeper (CSV)' },
  'export.kind': { zh: '内容', en: 'What' },
  'export.payments': { zh: '收款明细', en: 'Payments' },
  'export.refunds': { zh: '退款明细', en: 'Refunds' },
  'export.from': { zh: '开始日期', en: 'From' },
  'export.to': { zh: '结束日期', en: 'To' },
  'export.pin': { zh: '店长密码', en: 'Manager PIN' },
  'export.submit': { zh: '下载', en: 'Download' },
  'export.working': { zh: '正在导出…', en: 'Exporting…' },
  'export.done': { zh: '已下载 {file}', en: 'Downloaded {file}' },
  'export.badRange': { zh: '开始日期不能晚于结束日期。', en: 'The first day must not be after the last.' },
  'export.close': { zh: '关闭', en: 'Close' },
  'export.hint': { zh: 'UTF-8 编码，Excel 可直接打开；金额单位为元。', en: 'UTF-8, opens in Excel as it is; amounts in yuan.' },
  'report.title': { zh: '经营报表', en: 'Owner’s report' },
  'report.day': { zh: '日', en: 'Day' },
  'report.week': { zh: '周', en: 'Week' },
  'report.month': { zh: '月', en: 'Month' },
  'report.pinPrompt': { zh: '查看报表需要店长密码。', en: 'The report needs the manager PIN.' },
  'report.pin': { zh: '店长密码', en: 'Manager PIN' },
  'report.show': { zh: '查看报表', en: 'Show report' },
  'report.loading': { zh: '加载中…', en: 'Loading…' },
  'report.takings': { zh: '收款', en: 'Takings' },
  'report.refunds': { zh: '退款', en: 'Refunds' },
  'report.net': { zh: '净收入', en: 'Net' },
  'report.paidCount': { zh: '成功笔数', en: 'Paid payments' },
  'report.vs.day': { zh: '对比上周同日（{from}）', en: 'vs the same weekday last week ({from})' },
  'report.vs.week': { zh: '对比上周（{from} – {to}）', en: 'vs the week before ({from} – {to})' },
  'report.vs.month': { zh: '对比上月（{from} – {to}）', en: 'vs the month before ({from} – {to})' },
  'report.byHour': { zh: '按小时收款', en: 'Takings by hour' },
  'report.byDay': { zh: '按日收款', en: 'Takings by day' },
  'report.byWallet': { zh: '按支付方式', en: 'By wallet' },
  'report.byTerminal': { zh: '按收银台', en: 'By terminal' },
  'report.byCashier': { zh: '按收银员', en: 'By cashier' },
  'report.noCashier': { zh: '（未签到）', en: '(no cashier)' },
  'report.refundList': { zh: '退款记录', en: 'Refunds made' },
  'report.noRefunds': { zh: '这段时间没有退款。', en: 'No refunds in this period.' },
  'report.more': { zh: '另有 {n} 笔未列出', en: 'and {n} more' },
  'report.openPayments': { zh: '{n} 笔支付尚未完成（{amount}），结果确定后计入。', en: '{n} payments not settled yet ({amount}); they count once settled.' },
  'report.now': { zh: '本期', en: 'This period' },
  'report.before': { zh: '对比期', en: 'Compared' },
  'report.empty': { zh: '这段时间没有收款。', en: 'No payments in this period.' },
  'report.colName': { zh: '名称', en: 'Name' },
  'report.colCount': { zh: '笔数', en: 'Paid' },
  'report.colTakings': { zh: '收款', en: 'Takings' },
  'report.colRefunds': { zh: '退款', en: 'Refunds' },
  'report.colNet': { zh: '净额', en: 'Net' },
  'report.prev': { zh: '上一期', en: 'previous' },
  'report.next': { zh: '下一期', en: 'next' },
  'report.readOnly': { zh: '只读', en: 'Read-only' },
} as const satisfies Record<string, { zh: string; en: string }>;

export type ShopDayKey = keyof typeof SHOP_DAY_TEXTS;

export function tx(key: ShopDayKey, params?: Record<string, string | number>): string {
  let text: string = SHOP_DAY_TEXTS[key][i18n.lang];
  if (params) for (const [k, v] of Object.entries(params)) text = text.replace(`{${k}}`, String(v));
  return text;
}

/** An API failure in the cashier's words; a wrong PIN says whose PIN it was. */
export function failureText(error: unknown, whosePin: 'manager' | 'cashier' = 'manager'): string {
  if (error instanceof ApiFailure && error.code === 'PIN_WRONG' && whosePin === 'cashier') return tx('shift.wrongPin');
  if (error instanceof ApiFailure && error.code === 'PAYMENT_IN_PROGRESS') return tx('shift.inProgress');
  return errorText(error, i18n.lang);
}
