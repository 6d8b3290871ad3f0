/**
 * Sweep output: the table (one row per point: its axis values, then each chosen metric as mean, and
 * ± the 95 % CI half-width when the point has two or more seeds) and the JSON form (every metric).
 * Pure functions over a SweepRecord and its runs (a session's, or a sweep just collected).
 */
import type { MetricStat, PointStats, RunResult, SessionData, SweepRecord } from '../protocol.ts';
import { pointStats } from '../core/sweep/stats.ts';
import { suggestKey } from '../core/config/suggest.ts';
import { UsageError } from './args.ts';
import type { CliContext } from './context.ts';
import { fmtCount } from '../numberFormat.ts';
import { pct } from './format.ts';

export const DEFAULT_METRICS = ['misses', 'missRatio', 'hitRate', 'evictions', 'refaults', 'throughput'];

/** Each point's stats over the runs it names (indices into `runs`; -1 = not run). */
export function recordStats(record: SweepRecord, runs: readonly RunResult[]): PointStats[] {
  return record.points.map((p) => pointStats(p.runs.filter((i) => i >= 0 && runs[i]).map((i) => runs[i].summary)));
}

/** Checks --metric names against what the runs have. */
export function checkMetrics(metrics: readonly string[], stats: readonly PointStats[]): string[] {
  if (metrics.length === 0) return DEFAULT_METRICS;
  const known = [...new Set(stats.flatMap((s) => Object.keys(s)))];
  for (const m of metrics)
    if (!known.includes(m)) {
      const hint = suggestKey(m, known);
      throw new UsageError(
        `--metric: unknown metric '${m}'${hint ? ` (did you mean ${hint}?)` : ` (known: ${known.join(', ')})`}`,
      );
    }
  return [...metrics];
}

function fmtNumber(x: number, ratio: boolean): string {
  if (!Number.isFinite(x)) return '—';
  // A ratio as `lab run`'s table shows it (pct, '16.73%'), not as a fraction ('0.167284', s15-h's trial);
  // its CI half-width likewise, in percentage points. --json keeps the fractions.
  if (ratio) return pct(x);
  // Counts grouped (numberFormat.ts, as the app's sweep table); other values five significant digits.
  if (Number.isInteger(x) || Math.abs(x) >= 1000) return fmtCount(x);
  return x.toPrecision(5);
}

export function fmtStat(name: string, s: MetricStat | undefined): string {
  if (!s || s.n === 0) return '—';
  const ratio = /Rate$|Ratio$|Precision$/.test(name);
  const mean = fmtNumber(s.mean, ratio);
  return s.n > 1 && Number.isFinite(s.ci95) ? `${mean} ± ${fmtNumber(s.ci95, ratio)}` : mean;
}

/**
 * Units of metrics whose name does not carry one (…Ns, …PerSec, …Pct… and the ratios do), shown in the
 * table header as `lab run` shows them in its cells ('1,882,379/s'); --metric still takes the bare name.
 */
export const METRIC_UNITS: Record<string, string> = { throughput: 'accesses/s' };

/** A metric's column header: its name, and its unit when the name does not say it. */
export function metricHeader(name: string): string {
  const unit = METRIC_UNITS[name];
  return unit ? `${name} (${unit})` : name;
}

export function sweepTable(record: SweepRecord, runs: readonly RunResult[], metrics: readonly string[]): string {
  const stats = recordStats(record, runs);
  const header = [...record.axes.map((a) => a.path), 'runs', ...metrics.map(metricHeader)];
  const body = record.points.map((p, i) => [
    ...p.values.map(String),
    `${p.runs.filter((r) => r >= 0).length}/${p.runs.length}`,
    ...metrics.map((m) => fmtStat(m, stats[i][m])),
  ]);
  const rows = [header, ...body];
  const widths = header.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const axisCols = record.axes.length;
  const line = (r: string[]): string =>
    r.map((cell, i) => (i < axisCols ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  const seeds = record.seeds.length;
  const title = `${record.name} — ${record.points.length} points × ${seeds} seed${seeds > 1 ? 's' : ''}${seeds > 1 ? ' (mean ± 95 % CI, Student t)' : ''}`;
  return [title, '', line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

/** NaN/Infinity are not JSON: null instead. */
function jsonNumber(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

export function sweepJson(record: SweepRecord, runs: readonly RunResult[]): Record<string, unknown> {
  const stats = recordStats(record, runs);
  return {
    sweep: record.name,
    scenario: record.scenario,
    mode: record.mode,
    axes: record.axes,
    seeds: record.seeds,
    points: record.points.map((p, i) => ({
      label: p.label,
      values: Object.fromEntries(record.axes.map((a, j) => [a.path, p.values[j]])),
      runs: p.runs.filter((r) => r >= 0).length,
      metrics: Object.fromEntries(
        Object.entries(stats[i]).map(([k, s]) => [k, { mean: jsonNumber(s.mean), ci95: jsonNumber(s.ci95), n: s.n }]),
      ),
    })),
  };
}

/** `lab show` of a session holding sweeps: each sweep's table (or JSON with every metric). */
export function showSweeps(file: string, session: SessionData, json: boolean, ctx: CliContext): number {
  const sweeps = session.sweeps ?? [];
  if (json) {
    ctx.stdout(`${JSON.stringify({ sweeps: sweeps.map((s) => sweepJson(s, session.runs)) }, null, 2)}\n`);
    return 0;
  }
  ctx.stdout(`${file}: ${sweeps.length} sweep${sweeps.length > 1 ? 's' : ''}, ${session.runs.length} runs\n\n`);
  ctx.stdout(`${sweeps.map((s) => sweepTable(s, session.runs, DEFAULT_METRICS)).join('\n\n')}\n`);
  return 0;
}
