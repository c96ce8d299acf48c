import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The simulator's RSA2 test keys, shipped in server/simulator/keys/ (see the README there):
 * TEST ONLY, published with the source, never for real money.
 */
export const SIMULATOR_KEY_FILES = {
  appPrivateKey: fileURLToPath(new URL('../keys/app_private_key.pem', import.meta.url)),
  appPublicKey: fileURLToPath(new URL('../keys/app_public_key.pem', import.meta.url)),
  alipayPrivateKey: fileURLToPath(new URL('../keys/alipay_private_key.pem', import.meta.url)),
  alipayPublicKey: fileURLToPath(new URL('../keys/alipay_public_key.pem', import.meta.url)),
} as const;

export type SimulatorKeyName = keyof typeof SIMULATOR_KEY_FILES;

/** The PEM text of one test key. */
export function simulatorKey(name: SimulatorKeyName): string {
  return readFileSync(SIMULATOR_KEY_FILES[name], 'utf8');
}
