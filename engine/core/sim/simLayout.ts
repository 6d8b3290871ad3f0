/**
 * The simulation's own SharedArrayBuffers, declared in one place (the arena's layout stays in
 * ../layout.ts; the simulation puts nothing in the arena except stage-2 tables, RCU and locks).
 *
 * SIM_LAYOUT_VERSION is checked by every worker that attaches (`attachSimShared`).
 *
 * Ownership model ("guest affinity"): every guest — its vCPUs, its reclaimer (kswapd share) and
 * its aging — runs on exactly one worker, its owner. Per-guest regions below are therefore
 * written by the owner only and read by anyone after a barrier (the barrier's atomics order them).
 * What is truly shared between workers: host frames (CTL_FREE_FRAMES, atomics), the arena (table
 * pages, RCU, MMU locks), and the control words (barrier, pause/stop/abort).
 * Spread runs (plan.spread, spread.ts) break guest affinity on purpose: a guest's vCPUs run on several
 * workers, each of which reclaims from the shared host lruvec (kswapd on worker 0). Then page flags and eviction times are written by both (the
 * ordering each write relies on is stated at the write), TLBs and roots live in SpreadBuffers, and
 * workers >= 1 keep their counters in private copies folded in by the serial section.
 *
 * control: Int32Array(CTL_WORDS)                       writers / readers
 *   CTL_VERSION        SIM_LAYOUT_VERSION               creator / attachers
 *   CTL_BAR_COUNT      workers arrived at the barrier   workers (atomics.add)
 *   CTL_BAR_GEN        barrier generation (futex word)  last arriver / waiters
 *   CTL_PAUSE          1 = paused (futex word)          host main thread / workers
 *   CTL_STOP           1 = stop requested               host / serial section
 *   CTL_ABORT          1 = abort (a worker failed)      host / all workers (they exit)
 *   CTL_DONE           1 = run finished                 serial section / workers
 *   CTL_FREE_FRAMES    host frames not holding a guest page   any vCPU or reclaimer (atomics)
 *   CTL_ROWS           sample rows emitted so far       serial section
 *   CTL_STOPPED        1 = finished because of CTL_STOP serial section / host
 * time: Float64Array(TIME_WORDS)
 *   TIME_QUANTUM_END   end of the current quantum (ns)  serial section / workers
 *   TIME_NEXT_SAMPLE   virtual time of the next sample  serial section
 *   TIME_NOW           virtual time reached (ns)        serial section / host
 *   TIME_PREV_T, TIME_PREV.., TIME_PREV_GP  the sampler's memory of the previous row (serial section;
 *                      whichever worker arrives last runs it, so this state must be shared)
 * stats: Float64Array(guests * GS_WORDS), guest g's counters at g * GS_WORDS (owner writes; the serial
 *   section also writes GS_RECLAIM_OWED, GS_RECLAIM_CREDIT, GS_S2_FAULTS_AT_BARRIER, while every worker waits).
 * vlocks: Float64Array(guests * VL_WORDS): virtual reservations of guest g's MMU lock (owner).
 * per guest g, pagesI32[g] (owner): the page flags (PG_*), one byte per page (a Uint8Array view over
 *   guestRegions(pages).words Int32 words). The LRU lists live in the worker's own memory (mm/pgdat.ts),
 *   or in a spread run in SpreadBuffers.lru.
 * per guest g, pagesF64[g]: Float32Array(pages): virtual time (ns) of the page's last eviction (float32:
 *   24-bit mantissa, 64 ns resolution at 1 s and 8 us at 100 s, finer than any refault window).
 * Memory per guest page: 1 (flags) + 4 (eviction time) + 10 (worker-local lists: prev, next, 16-bit tag)
 *   + ~8.8 (stage-2 leaf descriptors with the arena's headroom) = ~24 bytes.
 * evictBuckets: Float64Array(guests * 2 * buckets) (owner): eviction precision by eviction time, one bucket
 *   per sample interval (bucket b = evictions at [b, b+1) * sampleNs); guest g at g * 2 * buckets:
 *   [0, buckets) evictions, [buckets, 2 * buckets) refaults within the window, by their eviction's bucket.
 *   Precision counts only buckets whose refault window has closed (metrics.ts precisionAt).
 */

import type { SharedLruBuffers } from '../mm/sharedLru.ts';

export const SIM_LAYOUT_VERSION = 6;

export const CTL_VERSION = 0;
export const CTL_BAR_COUNT = 1;
export const CTL_BAR_GEN = 2;
export const CTL_PAUSE = 3;
export const CTL_STOP = 4;
export const CTL_ABORT = 5;
export const CTL_DONE = 6;
/**
 * The host's free-frame count: every fault and free on every worker changes it (atomics), so it sits
 * apart from the words each worker reads at every scheduler step (CTL_STOP, CTL_ABORT) and the barrier's,
 * more than a 64-byte cache line away whatever the buffer's 16-byte alignment (layout.ts LINE_WORDS):
 * a frame take on one core then no longer invalidates the line the other core polls.
 */
export const CTL_FREE_FRAMES = 32;
export const CTL_ROWS = 8;
export const CTL_STOPPED = 9;
export const CTL_WORDS = 48;

export const TIME_QUANTUM_END = 0;
export const TIME_NEXT_SAMPLE = 1;
export const TIME_NOW = 2;
export const TIME_PREV_T = 3; //         virtual time of the previous sample row
export const TIME_PREV = 8; //          [TIME_PREV, + GS_WORDS): all-guest counter sums at the previous row
// TIME_PREV_GP (RCU grace periods at the previous row) and TIME_WORDS follow the GS_WORDS sums: below GS_WORDS.

// ---- per-guest counters (cumulative; sample rows are differences) ----------------------
export const GS_ACCESSES = 0;
export const GS_HITS = 1;
export const GS_COLD = 2; //             first-touch stage-2 faults
export const GS_REFAULTS = 3; //         stage-2 faults on evicted pages (swap-in)
export const GS_REFAULTS_IN_WINDOW = 4; // refaults within run.refaultWindowMs of the eviction
export const GS_EVICTIONS = 5;
export const GS_S2_FAULTS = 6; //        cold + refaults
export const GS_AF_FAULTS = 7;
export const GS_PERM_FAULTS = 8; //      write to a page mapped read-only
export const GS_STALL_NS = 9; //         vCPU trap + lock wait + swap-in + direct reclaim
export const GS_LOCK_WAIT_NS = 10; //    MMU-lock wait of every waiter: vCPU faults, direct reclaim, kswapd, aging
export const GS_LOCK_WAIT_AGING_NS = 11; // vCPU wait behind aging/harvest holds (part of GS_LOCK_WAIT_NS)
export const GS_LOCK_HOLD_NS = 12; //    virtual MMU-lock hold time (all holders)
export const GS_AGING_PASSES = 13;
export const GS_AGING_NS = 14;
export const GS_PTES_SCANNED = 15;
export const GS_YOUNG_FOUND = 16;
export const GS_CMPXCHG_FAIL = 17;
export const GS_HYPERCALLS = 18;
export const GS_TLBI = 19;
export const GS_RESIDENT = 20; //        pages resident now
export const GS_VCPUS_DONE = 21; //      vCPUs whose trace is exhausted
export const GS_CLOCK_MAX = 22; //       latest vCPU clock (ns)
export const GS_DIRECT_RECLAIM = 23; //  pages evicted by direct/demand reclaim
export const GS_TLB_HITS = 24;
export const GS_HW_AF_UPDATES = 25;
/** vCPU virtual time lost to memory pressure (see metrics.ts "slowdown"): refaults (whole fault), direct
 * reclaim, frame retries, MMU-lock waits (every writer is reclaim or aging), AF set-ups after aging. */
export const GS_PRESSURE_NS = 26;
export const GS_VCPU_NS = 27; //        virtual time of this guest's vCPUs, summed
/** Parallel runs only (spreadSettle.ts settleMinWatermark, Guest.fault): reclaim clusters this guest's vCPUs owe
 * for the host's min-watermark deficit, added by the serial section, paid (decremented) by the owner's faults. */
export const GS_RECLAIM_OWED = 28;
/** Parallel runs only: the guest's running share of deficit clusters not yet assigned (serial section). */
export const GS_RECLAIM_CREDIT = 29;
/** Parallel runs only: GS_S2_FAULTS at the previous barrier (serial section). */
export const GS_S2_FAULTS_AT_BARRIER = 30;
/** vCPU operations (workload.opAccesses accesses each) completed, and their summed latency (ns). */
export const GS_OPS = 31;
export const GS_OP_NS = 32;
/** kswapd's MMU-lock wait in write acquisitions on this VM (the seed profile's `_raw_write_lock` share). */
export const GS_KSWAPD_WRITE_WAIT_NS = 33;
/** Virtual time kswapd spent busy (aging + eviction steps), charged to the VM whose pages it worked on. */
export const GS_KSWAPD_NS = 34;
/** VM-wide TLB flushes (kvm_flush_remote_tlbs after clear_flush_young found a young page). */
export const GS_TLB_FLUSH_VM = 35;
/** Folios reclaim considered (folio_referenced calls through the mmu notifier). */
export const GS_FOLIOS_CONSIDERED = 36;
/**
 * vCPU translations refilled after a VM-wide flush (arch/tlb.ts): the vCPU's first translation after
 * kvm_flush_remote_tlbs, a full two-dimensional walk; and the summed extra walk time (ns) of these
 * and of the stage-1 re-walks (GS_TLB_S1_REFILLS).
 */
export const GS_TLB_REFILLS = 37;
export const GS_TLB_REFILL_NS = 38;
/** vCPU translations that re-walked the guest's stage-1 after an unmap's VMALLE1IS (arch/tlb.ts). */
export const GS_TLB_S1_REFILLS = 39;
/**
 * Scan with slices (max_guest_memory_test): passes every vCPU of the guest completed (workload.ts
 * PassBarrier), and the virtual time (ns) each of the first PASS_RECORDS passes completed, at
 * [GS_PASS_END_NS, GS_PASS_END_NS + PASS_RECORDS): the test's rendezvous_with_vcpus times.
 */
export const GS_PASSES = 40;
export const GS_PASS_END_NS = 41;
export const PASS_RECORDS = 4;
/** kswapd wake-ups by the allocator (wakeup_kswapd from __alloc_pages_slowpath, mm/kswapd.ts). */
export const GS_KSWAPD_WAKEUPS = 45;
/** Direct reclaimers throttled by too_many_isolated (reclaim_throttle VMSCAN_THROTTLE_ISOLATED), and their sleep (ns). */
export const GS_THROTTLED = 46;
export const GS_THROTTLE_NS = 47;
/**
 * Block-device swap (mm/swapReadahead.ts): swap reads submitted (one per refault that found no folio in
 * the swap cache: the faulting page and its readahead window in one request), pages read ahead
 * (PG_readahead folios added to the swap cache), and faults that found a readahead folio there (minor
 * faults, no I/O). 0 with zram.
 */
export const GS_SWAP_READS = 48;
export const GS_RA_PAGES = 49;
export const GS_RA_HITS = 50;
/**
 * Block-device swap: swap-outs that went through asynchronous writeback (swap_writepage ->
 * folio_start_writeback, the frame kept until reclaim meets the written folio again), and guest faults
 * that found such a folio still in the swap cache (under writeback or written, not yet freed: a minor
 * fault, no read). 0 with zram (its write completes inline). mm/swap.ts.
 */
export const GS_WB_PAGES = 51;
export const GS_WB_FAULTS = 52;
/**
 * x86's IPI remote TLB flush (hardware remoteTlbFlush 'ipi-kick', kvm/remoteTlbFlush.ts): vCPUs sent an
 * IPI (one per vCPU in guest mode per flush), the flushers' time in kvm_make_all_cpus_request (inside
 * their write holds), and the kicked vCPUs' exit time (kickExit each). 0 with 'tlbi-broadcast'.
 */
export const GS_IPI_KICKS = 53;
export const GS_IPI_FLUSH_NS = 54;
export const GS_KICK_EXIT_NS = 55;
/**
 * Direct reclaimers throttled on pgdat->pfmemalloc_wait (throttle_direct_reclaim: free pages <= half
 * the min watermark; PGSCAN_DIRECT_THROTTLE), and their sleep (ns).
 */
export const GS_PFMEMALLOC_THROTTLED = 56;
export const GS_PFMEMALLOC_NS = 57;
/**
 * arm64 broadcast TLB maintenance queued host-wide on the DVM Sync (arch/dvm.ts): the waits of this VM's
 * broadcasts (its unmaps' TLBIs, the reclaimer's ptep_clear_flush of the VMM's PTE, its VM-wide flushes)
 * for the broadcasts ahead of them, and the part of that wait spent inside kvm->mmu_lock's write holds
 * (which lengthens the holds). 0 with 'ipi-kick'.
 */
export const GS_DVM_WAIT_NS = 58;
export const GS_DVM_HOLD_WAIT_NS = 59;
export const GS_WORDS = 60;
/** RCU grace periods at the previous sample row, after the previous row's GS_WORDS sums (derived, so a new counter moves it). */
export const TIME_PREV_GP = TIME_PREV + GS_WORDS;
export const TIME_WORDS = TIME_PREV_GP + 8;

// Virtual MMU-lock holds (vlock.ts): two rings, the last VL_RING write holds and the last VL_RING read
// holds, each entry [arrival, start, end, kind] in ns (kind: bit 0 write, bit 1 aging/harvest); per ring
// its next slot and the latest end recorded in it.
export const VL_W_NEXT = 0;
export const VL_W_MAX_END = 1;
export const VL_R_NEXT = 2;
export const VL_R_MAX_END = 3;
export const VL_RING = 256;
export const VL_W_RING = 8;
export const VL_R_RING = VL_W_RING + VL_RING * 4;
export const VL_WORDS = VL_R_RING + VL_RING * 4;

// Lock hold/wait histograms per guest (vlock.ts): four kinds x LH_BUCKETS log2 buckets (ns).
export const LH_READ_WAIT = 0;
export const LH_WRITE_WAIT = 1;
export const LH_READ_HOLD = 2;
export const LH_WRITE_HOLD = 3;
export const LH_BUCKETS = 48;
export const LH_WORDS = 4 * LH_BUCKETS;

// Operation latency histogram per guest (opHist.ts): log-linear buckets.
export const OH_SUB = 64; //             linear sub-buckets per power of two
export const OH_EXP = 40; //             powers of two covered (up to ~1100 s)
export const OH_WORDS = OH_SUB * OH_EXP;

// ---- page flags -------------------------------------------------------------------------
export const PG_RESIDENT = 1; //  mapped in stage-2, holding a host frame
export const PG_SWAPPED = 2; //   evicted at least once: the next fault is a refault
export const PG_TOUCHED = 4; //   faulted in at least once
/**
 * Spread runs only (sim/spread.ts): the page is on the host lruvec (the kernel's PG_lru). A page a vCPU
 * mapped waits in its worker's lru_add batch (mm/lruAdd.ts), off the LRU, until the batch moves;
 * reclaim's look-around and walk must not promote it meanwhile (it is on no list). Set when the page
 * joins the LRU, cleared by eviction.
 */
export const PG_LRU = 8;
/**
 * Holding a host frame and on the host LRU but not mapped in stage-2 (PG_RESIDENT clear): a page the VMM
 * wrote before the guest ran (workload `prefault`, max_guest_memory_test's host pre-fault). The guest's
 * first touch is a stage-2 fault that maps it without allocating or swapping in (Guest.fault).
 */
export const PG_HOST = 16;
/**
 * In the swap cache, read ahead (mm/swapReadahead.ts): holding a host frame and on the host LRU, mapped
 * neither in stage-2 nor by the VMM, its data still in its swap slot (clean). PG_SWAPPED stays set. The
 * guest's fault on it maps it from the swap cache without I/O; reclaim frees it without a write.
 */
export const PG_SWAPCACHE = 32;
/**
 * The VMM's own (host, primary) PTE for this page has the accessed flag (mm/hostPte.ts). Set when the
 * vCPU's stage-2 fault installs that PTE through GUP (handle_mm_fault: do_anonymous_page, do_swap_page,
 * shmem_fault -> finish_fault; arm64's PAGE_* protections include PTE_AF), cleared by MGLRU's walk
 * (walk_pte_range), lru_gen_look_around and folio_referenced_one, and with the PTE at eviction.
 */
export const PG_HOST_YOUNG = 64;

/** Sentinel list heads after the page nodes (MGLRU uses MAX_NR_GENS of them). */
export const LIST_HEADS = 8;
export const POLICY_WORDS = 16;

export interface GuestRegions {
  /** Byte offset of the flags (one byte per page). */
  flags: number;
  /** Int32 words of the region. */
  words: number;
}

export function guestRegions(pages: number): GuestRegions {
  return { flags: 0, words: Math.ceil(pages / 4) + POLICY_WORDS };
}

/**
 * Spread runs only (plan.spread, sim/spread.ts: a VM's vCPUs on several workers around one shared host
 * node). Absent otherwise, so one-worker runs allocate and touch nothing of it.
 *   roots: Int32Array(guests)       stage-2 root table page of each guest, allocated by prepareRun before
 *                                   any worker starts (every worker walks the same stage-2)
 *   tlbs[g]: Int32Array(vcpus * entries) or null   guest g's TLBs (arch/tlb.ts), shared because its
 *                                   vCPUs run on several workers and reclaim on any worker invalidates them
 *   tlbGens: Int32Array(TLB_GENS_STRIDE * guests)  each guest's [VM-wide, stage-1] flush counts (arch/tlb.ts VmTlbFlush),
 *                                   bumped by reclaim on any worker, read by every vCPU before it translates
 *   counters[w - 1], worker w >= 1: its private copy of stats | evictBuckets | lockHist | opHist (same
 *                                   shapes as the shared ones); counters are plain Float64 adds, so two
 *                                   workers never add to one word. The serial section folds them into
 *                                   the shared ones (foldWorkerCounters) before it samples. Not folded:
 *                                   the min-watermark settlement's words (SETTLE_SLOTS), which are the
 *                                   worker's own: the clusters its vCPUs of each guest owe (GS_RECLAIM_OWED).
 *   lru: the host lruvec in shared memory (mm/sharedLru.ts): every worker's reclaim works on it under
 *                                   lru_lock (arena MMU lock number `guests`), built by prepareSpread
 *   settle: Float64Array(guests * workers * SETTLE_WORDS)  the serial section's per (guest, worker) state
 *                                   (spreadSettle.ts: vCPUs done, for settleBudgets' running vCPUs)
 *   vlocks[g]: guest g's MMU lock in virtual time, one calendar for every worker (sync/vlockShared.ts)
 *   budgets: Int32Array(workers * BUDGET_STRIDE)  worker w's frames above the min watermark at
 *                                   w * BUDGET_STRIDE (mm/hostFrames.ts): split by the serial section
 *                                   (spreadSettle.ts settleBudgets), taken and refilled by worker w (atomics;
 *                                   kswapd's frees go to every worker's, mm/hostFrames.ts putKswapd)
 *   shares: Float64Array(workers)    each worker's share of the last split (serial section / kswapd)
 */
export interface SpreadBuffers {
  roots: SharedArrayBuffer;
  tlbs: (SharedArrayBuffer | null)[];
  tlbGens: SharedArrayBuffer;
  counters: SharedArrayBuffer[];
  lru: SharedLruBuffers;
  settle: SharedArrayBuffer;
  vlocks: SharedArrayBuffer[];
  budgets: SharedArrayBuffer;
  shares: SharedArrayBuffer;
}

/**
 * Int32 words from one worker's frame budget to the next's in SpreadBuffers.budgets: each on its own
 * 64-byte line (layout.ts LINE_WORDS), as every frame take and free of that worker changes it.
 */
export const BUDGET_STRIDE = 16;

/**
 * Int32 words between two guests' flush counts in SpreadBuffers.tlbGens (2 used): every vCPU reads its
 * guest's at every access (VmTlbFlush.refill) and reclaim bumps them at every flush, so each guest's pair
 * is on its own 64-byte line (layout.ts LINE_WORDS): one guest's flushes no longer invalidate the line
 * the other guests' vCPUs read.
 */
export const TLB_GENS_STRIDE = 16;
/** Per (guest, worker) words of SpreadBuffers.settle: vCPUs done (cumulative). */
export const SETTLE_DONE = 0;
export const SETTLE_WORDS = 1;
/** Per-guest stats words that are a worker's own settlement state, never folded (foldWorkerCounters). */
const SETTLE_SLOTS = [GS_RECLAIM_OWED, GS_RECLAIM_CREDIT, GS_S2_FAULTS_AT_BARRIER];

/** Every shared buffer of one run, as posted to each worker. */
export interface SimBuffers {
  arena: SharedArrayBuffer;
  control: SharedArrayBuffer;
  time: SharedArrayBuffer;
  stats: SharedArrayBuffer;
  vlocks: SharedArrayBuffer;
  pagesI32: SharedArrayBuffer[];
  pagesF64: SharedArrayBuffer[];
  /** Eviction-precision buckets (see the layout above). */
  evictBuckets: SharedArrayBuffer;
  /** Lock hold/wait histograms, guests * LH_WORDS Float64 (vlock.ts). */
  lockHist: SharedArrayBuffer;
  /** Operation latency histograms, guests * OH_WORDS Float64 (opHist.ts). */
  opHist: SharedArrayBuffer;
  /** Trace page ids per guest (null when the guest's workload is not a trace). */
  traces: (SharedArrayBuffer | null)[];
  /** Spread runs only (see SpreadBuffers). */
  spread?: SpreadBuffers;
}

export interface SimViews {
  control: Int32Array;
  time: Float64Array;
  stats: Float64Array;
  vlocks: Float64Array;
  pagesI32: Int32Array[];
  /** Per guest: page flags, one byte per page (over pagesI32's buffer). */
  pageFlags: Uint8Array[];
  /** Per guest: virtual time of each page's last eviction. */
  pagesF64: Float32Array[];
  evictBuckets: Float64Array;
  lockHist: Float64Array;
  opHist: Float64Array;
  /** Buckets per guest in evictBuckets. */
  buckets: number;
  traces: (Uint32Array | null)[];
}

export function createSimBuffers(
  guestPages: number[],
  /** Each guest's trace buffer (run.ts: sharedBufferOf, trace/sharedIds.ts) or null. */
  traces: (SharedArrayBuffer | null)[],
  arena: SharedArrayBuffer,
  buckets: number,
): SimBuffers {
  const n = guestPages.length;
  const b: SimBuffers = {
    arena,
    control: new SharedArrayBuffer(CTL_WORDS * 4),
    time: new SharedArrayBuffer(TIME_WORDS * 8),
    stats: new SharedArrayBuffer(n * GS_WORDS * 8),
    vlocks: new SharedArrayBuffer(n * VL_WORDS * 8),
    pagesI32: guestPages.map((p) => new SharedArrayBuffer(guestRegions(p).words * 4)),
    pagesF64: guestPages.map((p) => new SharedArrayBuffer(Math.max(1, p) * 4)),
    evictBuckets: new SharedArrayBuffer(Math.max(1, n * 2 * buckets) * 8),
    lockHist: new SharedArrayBuffer(Math.max(1, n * LH_WORDS) * 8),
    opHist: new SharedArrayBuffer(Math.max(1, n * OH_WORDS) * 8),
    traces,
  };
  new Int32Array(b.control)[CTL_VERSION] = SIM_LAYOUT_VERSION;
  return b;
}

/**
 * Views of the shared buffers. `worker` >= 1 in a spread run: the counters (stats, evictBuckets,
 * lockHist, opHist) are that worker's private copies (SpreadBuffers.counters); the serial section
 * folds them into the shared ones.
 */
/** SimViews on a class map (core/ownShape.ts); `declare` fields as layout.ts ArenaViewsObject. */
class SimViewsObject implements SimViews {
  declare control: Int32Array;
  declare time: Float64Array;
  declare stats: Float64Array;
  declare vlocks: Float64Array;
  declare pagesI32: Int32Array[];
  declare pageFlags: Uint8Array[];
  declare pagesF64: Float32Array[];
  declare evictBuckets: Float64Array;
  declare lockHist: Float64Array;
  declare opHist: Float64Array;
  declare buckets: number;
  declare traces: (Uint32Array | null)[];
  constructor(v: SimViews) {
    this.control = v.control;
    this.time = v.time;
    this.stats = v.stats;
    this.vlocks = v.vlocks;
    this.pagesI32 = v.pagesI32;
    this.pageFlags = v.pageFlags;
    this.pagesF64 = v.pagesF64;
    this.evictBuckets = v.evictBuckets;
    this.lockHist = v.lockHist;
    this.opHist = v.opHist;
    this.buckets = v.buckets;
    this.traces = v.traces;
  }
}

export function attachSimViews(b: SimBuffers, worker = 0): SimViews {
  const control = new Int32Array(b.control);
  if (control[CTL_VERSION] !== SIM_LAYOUT_VERSION) {
    throw new Error(`simulation layout version ${control[CTL_VERSION]}, this build understands ${SIM_LAYOUT_VERSION}`);
  }
  const own = b.spread !== undefined && worker >= 1 ? counterViews(b, b.spread.counters[worker - 1]) : null;
  // Built as a literal once (its map is never used past this line), then copied onto the class map.
  return new SimViewsObject({
    control,
    time: new Float64Array(b.time),
    stats: own?.stats ?? new Float64Array(b.stats),
    vlocks: new Float64Array(b.vlocks),
    pagesI32: b.pagesI32.map((s) => new Int32Array(s)),
    pageFlags: b.pagesI32.map((s) => new Uint8Array(s)),
    pagesF64: b.pagesF64.map((s) => new Float32Array(s)),
    evictBuckets: own?.evictBuckets ?? new Float64Array(b.evictBuckets),
    lockHist: own?.lockHist ?? new Float64Array(b.lockHist),
    opHist: own?.opHist ?? new Float64Array(b.opHist),
    buckets: b.pagesI32.length > 0 ? Math.floor(b.evictBuckets.byteLength / 8 / (2 * b.pagesI32.length)) : 0,
    traces: b.traces.map((s) => (s ? new Uint32Array(s) : null)),
  });
}

interface CounterViews {
  stats: Float64Array;
  evictBuckets: Float64Array;
  lockHist: Float64Array;
  opHist: Float64Array;
}

/** Byte size of one worker's private counters: the shared counter buffers, back to back. */
function counterBytes(b: Pick<SimBuffers, 'stats' | 'evictBuckets' | 'lockHist' | 'opHist'>): number {
  return b.stats.byteLength + b.evictBuckets.byteLength + b.lockHist.byteLength + b.opHist.byteLength;
}

function counterViews(b: SimBuffers, sab: SharedArrayBuffer): CounterViews {
  let at = 0;
  const take = (bytes: number): Float64Array => {
    const v = new Float64Array(sab, at, bytes / 8);
    at += bytes;
    return v;
  };
  return {
    stats: take(b.stats.byteLength),
    evictBuckets: take(b.evictBuckets.byteLength),
    lockHist: take(b.lockHist.byteLength),
    opHist: take(b.opHist.byteLength),
  };
}

/**
 * Spread runs: add every worker's private counters into the shared ones and zero them (GS_CLOCK_MAX
 * is a maximum, not a sum). Only in the serial section, while every other worker waits at the barrier.
 */
export function foldWorkerCounters(b: SimBuffers): void {
  if (b.spread === undefined) return;
  const main: CounterViews = {
    stats: new Float64Array(b.stats),
    evictBuckets: new Float64Array(b.evictBuckets),
    lockHist: new Float64Array(b.lockHist),
    opHist: new Float64Array(b.opHist),
  };
  const guests = b.pagesI32.length;
  for (const sab of b.spread.counters) {
    const w = counterViews(b, sab);
    for (let g = 0; g < guests; g++) {
      const i = g * GS_WORDS + GS_CLOCK_MAX;
      if (w.stats[i] > main.stats[i]) main.stats[i] = w.stats[i];
      w.stats[i] = 0;
    }
    for (const k of ['stats', 'evictBuckets', 'lockHist', 'opHist'] as const) {
      const src = w[k];
      const dst = main[k];
      for (let i = 0; i < src.length; i++) {
        const x = src[i];
        if (x !== 0 && (k !== 'stats' || !SETTLE_SLOTS.includes(i % GS_WORDS))) {
          dst[i] += x;
          src[i] = 0;
        }
      }
    }
  }
}

/**
 * Worker w's counters as the serial section reads them: the shared stats for worker 0 (or outside a
 * spread run), worker w's private copy for w >= 1 (not yet folded).
 */
export function workerStats(b: SimBuffers, w: number): Float64Array {
  if (b.spread === undefined || w === 0) return new Float64Array(b.stats);
  return counterViews(b, b.spread.counters[w - 1]).stats;
}

/**
 * The spread run's extra buffers (SpreadBuffers); `tlbEntries[g]` = vcpus * entries of guest g's TLBs (0: no TLB).
 */
export function createSpreadBuffers(
  b: SimBuffers,
  workers: number,
  tlbEntries: number[],
  lru: SharedLruBuffers,
  vlockBytes: number,
): SpreadBuffers {
  const others = Math.max(0, workers - 1);
  return {
    lru,
    vlocks: b.pagesI32.map(() => new SharedArrayBuffer(vlockBytes)),
    settle: new SharedArrayBuffer(Math.max(1, b.pagesI32.length * workers * SETTLE_WORDS) * 8),
    roots: new SharedArrayBuffer(Math.max(1, b.pagesI32.length) * 4),
    tlbs: tlbEntries.map((n) => (n > 0 ? new SharedArrayBuffer(n * 4) : null)),
    tlbGens: new SharedArrayBuffer(Math.max(1, tlbEntries.length) * TLB_GENS_STRIDE * 4),
    counters: Array.from({ length: others }, () => new SharedArrayBuffer(counterBytes(b))),
    budgets: new SharedArrayBuffer(workers * BUDGET_STRIDE * 4),
    shares: new SharedArrayBuffer(workers * 8),
  };
}
