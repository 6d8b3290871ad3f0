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
 * Slowdown (GuestSummary.slowdown) = the guest's vCPU virtual time / that time minus the time lost to
 * memory pressure (GS_PRESSURE_NS): the whole cost of refaults (a hit unconstrained), direct reclaim and
 * waits for a frame, MMU-lock waits (every writer is eviction or aging; faults only read-lock), access-flag
 * faults and hardware AF updates (only aging clears AF). Unconstrained means: the same accesses on a host
 * holding every guest page, no reclaim, no aging. So 1 = no slowdown, 2 = half the accesses per second.
 * Not counted (slight underestimate): TLB misses after invalidations, and permission faults repeated after a
 * refault maps a page read-only (only under private anonymous memory, which no preset uses: a shmem memfd's
 * read fault maps writable, kvm/faultinWritable.ts); with mapYoung=false the first AF set-up after each map
 * counts as pressure.
 */
import {
  SAMPLE_COLUMNS,
  type GuestSpec,
  type GuestSummary,
  type RunSummary,
  type SampleColumns,
  type ScenarioConfig,
  type WorkloadSpec,
} from '../../protocol.ts';
import { arenaStats } from '../arch/arena.ts';
import type { ArenaViews } from '../layout.ts';
import { rcuStats } from '../sync/rcu.ts';
import { opPercentile } from './opHist.ts';
import {
  CTL_FREE_FRAMES,
  GS_ACCESSES,
  GS_AF_FAULTS,
  GS_AGING_NS,
  GS_AGING_PASSES,
  GS_CMPXCHG_FAIL,
  GS_COLD,
  GS_EVICTIONS,
  GS_FOLIOS_CONSIDERED,
  GS_HITS,
  GS_KSWAPD_NS,
  GS_KSWAPD_WAKEUPS,
  GS_THROTTLED,
  GS_THROTTLE_NS,
  GS_PFMEMALLOC_THROTTLED,
  GS_PFMEMALLOC_NS,
  GS_DIRECT_RECLAIM,
  GS_KSWAPD_WRITE_WAIT_NS,
  GS_OPS,
  GS_TLB_FLUSH_VM,
  GS_IPI_FLUSH_NS,
  GS_DVM_WAIT_NS,
  GS_DVM_HOLD_WAIT_NS,
  GS_IPI_KICKS,
  GS_KICK_EXIT_NS,
  GS_HYPERCALLS,
  GS_LOCK_HOLD_NS,
  GS_LOCK_WAIT_AGING_NS,
  GS_LOCK_WAIT_NS,
  GS_PASS_END_NS,
  GS_PASSES,
  GS_PERM_FAULTS,
  PASS_RECORDS,
  GS_PRESSURE_NS,
  GS_PTES_SCANNED,
  GS_RA_HITS,
  GS_WB_FAULTS,
  GS_WB_PAGES,
  GS_RA_PAGES,
  GS_REFAULTS,
  GS_SWAP_READS,
  GS_RESIDENT,
  GS_S2_FAULTS,
  GS_STALL_NS,
  GS_TLBI,
  GS_TLB_HITS,
  GS_VCPU_NS,
  GS_WORDS,
  GS_YOUNG_FOUND,
  OH_WORDS,
  TIME_PREV,
  TIME_PREV_GP,
  TIME_PREV_T,
  type SimViews,
} from './simLayout.ts';

export const NCOLS = SAMPLE_COLUMNS.length;

function sumStats(stats: Float64Array, guests: number, out: Float64Array): void {
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

export interface SummaryExtras {
  /** vCPU MMU-lock wait caused by aging/harvest holds (0 with lockless aging). */
  lockWaitAgingNs: number;
  permFaults: number;
  tlbHits: number;
  foliosConsidered: number;
  tlbFlushesVm: number;
  kswapdWriteWaitShare: number;
  directReclaimShare: number;
  kswapdWakeups: number;
  reclaimThrottled: number;
  reclaimThrottleNs: number;
  pfmemallocThrottled: number;
  pfmemallocThrottleNs: number;
}

/**
 * opsPerSec and op-latency percentiles of the guests at `bases` in sv.opHist; {} without operations.
 * `opsPerSec` is given when the guests' measured windows differ (a closed-loop client's warm-up).
 */
function opFigures(sv: SimViews, ops: number, vs: number, bases: number[], opsPerSec?: number): Partial<GuestSummary> {
  if (ops <= 0) return {};
  return {
    opsPerSec: opsPerSec ?? (vs > 0 ? ops / vs : 0),
    opLatencyP50Ns: opPercentile(sv.opHist, bases, 0.5),
    opLatencyP99Ns: opPercentile(sv.opHist, bases, 0.99),
    opLatencyP999Ns: opPercentile(sv.opHist, bases, 0.999),
  };
}

/** Virtual seconds over which a guest's operations are measured: the run less its client's warm-up. */
function measuredSeconds(spec: GuestSpec, vs: number): number {
  const w = spec.workload.client?.warmupMs ?? 0;
  return w > 0 ? Math.max(0, vs - w / 1e3) : vs;
}

/** Host ops/s when a guest has a warm-up: the sum of the guests' rates (each over its window); else undefined (ops / run). */
function hostOpsPerSec(config: ScenarioConfig, guests: readonly GuestSummary[], vs: number): number | undefined {
  if (!config.guests.some((g) => (g.workload.client?.warmupMs ?? 0) > 0)) return undefined;
  let sum = 0;
  guests.forEach((g, i) => {
    if (measuredSeconds(config.guests[i], vs) > 0) sum += g.opsPerSec ?? 0;
  });
  return sum;
}

/** Scan with slices: when each recorded pass completed (workload.ts PassBarrier), in virtual ms. */
function passFigures(w: WorkloadSpec, s: (k: number) => number): Partial<GuestSummary> {
  if (w.kind !== 'scan' || w.slices !== true) return {};
  const n = Math.min(s(GS_PASSES), PASS_RECORDS);
  return { passEndMs: Array.from({ length: n }, (_, k) => s(GS_PASS_END_NS + k) / 1e6) };
}

/** The run summary from the final counters. virtualNs: the virtual time the run reached. */
export function summarize(
  config: ScenarioConfig,
  sv: SimViews,
  arena: ArenaViews,
  virtualNs: number,
): RunSummary & SummaryExtras {
  const n = config.guests.length;
  const all = new Float64Array(GS_WORDS);
  sumStats(sv.stats, n, all);
  const vs = virtualNs / 1e9;
  const grid = precisionGrid(config);
  const guests: GuestSummary[] = config.guests.map((spec, g) => {
    const s = (k: number): number => sv.stats[g * GS_WORDS + k];
    const accesses = s(GS_ACCESSES);
    const vcpuNs = s(GS_VCPU_NS);
    const unconstrainedNs = vcpuNs - s(GS_PRESSURE_NS);
    return {
      name: spec.name,
      accesses,
      hits: s(GS_HITS),
      hitRate: accesses > 0 ? s(GS_HITS) / accesses : 0,
      coldMisses: s(GS_COLD),
      refaults: s(GS_REFAULTS),
      evictions: s(GS_EVICTIONS),
      evictionPrecision: precisionAt(sv, grid, g, g + 1, virtualNs),
      s2Faults: s(GS_S2_FAULTS),
      afFaults: s(GS_AF_FAULTS),
      vcpuStallNs: s(GS_STALL_NS),
      lockWaitNs: s(GS_LOCK_WAIT_NS),
      throughput: vs > 0 ? accesses / vs : 0,
      slowdown: accesses > 0 && unconstrainedNs > 0 ? vcpuNs / unconstrainedNs : null,
      pinned: spec.protected,
      ...opFigures(sv, s(GS_OPS), measuredSeconds(spec, vs), [g * OH_WORDS]),
      ...passFigures(spec.workload, s),
    };
  });
  const rcu = rcuStats(arena);
  const a = (k: number): number => all[k];
  const accesses = a(GS_ACCESSES);
  const workingSet = a(GS_COLD);
  const minutes = vs / 60;
  return {
    accesses,
    hits: a(GS_HITS),
    hitRate: accesses > 0 ? a(GS_HITS) / accesses : 0,
    coldMisses: a(GS_COLD),
    misses: accesses - a(GS_HITS),
    refaults: a(GS_REFAULTS),
    refaultPctWorkingSetPerMin: workingSet > 0 && minutes > 0 ? (100 * a(GS_REFAULTS)) / workingSet / minutes : 0,
    evictions: a(GS_EVICTIONS),
    evictionPrecision: precisionAt(sv, grid, 0, n, virtualNs),
    s2Faults: a(GS_S2_FAULTS),
    afFaults: a(GS_AF_FAULTS),
    vcpuStallNs: a(GS_STALL_NS),
    lockWaitNs: a(GS_LOCK_WAIT_NS),
    lockHoldNs: a(GS_LOCK_HOLD_NS),
    agingPasses: a(GS_AGING_PASSES),
    agingNs: a(GS_AGING_NS),
    ptesScanned: a(GS_PTES_SCANNED),
    youngFound: a(GS_YOUNG_FOUND),
    cmpxchgFailures: a(GS_CMPXCHG_FAIL),
    hypercalls: a(GS_HYPERCALLS),
    tlbInvalidates: a(GS_TLBI),
    rcuGracePeriods: rcu.gracePeriods,
    tablePagesPeak: arenaStats(arena).highWater,
    virtualMs: virtualNs / 1e6,
    throughput: vs > 0 ? accesses / vs : 0,
    guests,
    lockWaitAgingNs: a(GS_LOCK_WAIT_AGING_NS),
    permFaults: a(GS_PERM_FAULTS),
    tlbHits: a(GS_TLB_HITS),
    ...opFigures(
      sv,
      a(GS_OPS),
      vs,
      config.guests.map((_, g) => g * OH_WORDS),
      hostOpsPerSec(config, guests, vs),
    ),
    foliosConsidered: a(GS_FOLIOS_CONSIDERED),
    tlbFlushesVm: a(GS_TLB_FLUSH_VM),
    ...(config.hardware.remoteTlbFlush === 'ipi-kick'
      ? { ipiKicks: a(GS_IPI_KICKS), ipiFlushNs: a(GS_IPI_FLUSH_NS), kickExitNs: a(GS_KICK_EXIT_NS) }
      : { dvmWaitNs: a(GS_DVM_WAIT_NS), dvmHoldWaitNs: a(GS_DVM_HOLD_WAIT_NS) }),
    kswapdWriteWaitShare: a(GS_KSWAPD_NS) > 0 ? a(GS_KSWAPD_WRITE_WAIT_NS) / a(GS_KSWAPD_NS) : 0,
    directReclaimShare: a(GS_EVICTIONS) > 0 ? a(GS_DIRECT_RECLAIM) / a(GS_EVICTIONS) : 0,
    kswapdWakeups: a(GS_KSWAPD_WAKEUPS),
    reclaimThrottled: a(GS_THROTTLED),
    reclaimThrottleNs: a(GS_THROTTLE_NS),
    pfmemallocThrottled: a(GS_PFMEMALLOC_THROTTLED),
    pfmemallocThrottleNs: a(GS_PFMEMALLOC_NS),
    rcuDeferredFrees: rcu.deferredVsReaders,
    ...(config.host.swap.device === 'ssd'
      ? {
          swapReads: a(GS_SWAP_READS),
          readaheadPages: a(GS_RA_PAGES),
          readaheadHits: a(GS_RA_HITS),
          swapWritebacks: a(GS_WB_PAGES),
          writebackFaults: a(GS_WB_FAULTS),
        }
      : {}),
  };
}
