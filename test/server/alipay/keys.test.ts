import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AlipayKeyError, loadPrivateKey, loadPublicKey } from '../../../server/alipay/keys.ts';
import { simulatorKey } from '../../../server/simulator/alipay/keys.ts';

const appPkcs1 = simulatorKey('appPrivateKey');
const appKey = createPrivateKey(appPkcs1);
const appPkcs8 = appKey.export({ format: 'pem', type: 'pkcs8' }).toString();
const alipayPublic = simulatorKey('alipayPublicKey');
const alipayPublicPkcs1 = loadPublicKey(alipayPublic).key.export({ format: 'pem', type: 'pkcs1' }).toString();

const bodyOf = (pem: string) => pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');

describe('loadPrivateKey', () => {
  it.each([
    ['PKCS#1 PEM', appPkcs1, 'pkcs1'],
    ['PKCS#8 PEM', appPkcs8, 'pkcs8'],
    ['bare base64 of PKCS#1', bodyOf(appPkcs1), 'pkcs1'],
    ['bare base64 of PKCS#8 (Alipay’s key tool, "Java")', bodyOf(appPkcs8), 'pkcs8'],
  ])('accepts a %s key and says which format it was', (_what, text, format) => {
    const loaded = loadPrivateKey(text);
    expect(loaded.format).toBe(format);
    expect(loaded.key.asymmetricKeyDetails?.modulusLength).toBe(2048);
  });

  it('says a public key was found where the private key was expected', () => {
    expect(() => loadPrivateKey(alipayPublic, 'ALIPAY_PRIVATE_KEY')).toThrow(
      /^ALIPAY_PRIVATE_KEY: expected an RSA private key as PKCS#1 PEM \("BEGIN RSA PRIVATE KEY"\), PKCS#8 PEM \("BEGIN PRIVATE KEY"\).*found a "PUBLIC KEY" PEM block \(a public key/,
    );
    expect(() => loadPrivateKey(bodyOf(alipayPublic))).toThrow(/found base64 that is a public key/);
  });

  it('says which format a damaged PEM block claimed to be', () => {
    expect(() => loadPrivateKey('-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----')).toThrow(/"RSA PRIVATE KEY" PEM block does not hold a valid PKCS1 key/);
    expect(() => loadPrivateKey('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----')).toThrow(/does not hold a valid PKCS8 key/);
  });

  it('refuses text that is neither PEM nor base64, and an empty setting', () => {
    expect(() => loadPrivateKey('not a key!')).toThrow(/found text that is neither PEM nor base64/);
    expect(() => loadPrivateKey('  ')).toThrow(/found nothing/);
  });

  it('refuses a key too short for RSA2, and a key that is not RSA', () => {
    const short = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(() => loadPrivateKey(short)).toThrow(/at least 2048 bits, found 1024/);
    const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(() => loadPrivateKey(ec)).toThrow(AlipayKeyError);
    expect(() => loadPrivateKey(ec)).toThrow(/expected an RSA key for RSA2, found ec key/);
  });
});

describe('loadPublicKey', () => {
  it.each([
    ['SPKI PEM', alipayPublic, 'spki'],
    ['bare base64 (as Alipay’s console shows it)', bodyOf(alipayPublic), 'spki'],
    ['PKCS#1 PEM ("BEGIN RSA PUBLIC KEY")', alipayPublicPkcs1, 'pkcs1'],
  ])('accepts a %s key', (_what, text, format) => {
    expect(loadPublicKey(text).format).toBe(format);
  });

  it('says a private key was found where Alipay’s public key was expected', () => {
    expect(() => loadPublicKey(appPkcs1, 'ALIPAY_PUBLIC_KEY')).toThrow(/^ALIPAY_PUBLIC_KEY: expected the Alipay public key as PEM.*found a "RSA PRIVATE KEY" PEM block \(a private key/);
  });

  it('explains that a certificate means certificate mode, which is not supported', () => {
    expect(() => loadPublicKey('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----')).toThrow(/found a certificate\. Certificate mode .* is not supported: switch the app to public-key mode/);
  });
});
