import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import forge from 'node-forge';

/**
 * A private certificate authority for the shop's network, like mkcert: tablets trust the CA once,
 * then the server's certificate for its LAN names and IPs is valid, and the service worker and
 * WebHID get the secure context they need (scanners.md §5). Keys come from node:crypto (native,
 * fast); node-forge builds the X.509 structures, which node:crypto cannot.
 */
export interface PemPair {
  certPem: string;
  keyPem: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

function newKeyPair(): { publicKey: forge.pki.PublicKey; privateKey: forge.pki.rsa.PrivateKey; keyPem: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  return { privateKey: forgeKey, publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e), keyPem };
}

function serialNumber(): string {
  // Positive 16-byte serial: clear the top bit so DER does not read it as negative.
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  return bytes.toString('hex');
}

function validity(cert: forge.pki.Certificate, days: number, now: Date): void {
  cert.validity.notBefore = new Date(now.getTime() - DAY_MS);
  cert.validity.notAfter = new Date(now.getTime() + days * DAY_MS);
}

/** A CA certificate valid for `days` (default 10 years) that can sign server certificates only. */
export function createLocalCa(name = `micropay-pos local CA (${hostname()})`, days = 3650, now = new Date()): PemPair {
  const keys = newKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serialNumber();
  validity(cert, days, now);
  const subject = [{ name: 'commonName', value: name }, { name: 'organizationName', value: 'micropay-pos' }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.keyPem };
}

/**
 * A server certificate for `hosts` (DNS names and IP addresses) signed by `ca`. Valid 825 days at
 * most, the longest that Apple and Chrome accept for a leaf certificate.
 */
export function issueServerCert(ca: PemPair, hosts: readonly string[], days = 825, now = new Date()): PemPair {
  if (hosts.length === 0) throw new Error('a server certificate needs at least one host name or IP');
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const caKey = forge.pki.privateKeyFromPem(ca.keyPem) as forge.pki.rsa.PrivateKey;
  const keys = newKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serialNumber();
  validity(cert, Math.min(days, 825), now);
  cert.setSubject([{ name: 'commonName', value: hosts[0]! }, { name: 'organizationName', value: 'micropay-pos' }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: hosts.map((h) => (isIP(h) ? { type: 7, ip: h } : { type: 2, value: h })) },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.keyPem };
}

/** The names and addresses a tablet on the shop network may use to reach this machine. */
export function lanHosts(): string[] {
  const hosts = new Set<string>(['localhost', '127.0.0.1', '::1']);
  const name = hostname();
  if (name) {
    hosts.add(name);
    if (!name.includes('.')) hosts.add(`${name}.local`);
  }
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) if (!a.internal && !a.address.startsWith('fe80')) hosts.add(a.address);
  }
  return [...hosts];
}
