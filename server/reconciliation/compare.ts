import type { ReconciliationDifference } from '../../shared/api.ts';
import type { Wallet } from '../../shared/payment-code.ts';
import type { BillRecord } from '../wechat/bill.ts';

/**
 * The comparison itself, pure, shop- and wallet-agnostic: journal rows on one side, the lines of
 * one day's bill on the other, both ways. A caller reconciling several shops or wallets calls it
 * once per shop and wallet with those rows and that bill. Bill lines are in WeChat's vocabulary
 * (SUCCESS, REVOKED, REFUND); other wallets' bills are read into it (alipay-bill-lines.ts).
 *
 * - missing_in_journal: the bill shows an order paid (and not given back the same day) that the
 *   journal does not have as succeeded (absent, failed, canceled, still open).
 * - missing_at_wechat / missing_at_alipay: a payment succeeded in the journal that the wallet's
 *   bill does not show paid.
 * - amount_mismatch: both show it paid, for different amounts.
 * - status_mismatch: the journal says succeeded, the bill shows the order reversed (REVOKED).
 * - refund_mismatch: a refund of the day on one side only, for another amount, or failed on one
 *   side and on its way or done on the other.
 */
export interface JournalPayment {
  id: string;
  out_trade_no: string;
  amount_fen: number;
  status: string;
  transaction_id: string | null;
}

export interface JournalRefund {
  /** Our refund id = out_refund_no at WeChat. */
  id: string;
  out_trade_no: string;
  amount_fen: number;
  status: string;
  /** WeChat's refund_id once it accepted the refund. */
  refund_id: string | null;
}

export interface CompareInput {
  /** The journal's payments of the bill's day: every succeeded one must be on the bill. */
  payments: readonly JournalPayment[];
  /** Journal payments of other days that the bill names (late payments, midnight). */
  elsewhere: readonly JournalPayment[];
  /** The journal's refunds requested on the bill's day. */
  refunds: readonly JournalRefund[];
  /** Journal refunds of other days that the bill names. */
  refundsElsewhere: readonly JournalRefund[];
  bill: readonly BillLine[];
  /** Whose bill it is (default WeChat): names the missing_at_<wallet> difference. */
  wallet?: Wallet;
  /** out_trade_no found paid on a neighbouring day's bill (a payment that crossed midnight). */
  paidOnNeighbourDay?: ReadonlySet<string>;
}

/** What the comparison reads of a bill line: WeChat's ALL-bill fields. */
export type BillLine = Pick<
  BillRecord,
  'out_trade_no' | 'transaction_id' | 'trade_state' | 'total_fee' | 'settlement_total_fee' | 'coupon_fee' | 'out_refund_no' | 'refund_status' | 'refund_fee'
>;

export interface Comparison {
  counts: { journal: number; bill: number; matched: number };
  differences: ReconciliationDifference[];
}

interface BillOrder {
  out_trade_no: string;
  transaction_id: string;
  paid_fen: number;
  paid: boolean;
  revoked: boolean;
  refunded_fen: number;
}

/** A refund still counts at WeChat while it is on its way or done. */
const LIVE_REFUND_STATES = new Set(['SUCCESS', 'PROCESSING']);

/** The amount a payment line shows: 订单金额, or on bills without it 应结订单金额 plus the coupon. */
const paidAmount = (r: BillLine) => (r.total_fee > 0 ? r.total_fee : r.settlement_total_fee + r.coupon_fee);

export function compareDay(input: CompareInput): Comparison {
  const orders = new Map<string, BillOrder>();
  const billRefunds = new Map<string, BillLine>();
  for (const line of input.bill) {
    let order = orders.get(line.out_trade_no);
    if (!order) {
      order = { out_trade_no: line.out_trade_no, transaction_id: line.transaction_id, paid_fen: 0, paid: false, revoked: false, refunded_fen: 0 };
      orders.set(line.out_trade_no, order);
    }
    if (line.trade_state === 'SUCCESS') {
      order.paid = true;
      order.paid_fen += paidAmount(line);
    } else if (line.trade_state === 'REVOKED') {
      order.revoked = true;
    } else if (line.trade_state === 'REFUND') {
      if (line.out_refund_no && LIVE_REFUND_STATES.has(line.refund_status)) billRefunds.set(line.out_refund_no, line);
      if (LIVE_REFUND_STATES.has(line.refund_status)) order.refunded_fen += line.refund_fee;
    }
  }

  const journal = new Map<string, JournalPayment>();
  for (const p of input.elsewhere) journal.set(p.out_trade_no, p);
  for (const p of input.payments) journal.set(p.out_trade_no, p);
  const ofTheDay = new Set(input.payments.map((p) => p.out_trade_no));

  const differences: ReconciliationDifference[] = [];
  const compared = new Set<string>();
  let billCount = 0;
  let matched = 0;

  for (const order of orders.values()) {
    const j = journal.get(order.out_trade_no);
    // A payment of another day counts here only when this bill shows it paid or reversed (a refund line alone does not).
    if (j?.status === 'succeeded' && (order.paid || order.revoked || ofTheDay.has(j.out_trade_no))) compared.add(j.out_trade_no);
    const ids = { out_trade_no: order.out_trade_no, ...(j ? { payment_id: j.id } : {}), transaction_id: order.transaction_id };
    if (!order.paid) {
      // Only a reversal today of an order paid on another day: it must not be succeeded here.
      if (order.revoked && j?.status === 'succeeded') {
        differences.push({ kind: 'status_mismatch', ...ids, journal_fen: j.amount_fen, bill_fen: 0, journal_status: j.status, bill_status: 'REVOKED' });
      }
      continue;
    }
    billCount += 1;
    const heldAtWechat = !order.revoked && order.paid_fen - order.refunded_fen > 0;
    if (order.revoked) {
      if (j?.status === 'succeeded') {
        differences.push({ kind: 'status_mismatch', ...ids, journal_fen: j.amount_fen, bill_fen: order.paid_fen, journal_status: j.status, bill_status: 'REVOKED' });
      } else if (j) {
        matched += 1; // paid and reversed at WeChat, not succeeded here: both say no money was taken
      }
      continue;
    }
    if (!j || j.status !== 'succeeded') {
      // Paid and given back the same day by a refund (a late payment closed that way): no money held.
      if (!heldAtWechat && j) {
        matched += 1;
        continue;
      }
      differences.push({ kind: 'missing_in_journal', ...ids, journal_fen: j?.amount_fen ?? null, bill_fen: order.paid_fen, journal_status: j?.status ?? null, bill_status: 'SUCCESS' });
      continue;
    }
    if (j.amount_fen !== order.paid_fen) {
      differences.push({ kind: 'amount_mismatch', ...ids, journal_fen: j.amount_fen, bill_fen: order.paid_fen, journal_status: j.status, bill_status: 'SUCCESS' });
      continue;
    }
    matched += 1;
  }

  for (const p of input.payments) {
    if (p.status !== 'succeeded' || compared.has(p.out_trade_no)) continue;
    compared.add(p.out_trade_no);
    if (input.paidOnNeighbourDay?.has(p.out_trade_no)) continue;
    differences.push({
      kind: input.wallet === 'alipay' ? 'missing_at_alipay' : 'missing_at_wechat',
      out_trade_no: p.out_trade_no,
      payment_id: p.id,
      ...(p.transaction_id ? { transaction_id: p.transaction_id } : {}),
      journal_fen: p.amount_fen,
      bill_fen: null,
      journal_status: p.status,
      bill_status: null,
    });
  }

  differences.push(...compareRefunds(input, billRefunds));
  return { counts: { journal: compared.size, bill: billCount, matched }, differences };
}

/** A journal refund WeChat should show: done, or on its way once WeChat accepted it. */
const expectedAtWechat = (r: JournalRefund) => r.status === 'succeeded' || (r.status === 'processing' && r.refund_id !== null);

function compareRefunds(input: CompareInput, billRefunds: ReadonlyMap<string, BillLine>): ReconciliationDifference[] {
  const differences: ReconciliationDifference[] = [];
  const journal = new Map<string, JournalRefund>();
  for (const r of input.refundsElsewhere) journal.set(r.id, r);
  for (const r of input.refunds) journal.set(r.id, r);

  for (const [outRefundNo, line] of billRefunds) {
    const j = journal.get(outRefundNo);
    const base = { kind: 'refund_mismatch' as const, out_trade_no: line.out_trade_no, out_refund_no: outRefundNo, transaction_id: line.transaction_id, bill_fen: line.refund_fee, bill_status: line.refund_status };
    if (!j) differences.push({ ...base, journal_fen: null, journal_status: null });
    else if (!expectedAtWechat(j) || j.amount_fen !== line.refund_fee) differences.push({ ...base, journal_fen: j.amount_fen, journal_status: j.status });
  }
  for (const r of input.refunds) {
    if (!expectedAtWechat(r) || billRefunds.has(r.id)) continue;
    differences.push({ kind: 'refund_mismatch', out_trade_no: r.out_trade_no, out_refund_no: r.id, journal_fen: r.amount_fen, bill_fen: null, journal_status: r.status, bill_status: null });
  }
  return differences;
}
