/**
 * Per-guest counters, GS_WORDS Float64 words per guest (part of the simulation's layout,
 * sim/simLayout.ts, which re-exports this file). The lab's own counters; where one counts what a
 * kernel event counts (wakeup_kswapd, reclaim_throttle, kvm_flush_remote_tlbs, ...), it names it below.
 *
 * stats: Float64Array(guests * GS_WORDS), guest g's counters at g * GS_WORDS (owner writes; the serial
 *   section also writes GS_RECLAIM_OWED, GS_RECLAIM_CREDIT, GS_S2_FAULTS_AT_BARRIER, while every worker waits).
 */

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
