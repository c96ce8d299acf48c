/**
 * Signing cost per payment, Alipay's RSA2 beside WeChat's MD5 and HMAC-SHA256, in one run:
 *   (a) sign and encode one trade.pay request;
 *   (b) verify one trade.pay answer (cut out the response text, check the signature, read it);
 *   (a+b) one of each: what every gateway call of a payment costs in CPU.
 * WeChat: server/wechat (sign + XML). Alipay, ours: server/alipay (RSA2 with node:crypto over the
 * exact response text). Peer: the official alipay-sdk 4.14.0 doing the same work with its own
 * internals (sdkExecute signs and encodes the parameters; checkResponseSign cuts and verifies).
 * Before timing, each Alipay implementation's output is checked to verify with the other's keys
 * and rules, so like is compared with like. Figures are medians; ratios are what to compare.
 */
import { AlipaySdk } from 'alipay-sdk';
import { Bench } from 'tinybench';
import { loadPrivateKey, loadPublicKey } from '../../server/alipay/keys.ts';
import { topLevelMembers } from '../../server/alipay/response.ts';
import { rsa2Sign, rsa2Verify, signContent, signParams } from '../../server/alipay/sign.ts';
import { simulatorKey } from '../../server/simulator/alipay/keys.ts';
import { sign as wechatSign, verify as wechatVerify } from '../../server/wechat/sign.ts';
import { parseXml, toXml } from '../../server/wechat/xml.ts';

const APP_ID = '2021000100000001';
const appPrivate = loadPrivateKey(simulatorKey('appPrivateKey')).key;
const appPublic = loadPublicKey(simulatorKey('appPublicKey')).key;
const alipayPrivate = loadPrivateKey(simulatorKey('alipayPrivateKey')).key;
const alipayPublic = loadPublicKey(simulatorKey('alipayPublicKey')).key;

const BIZ = {
  out_trade_no: 'P20261128100000a1b2c3d4e5f6',
  scene: 'bar_code',
  auth_code: '280000123456789012',
  product_code: 'FACE_TO_FACE_PAYMENT',
  subject: 'Shop-Branch-门店收银',
  total_amount: '12.34',
  store_id: 'S01',
  terminal_id: 'till-01',
};
const REQUEST = {
  app_id: APP_ID,
  method: 'alipay.trade.pay',
  format: 'JSON',
  charset: 'utf-8',
  sign_type: 'RSA2',
  timestamp: '2026-11-28 10:00:00',
  version: '1.0',
  biz_content: JSON.stringify(BIZ),
};
const RESPONSE_KEY = 'alipay_trade_pay_response';
const RAW =
  '{"code":"10000","msg":"Success","buyer_logon_id":"159******20","buyer_pay_amount":"12.34","buyer_user_id":"2088102146225135","fund_bill_list":[{"amount":"12.34","fund_channel":"ALIPAYACCOUNT"}],"gmt_payment":"2026-11-28 10:00:03","invoice_amount":"12.34","out_trade_no":"P20261128100000a1b2c3d4e5f6","point_amount":"0.00","receipt_amount":"12.34","total_amount":"12.34","trade_no":"2026112822001478401406617362"}';
const ANSWER = `{"${RESPONSE_KEY}":${RAW},"sign":"${rsa2Sign(RAW, alipayPrivate)}"}`;

const WECHAT_KEY = '192006250b4c09247ec02edce69f6a2d';
const WECHAT_REQUEST: Record<string, string> = {
  appid: 'wx2421b1c4370ec43b',
  mch_id: '10000100',
  device_info: 'till-01',
  nonce_str: '5K8264ILTKCH16CQ2502SI8ZNMTM67VS',
  body: 'Shop-Branch-门店收银',
  out_trade_no: 'P20261128100000a1b2c3d4e5f6',
  total_fee: '1234',
  spbill_create_ip: '14.23.150.211',
  auth_code: '134567890123456789',
};
const WECHAT_ANSWER: Record<string, string> = {
  return_code: 'SUCCESS',
  return_msg: 'OK',
  appid: 'wx2421b1c4370ec43b',
  mch_id: '10000100',
  nonce_str: 'GOp3TRyMXzbMlkun',
  result_code: 'SUCCESS',
  openid: 'oUpF8uN95-Ptaags6E_roPHg7AG0',
  trade_type: 'MICROPAY',
  bank_type: 'CMB_DEBIT',
  total_fee: '1234',
  cash_fee: '1234',
  transaction_id: '4200000001202611281234567890',
  out_trade_no: 'P20261128100000a1b2c3d4e5f6',
  time_end: '20261128100003',
};

interface Path {
  name: string;
  sign(): string;
  verify(): unknown;
}

function paths(): Path[] {
  const sdk = new AlipaySdk({ appId: APP_ID, privateKey: simulatorKey('appPrivateKey'), alipayPublicKey: simulatorKey('alipayPublicKey') });
  const wechat = (type: 'MD5' | 'HMAC-SHA256'): Path => {
    const answerXml = toXml({ ...WECHAT_ANSWER, sign: wechatSign(WECHAT_ANSWER, WECHAT_KEY, type) });
    return {
      name: `WeChat ${type} (ours)`,
      sign: () => toXml({ ...WECHAT_REQUEST, sign: wechatSign(WECHAT_REQUEST, WECHAT_KEY, type) }),
      verify: () => {
        const fields = parseXml(answerXml);
        if (!wechatVerify(fields, WECHAT_KEY, type)) throw new Error('does not verify');
        return fields;
      },
    };
  };
  return [
    wechat('MD5'),
    wechat('HMAC-SHA256'),
    {
      name: 'Alipay RSA2 (ours)',
      sign: () => new URLSearchParams(signParams(REQUEST, appPrivate)).toString(),
      verify: () => {
        const members = topLevelMembers(ANSWER);
        const raw = members.get(RESPONSE_KEY)!;
        if (!rsa2Verify(raw, JSON.parse(members.get('sign')!) as string, alipayPublic)) throw new Error('does not verify');
        return JSON.parse(raw) as unknown;
      },
    },
    {
      name: 'Alipay RSA2 (alipay-sdk 4.14.0)',
      sign: () => sdk.sdkExecute('alipay.trade.pay', { bizContent: BIZ }, { bizContentAutoSnakeCase: false }),
      verify: () => {
        const parsed = JSON.parse(ANSWER) as Record<string, { sign?: string }>;
        sdk.checkResponseSign(ANSWER, RESPONSE_KEY, parsed.sign as unknown as string, '');
        return parsed[RESPONSE_KEY];
      },
    },
  ];
}

/** The SDK's signed request verifies under our rules, and ours under the SDK's key handling. */
function checkEquivalence(all: Path[]): void {
  const sdkPath = all.find((p) => p.name.includes('alipay-sdk'))!;
  const sdkParams = Object.fromEntries(new URLSearchParams(sdkPath.sign()));
  if (!rsa2Verify(signContent(sdkParams), sdkParams.sign!, appPublic)) throw new Error('the SDK signs with other rules than ours');
  const ours = Object.fromEntries(new URLSearchParams(all.find((p) => p.name === 'Alipay RSA2 (ours)')!.sign()));
  if (!rsa2Verify(signContent(ours), ours.sign!, appPublic)) throw new Error('our request does not verify');
  for (const path of all) path.verify();
}

interface Row {
  scenario: string;
  name: string;
  perSecond: number;
  us: number;
}

export async function run(): Promise<void> {
  const all = paths();
  checkEquivalence(all);
  const bench = new Bench({ time: 800, warmupTime: 200 });
  for (const path of all) {
    bench.add(`(a) sign + encode request|${path.name}`, () => void path.sign());
    bench.add(`(b) verify + read answer|${path.name}`, () => void path.verify());
    bench.add(`(a+b) per gateway call|${path.name}`, () => {
      path.sign();
      path.verify();
    });
  }
  await bench.run();
  const rows: Row[] = bench.tasks.map((task) => {
    if (task.result.state !== 'completed') throw new Error(`${task.name} did not complete (${task.result.state})`);
    const [scenario, name] = task.name.split('|') as [string, string];
    const us = task.result.latency.p50 * 1000;
    return { scenario, name, perSecond: 1e6 / us, us };
  });
  const table = [];
  for (const scenario of [...new Set(rows.map((r) => r.scenario))]) {
    const group = rows.filter((r) => r.scenario === scenario);
    const md5 = group.find((r) => r.name.startsWith('WeChat MD5'))!;
    const sdk = group.find((r) => r.name.includes('alipay-sdk'))!;
    for (const row of group) {
      table.push({
        scenario,
        implementation: row.name,
        'ops/s (median)': Math.round(row.perSecond).toLocaleString('en-US'),
        'µs/op': row.us.toFixed(1),
        'cost × MD5 path': `${(row.us / md5.us).toFixed(1)}x`,
        'ours / alipay-sdk': row.name === 'Alipay RSA2 (ours)' ? `${(sdk.us / row.us).toFixed(2)}x faster` : '',
      });
    }
  }
  console.table(table);
}
