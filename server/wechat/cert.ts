import { readFileSync } from 'node:fs';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { GatewayConfigError } from './gateway.ts';

/**
 * The merchant's API client certificate (apiclient_cert.pem + apiclient_key.pem), which
 * /secapi/ calls (reverse, refund) present over mutual TLS. PEM only: Node 17+ (OpenSSL 3)
 * refuses the legacy encryption of WeChat's apiclient_cert.p12 (nodejs/node#40672), so a .p12
 * gets the exact commands that convert it.
 */
export interface ClientCertificate {
  certPem: string;
  keyPem: string;
  subject: string;
  /** Expiry as the certificate states it, e.g. "Nov 28 10:00:00 2031 GMT". */
  validTo: string;
}

export function p12ConversionHelp(p12Path = 'apiclient_cert.p12'): string {
  return [
    `${p12Path} is a PKCS12 file, which this server does not read: Node 17+ (OpenSSL 3) refuses the legacy encryption WeChat uses for it.`,
    'Convert it once to PEM (the import password is your mch_id):',
    `  openssl pkcs12 -legacy -in ${p12Path} -out apiclient_cert.pem -clcerts -nokeys`,
    `  openssl pkcs12 -legacy -in ${p12Path} -nocerts -nodes -out apiclient_key.pem`,
    'then set WECHAT_CERT_PEM=apiclient_cert.pem and WECHAT_KEY_PEM=apiclient_key.pem.',
  ].join('\n');
}

const unreadable = (message: string) => new GatewayConfigError('CERT_UNREADABLE', message);

/** Reads and checks the PEM pair; every problem is a GatewayConfigError saying how to fix it. */
export function loadCertificate(certPath: string, keyPath: string): ClientCertificate {
  const certPem = readPem(certPath, 'certificate (WECHAT_CERT_PEM)');
  const keyPem = readPem(keyPath, 'private key (WECHAT_KEY_PEM)');

  if (!certPem.includes('-----BEGIN CERTIFICATE-----')) {
    throw unreadable(`${certPath} holds no "BEGIN CERTIFICATE" block: WECHAT_CERT_PEM must be apiclient_cert.pem.`);
  }
  if (keyPem.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----') || keyPem.includes('Proc-Type: 4,ENCRYPTED')) {
    throw unreadable(`${keyPath} is an encrypted private key: export it without a passphrase (openssl ... -nodes), as apiclient_key.pem is.`);
  }
  if (!/-----BEGIN (?:RSA |EC )?PRIVATE KEY-----/.test(keyPem)) {
    throw unreadable(`${keyPath} holds no "BEGIN PRIVATE KEY" block: WECHAT_KEY_PEM must be apiclient_key.pem.`);
  }

  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certPem);
    createPrivateKey(keyPem);
  } catch (error) {
    throw unreadable(`cannot read the certificate or key (${certPath}, ${keyPath}): ${(error as Error).message}`);
  }
  try {
    createSecureContext({ cert: certPem, key: keyPem });
  } catch (error) {
    throw unreadable(`${keyPath} is not the private key of ${certPath} (${(error as Error).message}): use the pair downloaded together.`);
  }
  return { certPem, keyPem, subject: certificate.subject, validTo: certificate.validTo };
}

function readPem(path: string, what: string): string {
  if (/\.(?:p12|pfx)$/i.test(path)) throw unreadable(p12ConversionHelp(path));
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : (error as Error).message;
    throw unreadable(`cannot read the merchant ${what} ${path}: ${reason}.`);
  }
  const text = bytes.toString('utf8');
  if (!text.includes('-----BEGIN ')) {
    // DER starts with a SEQUENCE tag; a PKCS12 renamed to .pem is the usual case.
    if (bytes[0] === 0x30) throw unreadable(p12ConversionHelp(path));
    throw unreadable(`${path} is not a PEM file (the merchant ${what} must be PEM text starting "-----BEGIN").`);
  }
  return text;
}
