/**
 * The live charts: which sampled column each one plots and how a row becomes a y value.
 * Per-interval time sums (stall, lock wait, aging) are normalised to "ms per virtual second" so runs
 * with different sample intervals share one axis. The engine decides the numbers; this only rescales.
 */
import type { SampleColumn, SampleColumns } from '../../../engine/protocol.ts';

export interface ChartDef {
  /** The sampled column the chart is keyed by (saved in UiState.chartMetric). */
  column: SampleColumn;
  title: string;
  /** Axis label with units. */
  yLabel: string;
  help: string;
  /** Fixed y range when the metric is bounded (percentages). */
  yMin?: number;
  yMax?: number;
  /** y value of row i; null for "no value" (e.g. precision before any eviction). */
  value(cols: SampleColumns, i: number): number | null;
}

/** Virtual milliseconds covered by row i (first row starts at t = 0). */
export function intervalMs(cols: SampleColumns, i: number): number {
  return cols.tMs[i] - (i > 0 ? cols.tMs[i - 1] : 0);
}

function finite(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

/** ns summed over an interval -> ms per virtual second. */
function nsPerSecond(column: SampleColumn) {
  return (cols: SampleColumns, i: number): number | null => {
    const dt = intervalMs(cols, i);
    if (!(dt > 0)) return null;
    return finite(cols[column][i] / 1e6 / (dt / 1000));
  };
}

export const CHARTS: readonly ChartDef[] = [
  {
    column: 'hitRate',
    title: 'Hit rate',
    yLabel: 'hit rate (%)',
    help: 'Accesses that found their page resident, per sample interval (cold misses count as misses).',
    yMin: 0,
    yMax: 100,
    value: (c, i) => finite(c.hitRate[i] * 100),
  },
  {
    column: 'refaultRatePerSec',
    title: 'Refaults',
    yLabel: 'refaults / virtual s',
    help: 'Accesses to pages that had been evicted: each one is a swap-in the guest waited for.',
    value: (c, i) => finite(c.refaultRatePerSec[i]),
  },
  {
    column: 'evictionPrecision',
    title: 'Eviction precision',
    yLabel: 'precision (%)',
    help: '1 − evictions refaulted within the window / evictions (cumulative). High = reclaim picked cold pages.',
    yMin: 0,
    yMax: 100,
    value: (c, i) => finite(c.evictionPrecision[i] * 100),
  },
  {
    column: 'vcpuStallNs',
    title: 'vCPU stall',
    yLabel: 'stall (ms / virtual s)',
    help: 'Trap + lock wait + swap-in time of all vCPUs, per virtual second.',
    value: nsPerSecond('vcpuStallNs'),
  },
  {
    column: 'lockWaitNs',
    title: 'MMU lock wait',
    yLabel: 'lock wait (ms / virtual s)',
    help: 'Time spent waiting for the MMU lock (all waiters), per virtual second. Lockless aging adds none.',
    value: nsPerSecond('lockWaitNs'),
  },
  {
    column: 'agingNs',
    title: 'Aging cost',
    yLabel: 'aging (ms / virtual s)',
    help: 'Time spent in aging passes harvesting the accessed flag, per virtual second.',
    value: nsPerSecond('agingNs'),
  },
  {
    column: 'rcuPagesAwaitingFree',
    title: 'RCU pending frees',
    yLabel: 'table pages awaiting free',
    help: 'Unlinked stage-2 table pages waiting for an RCU grace period before they are freed.',
    yMin: 0,
    value: (c, i) => finite(c.rcuPagesAwaitingFree[i]),
  },
];

export const DEFAULT_CHART_COLUMNS: SampleColumn[] = CHARTS.map((c) => c.column);

export function chartByColumn(column: SampleColumn): ChartDef | undefined {
  return CHARTS.find((c) => c.column === column);
}
