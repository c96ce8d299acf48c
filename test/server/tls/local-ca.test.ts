import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import forge from 'node-forge';
import { caPermits, createLocalCa, issueServerCert, lanHosts, OutsideCaConstraints } from '../../../server/tls/local-ca.ts';
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

  it('constrains the CA (critical name constraints) to local names and private networks', () => {
    const ext = forge.pki.certificateFromPem(ca.certPem).getExtension('nameConstraints') as { critical?: boolean } | null;
    expect(ext?.critical).toBe(true);
    const permits = caPermits(ca.certPem)!;
    expect(permits.names).toEqual(expect.arrayContaining(['localhost', 'local', 'lan', 'home.arpa', 'internal']));
    expect(permits.networks).toEqual(expect.arrayContaining(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '127.0.0.0/8', 'fc00:0:0:0:0:0:0:0/7']));
    for (const host of ['pos.lan', 'till.local', 'localhost', '192.168.1.20', '10.1.2.3', '::1', 'fd12::5']) expect(permits.allows(host), host).toBe(true);
    for (const host of ['bank.example.com', 'lan.example.com', 'evil-lan', '8.8.8.8', '2001:db8::1']) expect(permits.allows(host), host).toBe(false);
  });

  it.each([
    [['bank.example.com']],
    [['pos.lan', '203.0.113.5']],
  ])('a certificate signed with a copy of the CA key for %j is refused by a client that trusts the CA', async (hosts) => {
    // The attacker's own signing (node-forge), not our issuer: only the CA's constraints stand in the way.
    const caCert = forge.pki.certificateFromPem(ca.certPem);
    const caKey = forge.pki.privateKeyFromPem(ca.keyPem);
    const keys = forge.pki.rsa.generateKeyPair(2048);
    const cert = forge.pki.createCertificate();
    cert.publicKey = keys.publicKey;
    cert.serialNumber = '01';
    cert.validity.notBefore = new Date(Date.now() - 86_400_000);
    cert.validity.notAfter = new Date(Date.now() + 86_400_000);
    cert.setSubject([{ name: 'commonName', value: hosts[0]! }]);
    cert.setIssuer(caCert.subject.attributes);
    cert.setExtensions([{ name: 'subjectAltName', altNames: hosts.map((h) => (/^\d/.test(h) ? { type: 7, ip: h } : { type: 2, value: h })) }]);
    cert.sign(caKey, forge.md.sha256.create());
    const forged = { certPem: forge.pki.certificateToPem(cert), keyPem: forge.pki.privateKeyToPem(keys.privateKey) };
    await expect(fetchOverTls(forged, hosts[0]!, [ca.certPem])).rejects.toThrow(/subtree|name constraint/i);
  }, 20_000);

  it('refuses to issue for a host outside the CA\'s constraints', () => {
    expect(() => issueServerCert(ca, ['pos.lan', 'pos.example.com'])).toThrow(OutsideCaConstraints);
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

describe('names given when the CA is made', () => {
  it('are covered from then on; a later name outside them is refused, and found hosts outside are left out', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mp-tls-'));
    const first = writeServerCertificate(dir, ['localhost', '192.168.1.20', '2001:db8::7'], ['pos.myshop.com']);
    expect(first.constrained).toBe(true);
    expect(first.hosts).toEqual(['localhost', '192.168.1.20', 'pos.myshop.com']);
    expect(first.leftOut).toEqual(['2001:db8::7']);
    expect(writeServerCertificate(dir, ['localhost'], ['till2.pos.myshop.com']).hosts).toContain('till2.pos.myshop.com');
    expect(() => writeServerCertificate(dir, ['localhost'], ['other.example.com'])).toThrow(/not other\.example\.com/);
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
