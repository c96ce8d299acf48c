import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sign, verify, type SignType } from '../../../../server/wechat/sign.ts';
import { parseXml, toXml, type XmlFields } from '../../../../server/wechat/xml.ts';
import type { WechatConfig } from '../../../../server/wechat/client.ts';

/**
 * A small WeChat-like HTTP server for client tests: each test says how to answer, the server
 * records what it received (and whether the request's signature was right).
 */
export const KEY = 'testKey0123456789testKey012345678';

export function testConfig(base: string, overrides: Partial<WechatConfig> = {}): WechatConfig {
  return { appid: 'wx0000000000000001', mch_id: '1900000001', key: KEY, signType: 'MD5', apiBase: base, timeoutMs: 2_000, ...overrides };
}

export interface ReceivedRequest {
  path: string;
  raw: string;
  fields: XmlFields;
  /** The request's own signature checked with its sign_type (default MD5). */
  signatureValid: boolean;
  contentType: string | undefined;
}

/** What to do with one request: an XML/CSV body, or a lower-level act on the response. */
export type Reply =
  | string
  | { status?: number; body?: string; delayMs?: number; contentLength?: number; destroyAfterMs?: number; raw?: Buffer; drop?: boolean };

export type Handler = (req: ReceivedRequest, n: number) => Reply | Promise<Reply>;

export interface FakeGateway {
  base: string;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

export async function startFakeGateway(handler: Handler): Promise<FakeGateway> {
  const requests: ReceivedRequest[] = [];
  const server: Server = createServer((req, res) => void serve(req, res));

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let fields: XmlFields = {};
    try {
      fields = parseXml(raw);
    } catch {
      // recorded with no fields; the test decides what that means
    }
    const signType = (fields.sign_type || 'MD5') as SignType;
    const received: ReceivedRequest = {
      path: req.url ?? '',
      raw,
      fields,
      signatureValid: verify(fields, KEY, signType),
      contentType: req.headers['content-type'],
    };
    requests.push(received);
    const reply = await handler(received, requests.length);
    const r = typeof reply === 'string' ? { body: reply } : reply;
    if (r.delayMs) await new Promise((resolve) => setTimeout(resolve, r.delayMs));
    if (res.destroyed) return;
    if (r.drop) {
      req.socket.destroy(); // no answer at all, as when a server closes an idle connection
      return;
    }
    const payload = r.raw ?? Buffer.from(r.body ?? '', 'utf8');
    res.writeHead(r.status ?? 200, { 'Content-Type': 'text/xml; charset=utf-8', 'Content-Length': r.contentLength ?? payload.length });
    if (r.destroyAfterMs !== undefined) {
      res.write(payload);
      setTimeout(() => res.socket?.destroy(), r.destroyAfterMs);
      return;
    }
    res.end(payload);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on (connection refused). */
export async function refusedBase(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** A signed answer as WeChat writes it: no sign_type, signed with the request's algorithm. */
export function signedAnswer(fields: Record<string, string>, signType: SignType = 'MD5', key = KEY): string {
  const all: Record<string, string> = { return_code: 'SUCCESS', return_msg: 'OK', nonce_str: 'n0nce', ...fields };
  return toXml({ ...all, sign: sign(all, key, signType) });
}

/** A successful micropay answer for the request `req`. */
export function paidAnswer(req: ReceivedRequest, extra: Record<string, string> = {}): string {
  return signedAnswer(
    {
      appid: req.fields.appid!,
      mch_id: req.fields.mch_id!,
      result_code: 'SUCCESS',
      openid: 'oUpF8uN95-Ptaags6E_roPHg7AG0',
      trade_type: 'MICROPAY',
      bank_type: 'CMC',
      total_fee: req.fields.total_fee!,
      cash_fee: req.fields.total_fee!,
      transaction_id: '4200000001202611280000000001',
      out_trade_no: req.fields.out_trade_no!,
      time_end: '20261128100000',
      ...extra,
    },
    (req.fields.sign_type || 'MD5') as SignType,
  );
}

export function businessError(req: ReceivedRequest, code: string, des: string, extra: Record<string, string> = {}): string {
  return signedAnswer(
    { appid: req.fields.appid!, mch_id: req.fields.mch_id!, result_code: 'FAIL', err_code: code, err_code_des: des, ...extra },
    (req.fields.sign_type || 'MD5') as SignType,
  );
}

export const failAnswer = (message: string) => toXml({ return_code: 'FAIL', return_msg: message });
