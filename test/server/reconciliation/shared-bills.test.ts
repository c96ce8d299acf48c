import { describe, expect, it } from 'vitest';
import { BILL_REUSE_MS, SharedBills } from '../../../server/reconciliation/shared-bills.ts';
import type { DayBill, WalletBills } from '../../../server/reconciliation/wallet-bills.ts';
import type { Shop } from '../../../server/shops/shops.ts';

const shop = (id: string, subMchId?: string): Shop => ({ id, name: id, timeZone: 'Asia/Shanghai', ...(subMchId ? { merchant: { sub_mch_id: subMchId } } : {}) });
const line = (out_trade_no: string) => ({ out_trade_no, transaction_id: `42${out_trade_no}`, trade_state: 'SUCCESS', total_fee: 100, settlement_total_fee: 100, coupon_fee: 0, out_refund_no: '', refund_status: '', refund_fee: 0 });

/** A wallet whose every download is counted; `answer` decides what each one gets. */
function countingWallet(answer: (n: number) => DayBill = () => ({ kind: 'ok', lines: [line('o1')] })) {
  const asked: string[] = [];
  const wallet: WalletBills = {
    wallet: 'wechat',
    label: 'WeChat',
    async day(date, s, options) {
      asked.push(`${s?.id ?? '-'} ${date}${options?.paidOnly ? ' paid' : ''}`);
      return answer(asked.length);
    },
    account: (s) => s?.merchant?.sub_mch_id ?? '',
    ownsUnclaimed: () => true,
  };
  return { wallet, asked };
}

describe('SharedBills', () => {
  it('reads a day bill once for all the shops on one account, and hands every shop the same lines', async () => {
    const { wallet, asked } = countingWallet();
    const bills = new SharedBills(() => 0);
    const [a, b, c] = await Promise.all([bills.day(wallet, '2026-11-28', shop('default')), bills.day(wallet, '2026-11-28', shop('shop-2')), bills.day(wallet, '2026-11-28', undefined)]);
    expect(asked).toEqual(['default 2026-11-28']);
    expect(b).toBe(a);
    expect(c).toBe(a);
  });

  it('reads separately for another account, another day and the paid-only bill', async () => {
    const { wallet, asked } = countingWallet();
    const bills = new SharedBills(() => 0);
    await bills.day(wallet, '2026-11-28', shop('default'));
    await bills.day(wallet, '2026-11-28', shop('sp-1', '1900000202'));
    await bills.day(wallet, '2026-11-28', shop('sp-2', '1900000203'));
    await bills.day(wallet, '2026-11-29', shop('default'));
    await bills.day(wallet, '2026-11-28', shop('default'), { paidOnly: true });
    expect(asked).toEqual(['default 2026-11-28', 'sp-1 2026-11-28', 'sp-2 2026-11-28', 'default 2026-11-29', 'default 2026-11-28 paid']);
  });

  it('asks the wallet again once the reuse window has passed', async () => {
    const { wallet, asked } = countingWallet();
    let now = 1_000;
    const bills = new SharedBills(() => now);
    await bills.day(wallet, '2026-11-28', shop('default'));
    now += BILL_REUSE_MS - 1;
    await bills.day(wallet, '2026-11-28', shop('shop-2'));
    now += 1;
    await bills.day(wallet, '2026-11-28', shop('shop-3'));
    expect(asked).toEqual(['default 2026-11-28', 'shop-3 2026-11-28']);
  });

  it('keeps neither a missing bill nor a failure, so the next shop or try asks again', async () => {
    const answers: DayBill[] = [
      { kind: 'no_bill', message: 'WeChat: No Bill Exist' },
      { kind: 'error', message: 'WeChat: SYSTEMERROR' },
      { kind: 'ok', lines: [line('o1')] },
    ];
    const { wallet, asked } = countingWallet((n) => answers[n - 1]!);
    const bills = new SharedBills(() => 0);
    expect((await bills.day(wallet, '2026-11-28', shop('default'))).kind).toBe('no_bill');
    expect((await bills.day(wallet, '2026-11-28', shop('default'))).kind).toBe('error');
    expect((await bills.day(wallet, '2026-11-28', shop('default'))).kind).toBe('ok');
    expect((await bills.day(wallet, '2026-11-28', shop('shop-2'))).kind).toBe('ok');
    expect(asked).toHaveLength(3);
  });

  it('does not keep a download that threw', async () => {
    let calls = 0;
    const wallet: WalletBills = {
      wallet: 'alipay',
      label: 'Alipay',
      async day() {
        calls++;
        if (calls === 1) throw new Error('socket hang up');
        return { kind: 'ok', lines: [] };
      },
      account: () => '',
      ownsUnclaimed: () => true,
    };
    const bills = new SharedBills(() => 0);
    await expect(bills.day(wallet, '2026-11-28', undefined)).rejects.toThrow('socket hang up');
    expect((await bills.day(wallet, '2026-11-28', undefined)).kind).toBe('ok');
    expect(calls).toBe(2);
  });
});
