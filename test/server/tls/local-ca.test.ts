import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLocalCa, issueServerCert, lanHosts } from '../../../server/tls/local-ca.ts';
import { writeServerCertificate } from '../../../server/tls/files.ts';

const ca = createLocalCa('test CA');

async function fetchOverTls(pair: { certPem: string; keyPem: string }, servername: string, trusted: string[]): Promise<string> {
  const server = createServer({ cert: pair.certPem, key: pair.keyPem }, (_req, res) => res.end('hello'));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  try {
    return await new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, servername, ca: trusted, path: '/' }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve(body));
      });
      req.on('error', reject);
      req.end();
    });
  } finally {
    server.close();
  }
}

describe('local certificate authority', () => {
  it('issues a server certificate that a client trusting only the CA accepts for its LAN name and IP', async () => {
    const server = issueServerCert(ca, ['pos.shop.lan', '127.0.0.1']);
    const leaf = new X509Certificate(server.certPem);
    expect(leaf.checkIssued(new X509Certificate(ca.certPem))).toBe(true);
    expect(leaf.subjectAltName).toContain('DNS:pos.shop.lan');
    expect(leaf.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(leaf.ca).toBe(false);
    expect(await fetchOverTls(server, 'pos.shop.lan', [ca.certPem])).toBe('hello');
  });

  it('is refused by a client that does not trust the CA', async () => {
    const server = issueServerCert(ca, ['pos.shop.lan']);
    await expect(fetchOverTls(server, 'pos.shop.lan', [createLocalCa('other').certPem])).rejects.toThrow();
  });

  it('is refused for a host name the certificate does not list', async () => {
    const server = issueServerCert(ca, ['pos.shop.lan']);
    await expect(fetchOverTls(server, 'other.lan', [ca.certPem])).rejects.toThrow(/other\.lan|altnames/i);
  });

  it('marks the CA as a CA and keeps leaf validity within the 825 days browsers accept', () => {
    const caCert = new X509Certificate(ca.certPem);
    expect(caCert.ca).toBe(true);
    const leaf = new X509Certificate(issueServerCert(ca, ['a.lan'], 4000).certPem);
    const days = (Date.parse(leaf.validTo) - Date.parse(leaf.validFrom)) / 86_400_000;
    expect(days).toBeLessThanOrEqual(826);
  });

  it('refuses to issue a certificate for no host', () => {
    expect(() => issueServerCert(ca, [])).toThrow(/at least one host/);
  });

  it('lists localhost and the loopback address among the LAN hosts', () => {
    expect(lanHosts()).toEqual(expect.arrayContaining(['localhost', '127.0.0.1']));
  });
});

describe('certificate files under DATA_DIR', () => {
  it('creates the CA once and reuses it when the server certificate is renewed, with private keys owner-only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mp-tls-'));
    const first = writeServerCertificate(dir, ['localhost']);
    const caPem = readFileSync(first.caCert, 'utf8');
    const second = writeServerCertificate(dir, ['localhost', 'pos.lan']);
    expect(first.createdCa).toBe(true);
    expect(second.createdCa).toBe(false);
    expect(readFileSync(second.caCert, 'utf8')).toBe(caPem);
    expect(new X509Certificate(readFileSync(second.serverCert)).checkIssued(new X509Certificate(caPem))).toBe(true);
    expect(statSync(second.caKey).mode & 0o077).toBe(0);
    expect(statSync(second.serverKey).mode & 0o077).toBe(0);
  });
});

describe('GET /ca.crt', () => {
  it('serves the CA certificate but never the CA key', async () => {
    const { caCertificateRoute } = await import('../../../server/tls/ca-route.ts');
    const dir = mkdtempSync(join(tmpdir(), 'mp-tls-'));
    const app = caCertificateRoute(dir);
    expect((await app.request('/ca.crt')).status).toBe(404);
    const files = writeServerCertificate(dir, ['localhost']);
    const res = await app.request('/ca.crt');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-x509-ca-cert');
    const body = await res.text();
    expect(body).toBe(readFileSync(files.caCert, 'utf8'));
    expect(body).not.toContain('PRIVATE KEY');
  });
});
