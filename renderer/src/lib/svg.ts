/**
 * A chart as SVG, built from the series data (vector lines, real text), not a raster in a wrapper:
 * title, axes with ticks and unit labels, one polyline per series (a gap, null, breaks the line), and a
 * legend naming each run. Pure (test/renderer/svg.test.ts).
 */
import { formatTick } from './format.ts';
import type { Series } from './series.ts';

export interface SvgChart {
  title: string;
  xLabel: string;
  yLabel: string;
  yMin?: number;
  yMax?: number;
  xMax?: number;
  series: Series[];
}

export interface SvgTheme {
  background: string;
  text: string;
  grid: string;
}

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** About `count` round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(+v.toPrecision(12));
  return out;
}

export function chartSvg(c: SvgChart, theme: SvgTheme, width = 720, height = 400): string {
  const m = { left: 64, right: 16, top: 34, bottom: 44 + 16 * Math.ceil(c.series.length / 2) };
  const pw = width - m.left - m.right;
  const ph = height - m.top - m.bottom;
  let xMax = c.xMax ?? 0;
  let yLo = c.yMin ?? Infinity;
  let yHi = c.yMax ?? -Infinity;
  for (const s of c.series)
    for (const p of s.points) {
      if (c.xMax === undefined) xMax = Math.max(xMax, p.x);
      if (p.y === null) continue;
      if (c.yMin === undefined) yLo = Math.min(yLo, p.y);
      if (c.yMax === undefined) yHi = Math.max(yHi, p.y);
    }
  if (!Number.isFinite(yLo)) yLo = 0;
  if (!Number.isFinite(yHi) || yHi <= yLo) yHi = yLo + 1;
  if (!(xMax > 0)) xMax = 1;
  const xs = (x: number) => m.left + (x / xMax) * pw;
  const ys = (y: number) => m.top + ph - ((y - yLo) / (yHi - yLo)) * ph;
  const f = (v: number) => v.toFixed(2);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="${theme.background}"/>`,
    `<text x="${m.left}" y="20" font-size="14" font-weight="600" fill="${theme.text}">${esc(c.title)}</text>`,
  ];
  for (const t of niceTicks(yLo, yHi)) {
    const y = f(ys(t));
    out.push(`<line x1="${m.left}" x2="${m.left + pw}" y1="${y}" y2="${y}" stroke="${theme.grid}"/>`);
    out.push(
      `<text x="${m.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle" fill="${theme.text}">${esc(formatTick(t))}</text>`,
    );
  }
  for (const t of niceTicks(0, xMax)) {
    const x = f(xs(t));
    out.push(`<line x1="${x}" x2="${x}" y1="${m.top + ph}" y2="${m.top + ph + 4}" stroke="${theme.text}"/>`);
    out.push(
      `<text x="${x}" y="${m.top + ph + 16}" text-anchor="middle" fill="${theme.text}">${esc(formatTick(t))}</text>`,
    );
  }
  out.push(`<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="${theme.grid}"/>`);
  out.push(
    `<text x="${m.left + pw / 2}" y="${m.top + ph + 32}" text-anchor="middle" fill="${theme.text}">${esc(c.xLabel)}</text>`,
  );
  out.push(
    `<text transform="translate(14 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle" fill="${theme.text}">${esc(c.yLabel)}</text>`,
  );
  for (const s of c.series) {
    // One path; "M" restarts the line after a gap (null), so no value is invented across it.
    let d = '';
    let pen = false;
    for (const p of s.points) {
      if (p.y === null || !Number.isFinite(p.y)) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${f(xs(p.x))} ${f(ys(Math.min(yHi, Math.max(yLo, p.y))))}`;
      pen = true;
    }
    out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.5"><title>${esc(s.label)}</title></path>`);
  }
  c.series.forEach((s, i) => {
    const x = m.left + (i % 2) * (pw / 2);
    const y = m.top + ph + 44 + Math.floor(i / 2) * 16;
    out.push(`<rect x="${x}" y="${y - 8}" width="10" height="10" fill="${s.color}"/>`);
    out.push(`<text x="${x + 14}" y="${y}" fill="${theme.text}">${esc(s.label)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
