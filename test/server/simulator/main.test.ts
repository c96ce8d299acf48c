import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimulator, SIMULATOR_DEFAULTS } from '../../../server/simulator/app.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTestCode } from '../../../server/simulator/test-codes.ts';
import { sign, verify } from '../../../server/wechat/sign.ts';
import { parseXml, toXml } from '../../../server/wechat/xml.ts';

/** `npm run simulator` as a real process: it prints where it listens and uses WECHAT_* credentials. */
let child: ChildProcess | undefined;
afterEach(() => {
  child?.kill('SIGTERM');
  child = undefined;
});

function start(env: Record<string, string>): Promise<{ base: string; phone: string }> {
  child = spawn(process.execPath, ['--import', 'tsx', 'server/simulator/main.ts'], {
    env: { ...process.env, SIMULATOR_PORT: '0', WECHAT_APPID: '', WECHAT_MCH_ID: '', WECHAT_API_KEY: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child!.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const base = /simulator on (http:\/\/[\d.]+:\d+)/.exec(out)?.[1];
      const phone = /phone page: (\S+)/.exec(out)?.[1];
      if (base && phone) resolve({ base, phone });
    });
    child!.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child!.on('exit', (code) => reject(new Error(`simulator exited with ${code}: ${out}`)));
  });
}

describe('npm run simulator', () => {
  it('serves the gateway with the credentials from WECHAT_* and prints the phone page', async () => {
    const creds = { WECHAT_APPID: 'wx1234567890abcdef', WECHAT_MCH_ID: '1230000109', WECHAT_API_KEY: 'Q'.repeat(32) };
    const { base, phone } = await start(creds);
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(phone).toBe(`${base}/phone`);
    expect((await fetch(phone)).status).toBe(200);

    const fields: Record<string, string> = {
      appid: creds.WECHAT_APPID,
      mch_id: creds.WECHAT_MCH_ID,
      nonce_str: 'main1',
      sign_type: 'HMAC-SHA256',
      body: 'Shop-POS',
      out_trade_no: 'MAIN1',
      total_fee: '1',
      spbill_create_ip: '127.0.0.1',
      auth_code: makeTestCode('success'),
    };
    fields.sign = sign(fields, creds.WECHAT_API_KEY, 'HMAC-SHA256');
    const answer = parseXml(await (await fetch(`${base}/pay/micropay`, { method: 'POST', body: toXml(fields) })).text());
    expect(answer.result_code).toBe('SUCCESS');
    expect(verify(answer, creds.WECHAT_API_KEY, 'HMAC-SHA256')).toBe(true);
  });

  it('keeps its ledger in SIMULATOR_LEDGER: a payment made before a hard kill is refunded after the restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-main-'));
    try {
      const env = { SIMULATOR_LEDGER: join(dir, 'ledger.sqlite') };
      const call = async (base: string, path: string, fields: Record<string, string>) => {
        const all = { appid: SIMULATOR_DEFAULTS.appid, mch_id: SIMULATOR_DEFAULTS.mch_id, nonce_str: `n${Date.now()}`, ...fields };
        const xml = toXml({ ...all, sign: sign(all, SIMULATOR_DEFAULTS.key, 'MD5') });
        return parseXml(await (await fetch(`${base}${path}`, { method: 'POST', body: xml })).text());
      };
      const first = await start(env);
      const paid = await call(first.base, '/pay/micropay', { body: 'Shop-POS', out_trade_no: 'KEPT1', total_fee: '300', spbill_create_ip: '127.0.0.1', auth_code: makeTestCode('success') });
      expect(paid.result_code).toBe('SUCCESS');
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child!.kill('SIGKILL');
      await exited;
      const second = await start(env);
      expect(await call(second.base, '/secapi/pay/refund', { out_trade_no: 'KEPT1', out_refund_no: 'RKEPT1', total_fee: '300', refund_fee: '300' })).toMatchObject({ result_code: 'SUCCESS', transaction_id: paid.transaction_id });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a SIMULATOR_LEDGER another simulator holds', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-main-'));
    const held = createSimulator({ ledgerFile: join(dir, 'ledger.sqlite') });
    try {
      await expect(start({ SIMULATOR_LEDGER: join(dir, 'ledger.sqlite') })).rejects.toThrow(/SIMULATOR_LEDGER: the simulator ledger .* is in use by another simulator/);
    } finally {
      held.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a SIMULATOR_LATENCY_MS that is not a number', async () => {
    await expect(start({ SIMULATOR_LATENCY_MS: 'fast' })).rejects.toThrow(/SIMULATOR_LATENCY_MS must be a whole number/);
  });
});
