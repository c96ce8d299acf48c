/**
 * `npm run cert [-- host ...]`: a local certificate authority plus a server certificate for this
 * machine's LAN names and IPs (and any extra hosts given), so tablets reach the POS over HTTPS.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { lanHosts } from '../tls/local-ca.ts';
import { writeServerCertificate } from '../tls/files.ts';

const extra = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const dataDir = resolve(process.env.DATA_DIR || './data');
const hosts = [...new Set([...lanHosts(), ...extra])];
const out = writeServerCertificate(dataDir, hosts);
const ca = new X509Certificate(readFileSync(out.caCert));

console.log(out.createdCa ? `Created a new local CA: ${out.caCert}` : `Reused the local CA: ${out.caCert}`);
console.log(`CA fingerprint (SHA-256): ${ca.fingerprint256}`);
console.log(`Server certificate for: ${hosts.join(', ')}`);
console.log('');
console.log('Serve HTTPS with:');
console.log(`  TLS_CERT=${out.serverCert} TLS_KEY=${out.serverKey} npm start`);
console.log('');
console.log('Then trust the CA once on each tablet (README, "HTTPS on the shop network"):');
console.log(`  open https://<this machine's IP>:8787/ca.crt on the tablet, or copy ${out.caCert} to it,`);
console.log('  and install it as a CA certificate. Keep ca-key.pem private: it can sign for any name.');
