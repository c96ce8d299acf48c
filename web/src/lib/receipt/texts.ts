/**
 * The receipt's and the printer card's words, in Chinese and English. Kept beside the printer
 * code rather than in messages.ts so they load with it, not with the first page.
 */
import type { Lang } from '../i18n.svelte.ts';

export const RECEIPT_TEXTS = {
  heading: { zh: '收款凭证', en: 'Payment receipt' },
  training: { zh: '训练模式 / TRAINING', en: '训练模式 / TRAINING' },
  trainingNote: { zh: '模拟收款，未真实扣款', en: 'Simulated: no real money moved' },
  reprint: { zh: '重打小票', en: 'REPRINT' },
  printedAt: { zh: '打印时间', en: 'Printed' },
  time: { zh: '时间', en: 'Time' },
  amount: { zh: '金额', en: 'Amount' },
  paid: { zh: '顾客实付', en: 'Customer paid' },
  coupon: { zh: '优惠', en: 'Coupon' },
  wallet: { zh: '支付方式', en: 'Paid with' },
  wechat: { zh: '微信支付', en: 'WeChat Pay' },
  alipay: { zh: '支付宝', en: 'Alipay' },
  outTradeNo: { zh: '商户单号', en: 'Order no.' },
  transactionId: { zh: '交易单号', en: 'Transaction' },
  note: { zh: '备注', en: 'Note' },
  cashier: { zh: '收银员', en: 'Cashier' },
  terminal: { zh: '收银台', en: 'Terminal' },
  refund: { zh: '退款', en: 'Refund' },
  refundPending: { zh: '退款处理中', en: 'Refund pending' },
  refunded: { zh: '已退款', en: 'Refunded' },
  net: { zh: '实收', en: 'Net' },
  thanks: { zh: '谢谢惠顾', en: 'Thank you' },
  testTitle: { zh: '打印测试', en: 'Printer test' },
  testPaper: { zh: '纸宽 {mm} 毫米，每行 {cols} 字符', en: 'Paper {mm} mm, {cols} characters a line' },
  testCjk: { zh: '中文每字占两格：', en: 'Chinese takes two columns:' },
  testOk: { zh: '能看到这行并已切纸，即打印正常。', en: 'If this line printed and the paper was cut, the printer works.' },
  // The printer card and the print button's messages.
  cardTitle: { zh: '小票打印机', en: 'Receipt printer' },
  noPrinter: { zh: '未选择 USB 打印机：小票通过浏览器的打印对话框打印。', en: 'No USB printer chosen: receipts go through the browser’s print dialog.' },
  choose: { zh: '选择 USB 打印机', en: 'Choose a USB printer' },
  forget: { zh: '不用此打印机', en: 'Stop using this printer' },
  testPage: { zh: '打印测试页', en: 'Print a test page' },
  paperWidth: { zh: '纸宽', en: 'Paper width' },
  autoPrint: { zh: '收款成功后自动打印小票', en: 'Print a receipt after every sale' },
  connected: { zh: '已连接', en: 'Connected' },
  disconnected: { zh: '未连接（请插上打印机）', en: 'Not connected (plug the printer in)' },
  usbUnavailable: {
    zh: '此浏览器不能直接连接 USB 打印机（需要 Chrome 的 WebUSB，且页面须为 HTTPS 或 localhost）。小票通过浏览器的打印对话框打印。',
    en: 'This browser cannot reach USB printers directly (it takes Chrome’s WebUSB on an HTTPS or localhost page). Receipts go through the browser’s print dialog.',
  },
  printed: { zh: '已发送到打印机', en: 'Sent to the printer' },
  useDialog: { zh: '改用浏览器打印', en: 'Print with the browser instead' },
  'error.NOT_SUCCEEDED': { zh: '只有收款成功的交易才能打印小票。', en: 'Only a paid payment has a receipt.' },
  'error.NOT_CONNECTED': { zh: '打印机未连接：请插上 USB 线并打开打印机，或在设置中重新选择。', en: 'The printer is not connected: plug in its USB cable and switch it on, or choose it again in Settings.' },
  'error.NOT_A_PRINTER': { zh: '此设备没有可写入的 USB 打印机接口（打印机类 0x07，批量输出端点）。', en: 'This device has no writable USB printer interface (printer class 0x07 with a bulk OUT endpoint).' },
  'error.BUSY': {
    zh: '无法占用打印机接口：它可能被系统的打印驱动占用（Windows 需改用 WinUSB 驱动，Linux 需卸载 usblp），或另一个标签页正在使用。',
    en: 'The printer’s interface could not be claimed: the system’s printer driver may hold it (Windows: switch it to the WinUSB driver; Linux: unload usblp), or another tab is using it.',
  },
  'error.TRANSFER': { zh: '发送到打印机失败：请检查纸张和连接后重试。', en: 'Sending to the printer failed: check the paper and the cable, then try again.' },
  'error.UNSUPPORTED': { zh: '此浏览器不支持 WebUSB。', en: 'This browser has no WebUSB.' },
  'error.CANCELED': { zh: '没有选择打印机。', en: 'No printer was chosen.' },
  'error.UNKNOWN': { zh: '打印失败：{detail}', en: 'Printing failed: {detail}' },
} as const satisfies Record<string, { zh: string; en: string }>;

export type ReceiptTextKey = keyof typeof RECEIPT_TEXTS;

export function receiptText(lang: Lang, key: ReceiptTextKey, params?: Record<string, string | number>): string {
  let text: string = RECEIPT_TEXTS[key][lang];
  if (params) for (const [k, v] of Object.entries(params)) text = text.replace(`{${k}}`, String(v));
  return text;
}
