/**
 * `npm run cert [-- host ...]`: a local certificate authority plus a server certificate for this
 * machine's LAN names and IPs (and any extra hosts given), so tablets reach the POS over HTTPS.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DataDirError } from '../store/data-dir.ts';
import { caPermits, lanHosts, OutsideCaConstraints } from '../tls/local-ca.ts';
import { writeServerCertificate, type WrittenCertificate } from '../tls/files.ts';

const extra = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const dataDir = resolve(process.env.DATA_DIR || './data');
let out: WrittenCertificate;
try {
  out = writeServerCertificate(dataDir, lanHosts(), extra);
} catch (error) {
  if (error instanceof DataDirError) {
    console.error(error.message);
    process.exit(1);
  }
  if (error instanceof OutsideCaConstraints) {
    console.error(`${error.message}. To cover them, make a new CA: delete ca.crt and ca-key.pem in ${resolve(dataDir, 'tls')}, run npm run cert -- ${extra.join(' ')} again, and install the new ca.crt on every tablet.`);
    process.exit(1);
  }
  throw error;
}
const caPem = readFileSync(out.caCert, 'utf8');
const ca = new X509Certificate(caPem);
const permits = caPermits(caPem);

console.log(out.createdCa ? `Created a new local CA: ${out.caCert}` : `Reused the local CA: ${out.caCert}`);
console.log(`CA fingerprint (SHA-256): ${ca.fingerprint256}`);
if (permits) {
  console.log(`The CA can sign only for these names and what is below them: ${permits.names.join(', ')}; and these networks: ${permits.networks.join(', ')}.`);
} else {
  console.log('Note: this CA was made before name constraints and can sign for any name. To replace it with a constrained one,');
  console.log(`  delete ca.crt and ca-key.pem in ${resolve(dataDir, 'tls')}, run npm run cert again and install the new ca.crt on every tablet.`);
}
console.log(`Server certificate for: ${out.hosts.join(', ')}`);
if (out.leftOut.length) console.log(`Left out (outside what the CA may sign for): ${out.leftOut.join(', ')}`);
console.log('');
console.log('Serve HTTPS with:');
console.log(`  TLS_CERT=${out.serverCert} TLS_KEY=${out.serverKey} npm start`);
console.log('');
console.log('Then trust the CA once on each tablet (README, "HTTPS on the shop network"):');
console.log(`  open https://<this machine's IP>:8787/ca.crt on the tablet, or copy ${out.caCert} to it,`);
console.log('  and install it as a CA certificate. Keep ca-key.pem private: it signs for this shop\'s network.');
