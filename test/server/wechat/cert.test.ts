import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCertificate } from '../../../server/wechat/cert.ts';
import { GatewayConfigError } from '../../../server/wechat/gateway.ts';
import { selfSignedCertificate, toPkcs12, type TestCertificate } from './support/certificates.ts';

const CERT_COMMAND = 'openssl pkcs12 -legacy -in apiclient_cert.p12 -out apiclient_cert.pem -clcerts -nokeys';
const KEY_COMMAND = 'openssl pkcs12 -legacy -in apiclient_cert.p12 -nocerts -nodes -out apiclient_key.pem';

let dir: string;
let merchant: TestCertificate;
let other: TestCertificate;
const file = (name: string, content: string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

function configError(fn: () => unknown): GatewayConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayConfigError);
    return error as GatewayConfigError;
  }
  throw new Error('expected a GatewayConfigError');
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wechat-cert-'));
  merchant = selfSignedCertificate('1900000001');
  other = selfSignedCertificate('someone else');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadCertificate', () => {
  it('reads a matching PEM pair and says whose certificate it is and until when', () => {
    const loaded = loadCertificate(file('apiclient_cert.pem', merchant.certPem), file('apiclient_key.pem', merchant.keyPem));
    expect(loaded.certPem).toBe(merchant.certPem);
    expect(loaded.keyPem).toBe(merchant.keyPem);
    expect(loaded.subject).toContain('CN=1900000001');
    expect(new Date(loaded.validTo).getTime()).toBeGreaterThan(Date.now());
  });

  it('names the missing file', () => {
    const error = configError(() => loadCertificate(join(dir, 'nope.pem'), file('k.pem', merchant.keyPem)));
    expect(error.code).toBe('CERT_UNREADABLE');
    expect(error.message).toContain('nope.pem');
    expect(error.message).toMatch(/no such file/);
  });

  it('says a folder is not a certificate file', () => {
    mkdirSync(join(dir, 'folder.pem'), { recursive: true });
    expect(configError(() => loadCertificate(join(dir, 'folder.pem'), file('k.pem', merchant.keyPem))).message).toMatch(/folder/);
  });

  it('answers a .p12 with the exact openssl commands that convert it', () => {
    const p12 = file('apiclient_cert.p12', toPkcs12(merchant, '1900000001'));
    const error = configError(() => loadCertificate(p12, p12));
    expect(error.code).toBe('CERT_UNREADABLE');
    expect(error.message).toContain(CERT_COMMAND.replace('apiclient_cert.p12', p12));
    expect(error.message).toContain(KEY_COMMAND.replace('apiclient_cert.p12', p12));
    expect(error.message).toMatch(/password is your mch_id/);
  });

  it('gives the exact commands for WeChat’s file name as WeChat names it', () => {
    const error = configError(() => loadCertificate('apiclient_cert.p12', 'apiclient_key.pem'));
    expect(error.message).toContain(CERT_COMMAND);
    expect(error.message).toContain(KEY_COMMAND);
  });

  it('recognises a PKCS12 file renamed to .pem and gives the commands too', () => {
    const renamed = file('renamed.pem', toPkcs12(merchant, '1900000001'));
    const error = configError(() => loadCertificate(renamed, file('k.pem', merchant.keyPem)));
    expect(error.message).toContain('openssl pkcs12 -legacy -in');
    expect(error.message).toContain('-clcerts -nokeys');
  });

  it('refuses a key that does not belong to the certificate', () => {
    const error = configError(() => loadCertificate(file('c.pem', merchant.certPem), file('wrong.pem', other.keyPem)));
    expect(error.message).toMatch(/is not the private key of/);
  });

  it('refuses an encrypted key and says to export it without a passphrase', () => {
    const encrypted = createPrivateKey(merchant.keyPem).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' }).toString();
    const error = configError(() => loadCertificate(file('c.pem', merchant.certPem), file('enc.pem', encrypted)));
    expect(error.message).toMatch(/encrypted private key/);
  });

  it('refuses the two files swapped', () => {
    const cert = file('c.pem', merchant.certPem);
    const key = file('k.pem', merchant.keyPem);
    expect(configError(() => loadCertificate(key, cert)).message).toMatch(/BEGIN CERTIFICATE/);
  });

  it('refuses a text file that is not PEM', () => {
    expect(configError(() => loadCertificate(file('notes.pem', 'hello'), file('k.pem', merchant.keyPem))).message).toMatch(/not a PEM file/);
  });

  it('refuses a damaged certificate', () => {
    const damaged = merchant.certPem.replace(/\n[A-Za-z0-9+/]{20}/, '\n!!!!');
    expect(configError(() => loadCertificate(file('bad.pem', damaged), file('k.pem', merchant.keyPem))).code).toBe('CERT_UNREADABLE');
  });
});
