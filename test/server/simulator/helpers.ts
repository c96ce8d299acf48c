import { randomBytes } from 'node:crypto';
import { createSimulator, SIMULATOR_DEFAULTS, type Simulator, type SimulatorOptions } from '../../../server/simulator/app.ts';
import { makeTestCode, type Behaviour } from '../../../server/simulator/test-codes.ts';
import { sign, verify, type SignType } from '../../../server/wechat/sign.ts';
import { parseXml, toXml } from '../../../server/wechat/xml.ts';

/** A clock the test moves by hand. */
export function fakeClock(start = '2026-11-28T02:00:00.000Z') {
  let t = new Date(start).getTime();
  return { now: () => new Date(t), advance: (ms: number) => void (t += ms) };
}

export interface CallOptions {
  signType?: SignType;
  /** Sign with this key instead of the merchant's (a forged request). */
  key?: string;
  /** Leave the envelope fields out (appid, mch_id, nonce_str) so the test controls them all. */
  bare?: boolean;
  /** Send no sign at all. */
  unsigned?: boolean;
}

export interface Reply {
  status: number;
  text: string;
  contentType: string;
  /** Parsed fields when the body is XML. */
  fields: Record<string, string>;
  /** True when the answer's sign verifies with the merchant's key and the request's algorithm. */
  signed: boolean;
}

/** A simulator with a fake clock and a `call` that sends signed XML the way the product's client does. */
export function harness(options: SimulatorOptions = {}, clockStart?: string) {
  const clock = fakeClock(clockStart);
  const sim: Simulator = createSimulator({ now: clock.now, slowMs: 50, passwordDeclineMs: 3000, refundSettleMs: 1000, ...options });
  const key = options.key ?? SIMULATOR_DEFAULTS.key;

  function signedXml(fields: Record<string, string>, opts: CallOptions = {}): string {
    const signType = opts.signType ?? 'MD5';
    const all: Record<string, string> = opts.bare
      ? { ...fields }
      : { appid: options.appid ?? SIMULATOR_DEFAULTS.appid, mch_id: options.mch_id ?? SIMULATOR_DEFAULTS.mch_id, nonce_str: randomBytes(8).toString('hex'), ...fields };
    if (signType !== 'MD5') all.sign_type = signType;
    if (!opts.unsigned) all.sign = sign(all, opts.key ?? key, signType);
    return toXml(all);
  }

  async function send(path: string, body: string | Uint8Array, signType: SignType = 'MD5', method = 'POST'): Promise<Reply> {
    const init: RequestInit = { method, headers: { 'Content-Type': 'text/xml' } };
    if (method === 'POST') init.body = typeof body === 'string' ? body : new Blob([new Uint8Array(body)]);
    const res = await sim.app.request(path, init);
    const text = await res.text();
    const fields = text.startsWith('<') ? parseXml(text) : {};
    return { status: res.status, text, contentType: res.headers.get('content-type') ?? '', fields, signed: verify(fields, key, signType) };
  }

  const call = (path: string, fields: Record<string, string>, opts: CallOptions = {}) => send(path, signedXml(fields, opts), opts.signType ?? 'MD5');

  let seq = 0;
  /** A fresh out_trade_no for each payment. */
  const orderNo = () => `T${Date.now().toString(36)}${++seq}`;

  /** A micropay with sensible defaults; `fields` overrides any of them. */
  const micropay = (fields: Record<string, string> = {}, opts: CallOptions = {}) =>
    call('/pay/micropay', { body: 'Shop-POS', out_trade_no: orderNo(), total_fee: '1234', spbill_create_ip: '127.0.0.1', auth_code: makeTestCode('success'), ...fields }, opts);

  const pay = (behaviour: Behaviour, fields: Record<string, string> = {}, opts: CallOptions = {}) =>
    micropay({ auth_code: makeTestCode(behaviour), ...fields }, opts);

  const query = (out_trade_no: string, opts: CallOptions = {}) => call('/pay/orderquery', { out_trade_no }, opts);
  const reverse = (out_trade_no: string, opts: CallOptions = {}) => call('/secapi/pay/reverse', { out_trade_no }, opts);
  const refund = (out_trade_no: string, out_refund_no: string, refund_fee: number, total_fee = 1234) =>
    call('/secapi/pay/refund', { out_trade_no, out_refund_no, total_fee: String(total_fee), refund_fee: String(refund_fee) });

  return { sim, clock, key, call, send, signedXml, micropay, pay, query, reverse, refund, orderNo };
}
