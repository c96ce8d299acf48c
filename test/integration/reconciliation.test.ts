import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Payment, ReconciliationResult } from '../../shared/api.ts';
import { SIMULATOR_DEFAULTS } from '../../server/simulator/app.ts';
import { makeTestCode } from '../../server/simulator/test-codes.ts';
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
let token: string;
const today = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);

beforeAll(async () => {
  h = await startHarness();
  token = await h.terminal();
  wechat = createWechatClient({ ...SIMULATOR_DEFAULTS, signType: 'MD5', apiBase: h.server.gatewayBase, timeoutMs: 5_000 });
});
afterAll(async () => {
  wechat?.close();
  await h?.close();
});

async function paid(amount_fen: number): Promise<Payment> {
  const id = newId('rc');
  const res = await h.call<Payment>('POST', '/api/payments', { token, body: { id, amount_fen, auth_code: makeTestCode('success') } });
  expect(res.status, res.text).toBe(200);
  return h.waitStatus(token, id, 'succeeded');
}

/** A succeeded payment written straight into the journal: the till says paid, whatever WeChat says. */
async function journalOnly(out_trade_no: string, amount_fen: number): Promise<void> {
  const now = Date.now();
  const row: NewPayment = {
    id: newId('jo'), out_trade_no, terminal_id: 'elsewhere', amount_fen, description: null, auth_code_masked: '1300**********0000', auth_code_hash: 'x',
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
    expect(lines).toHaveLength(6);
    expect(lines.find((l) => l.includes(different))).toContain(',6.00,5.00,');

    const cli = await reconcileCommand(date);
    expect(cli.code, cli.stderr).toBe(0);
    const last = JSON.parse(cli.stdout.trim().split('\n').at(-1)!) as ReconciliationResult;
    expect(last).toMatchObject({ date, status: 'differences', counts: result.counts });
    expect(last.differences.map((d) => [d.kind, d.out_trade_no]).sort()).toEqual(found);
  });

  it('refuses a date outside WeChat\'s 3-month window or not a date, and reports a day without a bill as no_bill', async () => {
    for (const date of ['2020-01-01', '2999-01-01', '2026-02-30', '']) {
      const res = await h.call('POST', '/api/reconciliations', { token, headers: PIN, body: { date } });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('INVALID_DATE');
    }
    const longAgo = new Date(Date.now() + 8 * 3_600_000 - 40 * 86_400_000).toISOString().slice(0, 10);
    const res = await h.call<ReconciliationResult>('POST', '/api/reconciliations', { token, headers: PIN, body: { date: longAgo } });
    expect(res.body).toMatchObject({ date: longAgo, status: 'no_bill', differences: [], error: 'WeChat: No Bill Exist' });
    const cli = await reconcileCommand('2020-01-01');
    expect(cli.code).toBe(2);
    expect(JSON.parse(cli.stdout.trim().split('\n').at(-1)!)).toMatchObject({ date: '2020-01-01', status: 'error' });
  });
});

function reconcileCommand(date: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = { PATH: process.env.PATH, ...h.env, WECHAT_API_BASE: h.server.gatewayBase };
  const proc = spawn(process.execPath, ['--import', 'tsx', 'server/cli/reconcile.ts', date], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => proc.on('close', (code) => resolve({ code, stdout, stderr })));
}
