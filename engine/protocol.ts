/**
 * The engine's protocol, declared once: what a run takes (ScenarioConfig), what it emits (RunEvent),
 * what it produces (RunResult), and LabApi, the one interface the renderer talks to (implemented by the
 * Electron preload and by the browser edition).
 *
 * This file holds types and constants only (no runtime imports), so the renderer may import it. Two
 * parts live in their own files and are re-exported here, so every importer keeps this one path:
 * sweeps (engine/protocol/sweeps.ts) and reproductions (engine/protocol/reproductions.ts).
 * Every union here is discriminated by `type` or `kind`; switches over them end in `assertNever`.
 */

import type { SweepApi, SweepRecord } from './protocol/sweeps.ts';
import type { ReproductionApi } from './protocol/reproductions.ts';

export type * from './protocol/sweeps.ts';
export type * from './protocol/reproductions.ts';

export const PROTOCOL_VERSION = 1;

// ---------------------------------------------------------------- configuration

/** How the host harvests the stage-2 accessed flag (DESIGN.md "Harvest modes"). */
export type HarvestMode = 'lockless' | 'locked-write' | 'locked-read' | 'hypercall' | 'none';
export const HARVEST_MODES: readonly HarvestMode[] = ['lockless', 'locked-write', 'locked-read', 'hypercall', 'none'];

/** Reclaim policy. exact-lru cheats (sees every access) and is an upper bound. */
export type ReclaimPolicy = 'mglru' | 'active-inactive' | 'clock' | 'exact-lru';
export const RECLAIM_POLICIES: readonly ReclaimPolicy[] = ['mglru', 'active-inactive', 'clock', 'exact-lru'];

/** Every step's cost in virtual nanoseconds comes from one of these keys of the hardware profile. */
export type CostKey =
  | 'memAccess' //        a guest memory access that hits in the TLB (or a walk's final access)
  | 'walkLevel' //        one level of a stage-2 table walk on a TLB miss
  | 'hwAfUpdate' //       hardware (FEAT_HAFDBS) setting AF with an atomic update
  | 'afFault' //          trap for an access-flag fault, handle, return (excludes lock wait)
  | 's2Fault' //          trap for a stage-2 translation fault, handle, return (excludes lock wait, swap-in)
  | 'hypercall' //        one host->hypervisor call (pKVM), round trip
  | 'lockAcquire' //      uncontended MMU lock acquire + release
  | 'tlbInvalidate' //    TLBI for one IPA + DSB
  | 'pteScan' //          aging: reading one stage-2 descriptor in a walk
  | 'cmpxchg' //          one atomic compare-and-swap on a descriptor
  | 'swapIn' //           reading one 4 KiB page back from the swap device
  | 'swapOut' //          writing one 4 KiB page to the swap device
  | 'rcuGracePeriod' //   mean latency of one RCU grace period
  | 'tlbFlushVmid' //     flush every TLB entry of one VM on every CPU (kvm_flush_remote_tlbs), flusher's cost
  | 'dcacheCleanInval' // DC CIVAC over one 4 KiB page + DSB (dcache_clean_inval_poc), charged only without S2FWB
  // x86's kvm_flush_remote_tlbs (remoteTlbFlush 'ipi-kick', kvm/remoteTlbFlush.ts); 0 and unused with 'tlbi-broadcast':
  | 'vcpuRequest' //      requester, per vCPU of the VM: kvm_make_vcpu_request (set the request bit, read vcpu->mode)
  | 'ipiSend' //          requester, per vCPU kicked: smp_call_function_many_cond's csd + queue + ICR write
  | 'ipiAck' //           requester, once if any vCPU was kicked: wait for the last kicked CPU's ack (csd_lock_wait)
  | 'kickExit'; //        each kicked vCPU: VM exit on the IPI, the flush request handled, VM entry
export const COST_KEYS: readonly CostKey[] = [
  'memAccess',
  'walkLevel',
  'hwAfUpdate',
  'afFault',
  's2Fault',
  'hypercall',
  'lockAcquire',
  'tlbInvalidate',
  'pteScan',
  'cmpxchg',
  'swapIn',
  'swapOut',
  'rcuGracePeriod',
  'tlbFlushVmid',
  'dcacheCleanInval',
  'vcpuRequest',
  'ipiSend',
  'ipiAck',
  'kickExit',
];

/**
 * How kvm_flush_remote_tlbs reaches the other CPUs (HardwareProfile.remoteTlbFlush).
 * 'tlbi-broadcast': arm64, __kvm_tlb_flush_vmid (TLBI VMALLS12E1IS + DSB ISH): the flusher pays
 * tlbFlushVmid; no vCPU leaves the guest. 'ipi-kick': x86, kvm_make_all_cpus_request(kvm,
 * KVM_REQ_TLB_FLUSH): the request is set on every vCPU, every vCPU in guest mode is sent an IPI and
 * the flusher waits for each to exit (KVM_REQUEST_WAIT); each such vCPU pays kickExit.
 */
export type RemoteTlbFlush = 'tlbi-broadcast' | 'ipi-kick';
export const REMOTE_TLB_FLUSHES: readonly RemoteTlbFlush[] = ['tlbi-broadcast', 'ipi-kick'];

export interface CostFigure {
  ns: number;
  /** Where the figure comes from (datasheet, paper, measurement, estimate and why). */
  source: string;
}

export interface HardwareProfile {
  id: string;
  name: string;
  description: string;
  /** FEAT_HAFDBS: hardware sets AF itself. Without it an access to an old page takes an access-flag fault. */
  hafdbs: boolean;
  /** Stage-2 owned by the pKVM hypervisor: the host reads no descriptor; aging by hypercall or none. */
  pkvm: boolean;
  /**
   * FEAT_S2FWB (Armv8.4): stage-2 forces write-back cacheable, so KVM skips the data-cache clean to PoC
   * when it maps or unmaps a guest page (stage2_has_fwb / __clean_dcache_guest_page). false: every new
   * stage-2 leaf and every unmapped one costs `dcacheCleanInval` inside the MMU lock hold. Absent: as
   * true (no cache maintenance charged) -- configs saved before the flag existed ran without it.
   */
  s2fwb?: boolean;
  /**
   * How kvm_flush_remote_tlbs reaches the vCPUs (RemoteTlbFlush). Absent: 'tlbi-broadcast' (arm64) --
   * every config saved before the field existed ran that way.
   */
  remoteTlbFlush?: RemoteTlbFlush;
  /** The harvest mode this hardware uses by default (the seed patch's choice). */
  defaultHarvest: HarvestMode;
  costs: Record<CostKey, CostFigure>;
}

export type WorkloadSpec = WorkloadShape & {
  /**
   * Accesses per vCPU operation (e.g. a memcached GET/SET touches a few pages): when set, the run
   * reports ops/s and op-latency percentiles (RunSummary.opsPerSec...). Absent: no operations.
   */
  opAccesses?: number;
  /**
   * A closed-loop client drives the operations (memtier_benchmark, --pipeline 1): each vCPU serves
   * `connections` connections, each with one request outstanding, and a connection's next request
   * is ready `roundTripNs` after its reply (sim/closedLoop.ts). Needs opAccesses (a request is one
   * operation) and thinkNs 0. Absent: each vCPU starts the next operation right after the last
   * (plus thinkNs per access), and latency counts only the accesses.
   */
  client?: ClientSpec;
  /**
   * Before its pattern, each vCPU writes every page of its 1/vcpus slice of `pages` once, in order
   * (memtier's load run: --ratio 1:0 --key-pattern P:P -n allkeys, which SETs every key before the
   * measured run). Kinds with `pages` other than scan. Absent: the pattern from the start.
   */
  loadPass?: boolean;
};
export interface ClientSpec {
  /** Connections bound to each vCPU (memtier --clients x --threads / memcached worker threads = vCPUs). */
  connections: number;
  /** Virtual ns a connection is away between a reply and its next request (socket both ways, client work). */
  roundTripNs: number;
  /**
   * Virtual ms at the start not measured: operations that complete earlier are not counted, and
   * ops/s is over the rest of the run (memtier reports its measured run, after the load run).
   * Absent or 0: everything is measured.
   */
  warmupMs?: number;
}
type WorkloadShape =
  | { kind: 'zipf'; pages: number; theta: number; writeFraction: number; thinkNs: number }
  | { kind: 'uniform'; pages: number; writeFraction: number; thinkNs: number }
  | {
      kind: 'scan';
      pages: number;
      writeFraction: number;
      thinkNs: number;
      /**
       * Each vCPU sweeps only its own 1/vcpus slice and waits at the end of each pass until every vCPU
       * of the guest finished it (max_guest_memory_test's rendezvous); absent: all of it, staggered.
       */
      slices?: boolean;
      /**
       * With slices: each vCPU stops after this many passes (max_guest_memory_test: 2, run 1 and run 2;
       * the run ends when every vCPU is done); absent: it sweeps until the run's end.
       */
      passes?: number;
      /**
       * max_guest_memory_test's host pre-fault: before the vCPUs run, the VMM has written every page of
       * the guest's memory (host page tables only, nothing in stage-2), so the pages sit on the host LRU
       * and what did not fit was swapped out by host reclaim (sim/buildGuest.ts prefault). Absent/false:
       * guest memory starts untouched.
       */
      prefault?: boolean;
      /**
       * max_guest_memory_test's reset step between two runs (the vCPUs' vcpu_sregs_set after run 1), where
       * it resets the MMU context: on x86 only (`#ifdef __x86_64__`: CR0.WP toggled), KVM_SET_SREGS ->
       * kvm_mmu_reset_context -> kvm_mmu_unload, so every vCPU puts its reference to the TDP MMU root, and
       * the last put (kvm_tdp_mmu_put_root, arch/x86/kvm/mmu/tdp_mmu.c, 6.0 to "KVM: x86/mmu: Keep TDP MMU
       * roots alive until they are explicitly invalidated", a 2023 change whose version was not checked)
       * invalidates the root and queues tdp_mmu_zap_root_work: run 2 faults every page into a new root.
       * Applied only on x86 hardware (remoteTlbFlush 'ipi-kick', the lab's x86): arm64 has no CR0.WP (and
       * returns -EINVAL for the test's KVM_GET_REGS). Needs passes (Guest.zapRoot). Absent/false: no reset.
       */
      resetZapsRoot?: boolean;
    }
  | {
      kind: 'hotset';
      pages: number;
      hotPages: number;
      hotProbability: number;
      /** Virtual milliseconds between moves of the hot set. */
      shiftEveryMs: number;
      writeFraction: number;
      thinkNs: number;
    }
  | {
      kind: 'trace';
      /** Name of a trace known to the host (e.g. 'cloudPhysicsIO') or of a file the user loaded. */
      trace: string;
      writeFraction: number;
      thinkNs: number;
    };
export type WorkloadKind = WorkloadSpec['kind'];

export interface GuestSpec {
  name: string;
  memoryMiB: number;
  vcpus: number;
  workload: WorkloadSpec;
  /** pKVM protected guest: memory pinned (never evicted), no accessed information. */
  protected: boolean;
  /**
   * What backs the guest's memory in the VMM (engine/core/kvm/faultinWritable.ts); absent: 'shmem-memfd'.
   * 'private-anon' is QEMU's default RAM (no shared memory backend): a read swap-in maps stage-2
   * read-only and the next write takes a permission fault.
   */
  memoryBacking?: GuestMemoryBacking;
}

/** A guest memory backing: a MAP_SHARED memfd, or private anonymous memory (kvm/faultinWritable.ts). */
export type GuestMemoryBacking = 'shmem-memfd' | 'private-anon';
export const GUEST_MEMORY_BACKINGS: readonly GuestMemoryBacking[] = ['shmem-memfd', 'private-anon'];

/** A block swap device's model: its 4 KiB read latency (engine/core/mm/swap.ts ssdReadLatencyNs). */
export type SsdModel = 'tlc-nand' | 'optane-p5800x';

export interface HostSpec {
  memoryMiB: number;
  /** Free-memory watermarks as % of host memory: kswapd wakes below low, stops at high; direct reclaim below min. */
  watermarks: { minPct: number; lowPct: number; highPct: number };
  /**
   * ssd: which block device (engine/core/mm/swap.ts, SSD_MODELS); absent = 'tlc-nand', the lab's estimate
   * for a TLC NAND datacenter NVMe SSD. Only with device 'ssd'.
   */
  swap: { device: 'zram' | 'ssd' | 'none'; sizeMiB: number; ssd?: SsdModel };
  /**
   * The host and its guests stand for a machine `scale` times larger (a 1/scale replica: every size
   * divided, shares kept; docs/repro-max-guest-memory.md). Kernel formulas of an absolute size use the
   * size stood for: inactive_is_low's inactive_ratio = int_sqrt(10 x GiB) (mm/policy/activeInactive.ts).
   * Absent: 1 (the sizes are the machine's).
   */
  scale?: number;
}

export interface ReclaimSpec {
  policy: ReclaimPolicy;
  harvest: HarvestMode;
  /**
   * What-if with no kernel counterpart, 0 = off (the kernel, and every preset): minimum virtual
   * milliseconds between the starts of two aging passes of a lruvec (a rate limit).
   * Aging is reclaim-driven: a pass runs only when reclaim (kswapd below the low watermark, or direct
   * reclaim) needs one — MGLRU when too few generations are left or their spread is off
   * (should_run_aging), active/inactive when the inactive list is short (inactive_is_low) — never on a
   * timer, so with free memory nothing ages. CLOCK and exact LRU run no passes (CLOCK's hand moves only
   * when reclaim needs a victim). MGLRU eviction that needs a generation while the limit holds gets one
   * without a page-table walk (no harvest cost).
   */
  agingIntervalMs: number;
  /** MGLRU lookaround: test-clear-young of neighbours around a victim (the bitmap's purpose). */
  lookaround: boolean;
  /** Map new pages young (AF=1, as KVM does) or old (AF=0, the CLOCK reference semantics). */
  mapYoung: boolean;
  tlb: { enabled: boolean; entries: number; flushOnClear: boolean };
  /** Allow testClearYoung lockless without FEAT_HAFDBS (the reviewer's what-if). */
  allowLocklessWithoutHafdbs: boolean;
  /**
   * How guests' memory sits on the host LRU. 'host' (default, the kernel without memcgs): one lruvec
   * holds every VM's anonymous memory; one kswapd and direct reclaim pick victims across guests.
   * 'memcg': one memcg (lruvec) per guest, scanned in proportion to its size (get_scan_count).
   */
  lruvec?: 'host' | 'memcg';
  /**
   * folio_referenced_one's secondary-MMU call: true (default, mainline arm64) = clear_flush_young, so KVM
   * flushes the VM's TLBs (kvm_flush_remote_tlbs) when the page was young; false = clear_young, no flush
   * ("mm: rmap: don't flush TLB after checking PTE young", the seed v2 baseline).
   */
  rmapFlushYoung?: boolean;
}

export interface RunSpec {
  /** Virtual duration of the run. */
  durationMs: number;
  sampleIntervalMs: number;
  seed: number;
  /** One worker, fixed interleaving: bit-identical results. */
  deterministic: boolean;
  /** Worker count for parallel runs; 0 = cores - 1 (min 1). */
  workers: number;
  /** An eviction counts as a mistake if its page refaults within this window. */
  refaultWindowMs: number;
  /** Demand eviction only (no watermarks, no kswapd): the trace-oracle setup. */
  demandOnly: boolean;
}

/** A complete, self-contained run configuration: preset values are copied in, not referenced. */
export interface ScenarioConfig {
  name: string;
  description: string;
  hardware: HardwareProfile;
  host: HostSpec;
  guests: GuestSpec[];
  reclaim: ReclaimSpec;
  run: RunSpec;
}

// ---------------------------------------------------------------- results

/** Sampled metric columns (DESIGN.md "Metrics"); every column is one Float64Array, one row per sample. */
export const SAMPLE_COLUMNS = [
  'tMs', //                virtual time at the end of the interval
  'accesses', //           guest accesses in the interval
  'hitRate', //            resident hits / accesses in the interval (0..1)
  'refaults', //           accesses to evicted pages in the interval
  'refaultRatePerSec', //  refaults per virtual second
  'evictions', //          pages evicted in the interval
  'evictionPrecision', //  1 - refaulted within the window / evictions, over evictions whose window has closed (cumulative, 0..1; NaN before any)
  's2Faults', //           stage-2 faults (first touch + refault)
  'afFaults', //           access-flag faults
  'vcpuStallNs', //        trap + lock wait + swap-in, summed over vCPUs
  'lockWaitNs', //         MMU lock wait, summed over all waiters
  'lockHoldNs', //         MMU lock hold time
  'agingNs', //            aging pass time
  'ptesScanned', //        descriptors read by aging
  'youngFound', //         young leaves found by aging / lookaround
  'cmpxchgFailures', //    failed descriptor cmpxchg
  'rcuGracePeriods', //    grace periods completed in the interval
  'rcuCallbacksPending', // callbacks pending at the end of the interval
  'rcuPagesAwaitingFree', // table pages awaiting free at the end of the interval
  'throughput', //         accesses per virtual second
  'freeFrames', //         host free frames at the end of the interval
  'residentPages', //      guest pages resident at the end of the interval (all guests)
] as const;
export type SampleColumn = (typeof SAMPLE_COLUMNS)[number];
export type SampleColumns = Record<SampleColumn, Float64Array>;

export interface GuestSummary {
  name: string;
  accesses: number;
  hits: number;
  hitRate: number;
  coldMisses: number;
  refaults: number;
  evictions: number;
  /** As the sample column; NaN when no eviction's refault window has closed. */
  evictionPrecision: number;
  s2Faults: number;
  afFaults: number;
  vcpuStallNs: number;
  lockWaitNs: number;
  /** Accesses per virtual second. */
  throughput: number;
  /**
   * Slowdown vs. the same accesses unconstrained (host holding every page, no reclaim, no aging): vCPU time /
   * (vCPU time - stall caused by memory pressure); 1 = no slowdown, 2 = half the throughput. Null when unknown.
   */
  slowdown: number | null;
  pinned: boolean;
  /** vCPU operations per virtual second (workload.opAccesses set); absent otherwise. */
  opsPerSec?: number;
  /** Operation latency percentiles (ns), NaN/null when no operation completed. */
  opLatencyP50Ns?: number;
  opLatencyP99Ns?: number;
  opLatencyP999Ns?: number;
  /**
   * Scan with slices: virtual ms at which each of the first passes over the guest's memory completed
   * (every vCPU done with its slice: max_guest_memory_test's run 1, run 2, ...); absent for other
   * workloads and in sessions saved before it existed.
   */
  passEndMs?: number[];
}

export interface RunSummary {
  accesses: number;
  hits: number;
  hitRate: number;
  coldMisses: number;
  misses: number;
  refaults: number;
  /** Refaults as % of the working set per virtual minute ("promotion rate"). */
  refaultPctWorkingSetPerMin: number;
  evictions: number;
  /** As the sample column; NaN when no eviction's refault window has closed (null in JSON). */
  evictionPrecision: number;
  s2Faults: number;
  afFaults: number;
  vcpuStallNs: number;
  lockWaitNs: number;
  lockHoldNs: number;
  agingPasses: number;
  agingNs: number;
  ptesScanned: number;
  youngFound: number;
  cmpxchgFailures: number;
  hypercalls: number;
  tlbInvalidates: number;
  rcuGracePeriods: number;
  tablePagesPeak: number;
  virtualMs: number;
  throughput: number;
  guests: GuestSummary[];
  /** vCPU MMU-lock wait caused by aging/harvest holds (part of lockWaitNs; 0 with lockless aging). */
  lockWaitAgingNs?: number;
  /** Permission faults: writes to pages mapped read-only (S2AP W relaxed under the read lock). */
  permFaults?: number;
  /** Accesses served by a vCPU TLB (no walk, so no AF update). */
  tlbHits?: number;
  /** vCPU operations per virtual second, all guests (workload.opAccesses set); absent otherwise. */
  opsPerSec?: number;
  /** Operation latency percentiles (ns) over every guest's operations. */
  opLatencyP50Ns?: number;
  opLatencyP99Ns?: number;
  opLatencyP999Ns?: number;
  /** Folios host reclaim considered (folio_referenced -> mmu notifier), VM-wide TLB flushes it caused. */
  foliosConsidered?: number;
  tlbFlushesVm?: number;
  /**
   * x86's IPI remote TLB flush (hardware remoteTlbFlush 'ipi-kick'): vCPUs sent an IPI (one per vCPU in
   * guest mode per flush), the flushers' summed time in kvm_make_all_cpus_request (inside write holds),
   * and the kicked vCPUs' summed exit time (ns). Present only with 'ipi-kick'.
   */
  ipiKicks?: number;
  ipiFlushNs?: number;
  kickExitNs?: number;
  /**
   * arm64's broadcast TLBIs queued on the host's DVM Sync (engine/core/arch/dvm.ts): their summed wait for
   * the broadcasts ahead of them, and the part spent inside kvm->mmu_lock holds (ns). Present only with
   * 'tlbi-broadcast'.
   */
  dvmWaitNs?: number;
  dvmHoldWaitNs?: number;
  /** kswapd's share of busy time spent waiting for an MMU write lock (the seed profile's _raw_write_lock). */
  kswapdWriteWaitShare?: number;
  /**
   * Share of evictions made by direct reclaim in vCPU context (the rest by kswapd); absent in sessions
   * saved before it existed.
   */
  directReclaimShare?: number;
  /** kswapd wake-ups by the allocator (wakeup_kswapd); direct reclaimers throttled by too_many_isolated and their summed sleep (ns). */
  kswapdWakeups?: number;
  reclaimThrottled?: number;
  reclaimThrottleNs?: number;
  /** Direct reclaimers throttled on pfmemalloc_wait (throttle_direct_reclaim: free <= min watermark / 2) and their summed sleep (ns). */
  pfmemallocThrottled?: number;
  pfmemallocThrottleNs?: number;
  /**
   * Stage-2 table pages unlinked and handed to callRcu while another worker's thread was inside an RCU
   * read-side section (a reader in flight really deferred the free; 0 with one worker).
   */
  rcuDeferredFrees?: number;
  /**
   * Block-device (SSD) swap only, absent with zram and in sessions saved before it: swap reads submitted
   * (one request per refault that missed the swap cache, readahead window included), pages read ahead
   * into the swap cache, and faults that found a read-ahead page there (no I/O). engine/core/mm/swapReadahead.ts.
   */
  swapReads?: number;
  readaheadPages?: number;
  readaheadHits?: number;
  /**
   * SSD swap only, absent with zram and in older sessions: swap-outs written asynchronously (the frame
   * held under writeback until reclaim meets the written folio again), and guest faults that found such
   * a folio still in the swap cache (minor: no read). engine/core/mm/swap.ts.
   */
  swapWritebacks?: number;
  writebackFaults?: number;
}

export interface RunResult {
  engineVersion: string;
  config: ScenarioConfig;
  seed: number;
  workers: number;
  deterministic: boolean;
  summary: RunSummary;
  samples: SampleColumns;
  /** Wall-clock milliseconds the run took (informational; never compared in tests). */
  wallMs: number;
  /** True when the run was stopped early by the user. */
  stopped: boolean;
  /** Stage-2 heat map sampled during the run (engine/core/sim/heatmap.ts); absent in older sessions. */
  heatmap?: RunHeatmap;
}

// ---------------------------------------------------------------- stage-2 heat map

/**
 * What one heat-map cell holds, each a byte 0..255 (engine/core/sim/heatmap.ts):
 *   resident   fraction of the bin's pages mapped in stage-2 (holding a host frame)
 *   young      fraction of the bin's pages whose stage-2 leaf has AF set (accessed since last cleared)
 *   age        MGLRU: mean generation age of the bin's resident pages (0 = youngest, 255 = MAX_NR_GENS - 1
 *              generations older); active/inactive: fraction of resident pages on the inactive list;
 *              other policies: 0 (RunHeatmap.ageKind says which)
 *   evicted    fraction of the bin's pages swapped out now
 *   refaulted  fraction of the bin's pages faulted back in since the previous column (were swapped out)
 */
export const HEAT_CHANNELS = ['resident', 'young', 'age', 'evicted', 'refaulted'] as const;
export type HeatChannel = (typeof HEAT_CHANNELS)[number];

export interface GuestHeatmap {
  name: string;
  /** Guest-physical pages of the guest; bin b covers gfns [b * pagesPerBin, (b + 1) * pagesPerBin). */
  pages: number;
  pagesPerBin: number;
  /** Virtual time of each column (ms). */
  tMs: Float64Array;
  /** Column c, channel k, bin b at ((c * HEAT_CHANNELS.length) + k) * bins + b. */
  cells: Uint8Array;
}

export interface RunHeatmap {
  bins: number;
  ageKind: 'generations' | 'inactive' | 'none';
  guests: GuestHeatmap[];
}

// ---------------------------------------------------------------- run events

export interface ErrorInfo {
  name: string;
  message: string;
  stack?: string;
  /** Validation: every problem found (up to 50), one `path: problem` each; `message` shows those that fit in 300 characters. */
  problems?: string[];
}

export type RunState = 'starting' | 'running' | 'paused' | 'stopping' | 'done' | 'failed';

export type RunEvent =
  | { type: 'state'; runId: string; state: RunState }
  | { type: 'progress'; runId: string; fraction: number; virtualMs: number }
  /** New sample rows, starting at row `startRow`. */
  | { type: 'samples'; runId: string; startRow: number; columns: SampleColumns }
  | { type: 'done'; runId: string; result: RunResult }
  | { type: 'error'; runId: string; error: ErrorInfo }
  /** One heat-map column of guest `guest` (layout as one column of GuestHeatmap.cells). */
  | { type: 'heat'; runId: string; guest: number; tMs: number; cells: Uint8Array };

// ---------------------------------------------------------------- presets

export interface PresetCatalog {
  hardware: HardwareProfile[];
  workloads: { id: string; name: string; description: string; workload: WorkloadSpec }[];
  scenarios: { id: string; config: ScenarioConfig }[];
}

// ---------------------------------------------------------------- LabApi (renderer <-> host)

export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

/** A trace file the user loaded (LabApi.loadTrace): its name (the file's base name) and its size. */
export interface LoadedTrace {
  /** What a trace workload names (`workload.trace`), e.g. 'cloudPhysicsIO' for cloudPhysicsIO.txt. */
  name: string;
  requests: number;
  /** Distinct objects = guest pages the trace touches. */
  distinct: number;
}

/** Largest trace file a host accepts (LabApi.loadTrace); the 113,872-request cloudPhysicsIO is 1-3 MiB. */
export const TRACE_MAX_BYTES = 256 * 1024 * 1024;

export type MenuCommand = 'new' | 'open' | 'save' | 'save-as' | 'export-csv' | 'run' | 'pause' | 'stop' | 'about';

/** What the renderer asks of its host (Electron main via preload, or the browser edition). */
export interface LabApi extends SweepApi, ReproductionApi {
  readonly edition: 'electron' | 'browser';
  listPresets(): Promise<PresetCatalog>;
  /** Validates the config (clear error on bad parameters) and starts a run; events arrive via onRunEvent. */
  startRun(config: ScenarioConfig): Promise<Result<{ runId: string }>>;
  pauseRun(runId: string): Promise<void>;
  resumeRun(runId: string): Promise<void>;
  stopRun(runId: string): Promise<void>;
  onRunEvent(listener: (event: RunEvent) => void): () => void;
  /** Parse and validate a user's hardware preset file. */
  importHardwarePreset(text: string, fileName: string): Promise<Result<HardwareProfile>>;
  /**
   * Encode + save a session (dialog or download). `canceled` when the user backs out. `target`: the file
   * the renderer shows this session as ('' = untitled: New, a reload). A Save (not Save As) writes over
   * the window's file only when it is that target; otherwise it asks, so a session never lands on a file
   * it was not opened from or saved to.
   */
  saveSession(
    session: SessionData,
    options: { saveAs: boolean; target?: string },
  ): Promise<Result<{ path: string; canceled: boolean }>>;
  /** Ask the user for a session file (dialog or picker) and decode it. */
  openSession(): Promise<Result<{ session: SessionData; path: string } | null>>;
  /** Decode a session from bytes (drag-and-drop, command line). */
  loadSessionBytes(bytes: Uint8Array, name: string): Promise<Result<{ session: SessionData; path: string }>>;
  exportCsv(session: SessionData): Promise<Result<{ path: string; canceled: boolean }>>;
  /**
   * Parse a trace file (.txt, .csv, .oracleGeneral.bin / .bin; engine/core/trace) and keep its page ids in
   * the host under the file's base name; startRun then replays it for every trace workload of that name.
   * A later load of the same name replaces it. Malformed input is a Result error naming file, line and problem.
   */
  loadTrace(bytes: Uint8Array, fileName: string): Promise<Result<LoadedTrace>>;
  /** Menu commands and sessions opened by the OS (command line, second instance, file drop on the app). */
  onMenuCommand(listener: (command: MenuCommand) => void): () => void;
  onSessionOpened(listener: (opened: { session: SessionData; path: string }) => void): () => void;
  /**
   * The renderer opened the session onSessionOpened offered (the user agreed to drop unsaved work, if
   * any): from now on Save writes to `path`. Until then, and after a declined offer, Save's target stays
   * the session's own file, so a declined file is never overwritten by the session kept. Only the
   * offered path is taken (Electron's main checks); the browser has no such target (no-op).
   */
  acceptOpened(path: string): void;
  /**
   * Save bytes the renderer exported (CSV of the screen, a chart as PNG or SVG, an edited hardware
   * preset as JSON): Electron asks where (save dialog) and writes atomically; the browser downloads.
   */
  exportFile(
    data: Uint8Array,
    suggestedName: string,
    kind: ExportKind,
  ): Promise<Result<{ path: string; canceled: boolean }>>;
  /**
   * What closing or reloading the window would lose now (null = nothing), sent whenever it changes.
   * Electron's main names it in its close / reload dialog (main/unsavedGuard.ts); the browser's own
   * beforeunload question cannot carry a message, so there it is a no-op.
   */
  setUnsaved(work: UnsavedWork | null): void;
}

/**
 * Unsaved work of a session, compared with what was last saved or opened (renderer/src/lib/unsaved.ts):
 * `runs` = how many runs the session has when they differ from the saved ones (null: runs saved);
 * `setup` = the draft (guests, host, costs, hardware, reclaim...) differs from the saved one.
 */
export interface UnsavedWork {
  runs: number | null;
  setup: boolean;
  /**
   * Runs a close or reload would drop with the Sweep tab's sweep (running, or finished and not saved;
   * it is saved apart from the session, with Save sweep). Absent when there is none to lose.
   */
  sweepRuns?: number;
}

/** Kinds of files LabApi.exportFile writes (the save dialog's filter and the default extension). */
export type ExportKind = 'csv' | 'png' | 'svg' | 'json';
export const EXPORT_KINDS: readonly ExportKind[] = ['csv', 'png', 'svg', 'json'];

// ---------------------------------------------------------------- sessions

export const SESSION_FORMAT = 'overcommit-lab-session';
/** v2 (issues 9 and 10): adds the optional `sweeps` and `RunResult.heatmap`. v1 files still open. */
export const SESSION_VERSION = 2;

/** UI state saved with a session so that opening it reopens the same screen. */
export interface UiState {
  view: 'setup' | 'run' | 'compare';
  selectedRun: number;
  compareRuns: number[];
  chartMetric: SampleColumn[];
}

/** One session: the runs the user made (each a full RunResult, config included) and the screen. */
export interface SessionData {
  format: typeof SESSION_FORMAT;
  version: number;
  appVersion: string;
  savedAt: string;
  /** The configuration being edited (may differ from every run's). */
  draft: ScenarioConfig;
  runs: RunResult[];
  ui: UiState;
  /** v2: parameter sweeps; their points name runs of `runs` by index. Absent in v1 files. */
  sweeps?: SweepRecord[];
}

export function assertNever(x: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(x)}`);
}
