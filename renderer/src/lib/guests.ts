/**
 * Per-guest figures: the rows of the guest table and the bars of the per-guest charts, from each run's
 * GuestSummary (and, for the "host" column, the RunSummary). Pure (test/renderer/guests.test.ts).
 * Ops/s and op-latency percentiles are optional summary fields (engine model of operations); a row
 * is shown only when some run has it.
 */
import type { GuestSummary, RunResult, RunSummary } from '../../../engine/protocol.ts';
import { formatCount, formatDurationNs, formatFixed, formatPct, formatRate, formatTimes } from './format.ts';

/** Optional per-guest / per-run figures a newer engine adds (absent in older runs). */
export interface OpFigures {
  opsPerSec?: number;
  opLatencyP50Ns?: number;
  opLatencyP99Ns?: number;
  opLatencyP999Ns?: number;
}
type Figures = (GuestSummary | RunSummary) & OpFigures;

export interface GuestRowDef {
  key: string;
  label: string;
  unit: string;
  explain: string;
  /** Whether the figure is in bar charts (rates and ratios, not raw counts). */
  chart: boolean;
  optional: boolean;
  value(s: Figures): number | null;
  text(v: number | null): string;
}

/** Op latencies stay in µs (not scaled): the bars chart them in µs, and p50 / p99 / p99.9 read in one unit. */
const usec = (ns: number): string => `${formatFixed(ns / 1000, 2)} µs`;
const opt = (k: keyof OpFigures) => (s: Figures) => {
  const v = (s as OpFigures)[k];
  return typeof v === 'number' ? v : null;
};
const show = (f: (v: number) => string) => (v: number | null) => (v === null ? '—' : f(v));

export const GUEST_ROWS: readonly GuestRowDef[] = [
  {
    key: 'hitRate',
    label: 'Hit rate',
    unit: '%',
    explain: 'Share of this guest’s accesses that found their page resident.',
    chart: true,
    optional: false,
    value: (s) => s.hitRate,
    text: show(formatPct),
  },
  {
    key: 'slowdown',
    label: 'Slowdown',
    unit: 'ratio, 1 = none',
    explain:
      'vCPU time / the same time minus what memory pressure cost (refaults, direct reclaim, MMU-lock waits, access-flag faults after aging): 1 = as fast as with all memory, 2 = half the accesses per second.',
    chart: true,
    optional: false,
    value: (s) => ('slowdown' in s ? s.slowdown : null),
    text: show(formatTimes),
  },
  {
    key: 'throughput',
    label: 'Throughput',
    unit: 'accesses / virtual s',
    explain: 'Guest memory accesses per virtual second.',
    chart: true,
    optional: false,
    value: (s) => s.throughput,
    text: show((v) => formatRate(v, 'accesses/s')),
  },
  {
    key: 'accesses',
    label: 'Accesses',
    unit: 'count',
    explain: 'Guest memory accesses in the run.',
    chart: false,
    optional: false,
    value: (s) => s.accesses,
    text: show(formatCount),
  },
  {
    key: 'refaults',
    label: 'Refaults',
    unit: 'count',
    explain: 'Accesses to pages that had been evicted (a swap-in each).',
    chart: false,
    optional: false,
    value: (s) => s.refaults,
    text: show(formatCount),
  },
  {
    key: 'evictions',
    label: 'Evictions',
    unit: 'count',
    explain: 'Pages of this guest reclaim evicted.',
    chart: false,
    optional: false,
    value: (s) => s.evictions,
    text: show(formatCount),
  },
  {
    key: 'evictionPrecision',
    label: 'Eviction precision',
    unit: '%',
    explain: 'Evictions not refaulted within the window, over evictions whose window closed; — before any.',
    chart: true,
    optional: false,
    value: (s) => (Number.isFinite(s.evictionPrecision) ? s.evictionPrecision : null),
    text: show(formatPct),
  },
  {
    key: 'vcpuStall',
    label: 'vCPU stall',
    unit: 'virtual time',
    explain: 'Fault traps, lock waits, swap-ins and direct reclaim of this guest’s vCPUs.',
    chart: false,
    optional: false,
    value: (s) => s.vcpuStallNs,
    text: show(formatDurationNs),
  },
  {
    key: 'lockWait',
    label: 'MMU lock wait',
    unit: 'virtual time',
    explain: 'Time spent waiting for this guest’s MMU lock.',
    chart: false,
    optional: false,
    value: (s) => s.lockWaitNs,
    text: show(formatDurationNs),
  },
  {
    key: 'opsPerSec',
    label: 'Operations',
    unit: 'ops / virtual s',
    explain: 'Workload operations completed per virtual second (an operation is a group of accesses).',
    chart: true,
    optional: true,
    value: opt('opsPerSec'),
    text: show((v) => formatRate(v, 'ops/s')),
  },
  {
    key: 'opLatencyP50',
    label: 'Op latency p50',
    unit: 'virtual µs',
    explain: 'Median virtual time of one operation.',
    chart: true,
    optional: true,
    value: opt('opLatencyP50Ns'),
    text: show(usec),
  },
  {
    key: 'opLatencyP99',
    label: 'Op latency p99',
    unit: 'virtual µs',
    explain: '99th percentile of the virtual time of one operation.',
    chart: true,
    optional: true,
    value: opt('opLatencyP99Ns'),
    text: show(usec),
  },
  {
    key: 'opLatencyP999',
    label: 'Op latency p99.9',
    unit: 'virtual µs',
    explain: '99.9th percentile of the virtual time of one operation.',
    chart: true,
    optional: true,
    value: opt('opLatencyP999Ns'),
    text: show(usec),
  },
];

/** Rows to show for these runs: every fixed row, optional rows only when some run has them. */
export function guestRowsFor(runs: readonly RunResult[]): GuestRowDef[] {
  return GUEST_ROWS.filter(
    (r) =>
      !r.optional ||
      runs.some((run) => r.value(run.summary) !== null || run.summary.guests.some((g) => r.value(g) !== null)),
  );
}

export interface GuestColumn {
  /** "host" (the whole run) or the guest's name. */
  name: string;
  pinned: boolean;
  values: (number | null)[];
  cells: string[];
}

/** Columns of the guest table of one run: the host (all guests), then each guest. */
export function guestColumns(run: RunResult, rows: readonly GuestRowDef[]): GuestColumn[] {
  const col = (name: string, s: Figures, pinned: boolean): GuestColumn => {
    const values = rows.map((r) => r.value(s));
    return { name, pinned, values, cells: rows.map((r, i) => r.text(values[i])) };
  };
  return [col('host', run.summary, false), ...run.summary.guests.map((g) => col(g.name, g, g.pinned))];
}

/**
 * Bar-chart data of one row: guest names, per run the values (null = no value), and the y axis title.
 * The axis title is the unit alone: the card's caption above the chart already names the figure, and
 * "Throughput (accesses / virtual s)" ran past the ~100 px a 180 px canvas leaves the axis once a
 * two-run legend takes its lines (cut to "Throughput (accesses / virtu" in the Compare tab, s15-h).
 */
export function guestBars(
  row: GuestRowDef,
  runs: readonly { run: RunResult; label: string; color: string }[],
): {
  labels: string[];
  yLabel: string;
  unit: string;
  datasets: { label: string; color: string; data: (number | null)[] }[];
} {
  const labels: string[] = [];
  for (const { run } of runs) for (const g of run.summary.guests) if (!labels.includes(g.name)) labels.push(g.name);
  const scale = row.unit === '%' ? 100 : row.unit.endsWith('µs') ? 1e-3 : 1;
  return {
    labels,
    yLabel: row.unit,
    unit: row.unit,
    datasets: runs.map(({ run, label, color }) => ({
      label,
      color,
      data: labels.map((name) => {
        const g = run.summary.guests.find((x) => x.name === name);
        const v = g ? row.value(g) : null;
        return v === null || !Number.isFinite(v) ? null : v * scale;
      }),
    })),
  };
}
