/**
 * WeChat's `bank_type` (CMB_DEBIT, ICBC_CREDIT, OTHERS …) as the cashier reads it: the bank and
 * the kind of card, from WeChat Pay's list of bank types (银行类型) for the banks a customer is
 * most likely to pay with. A code not in the table still says debit or credit card.
 */
import type { Lang } from './i18n.svelte.ts';

const BANKS: Record<string, [zh: string, en: string]> = {
  ICBC: ['工商银行', 'ICBC'],
  ABC: ['农业银行', 'Agricultural Bank of China'],
  BOC: ['中国银行', 'Bank of China'],
  CCB: ['建设银行', 'China Construction Bank'],
  COMM: ['交通银行', 'Bank of Communications'],
  PSBC: ['邮储银行', 'Postal Savings Bank'],
  CMB: ['招商银行', 'China Merchants Bank'],
  SPDB: ['浦发银行', 'SPD Bank'],
  CIB: ['兴业银行', 'Industrial Bank'],
  CITIC: ['中信银行', 'China CITIC Bank'],
  CEB: ['光大银行', 'China Everbright Bank'],
  CMBC: ['民生银行', 'China Minsheng Bank'],
  HXB: ['华夏银行', 'Hua Xia Bank'],
  GDB: ['广发银行', 'China Guangfa Bank'],
  PAB: ['平安银行', 'Ping An Bank'],
  BOB: ['北京银行', 'Bank of Beijing'],
  BOSH: ['上海银行', 'Bank of Shanghai'],
  NJCB: ['南京银行', 'Bank of Nanjing'],
  NBCB: ['宁波银行', 'Bank of Ningbo'],
  HZB: ['杭州银行', 'Bank of Hangzhou'],
  JSB: ['江苏银行', 'Bank of Jiangsu'],
  CZB: ['浙商银行', 'China Zheshang Bank'],
  BOCD: ['成都银行', 'Bank of Chengdu'],
  CQB: ['重庆银行', 'Bank of Chongqing'],
};

const WALLETS: Record<string, [zh: string, en: string]> = {
  OTHERS: ['微信零钱', 'WeChat balance'],
  LQT: ['零钱通', 'WeChat balance plus (零钱通)'],
};

const KINDS: Record<string, [zh: string, en: string]> = {
  DEBIT: ['借记卡', 'debit card'],
  CREDIT: ['信用卡', 'credit card'],
};

export function bankName(bankType: string, lang: Lang): string {
  const i = lang === 'zh' ? 0 : 1;
  const wallet = WALLETS[bankType];
  if (wallet) return wallet[i];
  const match = /^([A-Z0-9]+)_(DEBIT|CREDIT)$/.exec(bankType);
  if (!match) return lang === 'zh' ? `银行卡（${bankType}）` : `Bank card (${bankType})`;
  const kind = KINDS[match[2]!]![i];
  const bank = BANKS[match[1]!];
  if (!bank) return lang === 'zh' ? `${kind}（${match[1]}）` : `${kind[0]!.toUpperCase()}${kind.slice(1)} (${match[1]})`;
  return lang === 'zh' ? `${bank[0]}${kind}` : `${bank[1]} ${kind}`;
}
