import { existsSync, readFileSync } from 'node:fs';
import { Hono } from 'hono';
import { tlsPaths } from './files.ts';

/**
 * GET /ca.crt: the shop CA's public certificate, so a tablet can download and trust it after
 * clicking through the warning once. Only the certificate: the CA key never leaves DATA_DIR.
 */
export function caCertificateRoute(dataDir: string): Hono {
  const app = new Hono();
  app.get('/ca.crt', (c) => {
    const { caCert } = tlsPaths(dataDir);
    if (!existsSync(caCert)) return c.json({ error: { code: 'NOT_FOUND', message: 'No local CA: run `npm run cert` first.' } }, 404);
    return c.body(readFileSync(caCert), 200, {
      'content-type': 'application/x-x509-ca-cert',
      'content-disposition': 'attachment; filename="micropay-pos-ca.crt"',
    });
  });
  return app;
}
