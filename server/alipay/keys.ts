import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';

/**
 * Alipay RSA2 keys as node:crypto KeyObjects. Alipay's key tool hands out the app private key
 * as PKCS#1 ("非Java适用") or PKCS#8 ("Java适用"), as PEM or as bare base64; the Alipay public
 * key comes as SPKI ("BEGIN PUBLIC KEY") or bare base64. All are accepted; anything else is an
 * AlipayKeyError that says which format was expected and which was found.
 */

export type PrivateKeyFormat = 'pkcs1' | 'pkcs8';
export type PublicKeyFormat = 'spki' | 'pkcs1';

export class AlipayKeyError extends Error {
  override readonly name = 'AlipayKeyError';
}

export interface LoadedPrivateKey {
  key: KeyObject;
  format: PrivateKeyFormat;
}

export interface LoadedPublicKey {
  key: KeyObject;
  format: PublicKeyFormat;
}

/** RSA2 is SHA256withRSA over a 2048-bit key (Alipay refuses shorter RSA2 keys). */
const MIN_BITS = 2048;

const PEM_LABEL = /-----BEGIN ([A-Z0-9 ]+)-----/;

const EXPECTED_PRIVATE = 'an RSA private key as PKCS#1 PEM ("BEGIN RSA PRIVATE KEY"), PKCS#8 PEM ("BEGIN PRIVATE KEY") or the bare base64 of either';
const EXPECTED_PUBLIC = 'the Alipay public key as PEM ("BEGIN PUBLIC KEY" or "BEGIN RSA PUBLIC KEY") or bare base64';

/** `label` names the setting in errors, e.g. "ALIPAY_PRIVATE_KEY". */
export function loadPrivateKey(text: string, label = 'app private key'): LoadedPrivateKey {
  const found = PEM_LABEL.exec(text)?.[1];
  let key: KeyObject;
  let format: PrivateKeyFormat;
  if (found === 'RSA PRIVATE KEY' || found === 'PRIVATE KEY') {
    format = found === 'RSA PRIVATE KEY' ? 'pkcs1' : 'pkcs8';
    try {
      key = createPrivateKey({ key: text, format: 'pem' });
    } catch (error) {
      throw new AlipayKeyError(`${label}: the "${found}" PEM block does not hold a valid ${format.toUpperCase()} key (${reason(error)})`, { cause: error });
    }
  } else if (found !== undefined) {
    throw new AlipayKeyError(`${label}: expected ${EXPECTED_PRIVATE}; found a "${found}" PEM block${publicHint(found)}`);
  } else {
    const der = bareBase64(text, label, EXPECTED_PRIVATE);
    const pkcs8 = attempt(() => createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }));
    const pkcs1 = pkcs8 ? undefined : attempt(() => createPrivateKey({ key: der, format: 'der', type: 'pkcs1' }));
    if (!pkcs8 && !pkcs1) {
      const asPublic = attempt(() => createPublicKey({ key: der, format: 'der', type: 'spki' }));
      throw new AlipayKeyError(`${label}: expected ${EXPECTED_PRIVATE}; found base64 that is ${asPublic ? 'a public key, not the private key' : 'neither a PKCS#1 nor a PKCS#8 private key'}`);
    }
    key = (pkcs8 ?? pkcs1)!;
    format = pkcs8 ? 'pkcs8' : 'pkcs1';
  }
  requireRsa2048(key, label);
  return { key, format };
}

export function loadPublicKey(text: string, label = 'Alipay public key'): LoadedPublicKey {
  const found = PEM_LABEL.exec(text)?.[1];
  let key: KeyObject;
  let format: PublicKeyFormat;
  if (found === 'PUBLIC KEY' || found === 'RSA PUBLIC KEY') {
    format = found === 'PUBLIC KEY' ? 'spki' : 'pkcs1';
    try {
      key = createPublicKey({ key: text, format: 'pem' });
    } catch (error) {
      throw new AlipayKeyError(`${label}: the "${found}" PEM block does not hold a valid ${format.toUpperCase()} public key (${reason(error)})`, { cause: error });
    }
  } else if (found === 'CERTIFICATE') {
    throw new AlipayKeyError(
      `${label}: expected ${EXPECTED_PUBLIC}; found a certificate. Certificate mode (alipayCertPublicKey_RSA2.crt with alipayRootCert.crt) is not supported: switch the app to public-key mode (公钥模式) and use the Alipay public key`,
    );
  } else if (found !== undefined) {
    throw new AlipayKeyError(`${label}: expected ${EXPECTED_PUBLIC}; found a "${found}" PEM block${found.includes('PRIVATE') ? ' (a private key: this setting wants Alipay’s public key)' : ''}`);
  } else {
    const der = bareBase64(text, label, EXPECTED_PUBLIC);
    const spki = attempt(() => createPublicKey({ key: der, format: 'der', type: 'spki' }));
    const pkcs1 = spki ? undefined : attempt(() => createPublicKey({ key: der, format: 'der', type: 'pkcs1' }));
    if (!spki && !pkcs1) throw new AlipayKeyError(`${label}: expected ${EXPECTED_PUBLIC}; found base64 that is not an RSA public key`);
    key = (spki ?? pkcs1)!;
    format = spki ? 'spki' : 'pkcs1';
  }
  requireRsa2048(key, label);
  return { key, format };
}

function requireRsa2048(key: KeyObject, label: string): void {
  if (key.asymmetricKeyType !== 'rsa') throw new AlipayKeyError(`${label}: expected an RSA key for RSA2, found ${key.asymmetricKeyType ?? 'an unknown'} key`);
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_BITS) throw new AlipayKeyError(`${label}: RSA2 needs a key of at least ${MIN_BITS} bits, found ${bits}`);
}

function bareBase64(text: string, label: string, expected: string): Buffer {
  const compact = text.replace(/\s+/g, '');
  if (!compact) throw new AlipayKeyError(`${label}: expected ${expected}; found nothing`);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) throw new AlipayKeyError(`${label}: expected ${expected}; found text that is neither PEM nor base64`);
  return Buffer.from(compact, 'base64');
}

function publicHint(found: string): string {
  return found.includes('PUBLIC') ? ' (a public key: this setting wants the app private key)' : found === 'CERTIFICATE' ? ' (a certificate, not a key)' : '';
}

function attempt<T>(make: () => T): T | undefined {
  try {
    return make();
  } catch {
    return undefined;
  }
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
