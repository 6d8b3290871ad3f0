/**
 * Test fixtures for the simulation: hardware profiles from the presets loader, the
 * cloudPhysicsIO trace remapped to dense page ids, and scenario builders.
 */
import { expect } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { HardwareProfile, ReclaimSpec, RunResult, ScenarioConfig, WorkloadSpec } from '../../engine/protocol.ts';
import { parseTrace } from '../../engine/core/trace/index.ts';
import { repoRoot, traceDir } from '../trace/traceFiles.ts';
import { loadPresetDir } from '../../presets/node.ts';
import type { LoadedPresets } from '../../engine/core/config/index.ts';
import { buildResult, prepareRun, RowStore, type PreparedRun } from '../../engine/core/sim/run.ts';
import { selectReplay } from '../../engine/core/sim/replaySelect.ts';
import { SimWorkerCore } from '../../engine/core/sim/simCore.ts';
import { VCpu } from '../../engine/core/sim/vcpu.ts';
import type { Guest } from '../../engine/core/sim/guest.ts';
import type { Reclaimer } from '../../engine/core/mm/policy/policy.ts';
import { Kswapd } from '../../engine/core/mm/kswapd.ts';
import { ActiveInactive } from '../../engine/core/mm/policy/activeInactive.ts';
import { AgingGate } from '../../engine/core/mm/policy/agingGate.ts';
import { DList } from '../../engine/core/sim/dlist.ts';
import { GS_WORDS } from '../../engine/core/sim/simLayout.ts';

/** A hardware profile from presets/, loaded and validated by the same loader the CLI and main use. */
export function hardware(id: 'ampere-altra' | 'phone-prev82' | 'pkvm' | 'x86-workstation'): HardwareProfile {
  presets ??= loadPresetDir(path.join(repoRoot, 'presets'));
  const hw = presets.set.hardware.get(id);
  if (!hw) throw new Error(`no hardware preset '${id}': ${presets.problems.join('; ')}`);
  return hw;
}
let presets: LoadedPresets | undefined;

let cached: Uint32Array | null = null;
/** cloudPhysicsIO.txt as the engine parses it: page ids, dense in order of first appearance. */
export function cloudPhysicsTrace(): Uint32Array {
  cached ??= parseTrace('cloudPhysicsIO.txt', readFileSync(path.join(traceDir, 'cloudPhysicsIO.txt'))).pageIds;
  return cached;
}

export interface OracleOptions {
  policy: ReclaimSpec['policy'];
  capacity: number;
  harvest?: ReclaimSpec['harvest'];
  mapYoung?: boolean;
  hw?: HardwareProfile;
}

/** One guest, one vCPU, a host of exactly `capacity` pages, demand eviction, trace replay. */
export function oracleScenario(o: OracleOptions): ScenarioConfig {
  return {
    name: `oracle ${o.policy} C=${o.capacity}`,
    description: 'trace oracle',
    hardware: o.hw ?? hardware('ampere-altra'),
    host: {
      memoryMiB: o.capacity / 256,
      watermarks: { minPct: 0, lowPct: 0, highPct: 0 },
      swap: { device: 'zram', sizeMiB: 1024 },
    },
    guests: [
      {
        name: 'g0',
        memoryMiB: 192,
        vcpus: 1,
        workload: { kind: 'trace', trace: 'cloudPhysicsIO', writeFraction: 0, thinkNs: 0 },
        protected: false,
      },
    ],
    reclaim: {
      policy: o.policy,
      harvest: o.harvest ?? 'lockless',
      agingIntervalMs: 1000,
      lookaround: false,
      mapYoung: o.mapYoung ?? false,
      tlb: { enabled: false, entries: 64, flushOnClear: true },
      allowLocklessWithoutHafdbs: false,
    },
    run: {
      durationMs: 3_600_000,
      sampleIntervalMs: 1000,
      seed: 1,
      deterministic: true,
      workers: 1,
      refaultWindowMs: 1000,
      demandOnly: true,
    },
  };
}

export interface DebateOptions {
  hw: HardwareProfile;
  harvest: ReclaimSpec['harvest'];
  protectedGuest?: boolean;
  policy?: ReclaimSpec['policy'];
  deterministic?: boolean;
  workers?: number;
  durationMs?: number;
  seed?: number;
  tlb?: boolean;
  /** reclaim.lruvec: parallel runs need per-guest memcgs (one host lruvec keeps every guest on one worker). */
  lruvec?: 'host' | 'memcg';
}

/** Seed-debate-like: three guests at 150% overcommit with zipf / hot-set / scan workloads. */
export function debateScenario(o: DebateOptions): ScenarioConfig {
  const w = (workload: WorkloadSpec): WorkloadSpec => workload;
  return {
    name: `debate ${o.hw.id} ${o.harvest}`,
    description: 'three guests at 150% overcommit',
    hardware: o.hw,
    host: { memoryMiB: 64, watermarks: { minPct: 1, lowPct: 2, highPct: 4 }, swap: { device: 'zram', sizeMiB: 256 } },
    guests: [
      {
        name: 'web',
        memoryMiB: 32,
        vcpus: 2,
        workload: w({ kind: 'zipf', pages: 8192, theta: 0.9, writeFraction: 0.2, thinkNs: 200 }),
        protected: false,
      },
      {
        name: 'db',
        memoryMiB: 32,
        vcpus: 2,
        workload: w({
          kind: 'hotset',
          pages: 8192,
          hotPages: 2048,
          hotProbability: 0.9,
          shiftEveryMs: 50,
          writeFraction: 0.3,
          thinkNs: 200,
        }),
        protected: o.protectedGuest ?? false,
      },
      {
        name: 'batch',
        memoryMiB: 32,
        vcpus: 1,
        workload: w({ kind: 'zipf', pages: 8192, theta: 0.6, writeFraction: 0.1, thinkNs: 300 }),
        protected: false,
      },
    ],
    reclaim: {
      policy: o.policy ?? 'mglru',
      harvest: o.harvest,
      agingIntervalMs: 20,
      lookaround: true,
      mapYoung: true,
      tlb: { enabled: o.tlb ?? false, entries: 64, flushOnClear: true },
      allowLocklessWithoutHafdbs: false,
      ...(o.lruvec ? { lruvec: o.lruvec } : {}),
    },
    run: {
      durationMs: o.durationMs ?? 200,
      sampleIntervalMs: 10,
      seed: o.seed ?? 7,
      deterministic: o.deterministic ?? true,
      workers: o.workers ?? 1,
      refaultWindowMs: 50,
      demandOnly: false,
    },
  };
}

/**
 * How far a parallel run of debateScenario (500 ms) may be from the deterministic run of the same seed.
 *
 * The scenario is chaotic: any other interleaving (another seed, or a parallel schedule) moves a
 * 500 ms run by about 0.1 pp of hit rate and 2% of accesses (deterministic runs over seeds 1-8:
 * SD 0.10 pp and 1.7%; the per-guest spread is larger for batch, one vCPU at ~45% misses). A
 * parallel run is one such other interleaving. The acceptance criterion (1 pp overall) holds with a
 * wide margin. The biased model this replaces (the worker that ran ahead in real time paid the direct
 * reclaims) missed these by up to 0.9 pp overall, 13% of accesses, 1.3 pp for db and 6 pp for batch.
 *
 * Measured with reclaim-driven aging (kswapd ages in its own context, so it stops evicting while it
 * walks, as the kernel's does), seeds 1-8, both worker orders of parallel.test.ts: at most 0.30 pp
 * overall, 5.0% of accesses, 0.26 / 0.28 / 2.3 pp for web / db / batch; parallel runs do 1.9% more
 * accesses than deterministic ones on average (0.7% with the old timer aging). The likely cause is
 * the parallel model's barrier settlement: a dip to the min watermark that kswapd repairs before
 * the barrier costs no direct reclaim in a parallel run but does in the one-worker run, and kswapd's
 * aging walks now make such dips more frequent. (The old limits, 0.3 pp / 3% / 1.5 pp, held for
 * seeds 1 and 2 only: the timer-aging model already exceeded them on seeds 6 and 8.)
 *
 * Re-measured when kswapd became woken by the allocator (mm/kswapd.ts: on one worker a fault below
 * the low watermark wakes it 5 us later; on a node shared by workers it also polls every 50 us,
 * since another worker's fault cannot reach it in this worker's virtual time): seeds 1-6, both
 * orders, at most 0.32 pp overall, 3.8% of accesses, 0.62 / 0.37 / 2.1 pp for web / db / batch (web
 * -0.62 on seed 1, order 1,0). The overall bound (the acceptance figure is 0.5 pp) is unchanged; the
 * web/db bound moves from 0.5 to 0.7 pp on that measurement. Tried and worse: no wake-up on shared
 * nodes (seed 4: 0.50 pp overall, db 0.59), and a 5 us poll there (seed 4: 0.51 pp, batch 3.9).
 *
 * Re-measured again when the stage-2 map and unmap started cleaning the page to PoC inside their lock
 * holds (no FEAT_S2FWB on Neoverse N1: +400 ns per hold, estimate): seeds 1-6, both orders, at most
 * 0.451 pp overall (seed 5, order 0,1), 5.3% of accesses, 0.33 / 0.60 / 2.94 pp for web / db / batch.
 * Longer holds make the per-worker virtual lock calendars (a parallel-model approximation) matter
 * more. The overall bound becomes the acceptance figure itself, 0.5 pp, and batch 3.0 pp; the margin
 * is now thin, which is itself a finding about the parallel model.
 *
 * Re-measured when an eviction began taking the MMU write lock twice (kvm_mmu_notifier_invalidate_range_end's
 * own hold after the unmap's, +40 ns and one more lock request per eviction; test/sim/invalidateEnd.test.ts):
 * seeds 1-6, both orders, at most 0.424 pp overall (seed 2, order 0,1), 5.05% of accesses, 0.279 / 0.735 /
 * 2.654 pp for web / db / batch (db -0.735 on seed 2, order 0,1; -0.618 in the other order). Before the
 * change, on the same seeds: 0.281 pp, 3.33%, 0.494 / 0.537 / 2.382 pp. The overall bound (the acceptance
 * figure, 0.5 pp), accesses and batch are unchanged; web/db move from 0.7 to 0.8 pp on that measurement.
 *
 * Re-measured in session 6 after MGLRU refault protection, readahead in max_seq and arm64's VM-wide
 * mmu_invalidate_retry (a fault that overlaps any invalidation of its VM re-faults): seeds 1-6, both
 * orders, at most 0.419 pp overall (seed 1, order 0,1), 4.73% of accesses, 0.671 / 0.563 / 3.242 pp for
 * web / db / batch (batch 3.242 on seed 1, order 0,1; 1.764 in the other order; next highest 2.318 on
 * seed 3). Before the retry, on the same seeds 1-3: 0.326 pp overall, batch at most 2.499. Why the
 * retry widens the batch guest's spread (its sequential sweep was already the least stable guest) is
 * not measured yet; its bound moves from 3.0 to 3.5 pp on that measurement; the overall bound (the
 * acceptance figure, 0.5 pp), accesses and web/db are unchanged.
 *
 * Re-measured once more when the VMM's host PTE accessed bit was modelled (set by the fault, cleared by
 * walks, look-around, folio_referenced_one and the unmap: mm/hostPte.ts): seeds 1-6, both orders, at most
 * 0.463 pp overall (seed 5, order 0,1), 5.27% of accesses, 0.758 / 0.825 / 3.100 pp for web / db / batch
 * (db -0.825 on seed 1, order 0,1; next highest -0.566 on seed 4). The db bound moves from 0.8 to 0.9 pp
 * on that measurement; the overall bound, accesses and batch are unchanged. The overall figure now sits
 * within 0.04 pp of the acceptance bound on seed 5: the in-process parallel model's margin is thin.
 */
export const PARALLEL_TOLERANCE = {
  hitRatePp: 0.5,
  accessesPct: 5.5,
  /** web, db, batch */
  guestHitRatePp: [0.8, 0.9, 3.5],
} as const;

export interface Agreement {
  hitRatePp: number;
  accessesPct: number;
  guestHitRatePp: number[];
}

/** Differences of a parallel result from a deterministic one, in the units of PARALLEL_TOLERANCE. */
export function agreement(par: RunResult, det: RunResult): Agreement {
  return {
    hitRatePp: (par.summary.hitRate - det.summary.hitRate) * 100,
    accessesPct: (par.summary.accesses / det.summary.accesses - 1) * 100,
    guestHitRatePp: par.summary.guests.map((g, i) => (g.hitRate - det.summary.guests[i].hitRate) * 100),
  };
}

/** Each figure's median over several parallel runs (an odd count) against one deterministic run. */
export function medianAgreement(runs: Agreement[]): Agreement {
  const med = (xs: number[]) => [...xs].sort((x, y) => x - y)[(xs.length - 1) >> 1];
  return {
    hitRatePp: med(runs.map((r) => r.hitRatePp)),
    accessesPct: med(runs.map((r) => r.accessesPct)),
    guestHitRatePp: runs[0].guestHitRatePp.map((_, i) => med(runs.map((r) => r.guestHitRatePp[i]))),
  };
}

/** The tolerance violations of an agreement (empty: within tolerance). */
export function outsideTolerance(a: Agreement): string[] {
  const t = PARALLEL_TOLERANCE;
  const out: string[] = [];
  if (!(Math.abs(a.hitRatePp) < t.hitRatePp)) out.push(`hit rate ${a.hitRatePp.toFixed(3)} pp`);
  if (!(Math.abs(a.accessesPct) < t.accessesPct)) out.push(`accesses ${a.accessesPct.toFixed(2)}%`);
  a.guestHitRatePp.forEach((d, i) => {
    if (!(Math.abs(d) < t.guestHitRatePp[i])) out.push(`guest ${i} hit rate ${d.toFixed(3)} pp`);
  });
  return out;
}

/** One guest of 8 MiB with `vcpus` vCPUs on a host of 6 MiB, active/inactive, locked-write harvest, SSD swap. */
export function smallReclaimScenario(vcpus = 2): ScenarioConfig {
  return {
    name: 'direct reclaim',
    description: '',
    hardware: hardware('ampere-altra'),
    host: { memoryMiB: 6, watermarks: { minPct: 1, lowPct: 2, highPct: 4 }, swap: { device: 'ssd', sizeMiB: 64 } },
    guests: [
      {
        name: 'a',
        memoryMiB: 8,
        vcpus,
        protected: false,
        workload: { kind: 'zipf', pages: 2048, theta: 0.8, writeFraction: 0.2, thinkNs: 100 },
      },
    ],
    reclaim: {
      policy: 'active-inactive',
      harvest: 'locked-write',
      agingIntervalMs: 0,
      lookaround: false,
      mapYoung: false,
      tlb: { enabled: false, entries: 64, flushOnClear: false },
      allowLocklessWithoutHafdbs: false,
      rmapFlushYoung: true,
    },
    run: shortRun(),
  };
}

/**
 * One 4 MiB guest (1024 pages, uniform reads, no think time) with `vcpus` vCPUs on an 8 MiB host with
 * zram, MGLRU with lockless harvest: nothing is reclaimed unless a test calls the reclaim paths itself.
 * Used by the constructed MMU-lock tests (invalidate_range_end, stage-2 cache maintenance).
 */
export function uniformGuestScenario(o: { name: string; hardware: HardwareProfile; vcpus: number }): ScenarioConfig {
  return {
    name: o.name,
    description: '',
    hardware: o.hardware,
    host: { memoryMiB: 8, watermarks: { minPct: 1, lowPct: 2, highPct: 4 }, swap: { device: 'zram', sizeMiB: 64 } },
    guests: [
      {
        name: 'g',
        memoryMiB: 4,
        vcpus: o.vcpus,
        protected: false,
        workload: { kind: 'uniform', pages: 1024, writeFraction: 0, thinkNs: 0 },
      },
    ],
    reclaim: {
      policy: 'mglru',
      harvest: 'lockless',
      agingIntervalMs: 0,
      lookaround: true,
      mapYoung: true,
      tlb: { enabled: false, entries: 64, flushOnClear: false },
      allowLocklessWithoutHafdbs: false,
      rmapFlushYoung: false,
    },
    run: { ...shortRun(), durationMs: 100, seed: 1 },
  };
}

/**
 * The spread model's test guest: one 64 MiB guest (16 vCPUs, zipf 0.99, 20 % writes) on a host of two
 * thirds of it, MGLRU with lockless harvest and a TLB, aging at least `agingIntervalMs` apart; one
 * deterministic worker for 40 ms unless `run` says otherwise.
 */
export function spreadScenario(
  seed = 1,
  o: { agingIntervalMs?: number; run?: Partial<ScenarioConfig['run']> } = {},
): ScenarioConfig {
  const mib = 64;
  return {
    name: 'spread',
    description: '',
    hardware: hardware('ampere-altra'),
    host: {
      memoryMiB: Math.round((mib / 1.5) * 256) / 256,
      watermarks: { minPct: 1, lowPct: 2, highPct: 4 },
      swap: { device: 'zram', sizeMiB: 1024 },
    },
    guests: [
      {
        name: 'g0',
        memoryMiB: mib,
        vcpus: 16,
        workload: { kind: 'zipf', pages: mib * 256, theta: 0.99, writeFraction: 0.2, thinkNs: 100 },
        protected: false,
      },
    ],
    reclaim: {
      policy: 'mglru',
      harvest: 'lockless',
      agingIntervalMs: o.agingIntervalMs ?? 50,
      lookaround: true,
      mapYoung: true,
      tlb: { enabled: true, entries: 256, flushOnClear: true },
      allowLocklessWithoutHafdbs: false,
    },
    run: {
      durationMs: 40,
      sampleIntervalMs: 10,
      seed,
      deterministic: true,
      workers: 1,
      refaultWindowMs: 100,
      demandOnly: false,
      ...o.run,
    },
  };
}

/**
 * max_guest_memory_test's shape in miniature: one 4 MiB guest (1024 pages), 2 vCPUs each sweeping its
 * slice with writes for two passes, on a 3 MiB host (768 frames, watermarks 1/2/4 %), MGLRU. Used by the
 * pre-fault, swap-readahead and swap-writeback tests.
 */
export function scanSliceScenario(o: {
  name: string;
  device: 'ssd' | 'zram';
  prefault: boolean;
  harvest: 'lockless' | 'locked-write';
}): ScenarioConfig {
  return {
    name: o.name,
    description: '',
    hardware: hardware('ampere-altra'),
    host: {
      memoryMiB: 3,
      watermarks: { minPct: 1, lowPct: 2, highPct: 4 },
      swap: { device: o.device, sizeMiB: 64 },
    },
    guests: [
      {
        name: 'g',
        memoryMiB: 4,
        vcpus: 2,
        protected: false,
        workload: {
          kind: 'scan',
          pages: 1024,
          writeFraction: 1,
          thinkNs: 0,
          slices: true,
          passes: 2,
          prefault: o.prefault,
        },
      },
    ],
    reclaim: {
      policy: 'mglru',
      harvest: o.harvest,
      agingIntervalMs: 0,
      lookaround: true,
      mapYoung: true,
      tlb: { enabled: false, entries: 64, flushOnClear: false },
      allowLocklessWithoutHafdbs: false,
      rmapFlushYoung: o.harvest === 'locked-write',
    },
    run: {
      durationMs: 2000,
      sampleIntervalMs: 10,
      seed: 1,
      deterministic: true,
      workers: 1,
      refaultWindowMs: 10,
      demandOnly: false,
    },
  };
}

/** The 30 ms deterministic one-worker run of the small constructed scenarios. */
function shortRun(): ScenarioConfig['run'] {
  return {
    durationMs: 30,
    sampleIntervalMs: 10,
    seed: 5,
    deterministic: true,
    workers: 1,
    refaultWindowMs: 10,
    demandOnly: false,
  };
}

/**
 * One 8 MiB VM (zipf 0.8 over 2048 pages, 20 % writes) with `vcpus` vCPUs on a 10 MiB host with zram,
 * look-around on, no TLB model, 10 ms: built (workerOf) by the constructed notifier and host-PTE tests.
 */
export function zipfVmScenario(o: {
  harvest: ReclaimSpec['harvest'];
  policy?: ReclaimSpec['policy'];
  vcpus?: number;
  mapYoung?: boolean;
}): ScenarioConfig {
  return {
    name: 'one VM',
    description: '',
    hardware: hardware('ampere-altra'),
    host: { memoryMiB: 10, watermarks: { minPct: 1, lowPct: 2, highPct: 4 }, swap: { device: 'zram', sizeMiB: 64 } },
    guests: [
      {
        name: 'a',
        memoryMiB: 8,
        vcpus: o.vcpus ?? 1,
        protected: false,
        workload: { kind: 'zipf', pages: 2048, theta: 0.8, writeFraction: 0.2, thinkNs: 100 },
      },
    ],
    reclaim: {
      policy: o.policy ?? 'mglru',
      harvest: o.harvest,
      agingIntervalMs: 0,
      lookaround: true,
      mapYoung: o.mapYoung ?? true,
      tlb: { enabled: false, entries: 64, flushOnClear: false },
      allowLocklessWithoutHafdbs: false,
      rmapFlushYoung: false,
    },
    run: { ...shortRun(), durationMs: 10, seed: 3 },
  };
}

/**
 * A reclaimer whose rmap check (folio_referenced) answers from `young`: true once per id in it (the check
 * clears it), with no walk and no step budget, for policy tests that build their lists by hand.
 */
/**
 * A classic LRU (ActiveInactive) over `n` folios on a hand-built list with 8 heads (active = head n,
 * inactive = head n + 1), no folio listed yet, scale 1, each folio's flag byte in `folioFlags`: for policy
 * tests that place folios and mark them by hand.
 */
export function handActiveInactive(n: number): { ai: ActiveInactive; list: DList; folioFlags: Uint8Array } {
  const heads = 8;
  const list = new DList(new Int32Array(2 * (n + heads)), 0, n + heads);
  const folioFlags = new Uint8Array(n);
  const ai = new ActiveInactive(
    list,
    new Int16Array(n),
    n,
    new Float64Array(GS_WORDS),
    0,
    new AgingGate(0),
    undefined,
    true,
    1,
    folioFlags,
  );
  return { ai, list, folioFlags };
}

export function youngSetReclaimer(young: Set<number>): Reclaimer {
  return { t: 0, referenced: (id) => young.delete(id), walk: () => {}, canWalk: () => false, spent: () => false };
}

/**
 * Fault gfns 0..n-1 in turn, each asked 1 us after the previous one ended (or was refused): on
 * smallReclaimScenario's 6 MiB host, 2,000 faults put the guest under reclaim. Returns the clock after the
 * last one.
 */
export function faultInOrder(g: Guest, n: number): number {
  let t = 0;
  for (let gfn = 0; gfn < n; gfn++) {
    const e = g.fault(gfn, false, t + 1000);
    t = (e >= 0 ? e : t) + 1000;
  }
  return t;
}

/**
 * Record every write request and its grant on g's MMU lock (VLock.write, which evictions' unmaps and
 * range_ends book), relative to T; the returned array fills as the test runs.
 */
export function recordWrites(g: Guest, T: number): [number, number][] {
  const writes: [number, number][] = [];
  const w = g.vlock.write.bind(g.vlock);
  g.vlock.write = (a: number, h: number, aging: boolean): number => {
    const s = w(a, h, aging);
    writes.push([a - T, s - T]);
    return s;
  };
  return writes;
}

/**
 * Switch off the stage-2 faults' folio_mark_accessed calls (Policy.markAccessedN, session 14) on g's lruvec,
 * for tests built on faulted pages that stay on the inactive list (they pin lock booking or reclaim pacing,
 * not LRU order): with the marks every faulted page goes active and the first reclaim deactivates instead.
 */
export function withoutFaultMarks(g: Guest): void {
  (g.lruvec as { markAccessedN: unknown }).markAccessedN = () => {};
}

/**
 * kswapd's shrink_node asked for one folio from t, aging (kswapdAgeStep) between tries while the
 * pre-faulted folios sit in MGLRU's youngest generations; expects one eviction. Returns the pass's end.
 */
export function kswapdEvictOne(g: Guest, t: number): number {
  let end = t;
  for (let i = 0; i < 8 && g.pgdat.lastEvicted === 0; i++) {
    end = g.pgdat.shrinkNode(end, 1, true);
    if (g.pgdat.lastEvicted === 0) {
      g.pgdat.kswapdAgeStep(g.lruvec, end);
      end = g.pgdat.t;
    }
  }
  expect(g.pgdat.lastEvicted).toBe(1);
  return end;
}

/** One worker's core of `config` (not run): its first vCPU's guest, every vCPU-bearing guest in actor order, the shared counters and the node's kswapd. */
export function workerOf(config: ScenarioConfig): {
  core: SimWorkerCore;
  g: Guest;
  guests: Guest[];
  stats: Float64Array;
  kswapd: Kswapd | null;
} {
  const p = prepareRun(config, {}, 1);
  const core = new SimWorkerCore(p.config, p.plan, p.buffers, 0, { rows: () => {}, progress: () => {} });
  const guests: Guest[] = [];
  for (const a of core.actorList) if (a instanceof VCpu && !guests.includes(a.g)) guests.push(a.g);
  if (guests.length === 0) throw new Error('no vCPU');
  const k = core.actorList.find((a) => a instanceof Kswapd);
  return {
    core,
    g: guests[0],
    guests,
    stats: new Float64Array(p.buffers.stats),
    kswapd: k instanceof Kswapd ? k : null,
  };
}

/**
 * Two guests of 8 MiB, 4 vCPUs each, zipf over their memory, on a host of 10 MiB (pressure), MGLRU with
 * look-around: the setting of the remote-TLB-flush tests (arm64's TLBI broadcast and x86's IPI kick).
 */
export function twoVmScenario(o: {
  harvest: ReclaimSpec['harvest'];
  rmapFlushYoung?: boolean;
  tlb?: boolean;
  hw?: HardwareProfile;
}): ScenarioConfig {
  const guest = (name: string): ScenarioConfig['guests'][number] => ({
    name,
    memoryMiB: 8,
    vcpus: 4,
    protected: false,
    workload: { kind: 'zipf', pages: 2048, theta: 0.8, writeFraction: 0.2, thinkNs: 100 },
  });
  return {
    name: 'two VMs',
    description: '',
    hardware: o.hw ?? hardware('ampere-altra'),
    host: { memoryMiB: 10, watermarks: { minPct: 1, lowPct: 2, highPct: 4 }, swap: { device: 'zram', sizeMiB: 64 } },
    guests: [guest('a'), guest('b')],
    reclaim: {
      policy: 'mglru',
      harvest: o.harvest,
      agingIntervalMs: 0,
      lookaround: true,
      mapYoung: true,
      tlb: { enabled: o.tlb ?? false, entries: 64, flushOnClear: false },
      allowLocklessWithoutHafdbs: false,
      rmapFlushYoung: o.rmapFlushYoung ?? true,
    },
    run: shortRun(),
  };
}

/**
 * One run of `config` on this thread (no worker), over `traces`: on the trace replay fast path when
 * `replay` and selectReplay takes it, else on the general path (VCpu.run + Guest.fault). Returns the
 * prepared run (its buffers, for the arena and lock words), the result and whether the fast path ran.
 */
export function runOnThread(
  config: ScenarioConfig,
  traces: Record<string, Uint32Array>,
  replay: boolean,
): { p: PreparedRun; result: RunResult; fast: boolean; core: SimWorkerCore } {
  const p = prepareRun(config, traces, 1);
  const store = new RowStore();
  const core = new SimWorkerCore(p.config, p.plan, p.buffers, 0, {
    rows: (s, r) => store.put(s, r),
    progress: () => {},
  });
  const fast = replay && selectReplay(core.actorList, p.config, p.plan);
  core.loop();
  core.close();
  return { p, result: buildResult(p, store.data, store.count, 0), fast, core };
}
