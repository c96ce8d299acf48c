import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlipayOutcome } from '../../../../server/alipay/gateway.ts';
import { alipayLedgerFile } from '../../../../server/simulator/app.ts';
import { LedgerInUseError } from '../../../../server/simulator/ledger-store.ts';
import { makeAlipayTestCode, type AlipayBehaviour } from '../../../../server/simulator/test-codes.ts';
import { beijingDate, outTradeNo, startAlipaySimulator } from './helpers.ts';

/** The simulated Alipay's trades in a SQLite file: what a restart keeps, as WeChat's ledger does. */
let dir: string;
let file: string;
const running: { stop(): Promise<void> }[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sim-alipay-ledger-'));
  file = join(dir, 'data', 'simulator-alipay.sqlite');
});
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function start() {
  const s = await startAlipaySimulator({ ledgerFile: file });
  running.push(s);
  return { ...s, client: s.client() };
}
async function restart(s: Awaited<ReturnType<typeof start>>) {
  s.client.close();
  await s.stop();
  running.splice(running.indexOf(s), 1);
  return start();
}

const sale = (behaviour: AlipayBehaviour, amount_fen = 1_234) => ({ out_trade_no: outTradeNo('AL'), amount_fen, auth_code: makeAlipayTestCode(behaviour), subject: 'Shop-POS' });
function ok<T>(outcome: AlipayOutcome<T>): T {
  if (outcome.kind !== 'ok') throw new Error(`expected ok, got ${JSON.stringify(outcome)}`);
  return outcome.value;
}

describe('simulated Alipay ledger in a file', () => {
  it('lies beside WeChat’s ledger file', () => {
    expect(alipayLedgerFile('/data/simulator.sqlite')).toBe('/data/simulator-alipay.sqlite');
  });

  it('queries, refunds and bills a trade paid before a restart, and never pays its refund twice', async () => {
    const first = await start();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const req = sale('success', 2_000);
    const paid = ok(await first.client.pay(req));
    ok(await first.client.refund({ out_trade_no: req.out_trade_no, out_request_no: 'R1', refund_fen: 500 }));

    const second = await restart(first);
    expect(ok(await second.client.query({ out_trade_no: req.out_trade_no }))).toMatchObject({ trade_no: paid.trade_no, trade_status: 'TRADE_SUCCESS' });
    // The same out_request_no is the same refund: no money moves again; a new one refunds from what is left.
    expect(ok(await second.client.refund({ out_trade_no: req.out_trade_no, out_request_no: 'R1', refund_fen: 500 }))).toMatchObject({ fund_change: false });
    await expect(second.client.refund({ out_trade_no: req.out_trade_no, out_request_no: 'R2', refund_fen: 1_501 })).resolves.toMatchObject({ kind: 'business_error', code: 'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL' });
    ok(await second.client.refund({ out_trade_no: req.out_trade_no, out_request_no: 'R2', refund_fen: 1_500 }));
    const url = ok(await second.client.billDownloadUrl({ bill_type: 'trade', bill_date: beijingDate() })).bill_download_url;
    const bill = await second.client.downloadBill(url);
    expect(bill.records.map((r) => [r.kind, r.out_trade_no, r.amount_fen])).toEqual([
      ['payment', req.out_trade_no, 2_000],
      ['refund', req.out_trade_no, -500],
      ['refund', req.out_trade_no, -1_500],
    ]);
  });

  it('still refuses a code used before the restart, and a late pay with a number cancelled before it', async () => {
    const first = await start();
    const used = sale('success');
    ok(await first.client.pay(used));
    const cancelled = outTradeNo('AX');
    ok(await first.client.cancel({ out_trade_no: cancelled }));

    const second = await restart(first);
    expect(await second.client.pay({ ...used, out_trade_no: outTradeNo('AL') })).toMatchObject({ kind: 'business_error', code: 'ACQ.PAYMENT_AUTH_CODE_INVALID' });
    expect(await second.client.pay({ ...sale('success'), out_trade_no: cancelled })).toMatchObject({ kind: 'business_error', code: 'ACQ.TRADE_HAS_CLOSE' });
  });

  it('refuses a second simulator on the same file', async () => {
    await start();
    await expect(startAlipaySimulator({ ledgerFile: file })).rejects.toBeInstanceOf(LedgerInUseError);
  });
});
