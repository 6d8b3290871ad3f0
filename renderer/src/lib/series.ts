/**
 * Chart series built by pure functions from sampled columns (no DOM, no chart.js): unit-tested in
 * test/renderer/series.test.ts. x is virtual time in seconds.
 */
import type { SampleColumns } from '../../../engine/protocol.ts';
import type { ChartDef } from './metrics.ts';

export interface Point {
  x: number;
  y: number | null;
}

export interface Series {
  /** Stable identity (run key) so a chart can update a dataset in place. */
  key: string;
  label: string;
  color: string;
  points: Point[];
}

export const PALETTE = ['#2563eb', '#dc2626', '#059669', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563'];

export function colorFor(index: number): string {
  return PALETTE[((index % PALETTE.length) + PALETTE.length) % PALETTE.length];
}

/** Points of rows [from, to) appended to `prev` (a new array; `prev` is not modified). */
export function appendPoints(
  prev: readonly Point[],
  def: ChartDef,
  cols: SampleColumns,
  from: number,
  to: number,
): Point[] {
  const out = prev.slice();
  for (let i = from; i < to; i++) out.push({ x: cols.tMs[i] / 1000, y: def.value(cols, i) });
  return out;
}

/** All points of a chart for `rows` rows of `cols`. */
export function pointsFor(def: ChartDef, cols: SampleColumns, rows: number = cols.tMs.length): Point[] {
  return appendPoints([], def, cols, 0, rows);
}

export interface SeriesSource {
  key: string;
  label: string;
  samples: SampleColumns;
  rows?: number;
  /** Palette slot (the run's index, so a run keeps its colour across views); defaults to position. */
  colorIndex?: number;
}

/** One series per source, on the same axes (the compare view and the live view share this). */
export function seriesFor(def: ChartDef, sources: readonly SeriesSource[]): Series[] {
  return sources.map((s, i) => ({
    key: s.key,
    label: s.label,
    color: colorFor(s.colorIndex ?? i),
    points: pointsFor(def, s.samples, s.rows ?? s.samples.tMs.length),
  }));
}

/** Number of non-null points (what "the chart has data" means). */
export function countValues(series: readonly Series[]): number {
  let n = 0;
  for (const s of series) for (const p of s.points) if (p.y !== null) n++;
  return n;
}
