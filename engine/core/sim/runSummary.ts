/**
 * The RunSummary (summarize): the run's figures per guest and for the host, computed by the host after the
 * workers finish from the cumulative per-guest counters (simLayout.ts GS_*), the arena's RCU and allocator
 * counters, the operation histograms and eviction precision (metrics.ts precisionAt).
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
import type { GuestSpec, GuestSummary, RunSummary, ScenarioConfig, WorkloadSpec } from '../../protocol.ts';
import { arenaStats } from '../arch/arena.ts';
import type { ArenaViews } from '../layout.ts';
import { rcuStats } from '../sync/rcu.ts';
import { opPercentile } from './opHist.ts';
import {
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
  GS_S2_FAULTS,
  GS_STALL_NS,
  GS_TLBI,
  GS_TLB_HITS,
  GS_VCPU_NS,
  GS_WORDS,
  GS_YOUNG_FOUND,
  OH_WORDS,
  type SimViews,
} from './simLayout.ts';
import { precisionAt, precisionGrid, sumStats } from './metrics.ts';

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
