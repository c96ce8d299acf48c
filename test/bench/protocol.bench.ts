/**
 * Protocol core, ours vs the peer SDKs, side by side in one run (README "Benchmarks"):
 *   (a) sign + build the XML of a typical micropay request;
 *   (b) parse the XML + verify the signature of a typical micropay success answer;
 * each with MD5 and HMAC-SHA256. Peers do the same work with their own internals:
 *   tenpay 2.1.18: lib/util.js (toQueryString, md5/sha256, buildXML/parseXML on xml2js) via
 *     Payment#_getSign, exactly what its _request/_parse do;
 *   wechatpay-axios-plugin 0.9.6: lib/hash.js (Hash.sign, Hash.equals) + lib/transformer.js
 *     (toXml/toObject on fast-xml-parser), what its signer/verifier do.
 * Before timing, every implementation's output is checked against ours, so like is compared
 * with like. Figures are medians (robust on a shared machine); ratio = ours / fastest peer.
 */
import { createRequire } from 'node:module';
import { Bench } from 'tinybench';
import { sign, verify, type SignType } from '../../server/wechat/sign.ts';
import { parseXml, toXml } from '../../server/wechat/xml.ts';

const require = createRequire(import.meta.url);

type Fields = Record<string, string>;

interface TenpayPayment {
  _getSign(params: Fields, type: SignType): string;
}
interface TenpayUtil {
  buildXML(obj: Fields): string;
  parseXML(xml: string): Promise<Fields>;
}
interface WechatpayHash {
  sign(type: SignType, data: Fields, key: string): string;
  equals(known: string, user?: string): boolean;
}
interface WechatpayTransformer {
  toXml(this: object, data: Fields): string;
  toObject(this: object, xml: string): Fields;
}

const KEY = '192006250b4c09247ec02edce69f6a2d';

const REQUEST: Fields = {
  appid: 'wx2421b1c4370ec43b',
  mch_id: '10000100',
  device_info: 'till-01',
  nonce_str: '5K8264ILTKCH16CQ2502SI8ZNMTM67VS',
  body: 'Shop-Branch-门店收银',
  attach: 'order 0042',
  out_trade_no: 'P2026112810000000042',
  total_fee: '1234',
  spbill_create_ip: '14.23.150.211',
  time_start: '20261128100000',
  time_expire: '20261128100200',
  auth_code: '134567890123456789',
};

const ANSWER: Fields = {
  return_code: 'SUCCESS',
  return_msg: 'OK',
  appid: 'wx2421b1c4370ec43b',
  mch_id: '10000100',
  device_info: 'till-01',
  nonce_str: 'GOp3TRyMXzbMlkun',
  result_code: 'SUCCESS',
  openid: 'oUpF8uN95-Ptaags6E_roPHg7AG0',
  is_subscribe: 'N',
  trade_type: 'MICROPAY',
  bank_type: 'CMB_DEBIT',
  fee_type: 'CNY',
  total_fee: '1234',
  cash_fee_type: 'CNY',
  cash_fee: '1234',
  coupon_fee: '0',
  transaction_id: '4200000001202611281234567890',
  out_trade_no: 'P2026112810000000042',
  attach: 'order 0042',
  time_end: '20261128100003',
};

interface Implementation {
  name: string;
  build(fields: Fields, type: SignType): string;
  check(xml: string, type: SignType): Fields | Promise<Fields>;
}

function implementations(): Implementation[] {
  const Payment = require('tenpay') as { init(config: object): TenpayPayment };
  const tenpayUtil = require('tenpay/lib/util.js') as TenpayUtil;
  const tenpay = Payment.init({ appid: REQUEST.appid, mchid: REQUEST.mch_id, partnerKey: KEY });
  const Hash = require('wechatpay-axios-plugin/lib/hash.js') as WechatpayHash;
  const Transformer = require('wechatpay-axios-plugin/lib/transformer.js') as WechatpayTransformer;
  const axiosContext = {}; // its transforms read `this` (the axios config) to spot GET requests

  return [
    {
      name: 'ours',
      build: (fields, type) => toXml({ ...fields, sign: sign(fields, KEY, type) }),
      check(xml, type) {
        const fields = parseXml(xml);
        if (!verify(fields, KEY, type)) throw new Error('signature does not verify');
        return fields;
      },
    },
    {
      name: 'tenpay',
      build(fields, type) {
        const params = { ...fields };
        params.sign = tenpay._getSign(params, type);
        return tenpayUtil.buildXML(params);
      },
      async check(xml, type) {
        const fields = await tenpayUtil.parseXML(xml);
        if (fields.sign !== tenpay._getSign(fields, type)) throw new Error('signature does not verify');
        return fields;
      },
    },
    {
      name: 'wechatpay-axios-plugin',
      build(fields, type) {
        const data = { ...fields, sign: Hash.sign(type, fields, KEY) };
        return Transformer.toXml.call(axiosContext, data);
      },
      check(xml, type) {
        const fields = Transformer.toObject.call(axiosContext, xml);
        if (!Hash.equals(Hash.sign(type, fields, KEY), fields.sign)) throw new Error('signature does not verify');
        return fields;
      },
    },
  ];
}

/** Every implementation must produce what ours produces, or the comparison means nothing. */
async function checkEquivalence(impls: Implementation[], type: SignType, answerXml: string): Promise<void> {
  const expectedSign = sign(REQUEST, KEY, type);
  for (const impl of impls) {
    const built = parseXml(impl.build(REQUEST, type));
    if (built.sign !== expectedSign || Object.keys(REQUEST).some((k) => built[k] !== REQUEST[k])) {
      throw new Error(`${impl.name} builds a different ${type} request`);
    }
    const read = await impl.check(answerXml, type);
    if (Object.keys(ANSWER).some((k) => read[k] !== ANSWER[k])) throw new Error(`${impl.name} reads the ${type} answer differently`);
  }
}

interface Row {
  scenario: string;
  name: string;
  opsPerSecond: number;
  rme: number;
}

export async function run(): Promise<void> {
  const impls = implementations();
  const rows: Row[] = [];
  for (const type of ['MD5', 'HMAC-SHA256'] as const) {
    const answerXml = toXml({ ...ANSWER, sign: sign(ANSWER, KEY, type) });
    await checkEquivalence(impls, type, answerXml);

    const bench = new Bench({ time: 800, warmupTime: 200 });
    for (const impl of impls) {
      bench.add(`(a) sign + build XML ${type}|${impl.name}`, () => {
        impl.build(REQUEST, type);
      });
    }
    for (const impl of impls) {
      const check = impl.check;
      bench.add(`(b) parse XML + verify ${type}|${impl.name}`, async () => {
        await check(answerXml, type);
      });
    }
    await bench.run();
    for (const task of bench.tasks) {
      const result = task.result;
      if (result.state !== 'completed') throw new Error(`${task.name} did not complete (${result.state})`);
      const [scenario, name] = task.name.split('|') as [string, string];
      rows.push({ scenario, name, opsPerSecond: 1000 / result.latency.p50, rme: result.latency.rme });
    }
  }
  printTable(rows);
}

function printTable(rows: Row[]): void {
  const table = [];
  for (const scenario of [...new Set(rows.map((r) => r.scenario))]) {
    const group = rows.filter((r) => r.scenario === scenario);
    const ours = group.find((r) => r.name === 'ours')!;
    const fastestPeer = group.filter((r) => r.name !== 'ours').reduce((a, b) => (a.opsPerSecond >= b.opsPerSecond ? a : b));
    for (const row of group) {
      table.push({
        scenario,
        implementation: row.name,
        'ops/s (median)': Math.round(row.opsPerSecond).toLocaleString('en-US'),
        'µs/op': (1e6 / row.opsPerSecond).toFixed(2),
        '±%': row.rme.toFixed(1),
        'ours / this': row === ours ? '' : `${(ours.opsPerSecond / row.opsPerSecond).toFixed(2)}x`,
      });
    }
    const ratio = ours.opsPerSecond / fastestPeer.opsPerSecond;
    table.push({
      scenario,
      implementation: `=> ours / fastest peer (${fastestPeer.name})`,
      'ops/s (median)': '',
      'µs/op': '',
      '±%': '',
      'ours / this': `${ratio.toFixed(2)}x ${ratio > 1 ? 'faster' : 'NOT faster'}`,
    });
  }
  console.table(table);
}
