import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Payment, ReconciliationResult } from '../../shared/api.ts';
import { SIMULATOR_DEFAULTS } from '../../server/simulator/app.ts';
import { createAlipayClient, type AlipayClient } from '../../server/alipay/client.ts';
import { ALIPAY_SIMULATOR_DEFAULTS } from '../../server/simulator/alipay/app.ts';
import { simulatorKey } from '../../server/simulator/alipay/keys.ts';
import { makeAlipayTestCode, makeTestCode } from '../../server/simulator/test-codes.ts';
import type { NewPayment } from '../../server/store/types.ts';
import { createWechatClient, type WechatClient } from '../../server/wechat/client.ts';
import { newId, startHarness, type Harness } from './harness.ts';

/**
 * The safety net end to end: payments through the API, then the simulator's ledger (driven
 * directly over its WeChat API, as a payment the till never saw would be) and the journal made
 * to disagree in every way; the reconciliation, run over HTTP and by `npm run reconcile`, finds
 * each difference in the simulator's real bill.
 */

const PIN = { 'x-manager-pin': '2468' };
let h: Harness;
let wechat: WechatClient;
let alipay: AlipayClient;
let token: string;
const today = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);

beforeAll(async () => {
  h = await startHarness();
  token = await h.terminal();
  wechat = createWechatClient({ ...SIMULATOR_DEFAULTS, signType: 'MD5', apiBase: h.server.gatewayBase, timeoutMs: 5_000 });
  alipay = createAlipayClient({ appId: ALIPAY_SIMULATOR_DEFAULTS.appId, privateKey: simulatorKey('appPrivateKey'), alipayPublicKey: simulatorKey('alipayPublicKey'), gateway: h.server.alipayGateway!, timeoutMs: 5_000 });
});
afterAll(async () => {
  wechat?.close();
  alipay?.close();
  await h?.close();
});

async function paid(amount_fen: number, auth_code = makeTestCode('success')): Promise<Payment> {
  const id = newId('rc');
  const res = await h.call<Payment>('POST', '/api/payments', { token, body: { id, amount_fen, auth_code } });
  expect(res.status, res.text).toBe(200);
  return h.waitStatus(token, id, 'succeeded');
}

/** A succeeded payment written straight into the journal: the till says paid, whatever WeChat says. */
async function journalOnly(out_trade_no: string, amount_fen: number, wallet: NewPayment['wallet'] = 'wechat'): Promise<void> {
  const now = Date.now();
  const row: NewPayment = {
    wallet, cancel_action: null, id: newId('jo'), out_trade_no, terminal_id: 'elsewhere', amount_fen, description: null, auth_code_masked: '1300**********0000', auth_code_hash: 'x',
    status: 'succeeded', step: 'done', error_code: null, error_message: null, transaction_id: null, late_payment: false, cancel_requested: false,
    send_rejected: false, sent_at: now, reverse_decided_at: null, reverse_reason: null, reverse_attempts: 0, deadline_at: now, reverse_after: now,
    next_at: now, created_at: now, updated_at: now,
  };
  expect((await h.server.store.insertPayment(row)).kind).toBe('created');
}

async function atWechat(out_trade_no: string, total_fee: number): Promise<void> {
  const outcome = await wechat.micropay({ out_trade_no, total_fee, auth_code: makeTestCode('success'), body: 'Shop-POS' });
  expect(outcome.kind).toBe('ok');
}

describe('reconciliation against the simulator over HTTP', () => {
  it('finds every kind of difference between the journal and the bill, and says so alike over the API, in CSV and from npm run reconcile', async () => {
    // Agree: a payment with a refund made at the till.
    const agreed = await paid(1_000);
    const refund = await h.call('POST', `/api/payments/${agreed.id}/refunds`, { token, headers: PIN, body: { id: newId('rf'), amount_fen: 300 } });
    expect(refund.status, refund.text).toBe(200);
    // missing_in_journal: charged at WeChat under a number the till never journaled.
    const stray = `STRAY${Date.now()}`;
    await atWechat(stray, 777);
    // missing_at_wechat: succeeded in the journal, never sent.
    const phantom = `PHANTOM${Date.now()}`;
    await journalOnly(phantom, 450);
    // amount_mismatch: WeChat charged 500, the journal says 600.
    const different = `AMOUNT${Date.now()}`;
    await atWechat(different, 500);
    await journalOnly(different, 600);
    // status_mismatch: succeeded here, reversed at WeChat afterwards.
    const reversed = await paid(880);
    expect((await wechat.reverse({ out_trade_no: reversed.out_trade_no })).kind).toBe('ok');
    // refund_mismatch: a refund made at WeChat behind the till's back.
    const refundedBehind = await paid(990);
    expect((await wechat.refund({ out_trade_no: refundedBehind.out_trade_no, out_refund_no: `BEHIND${Date.now()}`, total_fee: 990, refund_fee: 90 })).kind).toBe('ok');

    const date = today();
    expect((await h.call('POST', '/api/reconciliations', { token, body: { date } })).body.error.code).toBe('PIN_REQUIRED');
    expect((await h.call('GET', `/api/reconciliations?date=${date}`, { token, headers: PIN })).status).toBe(404);
    const run = await h.call<ReconciliationResult>('POST', '/api/reconciliations', { token, headers: PIN, body: { date } });
    expect(run.status, run.text).toBe(200);
    const result = run.body;
    expect(result).toMatchObject({ date, status: 'differences', counts: { journal: 5, bill: 5, matched: 2 } });
    const found = result.differences.map((d) => [d.kind, d.out_trade_no]).sort();
    expect(found).toEqual(
      [
        ['amount_mismatch', different],
        ['missing_at_wechat', phantom],
        ['missing_in_journal', stray],
        ['refund_mismatch', refundedBehind.out_trade_no],
        ['status_mismatch', reversed.out_trade_no],
      ].sort(),
    );
    expect(result.differences.find((d) => d.kind === 'amount_mismatch')).toMatchObject({ journal_fen: 600, bill_fen: 500 });
    expect(result.differences.find((d) => d.kind === 'missing_in_journal')).toMatchObject({ journal_fen: null, bill_fen: 777, bill_status: 'SUCCESS' });
    expect(result.differences.find((d) => d.kind === 'refund_mismatch')).toMatchObject({ journal_fen: null, bill_fen: 90 });

    const stored = await h.call<ReconciliationResult>('GET', `/api/reconciliations?date=${date}`, { token, headers: PIN });
    expect(stored.body).toEqual(result);

    const csv = await fetch(`${h.base}/api/reconciliations.csv?date=${date}&lang=en`, { headers: { authorization: `Bearer ${token}`, ...PIN } });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = (await csv.text()).replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toMatch(/^Bill date,Difference,Order number/);
    // The differences, then a blank line and each wallet's totals.
    expect(lines.indexOf('')).toBe(6);
    expect(lines[7]).toMatch(/^Bill date,Wallet,Result,Till paid,Bill paid,Agree,Differences/);
    expect(lines.slice(8)).toEqual([`${date},WeChat,differences,5,5,2,5,`, `${date},Alipay,no_bill,0,0,0,0,Alipay: 账单不存在`]);
    expect(lines.find((l) => l.includes(different))).toContain(',6.00,5.00,');

    const cli = await reconcileCommand(date);
    expect(cli.code, cli.stderr).toBe(0);
    const last = JSON.parse(cli.stdout.trim().split('\n').at(-1)!) as ReconciliationResult;
    expect(last).toMatchObject({ date, status: 'differences', counts: result.counts });
    expect(last.differences.map((d) => [d.kind, d.out_trade_no]).sort()).toEqual(found);
  });

  it("checks Alipay sales against Alipay's bill over HTTP, naming the wallet per difference and in each wallet's totals, alike from npm run reconcile", async () => {
    // Agree: an Alipay sale at the till.
    await paid(2_580, makeAlipayTestCode('success'));
    // missing_in_journal: charged at Alipay under a number the till never journaled.
    const stray = `ASTRAY${Date.now()}`;
    expect((await alipay.pay({ out_trade_no: stray, amount_fen: 666, auth_code: makeAlipayTestCode('success'), subject: 'Shop-POS' })).kind).toBe('ok');
    // missing_at_alipay: an Alipay sale succeeded in the journal, never sent.
    const phantom = `APHANTOM${Date.now()}`;
    await journalOnly(phantom, 321, 'alipay');

    const date = today();
    const run = await h.call<ReconciliationResult>('POST', '/api/reconciliations', { token, headers: PIN, body: { date } });
    expect(run.status, run.text).toBe(200);
    const ofAlipay = run.body.differences.filter((d) => d.wallet === 'alipay');
    expect(ofAlipay.map((d) => [d.kind, d.out_trade_no, d.journal_fen, d.bill_fen]).sort()).toEqual(
      [
        ['missing_at_alipay', phantom, 321, null],
        ['missing_in_journal', stray, null, 666],
      ].sort(),
    );
    expect(run.body.wallets?.find((w) => w.wallet === 'alipay')).toMatchObject({ status: 'differences', counts: { journal: 2, bill: 2, matched: 1 }, differences: 2 });
    expect(run.body.differences.filter((d) => d.wallet === 'wechat').length).toBe(run.body.wallets?.find((w) => w.wallet === 'wechat')?.differences);

    const csv = await (await fetch(`${h.base}/api/reconciliations.csv?date=${date}&lang=en`, { headers: { authorization: `Bearer ${token}`, ...PIN } })).text();
    expect(csv.split('\r\n').find((l) => l.includes(stray))).toMatch(/^[\d-]+,"?Paid at Alipay, not succeeded in the till"?,.*,Alipay$/);
    expect(csv).toContain(`${date},Alipay,differences,2,2,1,2,`);

    const cli = await reconcileCommand(date, '--shop', 'default');
    expect(cli.code, cli.stderr).toBe(0);
    const last = JSON.parse(cli.stdout.trim().split('\n').at(-1)!) as ReconciliationResult;
    expect(last.wallets?.map((w) => [w.wallet, w.status])).toEqual([['wechat', 'differences'], ['alipay', 'differences']]);
    expect(last.differences.filter((d) => d.wallet === 'alipay').map((d) => d.out_trade_no).sort()).toEqual([phantom, stray].sort());
    expect(cli.stdout).toContain('alipay missing_in_journal');
    const unknownShop = await reconcileCommand(date, '--shop', 'nowhere');
    expect(unknownShop.code).toBe(2);
    expect(unknownShop.stderr).toContain('No shop "nowhere"');
  });

  it('refuses a date outside WeChat\'s 3-month window or not a date, and reports a day without a bill as no_bill', async () => {
    for (const date of ['2020-01-01', '2999-01-01', '2026-02-30', '']) {
      const res = await h.call('POST', '/api/reconciliations', { token, headers: PIN, body: { date } });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('INVALID_DATE');
    }
    const longAgo = new Date(Date.now() + 8 * 3_600_000 - 40 * 86_400_000).toISOString().slice(0, 10);
    const res = await h.call<ReconciliationResult>('POST', '/api/reconciliations', { token, headers: PIN, body: { date: longAgo } });
    expect(res.body).toMatchObject({ date: longAgo, status: 'no_bill', differences: [], error: expect.stringContaining('WeChat: No Bill Exist') });
    const cli = await reconcileCommand('2020-01-01');
    expect(cli.code).toBe(2);
    expect(JSON.parse(cli.stdout.trim().split('\n').at(-1)!)).toMatchObject({ date: '2020-01-01', status: 'error' });
  });

  it('tells whoever runs npm run reconcile to start the server first when its built-in simulator is not running', async () => {
    // Port 9 (discard): nothing listens there, as when `npm start` was not run.
    const cli = await reconcileCommand(today(), { PORT: '9' });
    expect(cli.code).toBe(1);
    expect(cli.stdout).toContain('cannot reach');
    expect(cli.stderr).toContain('start it first (npm start) with the same PORT (9) and DATA_DIR');
  });
});

function reconcileCommand(date: string, ...more: (string | Record<string, string>)[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const args = more.filter((a): a is string => typeof a === 'string');
  const overrides = more.find((a): a is Record<string, string> => typeof a !== 'string');
  const builtIn = overrides ? overrides : { WECHAT_API_BASE: h.server.gatewayBase, ALIPAY_GATEWAY: h.server.alipayGateway! };
  const env = { PATH: process.env.PATH, ...h.env, ...builtIn };
  const proc = spawn(process.execPath, ['--import', 'tsx', 'server/cli/reconcile.ts', date, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => proc.on('close', (code) => resolve({ code, stdout, stderr })));
}
