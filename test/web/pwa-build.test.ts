import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

/** The built app (vitest's global setup runs `vite build`) is an installable, offline-capable PWA. */
const dist = (path: string) => `dist/web/${path.replace(/^\//, '')}`;

interface Manifest {
  name: string;
  short_name: string;
  start_url: string;
  display: string;
  theme_color: string;
  background_color: string;
  icons: { src: string; sizes: string; type: string; purpose?: string }[];
}

function pngSize(path: string): [number, number] {
  const bytes = readFileSync(path);
  expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
}

describe('the built web app', () => {
  it('links a manifest that meets Chrome’s install criteria, with real PNG icons of the stated sizes', () => {
    const html = readFileSync(dist('index.html'), 'utf8');
    const href = /<link rel="manifest" href="([^"]+)"/.exec(html)?.[1];
    expect(href).toBeDefined();
    const manifest = JSON.parse(readFileSync(dist(href!), 'utf8')) as Manifest;
    expect(manifest).toMatchObject({ start_url: '/', display: 'standalone' });
    expect(manifest.name && manifest.short_name && manifest.theme_color && manifest.background_color).toBeTruthy();
    const sizes = new Set(manifest.icons.map((i) => `${i.sizes} ${i.purpose ?? 'any'}`));
    expect(sizes).toEqual(new Set(['192x192 any', '512x512 any', '512x512 maskable']));
    for (const icon of manifest.icons) {
      const [w, h] = icon.sizes.split('x').map(Number);
      expect(pngSize(dist(icon.src))).toEqual([w, h]);
    }
  });

  it('precaches the app shell, every script and stylesheet (lazy screens included) and the icons', () => {
    const sw = readFileSync(dist('sw.js'), 'utf8');
    const precached = new Set([...sw.matchAll(/"?url"?:\s*"([^"]+)"/g)].map((m) => m[1]!));
    expect(precached).toContain('index.html');
    const assets = readdirSync(dist('assets')).filter((f) => /\.(js|css)$/.test(f));
    expect(assets.length).toBeGreaterThan(3);
    for (const file of assets) expect(precached, file).toContain(`assets/${file}`);
    expect(precached).toContain('icons/icon-192.png');
  });

  it('never answers the API or the simulator with the app shell', () => {
    const sw = readFileSync(dist('sw.js'), 'utf8');
    expect(sw).toMatch(/denylist:\s*\[[^\]]*\\\/api/);
    expect(sw).toMatch(/denylist:\s*\[[^\]]*simulator/);
    expect(existsSync(dist('manifest.webmanifest'))).toBe(true);
  });

  it('writes a Brotli and a gzip copy of every script, stylesheet and the page, identical once decompressed', () => {
    const files = ['index.html', ...readdirSync(dist('assets')).filter((f) => /\.(js|css)$/.test(f)).map((f) => `assets/${f}`)];
    for (const file of files) {
      const original = readFileSync(dist(file));
      if (original.length < 512) continue; // too small to be worth it (the build skips them)
      expect(brotliDecompressSync(readFileSync(dist(`${file}.br`))).equals(original), file).toBe(true);
      expect(gunzipSync(readFileSync(dist(`${file}.gz`))).equals(original), file).toBe(true);
    }
  });

  it('loads at most 60 KB of JavaScript and CSS, gzipped, before the checkout shows; the shift, cashier, export, report and reconciliation screens load on demand', () => {
    const html = readFileSync(dist('index.html'), 'utf8');
    const refs = new Set<string>();
    for (const m of html.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)) refs.add(m[1]!);
    for (const m of html.matchAll(/<link[^>]*rel="(?:stylesheet|modulepreload)"[^>]*href="([^"]+)"/g)) refs.add(m[1]!);
    for (const m of html.matchAll(/<link[^>]*href="([^"]+)"[^>]*rel="(?:stylesheet|modulepreload)"/g)) refs.add(m[1]!);
    expect(refs.size).toBeGreaterThan(0);
    const initial = [...refs].map((ref) => readFileSync(dist(ref)));
    expect(initial.reduce((sum, bytes) => sum + gzipSync(bytes, { level: 9 }).length, 0)).toBeLessThanOrEqual(60 * 1024);
    // Texts that only those screens use: present in the build, absent from the first download.
    const first = initial.map((bytes) => bytes.toString('utf8')).join('\n');
    const lazy = readdirSync(dist('assets')).filter((f) => f.endsWith('.js')).map((f) => readFileSync(dist(`assets/${f}`), 'utf8')).join('\n');
    for (const text of ['交班报告', 'Owner’s report', '/api/report', '/api/exports/', '/api/cashiers', 'Export for the bookkeeper', '/api/reconciliations', 'Reconcile now']) {
      expect(lazy, text).toContain(text);
      expect(first, text).not.toContain(text);
    }
  });
});
