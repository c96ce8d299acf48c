/**
 * A small Code 128 (set C) reader for tests: it reads the bars back out of the phone page's SVG
 * and checks start code, mod-103 checksum and stop pattern, so a test proves the image encodes
 * the digits (rather than trusting the library that drew it).
 */
const PATTERNS = [
  '212222', '222122', '222221', '121223', '121322', '131222', '122213', '122312', '132212', '221213',
  '221312', '231212', '112232', '122132', '122231', '113222', '123122', '123221', '223211', '221132',
  '221231', '213212', '223112', '312131', '311222', '321122', '321221', '312212', '322112', '322211',
  '212123', '212321', '232121', '111323', '131123', '131321', '112313', '132113', '132311', '211313',
  '231113', '231311', '112133', '112331', '132131', '113123', '113321', '133121', '313121', '211331',
  '231131', '213113', '213311', '213131', '311123', '311321', '331121', '312113', '312311', '332111',
  '314111', '221411', '431111', '111224', '111422', '121124', '121421', '141122', '141221', '112214',
  '112412', '122114', '122411', '142112', '142211', '241211', '221114', '413111', '241112', '134111',
  '111242', '121142', '121241', '114212', '124112', '124211', '411212', '421112', '421211', '212141',
  '214121', '412121', '111143', '111341', '131141', '114113', '114311', '411113', '411311', '113141',
  '114131', '311141', '411131', '211412', '211214', '211232',
];
const START_C = 105;
const STOP = '2331112';

export interface Bars {
  /** Left edge of each bar, in SVG units. */
  bars: { left: number; width: number }[];
  viewWidth: number;
}

/** The bars bwip-js draws: `<path stroke-width="w" d="Mx y1Lx y2 ...">`, each stroke centred on x. */
export function barsOf(svg: string): Bars {
  const viewWidth = Number(/viewBox="0 0 ([\d.]+) /.exec(svg)?.[1]);
  const bars: { left: number; width: number }[] = [];
  for (const path of svg.matchAll(/<path stroke="#000000" stroke-width="([\d.]+)" d="([^"]+)"/g)) {
    const width = Number(path[1]);
    for (const m of path[2]!.matchAll(/M([\d.]+) [\d.]+L/g)) bars.push({ left: Number(m[1]) - width / 2, width });
  }
  bars.sort((a, b) => a.left - b.left);
  return { bars, viewWidth };
}

/** Decodes set-C digits; throws when anything does not check out. */
export function decodeCode128C(svg: string): string {
  const { bars } = barsOf(svg);
  const widths: number[] = [];
  bars.forEach((bar, i) => {
    widths.push(bar.width);
    const next = bars[i + 1];
    if (next) widths.push(next.left - (bar.left + bar.width));
  });
  const modules = widths.map((w) => {
    if (Math.abs(w - Math.round(w)) > 0.01 || w < 1 || w > 4) throw new Error(`not a whole module width: ${w}`);
    return String(Math.round(w));
  });
  const symbols: number[] = [];
  let i = 0;
  for (; i + 7 <= modules.length + 0 && modules.slice(i, i + 7).join('') !== STOP; i += 6) {
    const value = PATTERNS.indexOf(modules.slice(i, i + 6).join(''));
    if (value < 0) throw new Error(`unknown symbol at bar/space ${i}`);
    symbols.push(value);
  }
  if (i + 7 !== modules.length) throw new Error('no stop pattern at the end');
  const [start, ...rest] = symbols;
  if (start !== START_C) throw new Error(`starts with ${start}, not Start C`);
  const check = rest.pop()!;
  const sum = rest.reduce((acc, v, k) => acc + v * (k + 1), START_C);
  if (sum % 103 !== check) throw new Error('checksum mismatch');
  return rest.map((v) => String(v).padStart(2, '0')).join('');
}
