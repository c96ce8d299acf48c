import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLocalCa, issueServerCert, type PemPair } from './local-ca.ts';

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

/**
 * Creates the CA on first use and reuses it afterwards (tablets trust it once), then issues a
 * fresh server certificate for `hosts`. Private keys are written readable by the owner only.
 */
export function writeServerCertificate(dataDir: string, hosts: readonly string[]): ReturnType<typeof tlsPaths> & { createdCa: boolean } {
  const paths = tlsPaths(dataDir);
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  let ca: PemPair;
  const createdCa = !existsSync(paths.caCert) || !existsSync(paths.caKey);
  if (createdCa) {
    ca = createLocalCa();
    writeFileSync(paths.caKey, ca.keyPem, { mode: 0o600 });
    writeFileSync(paths.caCert, ca.certPem);
  } else {
    ca = { certPem: readFileSync(paths.caCert, 'utf8'), keyPem: readFileSync(paths.caKey, 'utf8') };
  }
  const server = issueServerCert(ca, hosts);
  writeFileSync(paths.serverKey, server.keyPem, { mode: 0o600 });
  writeFileSync(paths.serverCert, server.certPem);
  return { ...paths, createdCa };
}
