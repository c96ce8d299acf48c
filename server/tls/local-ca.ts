import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import forge from 'node-forge';

/**
 * A private certificate authority for the shop's network, like mkcert: tablets trust the CA once,
 * then the server's certificate for its LAN names and IPs is valid, and the service worker and
 * WebHID get the secure context they need (docs/operations.md, TLS). Keys come from node:crypto (native,
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

/**
 * What the shop's CA may sign for (X.509 name constraints, critical): names on the local network
 * and private addresses. A copy of ca-key.pem can then sign for no public site, so a tablet that
 * trusts the CA trusts nothing beyond the shop's own servers. Names a shop uses otherwise (a LAN
 * domain such as pos.myshop.com) are added when the CA is made: `npm run cert -- <name>`.
 */
export const LOCAL_DOMAINS = ['localhost', 'local', 'lan', 'home.arpa', 'internal', 'localdomain'] as const;
export const PRIVATE_NETWORKS = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '127.0.0.0/8', '169.254.0.0/16', '100.64.0.0/10', '::1/128', 'fc00::/7', 'fe80::/10'] as const;

/** The names and networks a new CA is constrained to: the defaults, this machine's name and `extra` hosts. */
export function defaultPermits(extra: readonly string[] = []): string[] {
  const name = hostname().toLowerCase();
  const names = [...LOCAL_DOMAINS, ...(name && name !== 'localhost' ? [name] : [])];
  const own = extra.filter((h) => !permits(names, PRIVATE_NETWORKS, h)).map((h) => (isIP(h) ? `${h}/${isIP(h) === 4 ? 32 : 128}` : h.toLowerCase()));
  return [...new Set([...names, ...PRIVATE_NETWORKS, ...own])];
}

/** A CA certificate valid for `days` (default 10 years) that can sign server certificates only, for `permitted` names and networks only. */
export function createLocalCa(name = `micropay-pos local CA (${hostname()})`, days = 3650, now = new Date(), permitted: readonly string[] = defaultPermits()): PemPair {
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
    { id: NAME_CONSTRAINTS_OID, critical: true, value: nameConstraints(permitted) },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.keyPem };
}

const NAME_CONSTRAINTS_OID = '2.5.29.30';
const { asn1 } = forge;

/** NameConstraints ::= SEQUENCE { permittedSubtrees [0] GeneralSubtrees }, each a dNSName [2] or an iPAddress [7] (address then mask). */
function nameConstraints(permitted: readonly string[]): forge.asn1.Asn1 {
  const subtree = (entry: string) => {
    const [address, prefix] = entry.split('/');
    const base = prefix === undefined
      ? asn1.create(asn1.Class.CONTEXT_SPECIFIC, 2, false, entry)
      : asn1.create(asn1.Class.CONTEXT_SPECIFIC, 7, false, Buffer.concat([ipBytes(address!), mask(isIP(address!) === 4 ? 4 : 16, Number(prefix))]).toString('binary'));
    return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [base]);
  };
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, permitted.map(subtree))]);
}

function ipBytes(address: string): Buffer {
  if (isIP(address) === 4) return Buffer.from(address.split('.').map(Number));
  const [head, tail] = address.split('::') as [string, string | undefined];
  const groups = (part: string | undefined) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const left = groups(head);
  const right = groups(tail);
  const all = tail === undefined ? left : [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
  const bytes = Buffer.alloc(16);
  all.forEach((g, i) => bytes.writeUInt16BE(g, i * 2));
  return bytes;
}

function mask(length: number, prefix: number): Buffer {
  const bytes = Buffer.alloc(length);
  for (let bit = 0; bit < prefix; bit++) bytes[bit >> 3]! |= 0x80 >> (bit & 7);
  return bytes;
}

/** Whether `host` is one of the DNS names (or below one) or in one of the networks. */
function permits(names: readonly string[], networks: readonly string[], host: string): boolean {
  const type = isIP(host);
  if (type === 0) {
    const h = host.toLowerCase();
    return names.some((n) => h === n || h.endsWith(`.${n}`));
  }
  const list = new BlockList();
  for (const network of networks) {
    const [address, prefix] = network.split('/');
    list.addSubnet(address!, Number(prefix), isIP(address!) === 4 ? 'ipv4' : 'ipv6');
  }
  return list.check(host, type === 4 ? 'ipv4' : 'ipv6');
}

/** What a CA may sign for, read back from its certificate; undefined for a CA without name constraints (made before they existed). */
export function caPermits(caCertPem: string): { names: string[]; networks: string[]; allows(host: string): boolean } | undefined {
  const ext = forge.pki.certificateFromPem(caCertPem).getExtension('nameConstraints') as { permittedSubtrees?: { type: number; value: string }[] } | null;
  if (!ext?.permittedSubtrees) return undefined;
  const names: string[] = [];
  const networks: string[] = [];
  for (const { type, value } of ext.permittedSubtrees) {
    if (type === 2) names.push(value.toLowerCase());
    if (type === 7) {
      const bytes = Buffer.from(value, 'binary');
      const half = bytes.length / 2;
      const address = half === 4 ? [...bytes.subarray(0, 4)].join('.') : ipv6Text(bytes.subarray(0, 16));
      const prefix = [...bytes.subarray(half)].reduce((n, b) => n + bitCount(b), 0);
      networks.push(`${address}/${prefix}`);
    }
  }
  return { names, networks, allows: (host) => permits(names, networks, host) };
}

const bitCount = (b: number): number => (b.toString(2).match(/1/g) ?? []).length;
const ipv6Text = (bytes: Buffer): string => Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(i * 2).toString(16)).join(':');

/** Hosts the local CA's name constraints do not cover: a certificate for them would be refused by every client. */
export class OutsideCaConstraints extends Error {
  override readonly name = 'OutsideCaConstraints';
  constructor(readonly hosts: readonly string[]) {
    super(`the local CA may only sign for local names and private addresses, not ${hosts.join(', ')}`);
  }
}

/**
 * A server certificate for `hosts` (DNS names and IP addresses) signed by `ca`. Valid 825 days at
 * most, the longest that Apple and Chrome accept for a leaf certificate.
 */
export function issueServerCert(ca: PemPair, hosts: readonly string[], days = 825, now = new Date()): PemPair {
  if (hosts.length === 0) throw new Error('a server certificate needs at least one host name or IP');
  const outside = hosts.filter((h) => caPermits(ca.certPem)?.allows(h) === false);
  if (outside.length > 0) throw new OutsideCaConstraints(outside);
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
