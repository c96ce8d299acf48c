import { toSVG } from 'bwip-js/node';

/**
 * The payment code as images a real 2D imager reads off a phone screen: black on white, quiet
 * zones (10 modules for Code 128, 4 for QR), and a whole number of CSS pixels per module (2 for
 * the bars, 8 for the QR squares, BWIPP's default error correction M) written into the SVG's own width/height so nothing blurs.
 */
export type Symbology = 'code128' | 'qrcode';

const BAR_PX_PER_MODULE = 2;
const QR_PX_PER_MODULE = 8;

/** bwip-js draws Code 128 at 1 unit per module and QR at 2 units per module when scale = 1. */
const UNITS_PER_MODULE: Record<Symbology, number> = { code128: 1, qrcode: 2 };

export function barcodeSvg(code: string, symbology: Symbology): string {
  const svg =
    symbology === 'code128'
      ? toSVG({ bcid: 'code128', text: code, scale: 1, height: 16, paddingwidth: 10, paddingheight: 4, backgroundcolor: 'FFFFFF' })
      : toSVG({ bcid: 'qrcode', text: code, scale: 1, paddingwidth: 8, paddingheight: 8, backgroundcolor: 'FFFFFF' });
  const box = /viewBox="0 0 (\d+(?:\.\d+)?) (\d+(?:\.\d+)?)"/.exec(svg);
  if (!box) throw new Error('bwip-js returned an SVG without a viewBox');
  const px = (symbology === 'code128' ? BAR_PX_PER_MODULE : QR_PX_PER_MODULE) / UNITS_PER_MODULE[symbology];
  const width = Math.round(Number(box[1]) * px);
  const height = Math.round(Number(box[2]) * px);
  return svg.replace(
    '<svg ',
    `<svg width="${width}" height="${height}" shape-rendering="crispEdges" role="img" aria-label="${symbology === 'code128' ? 'Code 128' : 'QR'} ${code}" `,
  );
}
