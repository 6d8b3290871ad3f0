/**
 * Colours of the stage-2 heat map (pure; test/renderer/heatColors.test.ts). A column of the engine's
 * heat map (protocol.ts GuestHeatmap.cells: HEAT_CHANNELS x bins bytes) becomes one column of pixels,
 * bin 0 (lowest guest-physical address) at the bottom.
 *
 * 'state' shows everything at once: green = young (accessed since aging last cleared AF), blue =
 * resident but old, red = evicted (in swap), yellow-white = refaulted since the previous column;
 * black = never touched. The single-channel modes map 0..255 through a dark-to-bright scale.
 */
import type { HeatChannel } from '../../../engine/protocol.ts';
import { HEAT_CHANNELS } from './protocolLists.ts';

export type HeatMode = 'state' | HeatChannel;
export const HEAT_MODES: readonly HeatMode[] = ['state', ...HEAT_CHANNELS];

export const HEAT_MODE_NAMES: Record<HeatMode, string> = {
  state: 'state (young / old / evicted / refaulted)',
  resident: 'resident',
  young: 'young (AF set)',
  age: 'generation age',
  evicted: 'evicted (in swap)',
  refaulted: 'refaulted since last column',
};

/** Viridis stops for single-channel modes (black is kept for "none" / "no resident page"). */
const STOPS: readonly [number, number, number][] = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];

function scale(v: number): [number, number, number] {
  const x = (v / 255) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(x));
  const t = x - i;
  const a = STOPS[i];
  const b = STOPS[i + 1];
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

/** The RGB of one bin of one column. */
export function binColor(
  cells: Uint8Array,
  offset: number,
  bins: number,
  bin: number,
  mode: HeatMode,
): [number, number, number] {
  const ch = (k: number) => cells[offset + k * bins + bin];
  if (mode === 'state') {
    const resident = ch(0);
    const young = ch(1);
    const evicted = ch(3);
    const refaulted = ch(4);
    const old = Math.max(0, resident - young);
    // Additive: each page state lights its own primary; refaults add white-yellow on top.
    const r = Math.min(255, evicted + refaulted * 2);
    const g = Math.min(255, young + refaulted * 2);
    const b = Math.min(255, old + refaulted);
    return [r, g, b];
  }
  const v = ch(HEAT_CHANNELS.indexOf(mode));
  // Age is defined only where pages are resident (0 = the youngest generation is a value, not "none").
  if (mode === 'age') return ch(0) === 0 ? [0, 0, 0] : scale(v);
  return v === 0 ? [0, 0, 0] : scale(v);
}

/** What the colour scale of a single-channel mode spans, for its legend. */
export function scaleEnds(mode: HeatMode, ageKind: 'generations' | 'inactive' | 'none'): [string, string] {
  if (mode === 'age')
    return ageKind === 'generations'
      ? ['youngest generation', '3 generations older (black: nothing resident)']
      : ageKind === 'inactive'
        ? ['all active', 'all inactive (black: nothing resident)']
        : ['no generations in this policy', ''];
  return ['none (black) … few', 'all of the bin’s pages'];
}

/**
 * Paints column `c` of `cells` (columns of HEAT_CHANNELS * bins bytes) into an RGBA image of `bins`
 * rows, over pixel columns [x0, x1).
 */
export function paintColumn(
  img: Uint8ClampedArray,
  imgWidth: number,
  cells: Uint8Array,
  c: number,
  bins: number,
  mode: HeatMode,
  x0: number,
  x1: number,
): void {
  const offset = c * HEAT_CHANNELS.length * bins;
  for (let b = 0; b < bins; b++) {
    const [r, g, bl] = binColor(cells, offset, bins, b, mode);
    const row = bins - 1 - b;
    for (let x = x0; x < x1; x++) {
      const p = (row * imgWidth + x) * 4;
      img[p] = r;
      img[p + 1] = g;
      img[p + 2] = bl;
      img[p + 3] = 255;
    }
  }
}

/** Pixel column where a column at tMs starts, on an image of `width` pixels spanning [0, spanMs]. */
export function columnX(tMs: number, spanMs: number, width: number): number {
  if (!(spanMs > 0)) return 0;
  return Math.max(0, Math.min(width, Math.round((tMs / spanMs) * width)));
}

/**
 * What one heat-map cell holds, in words with units (the hover readout): the bin's gfn range, the column's
 * virtual time, and each channel as a share of the bin's pages (age in generations).
 */
export function cellReadout(
  g: { name: string; pages: number; pagesPerBin: number; tMs: Float64Array; cells: Uint8Array },
  bins: number,
  ageKind: 'generations' | 'inactive' | 'none',
  column: number,
  bin: number,
): string {
  const c = Math.max(0, Math.min(g.tMs.length - 1, column));
  const lo = bin * g.pagesPerBin;
  const hi = Math.min(g.pages, lo + g.pagesPerBin) - 1;
  const at = c * HEAT_CHANNELS.length * bins;
  const v = (k: number) => g.cells[at + k * bins + bin];
  const pct = (k: number) => `${Math.round((v(k) / 255) * 100)}%`;
  const age =
    ageKind === 'generations'
      ? `; mean age ${((v(2) / 255) * 3).toFixed(1)} generations`
      : ageKind === 'inactive'
        ? `; ${pct(2)} of the resident pages inactive`
        : '';
  return (
    `${g.name} · ${(g.tMs[c] / 1000).toFixed(3)} virtual s · gfn ${lo}–${hi}: ` +
    `resident ${pct(0)}, young ${pct(1)}, evicted ${pct(3)}, refaulted ${pct(4)} of the bin’s pages${v(0) > 0 ? age : ''}`
  );
}
