import { describe, expect, it } from 'vitest';
import { SIMULATOR_DEFAULTS } from '../../../server/simulator/app.ts';
import { makeTestCode } from '../../../server/simulator/test-codes.ts';
import { sign } from '../../../server/wechat/sign.ts';
import { harness } from './helpers.ts';

describe('simulator request envelope', () => {
  it('answers return_code FAIL with XML格式错误 for malformed XML', async () => {
    const h = harness();
    const r = await h.send('/pay/micropay', '<xml><appid>wx</appid');
    expect(r.status).toBe(200);
    expect(r.fields).toEqual({ return_code: 'FAIL', return_msg: 'XML格式错误' });
  });

  it('refuses a DOCTYPE (XXE) body as an XML format error and charges nobody', async () => {
    const h = harness();
    const body = '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml><appid>&x;</appid></xml>';
    const r = await h.send('/pay/micropay', body);
    expect(r.fields.return_code).toBe('FAIL');
    expect(r.fields.return_msg).toBe('XML格式错误');
    expect(h.sim.orders()).toEqual([]);
  });

  it('refuses a body larger than 64 KiB', async () => {
    const h = harness();
    const r = await h.send('/pay/micropay', `<xml><body>${'a'.repeat(70_000)}</body></xml>`);
    expect(r.fields.return_code).toBe('FAIL');
    expect(r.fields.return_msg).toMatch(/请求体过大/);
  });

  it('refuses a body that is not UTF-8', async () => {
    const h = harness();
    const r = await h.send('/pay/micropay', new Uint8Array([0x3c, 0x78, 0x6d, 0x6c, 0x3e, 0xff, 0xfe, 0x3c, 0x2f, 0x78, 0x6d, 0x6c, 0x3e]));
    expect(r.fields.return_code).toBe('FAIL');
    expect(r.fields.return_msg).toMatch(/UTF-8/);
  });

  it('asks for POST when a gateway path is called with GET', async () => {
    const h = harness();
    const r = await h.send('/pay/orderquery', '', 'MD5', 'GET');
    expect(r.fields).toEqual({ return_code: 'FAIL', return_msg: '请使用post方法' });
  });

  it('answers 签名错误 for a request signed with the wrong key', async () => {
    const h = harness();
    const r = await h.micropay({}, { key: 'x'.repeat(32) });
    expect(r.fields).toEqual({ return_code: 'FAIL', return_msg: '签名错误' });
    expect(h.sim.orders()).toEqual([]);
  });

  it('answers 签名错误 for a request without a sign', async () => {
    const h = harness();
    const r = await h.micropay({}, { unsigned: true });
    expect(r.fields).toEqual({ return_code: 'FAIL', return_msg: '签名错误' });
  });

  it('answers 签名错误 when an MD5 signature is sent as HMAC-SHA256', async () => {
    const h = harness();
    const fields: Record<string, string> = { appid: SIMULATOR_DEFAULTS.appid, mch_id: SIMULATOR_DEFAULTS.mch_id, nonce_str: 'n1', out_trade_no: 'A1', sign_type: 'HMAC-SHA256' };
    fields.sign = sign(fields, h.key, 'MD5');
    const r = await h.send('/pay/orderquery', `<xml>${Object.entries(fields).map(([k, v]) => `<${k}>${v}</${k}>`).join('')}</xml>`);
    expect(r.fields.return_msg).toBe('签名错误');
  });

  it('refuses an unknown sign_type before anything else', async () => {
    const h = harness();
    const fields: Record<string, string> = { appid: SIMULATOR_DEFAULTS.appid, mch_id: SIMULATOR_DEFAULTS.mch_id, nonce_str: 'n1', out_trade_no: 'A1', sign_type: 'SHA1' };
    fields.sign = sign(fields, h.key, 'MD5');
    const r = await h.send('/pay/orderquery', `<xml>${Object.entries(fields).map(([k, v]) => `<${k}>${v}</${k}>`).join('')}</xml>`);
    expect(r.fields.return_code).toBe('FAIL');
    expect(r.fields.return_msg).toMatch(/sign_type/);
  });

  for (const signType of ['MD5', 'HMAC-SHA256'] as const) {
    it(`signs the answer with the request's ${signType} and leaves sign_type out of it`, async () => {
      const h = harness();
      const r = await h.micropay({}, { signType });
      expect(r.fields.result_code).toBe('SUCCESS');
      expect(r.fields.sign_type).toBeUndefined();
      expect(r.fields.sign).toMatch(signType === 'MD5' ? /^[0-9A-F]{32}$/ : /^[0-9A-F]{64}$/);
      expect(r.signed).toBe(true);
      expect(r.fields.nonce_str).toMatch(/^[0-9A-Za-z]{32}$/);
      expect(r.fields.appid).toBe(SIMULATOR_DEFAULTS.appid);
      expect(r.fields.mch_id).toBe(SIMULATOR_DEFAULTS.mch_id);
    });
  }

  it('accepts the credentials it was created with and refuses the defaults then', async () => {
    const creds = { appid: 'wx1234567890abcdef', mch_id: '1230000109', key: 'k'.repeat(32) };
    const h = harness(creds);
    expect((await h.micropay()).fields.result_code).toBe('SUCCESS');
    const wrongKey = await h.micropay({}, { key: SIMULATOR_DEFAULTS.key });
    expect(wrongKey.fields.return_msg).toBe('签名错误');
  });

  it('answers MCHID_NOT_EXIST for another merchant id, signed', async () => {
    const h = harness();
    const r = await h.micropay({ mch_id: '1900000999' });
    expect(r.fields).toMatchObject({ return_code: 'SUCCESS', result_code: 'FAIL', err_code: 'MCHID_NOT_EXIST' });
    expect(r.signed).toBe(true);
  });

  it('answers APPID_MCHID_NOT_MATCH for a well-formed appid of someone else', async () => {
    const h = harness();
    const r = await h.micropay({ appid: 'wxd930ea5d5a258f4f' });
    expect(r.fields.err_code).toBe('APPID_MCHID_NOT_MATCH');
  });

  it('answers APPID_NOT_EXIST for a value that is no appid at all', async () => {
    const h = harness();
    const r = await h.micropay({ appid: 'not-an-appid' });
    expect(r.fields.err_code).toBe('APPID_NOT_EXIST');
  });

  it('answers an unsigned return_code FAIL 缺少参数 when appid, mch_id or nonce_str is missing', async () => {
    const h = harness();
    for (const missing of ['appid', 'mch_id', 'nonce_str']) {
      const fields: Record<string, string> = { appid: SIMULATOR_DEFAULTS.appid, mch_id: SIMULATOR_DEFAULTS.mch_id, nonce_str: 'abc', out_trade_no: 'Q1' };
      delete fields[missing];
      const r = await h.call('/pay/orderquery', fields, { bare: true });
      expect(r.fields, missing).toEqual({ return_code: 'FAIL', return_msg: '缺少参数' });
    }
  });

  it('answers an unsigned return_code FAIL <name>参数长度有误 for a nonce_str, appid or mch_id longer than 32', async () => {
    const h = harness();
    for (const name of ['nonce_str', 'appid', 'mch_id']) {
      const r = await h.micropay({ [name]: 'n'.repeat(33) });
      expect(r.fields, name).toEqual({ return_code: 'FAIL', return_msg: `${name}参数长度有误` });
    }
  });

  it('accepts unknown extra fields (signed like the others) and ignores them', async () => {
    const h = harness();
    const r = await h.micropay({ scene_info: '{"store_info":{"id":"S1"}}', future_field: 'x', coupon_fee_3: '5' });
    expect(r.fields.result_code).toBe('SUCCESS');
    expect(r.fields.future_field).toBeUndefined();
  });

  it('echoes sub_mch_id and sub_appid in provider mode', async () => {
    const h = harness();
    const r = await h.micropay({ sub_mch_id: '1900000110', sub_appid: 'wx1111111111111111' });
    expect(r.fields).toMatchObject({ result_code: 'SUCCESS', sub_mch_id: '1900000110', sub_appid: 'wx1111111111111111' });
    expect(r.signed).toBe(true);
  });

  it('accepts /payitil/report with a signed SUCCESS answer', async () => {
    const h = harness();
    const r = await h.call('/payitil/report', { interface_url: 'https://api.mch.weixin.qq.com/pay/micropay', execute_time_: '120', return_code: 'SUCCESS', result_code: 'SUCCESS', user_ip: '127.0.0.1' });
    expect(r.fields).toMatchObject({ return_code: 'SUCCESS', result_code: 'SUCCESS' });
    expect(r.signed).toBe(true);
  });

  it('delays every gateway answer by latencyMs', async () => {
    const h = harness({ latencyMs: 60 });
    const started = Date.now();
    await h.micropay({ auth_code: makeTestCode('success') });
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
  });
});
