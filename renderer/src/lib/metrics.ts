/**
 * The live charts: which sampled column each one plots and how a row becomes a y value.
 * Per-interval time sums are normalised by the interval so runs with different sample intervals share one
 * axis: lock wait and aging to "ms per virtual second", vCPU stall (summed over the vCPUs) to the average
 * number of vCPUs stalled. The engine decides the numbers; this only rescales.
 */
import type { SampleColumn, SampleColumns } from '../../../engine/protocol.ts';

export interface ChartDef {
  /** The sampled column the chart is keyed by (saved in UiState.chartMetric). */
  column: SampleColumn;
  title: string;
  /** Axis label with units. */
  yLabel: string;
  /** The unit of a value (tooltips, exports). */
  unit: string;
  help: string;
  /** One paragraph shown on demand: what is measured, how, how to read it. */
  explain: string;
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

/** ns of vCPU stall summed over the vCPUs in an interval -> vCPUs stalled on average in it. */
function stalledVcpus(cols: SampleColumns, i: number): number | null {
  const dt = intervalMs(cols, i);
  if (!(dt > 0)) return null;
  return finite(cols.vcpuStallNs[i] / (dt * 1e6));
}

export const CHARTS: readonly ChartDef[] = [
  {
    column: 'hitRate',
    title: 'Hit rate',
    yLabel: 'hit rate (%)',
    unit: '%',
    explain:
      'Per sample interval, the share of guest memory accesses that found their page mapped in stage-2. Misses are stage-2 faults: first touches (cold, high at the start of a run) and refaults of evicted pages. Under overcommit the hit rate falls once the host fills; how far it falls, and how fast it recovers, shows how well reclaim picks cold pages.',
    help: 'Accesses that found their page resident, per sample interval (cold misses count as misses).',
    yMin: 0,
    yMax: 100,
    value: (c, i) => finite(c.hitRate[i] * 100),
  },
  {
    column: 'refaultRatePerSec',
    title: 'Refaults',
    yLabel: 'refaults / virtual s',
    unit: 'refaults / virtual s',
    explain:
      'Accesses per virtual second to pages that reclaim had evicted. Each one is a stage-2 fault plus a swap-in the vCPU waits for. A refault is reclaim’s mistake made visible: the page was not cold after all.',
    help: 'Accesses to pages that had been evicted: each one is a swap-in the guest waited for.',
    value: (c, i) => finite(c.refaultRatePerSec[i]),
  },
  {
    column: 'evictionPrecision',
    title: 'Eviction precision',
    yLabel: 'precision (%)',
    unit: '%',
    explain:
      'Of the evictions whose refault window has closed, the share whose page did not come back within the window (cumulative). 100 % means every eviction picked a truly cold page. A gap means no eviction window has closed yet — there is no value to show, not a zero.',
    help: '1 − evictions refaulted within the window / evictions (cumulative). High = reclaim picked cold pages.',
    yMin: 0,
    yMax: 100,
    value: (c, i) => finite(c.evictionPrecision[i] * 100),
  },
  {
    // Stall time summed over the vCPUs, over the interval's virtual time: a count of vCPUs (Little's law).
    // It was 'stall (ms / virtual s)', which reached 40k on a 64-vCPU run: milliseconds per second over
    // 1000 read as a unit mistake to a kernel engineer (s17-g), where "30 of 64 vCPUs stalled" reads right.
    column: 'vcpuStallNs',
    title: 'vCPU stall',
    yLabel: 'vCPUs stalled (average)',
    unit: 'vCPUs stalled on average',
    explain:
      'How many vCPUs were, on average over the interval, not running guest code because of memory management — fault traps, MMU-lock waits, swap-ins, direct reclaim: their stall time summed over all vCPUs, divided by the virtual time. 0 means none ever waited; the run’s vCPU count means every vCPU waited the whole interval.',
    help: 'Average number of vCPUs stalled (trap + lock wait + swap-in): stall time of all vCPUs ÷ virtual time.',
    yMin: 0,
    value: stalledVcpus,
  },
  {
    column: 'lockWaitNs',
    title: 'MMU lock wait',
    yLabel: 'lock wait (ms / virtual s)',
    unit: 'ms / virtual s',
    explain:
      'Milliseconds per virtual second spent waiting for a guest’s MMU lock (kvm->mmu_lock), by all waiters. Aging under the write lock blocks stage-2 faults; the lockless harvest (RCU + cmpxchg) adds no waits.',
    help: 'Time spent waiting for the MMU lock (all waiters), per virtual second. Lockless aging adds none.',
    value: nsPerSecond('lockWaitNs'),
  },
  {
    column: 'agingNs',
    title: 'Aging cost',
    yLabel: 'aging (ms / virtual s)',
    unit: 'ms / virtual s',
    explain:
      'Milliseconds per virtual second spent in aging passes: walking the stage-2 tables, testing and clearing access flags, or one hypercall per mapping under pKVM. Aging runs only when reclaim needs it.',
    help: 'Time spent in aging passes harvesting the accessed flag, per virtual second.',
    value: nsPerSecond('agingNs'),
  },
  {
    column: 'rcuPagesAwaitingFree',
    title: 'RCU pending frees',
    yLabel: 'table pages',
    unit: 'table pages',
    explain:
      'Stage-2 table pages that were unlinked and are waiting for an RCU grace period before they are freed, because a lockless walker may still be reading them. Sampled at the end of each interval.',
    help: 'Unlinked stage-2 table pages waiting for an RCU grace period before they are freed.',
    yMin: 0,
    value: (c, i) => finite(c.rcuPagesAwaitingFree[i]),
  },
];

export const DEFAULT_CHART_COLUMNS: SampleColumn[] = CHARTS.map((c) => c.column);

export function chartByColumn(column: SampleColumn): ChartDef | undefined {
  return CHARTS.find((c) => c.column === column);
}
