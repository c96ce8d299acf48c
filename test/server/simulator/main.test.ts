import { spawn, type ChildProcess } from 'node:child_process';
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

  it('refuses a SIMULATOR_LATENCY_MS that is not a number', async () => {
    await expect(start({ SIMULATOR_LATENCY_MS: 'fast' })).rejects.toThrow(/SIMULATOR_LATENCY_MS must be a whole number/);
  });
});
