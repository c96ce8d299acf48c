import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type PosServer } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { silentLogger } from '../../server/log.ts';
import { freshStore, type StoreEnv } from './harness.ts';

/** `npm start` as a process, and the web app served beside the API. */

function runStart(env: Record<string, string>, stopWhen: RegExp | null) {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'server/start.ts'], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, SKIP_WEB_BUILD: '1', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr += d));
  return new Promise<{ stdout: string; stderr: string; code: number | null; proc: typeof proc }>((resolve) => {
    proc.stdout.on('data', (d) => {
      stdout += d;
      if (stopWhen && stopWhen.test(stdout)) resolve({ stdout, stderr, code: null, proc });
    });
    proc.on('exit', (code) => resolve({ stdout, stderr, code, proc }));
  });
}

describe('npm start', () => {
  it('prints where it serves, the simulator phone page and a pairing link that pairs a tablet; stops cleanly on SIGTERM', async () => {
    const journal = await freshStore();
    const started = await runStart(journal.env, /pair the first terminal.*\n/);
    expect(started.stdout).toMatch(/^micropay-pos on http:\/\/127\.0\.0\.1:\d+ \(simulator mode\)$/m);
    expect(started.stdout).toMatch(/\/simulator\/phone/);
    // Other machines use the simulator's control API with the token printed here.
    expect(started.stdout).toMatch(/X-Simulator-Token: [\w-]{32}$/m);
    expect(started.stdout).toMatch(/TRAINING MODE 训练模式: no real money moves; only the simulator's test payment codes are accepted/);
    const link = /(http:\/\/\S+)\/#\/pair\/([\w-]+)/.exec(started.stdout)!;
    expect(link).not.toBeNull();
    const paired = await fetch(`${link[1]}/api/pair`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: link[2] }) });
    expect(paired.status).toBe(200);
    const { token, terminal } = (await paired.json()) as { token: string; terminal: { name: string } };
    expect(terminal.name).toBe('Terminal 1');
    expect((await fetch(`${link[1]}/api/terminal`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    // The pairing code travels in the URL fragment: it is in no access log line.
    const exited = new Promise<number | null>((r) => started.proc.on('exit', r));
    started.proc.kill('SIGTERM');
    expect(await exited).toBe(0);
    const log = started.stdout;
    expect(log.split('\n').filter((l) => l.startsWith('{') && l.includes(link[2]!))).toEqual([]);

    // Once a tablet is paired, a restart prints no new link.
    const again = await runStart(journal.env, /another tablet/);
    expect(again.stdout).not.toMatch(/#\/pair\//);
    const stopped = new Promise((r) => again.proc.on('exit', r));
    again.proc.kill('SIGTERM');
    await stopped;
    await journal.dispose();
  });

  it('refuses a bad configuration with the variable named and exit code 2', async () => {
    const result = await runStart({ DATA_DIR: tmpdir(), WECHAT_APPID: 'wx2421b1c4370ec43b' }, null);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^Configuration error: WECHAT_MCH_ID: missing/m);
  });
});

describe('the web app beside the API', () => {
  let server: PosServer;
  let journal: StoreEnv;
  const webRoot = mkdtempSync(join(tmpdir(), 'pos-web-'));
  beforeAll(async () => {
    journal = await freshStore();
    mkdirSync(join(webRoot, 'assets'));
    writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>POS</title>');
    writeFileSync(join(webRoot, 'sw.js'), 'self.addEventListener("fetch", () => {});');
    writeFileSync(join(webRoot, 'assets', 'index-abc123.js'), 'console.log(1)');
    // What the build writes beside each text file (vite.config.ts): its Brotli and gzip copies.
    writeFileSync(join(webRoot, 'assets', 'index-abc123.js.br'), brotliCompressSync('console.log(1)'));
    writeFileSync(join(webRoot, 'assets', 'index-abc123.js.gz'), gzipSync('console.log(1)'));
    writeFileSync(join(webRoot, 'index.html.gz'), gzipSync('<!doctype html><title>POS</title>'));
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', ...journal.env });
    server = await createServer(config, { log: silentLogger, webRoot });
  });
  afterAll(async () => {
    await server?.close();
    await journal?.dispose();
    rmSync(webRoot, { recursive: true, force: true });
  });
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`http://127.0.0.1:${server.port}${path}`, { headers });

  it('caches hashed assets for good and revalidates index.html and the service worker', async () => {
    const asset = await get('/assets/index-abc123.js');
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    for (const path of ['/', '/sw.js']) {
      const res = await get(path);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-cache');
    }
  });

  it.each([
    ['gzip, deflate, br, zstd', 'br'],
    ['gzip, deflate', 'gzip'],
  ])('sends the precompressed copy a browser accepting "%s" asks for (%s), with the same caching', async (accept, encoding) => {
    const res = await get('/assets/index-abc123.js', { 'accept-encoding': accept });
    expect(res.headers.get('content-encoding')).toBe(encoding);
    expect(res.headers.get('vary')).toMatch(/accept-encoding/i);
    expect(res.headers.get('content-type')).toMatch(/javascript/);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await res.text()).toBe('console.log(1)'); // fetch decodes it
  });

  it('sends a file as it is to a client that accepts no compression, and index.html compressed for client routes', async () => {
    const plain = await get('/assets/index-abc123.js', { 'accept-encoding': 'identity' });
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(await plain.text()).toBe('console.log(1)');
    const route = await get('/history', { 'accept-encoding': 'gzip' });
    expect(route.headers.get('content-encoding')).toBe('gzip');
    expect(route.headers.get('cache-control')).toBe('no-cache');
    expect(await route.text()).toContain('<title>POS</title>');
  });

  it('answers client routes with index.html, but a missing file with 404', async () => {
    const route = await get('/history/today');
    expect(route.status).toBe(200);
    expect(await route.text()).toContain('<title>POS</title>');
    expect((await get('/assets/index-old999.js')).status).toBe(404);
  });

  it('sends the security headers on pages and API answers, without HSTS', async () => {
    for (const path of ['/', '/api/health']) {
      const res = await get(path);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(res.headers.get('strict-transport-security')).toBeNull();
    }
  });

  it('serves the shop CA certificate route, which says how to create it when missing', async () => {
    const res = await get('/ca.crt');
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/npm run cert/);
  });

  it('keeps the API and the simulator apart from the web app', async () => {
    expect(await (await get('/api/health')).json()).toEqual({ ok: true, mode: 'simulator', wallets: { wechat: 'simulator', alipay: 'simulator' } });
    const unknown = await get('/api/unknown');
    expect(unknown.status).toBe(401);
    expect((await get('/simulator/control/behaviours')).status).toBe(200);
  });
});
