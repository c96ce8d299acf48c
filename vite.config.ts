import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';
import { compression } from 'vite-plugin-compression2';

// The web app lives in web/ and is built to dist/web, which the server serves from the same origin.
export default defineConfig({
  root: 'web',
  plugins: [
    svelte(),
    VitePWA({
      // 'prompt': a new version waits for the cashier's "Reload" instead of swapping mid-sale.
      registerType: 'prompt',
      injectRegister: false,
      includeAssets: ['icons/*.png'],
      manifest: {
        name: '扫码收银 Scan & Pay POS',
        short_name: '扫码收银',
        description: 'WeChat Pay and Alipay payment-code checkout for the shop counter',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        orientation: 'any',
        lang: 'zh-CN',
        theme_color: '#07c160',
        background_color: '#f3f4f6',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      workbox: {
        globPatterns: ['**/*.{js,css,html,png,svg,webmanifest}'],
        navigateFallback: '/index.html',
        // The API, the simulator's pages and the CA download are the server's, never the app shell.
        navigateFallbackDenylist: [/^\/api\//, /^\/simulator/, /^\/ca\.crt/],
        cleanupOutdatedCaches: true,
      },
    }),
    // Brotli and gzip copies written once at build, next to each file; the server sends the one the
    // browser accepts (serveStatic's precompressed), never compressing per request.
    compression({ algorithms: ['brotliCompress', 'gzip'], include: /\.(html|js|css|json|webmanifest|svg)$/, threshold: 512 }),
  ],
  build: { outDir: '../dist/web', emptyOutDir: true },
  server: { proxy: { '/api': 'http://localhost:8787', '/simulator': 'http://localhost:8787' } },
});
