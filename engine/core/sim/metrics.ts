/**
 * Metrics: sample rows (SAMPLE_COLUMNS, one row per run.sampleIntervalMs of virtual time) and the
 * RunSummary, both computed from the cumulative per-guest counters (simLayout.ts GS_*) plus the
 * arena's RCU and allocator counters. Pure functions of shared memory: any worker (the serial
 * section) can compute a row, and the host computes the summary after the workers finish.
 *
 * Eviction precision = 1 - refaulted within the window / evictions, counted only over evictions whose
 * refault window has closed by the time of the row (or the run's end): an eviction made less than a
 * window before the end cannot have refaulted "yet", and counting it would favour runs that start
 * evicting late. NaN when no such eviction exists (never a made-up 100%).
 *
 * The RunSummary (summarize): runSummary.ts.
 */
import { SAMPLE_COLUMNS, type SampleColumns, type ScenarioConfig } from '../../protocol.ts';
import type { ArenaViews } from '../layout.ts';
import { rcuStats } from '../sync/rcu.ts';
import {
  CTL_FREE_FRAMES,
  GS_ACCESSES,
  GS_AF_FAULTS,
  GS_AGING_NS,
  GS_CMPXCHG_FAIL,
  GS_EVICTIONS,
  GS_HITS,
  GS_LOCK_HOLD_NS,
  GS_LOCK_WAIT_NS,
  GS_PTES_SCANNED,
  GS_REFAULTS,
  GS_RESIDENT,
  GS_S2_FAULTS,
  GS_STALL_NS,
  GS_WORDS,
  GS_YOUNG_FOUND,
  TIME_PREV,
  TIME_PREV_GP,
  TIME_PREV_T,
  type SimViews,
} from './simLayout.ts';

export const NCOLS = SAMPLE_COLUMNS.length;

export function sumStats(stats: Float64Array, guests: number, out: Float64Array): void {
  out.fill(0);
  for (let g = 0; g < guests; g++) for (let k = 0; k < GS_WORDS; k++) out[k] += stats[g * GS_WORDS + k];
}

const scratch = new Float64Array(GS_WORDS);

/** What eviction precision needs of the run: bucket width (the sample interval) and refault window. */
export interface PrecisionGrid {
  sampleNs: number;
  windowNs: number;
}

export function precisionGrid(config: ScenarioConfig): PrecisionGrid {
  return { sampleNs: config.run.sampleIntervalMs * 1e6, windowNs: config.run.refaultWindowMs * 1e6 };
}

/**
 * Eviction precision at virtual time tNs of guests [from, to): over the evictions whose refault window
 * had closed by tNs (whole buckets ending at or before tNs - window). NaN when there is none.
 */
export function precisionAt(sv: SimViews, grid: PrecisionGrid, from: number, to: number, tNs: number): number {
  const n = sv.buckets;
  const closed = Math.min(n, Math.floor((tNs - grid.windowNs) / grid.sampleNs + 1e-9));
  let evictions = 0;
  let refaulted = 0;
  for (let g = from; g < to; g++) {
    const base = g * 2 * n;
    for (let b = 0; b < closed; b++) {
      evictions += sv.evictBuckets[base + b];
      refaulted += sv.evictBuckets[base + n + b];
    }
  }
  return evictions > 0 ? 1 - refaulted / evictions : Number.NaN;
}

/** Compute the sample row ending at virtual time tNs and remember it as the previous row. */
export function sampleRow(
  sv: SimViews,
  arena: ArenaViews,
  guests: number,
  tNs: number,
  grid: PrecisionGrid,
): Float64Array {
  const cur = scratch;
  sumStats(sv.stats, guests, cur);
  const prev = sv.time.subarray(TIME_PREV, TIME_PREV + GS_WORDS);
  const d = (k: number): number => cur[k] - prev[k];
  const dtNs = tNs - sv.time[TIME_PREV_T];
  const dtS = dtNs > 0 ? dtNs / 1e9 : 0;
  const rcu = rcuStats(arena);
  const acc = d(GS_ACCESSES);
  const row = new Float64Array(NCOLS);
  const set = (name: (typeof SAMPLE_COLUMNS)[number], v: number): void => {
    row[SAMPLE_COLUMNS.indexOf(name)] = v;
  };
  set('tMs', tNs / 1e6);
  set('accesses', acc);
  set('hitRate', acc > 0 ? d(GS_HITS) / acc : 0);
  set('refaults', d(GS_REFAULTS));
  set('refaultRatePerSec', dtS > 0 ? d(GS_REFAULTS) / dtS : 0);
  set('evictions', d(GS_EVICTIONS));
  set('evictionPrecision', precisionAt(sv, grid, 0, guests, tNs));
  set('s2Faults', d(GS_S2_FAULTS));
  set('afFaults', d(GS_AF_FAULTS));
  set('vcpuStallNs', d(GS_STALL_NS));
  set('lockWaitNs', d(GS_LOCK_WAIT_NS));
  set('lockHoldNs', d(GS_LOCK_HOLD_NS));
  set('agingNs', d(GS_AGING_NS));
  set('ptesScanned', d(GS_PTES_SCANNED));
  set('youngFound', d(GS_YOUNG_FOUND));
  set('cmpxchgFailures', d(GS_CMPXCHG_FAIL));
  set('rcuGracePeriods', rcu.gracePeriods - sv.time[TIME_PREV_GP]);
  set('rcuCallbacksPending', rcu.callbacksPending);
  set('rcuPagesAwaitingFree', rcu.pagesAwaiting);
  set('throughput', dtS > 0 ? acc / dtS : 0);
  set('freeFrames', sv.control[CTL_FREE_FRAMES]);
  set('residentPages', cur[GS_RESIDENT]);
  prev.set(cur);
  sv.time[TIME_PREV_T] = tNs;
  sv.time[TIME_PREV_GP] = rcu.gracePeriods;
  return row;
}

/** Columnar arrays from concatenated rows (row-major, NCOLS per row). */
export function rowsToColumns(rows: Float64Array, count: number): SampleColumns {
  const cols = {} as SampleColumns;
  SAMPLE_COLUMNS.forEach((name, c) => {
    const a = new Float64Array(count);
    for (let r = 0; r < count; r++) a[r] = rows[r * NCOLS + c];
    cols[name] = a;
  });
  return cols;
}
