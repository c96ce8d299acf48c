import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer as createHttpsServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { createHttpTransport } from '../../../server/wechat/transport.ts';
import { refusedBase, startFakeGateway } from './support/fake-gateway.ts';
import { selfSignedCertificate, type TestCertificate } from './support/certificates.ts';
import { gatewayError as failure } from '../../support/rejection.ts';

const OPTIONS = { timeoutMs: 1_000, maxBytes: 1_000 };

describe('createHttpTransport over http', () => {
  it('posts the UTF-8 body and returns the answer text', async () => {
    const gateway = await startFakeGateway((req) => `echo:${req.raw}`);
    const transport = createHttpTransport();
    try {
      expect(await transport.post(`${gateway.base}/pay/micropay`, '<xml><body>门店</body></xml>', OPTIONS)).toBe('echo:<xml><body>门店</body></xml>');
      expect(gateway.requests[0]!.path).toBe('/pay/micropay');
    } finally {
      transport.close();
      await gateway.close();
    }
  });

  it('accepts an answer of exactly maxBytes and refuses one byte more', async () => {
    const gateway = await startFakeGateway((_req, n) => 'x'.repeat(n === 1 ? 1_000 : 1_001));
    const transport = createHttpTransport();
    try {
      expect(await transport.post(gateway.base, '', OPTIONS)).toHaveLength(1_000);
      const error = await failure(transport.post(gateway.base, '', OPTIONS));
      expect(error.kind).toBe('bad_response');
    } finally {
      transport.close();
      await gateway.close();
    }
  });

  it('refuses an oversized answer without a Content-Length too', async () => {
    const gateway = await startFakeGateway(() => ({ body: 'y'.repeat(5_000), destroyAfterMs: 50, contentLength: 5_000 }));
    const transport = createHttpTransport();
    try {
      expect((await failure(transport.post(gateway.base, '', { timeoutMs: 1_000, maxBytes: 100 }))).kind).toBe('bad_response');
    } finally {
      transport.close();
      await gateway.close();
    }
  });

  it('refuses an answer that is not UTF-8 as bad_response', async () => {
    const gateway = await startFakeGateway(() => ({ raw: Buffer.from([0x3c, 0x78, 0xff, 0xfe]) }));
    const transport = createHttpTransport();
    try {
      const error = await failure(transport.post(gateway.base, '', OPTIONS));
      expect(error.kind).toBe('bad_response');
      expect(error.message).toMatch(/not UTF-8/);
    } finally {
      transport.close();
      await gateway.close();
    }
  });

  it('gives up at the deadline even while the answer trickles in', async () => {
    const gateway = await startFakeGateway(() => ({ body: 'partial', contentLength: 500, destroyAfterMs: 2_000 }));
    const transport = createHttpTransport();
    try {
      const error = await failure(transport.post(gateway.base, '', { timeoutMs: 200, maxBytes: 1_000 }));
      expect(error.kind).toBe('timeout');
    } finally {
      transport.close();
      await gateway.close();
    }
  });

  it('reports a refused connection as network', async () => {
    const transport = createHttpTransport();
    expect((await failure(transport.post(await refusedBase(), '', OPTIONS))).kind).toBe('network');
    transport.close();
  });

  it('refuses a URL scheme other than http and https', async () => {
    const transport = createHttpTransport();
    expect((await failure(transport.post('ftp://127.0.0.1/x', '', OPTIONS))).kind).toBe('network');
    transport.close();
  });
});

describe('createHttpTransport with a gzip answer (downloadbill tar_type=GZIP)', () => {
  it('unpacks it to its text, and refuses one that unpacks beyond maxBytes (a gzip bomb)', async () => {
    const bill = '交易时间,商户订单号\r\n'.repeat(20);
    const gateway = await startFakeGateway((_req, n) => ({ raw: gzipSync(n === 1 ? bill : 'x'.repeat(5_000)) }));
    const transport = createHttpTransport();
    try {
      expect(await transport.post(gateway.base, '', OPTIONS)).toBe(bill);
      const error = await failure(transport.post(gateway.base, '', OPTIONS));
      expect(error.kind).toBe('bad_response');
      expect(error.message).toMatch(/gzip/);
    } finally {
      transport.close();
      await gateway.close();
    }
  });
});

describe('createHttpTransport over https with a client certificate', () => {
  let serverCert: TestCertificate;
  let clientCert: TestCertificate;
  let server: Server;
  let base: string;
  const seenClients: string[] = [];

  beforeAll(async () => {
    serverCert = selfSignedCertificate('gateway.test', { ip: '127.0.0.1' });
    clientCert = selfSignedCertificate('1900000001');
    server = createHttpsServer(
      { cert: serverCert.certPem, key: serverCert.keyPem, ca: clientCert.certPem, requestCert: true, rejectUnauthorized: true },
      (req, res) => {
        const peer = (req.socket as TLSSocket).getPeerCertificate();
        seenClients.push(String(peer.subject?.CN));
        res.end('<xml><return_code>FAIL</return_code></xml>');
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('presents the merchant certificate to a server that demands one (mutual TLS)', async () => {
    const transport = createHttpTransport({ certPem: clientCert.certPem, keyPem: clientCert.keyPem, caPem: serverCert.certPem });
    try {
      expect(await transport.post(`${base}/secapi/pay/refund`, '<xml/>', OPTIONS)).toContain('FAIL');
      expect(seenClients).toContain('1900000001');
    } finally {
      transport.close();
    }
  });

  it('fails as network when the server refuses the connection for lack of a certificate', async () => {
    const transport = createHttpTransport({ caPem: serverCert.certPem });
    try {
      expect((await failure(transport.post(`${base}/secapi/pay/refund`, '<xml/>', OPTIONS))).kind).toBe('network');
    } finally {
      transport.close();
    }
  });

  it('fails as network when the server certificate is not trusted', async () => {
    const transport = createHttpTransport({ certPem: clientCert.certPem, keyPem: clientCert.keyPem });
    try {
      const error = await failure(transport.post(`${base}/pay/orderquery`, '<xml/>', OPTIONS));
      expect(error.kind).toBe('network');
      expect(error.message).toMatch(/SELF_SIGNED|CERT/);
    } finally {
      transport.close();
    }
  });
});
