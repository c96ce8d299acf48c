import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { prepareDataDir } from '../store/data-dir.ts';
import { caPermits, createLocalCa, defaultPermits, issueServerCert, OutsideCaConstraints, type PemPair } from './local-ca.ts';

/** Where `npm run cert` keeps the shop's CA and the server certificate, under DATA_DIR. */
export function tlsPaths(dataDir: string) {
  const dir = join(dataDir, 'tls');
  return {
    dir,
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca-key.pem'),
    serverCert: join(dir, 'server.crt'),
    serverKey: join(dir, 'server-key.pem'),
  };
}

export interface WrittenCertificate extends ReturnType<typeof tlsPaths> {
  createdCa: boolean;
  /** The hosts the server certificate is for. */
  hosts: string[];
  /** Hosts found on this machine that the CA's name constraints do not cover (left out). */
  leftOut: string[];
  /** false: a CA made before name constraints, which can sign for any name. */
  constrained: boolean;
}

/**
 * Creates the CA on first use (constrained to local names, private networks and `extraHosts`)
 * and reuses it afterwards (tablets trust it once), then issues a fresh server certificate for
 * `foundHosts` the CA covers and every one of `extraHosts` (which it must cover). Private keys
 * are owner-only, in an owner-only folder.
 */
export function writeServerCertificate(dataDir: string, foundHosts: readonly string[], extraHosts: readonly string[] = []): WrittenCertificate {
  const paths = tlsPaths(prepareDataDir(dataDir));
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  chmodSync(paths.dir, 0o700);
  let ca: PemPair;
  const createdCa = !existsSync(paths.caCert) || !existsSync(paths.caKey);
  if (createdCa) {
    ca = createLocalCa(undefined, undefined, undefined, defaultPermits(extraHosts));
    writePrivate(paths.caKey, ca.keyPem);
    writeFileSync(paths.caCert, ca.certPem);
  } else {
    ca = { certPem: readFileSync(paths.caCert, 'utf8'), keyPem: readFileSync(paths.caKey, 'utf8') };
  }
  const permits = caPermits(ca.certPem);
  const outside = extraHosts.filter((h) => permits?.allows(h) === false);
  if (outside.length > 0) throw new OutsideCaConstraints(outside);
  const covered = (h: string) => permits?.allows(h) !== false;
  const hosts = [...new Set([...foundHosts.filter(covered), ...extraHosts])];
  const server = issueServerCert(ca, hosts);
  writePrivate(paths.serverKey, server.keyPem);
  writeFileSync(paths.serverCert, server.certPem);
  return { ...paths, createdCa, hosts, leftOut: foundHosts.filter((h) => !covered(h)), constrained: permits !== undefined };
}

/** writeFileSync's mode applies to new files only: an existing key is made owner-only too. */
function writePrivate(path: string, pem: string): void {
  writeFileSync(path, pem, { mode: 0o600 });
  chmodSync(path, 0o600);
}
