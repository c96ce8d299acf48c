/**
 * Renders the app icons (192, 512 and a maskable 512) from one SVG with headless Chromium and
 * writes the PNGs to web/public/icons/. Run once after changing the design; the PNGs are committed.
 *   npx tsx web/tools/render-icons.ts
 */
import { writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

/** A scanner beam over a payment-code bar pattern with a ¥: reads as "till" at 48 px. */
function svg(size: number, maskable: boolean): string {
  // Maskable icons may be cropped to a circle of 80 % diameter: keep the art in that safe zone.
  const inset = maskable ? size * 0.2 : size * 0.06;
  const radius = maskable ? 0 : size * 0.22;
  const inner = size - inset * 2;
  // Alternating bars and gaps of varying width, centred under the ¥.
  const widths = [0.07, 0.04, 0.1, 0.05, 0.05, 0.04, 0.09, 0.05, 0.06, 0.04, 0.08];
  const total = widths.reduce((a, b) => a + b, 0) * inner;
  let x = inset + (inner - total) / 2;
  let bars = '';
  widths.forEach((w, i) => {
    if (i % 2 === 0) bars += `<rect x="${x}" y="${inset + inner * 0.52}" width="${w * inner}" height="${inner * 0.3}" fill="#fff"/>`;
    x += w * inner;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}">
    <rect width="${size}" height="${size}" rx="${radius}" fill="#07c160"/>
    <text x="${size / 2}" y="${inset + inner * 0.43}" font-family="DejaVu Sans, sans-serif" font-weight="700" font-size="${inner * 0.42}" fill="#fff" text-anchor="middle">¥</text>
    ${bars}
    <rect x="${inset + inner * 0.06}" y="${inset + inner * 0.66}" width="${inner * 0.88}" height="${inner * 0.035}" rx="${inner * 0.017}" fill="#ff4d4f"/>
  </svg>`;
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage();
for (const [file, size, maskable] of [['icon-192.png', 192, false], ['icon-512.png', 512, false], ['icon-maskable-512.png', 512, true]] as const) {
  await page.setViewportSize({ width: size, height: size });
  await page.setContent(`<html><body style="margin:0;background:transparent">${svg(size, maskable)}</body></html>`);
  writeFileSync(`web/public/icons/${file}`, await page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } }));
}
await browser.close();
console.log('icons written to web/public/icons/');
