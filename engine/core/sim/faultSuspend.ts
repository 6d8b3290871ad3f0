/**
 * A vCPU's stage-2 fault suspended between two scheduler steps, and its resumable record: the fault
 * sleeps (reclaim_throttle, throttle_direct_reclaim's pfmemalloc_wait), or stops between two folios of
 * its direct reclaim (shrink_folio_list, one folio per step), or before user_mem_abort's read_lock of
 * kvm->mmu_lock after the swap-in (so the hold is booked in virtual-time order). The fault returns
 * FAULT_SUSPENDED; the vCPU calls Guest.fault again for the same gfn at Guest.resumeAt, and the fault
 * (kvm/userMemAbort.ts, mm/directReclaim.ts) picks up from the record: SUS_WORDS doubles per vCPU in
 * Guest.suspended.
 */
import type { Guest } from './guest.ts';

/** Guest.fault's result when its direct reclaim stopped between two folios (see fault). */
export const FAULT_SUSPENDED = -2;
/** A vCPU's fault suspended in direct reclaim: doubles per vCPU in Guest.suspended. */
export const SUS_PHASE = 0; //      PHASE_*
export const SUS_T0 = 1; //         the fault's start (the trap)
export const SUS_RECLAIM_NS = 2; // reclaim time so far
export const SUS_LEFT = 3; //       evictions left in the cluster (MGLRU: frames still to free, mm/directReclaim.ts)
export const SUS_EVICTED = 4; //    evictions of the cluster so far
export const SUS_AT = 5; //         when it stopped (throttled: when it fell asleep)
export const SUS_SAMPLE = 6; //     PHASE_MAP_LOCK: when user_mem_abort read kvm->mmu_invalidate_seq (mmu_seq)
export const SUS_VICTIM = 7; //     PHASE_UNMAP: the folio whose unmap is booked on resumption (node page id)
export const SUS_FREED = 8; //      PHASE_UNMAP / PHASE_RANGE_END: the step's frees (PHASE_RANGE_END: with the victim)
export const SUS_END_START = 9; //  PHASE_RANGE_END: the victim's unmap hold's start (SUS_AT: range_end's request)
export const SUS_BATCH = 10; //     MGLRU: folios isolated in the cluster's evict_folios batch so far
export const SUS_WORDS = 11;
/**
 * No cluster in progress / a cluster owed to the min watermark (deferMin) / one for a frame now /
 * asleep in reclaim_throttle(VMSCAN_THROTTLE_ISOLATED) before isolating a cluster's batch.
 */
export const PHASE_NONE = 0;
export const PHASE_OWED = 1;
export const PHASE_SHORT = 2;
export const PHASE_THROTTLED = 3;
/**
 * The frame is in and mapped; the fault's read hold of kvm->mmu_lock (user_mem_abort after
 * __kvm_faultin_pfn's swap-in sleep) is booked when the vCPU resumes at SUS_AT. SUS_LEFT: 1 for a refault.
 */
export const PHASE_MAP_LOCK = 4;
/**
 * Asleep in throttle_direct_reclaim on pgdat->pfmemalloc_wait (try_to_free_pages' first step), until
 * kswapd wakes the queue (Pgdat.kswapdShrunk / kswapdSleeps); SUS_AT: when it (last) fell asleep.
 */
export const PHASE_PFMEMALLOC = 5;
/**
 * Direct reclaim chose a victim (its folio_referenced ended past the vCPU's limit) and stops before
 * its unmap's write request of kvm->mmu_lock (mm/shrinkNode.ts unmapLimit): the unmap is booked in
 * the vCPU's next step, once earlier actors booked theirs; the cluster then goes on (mm/directReclaim.ts).
 */
export const PHASE_UNMAP = 6;
/**
 * Direct reclaim unmapped a victim (SUS_VICTIM) and stops before its mmu_notifier_invalidate_range_end
 * write request, which lay past the vCPU's limit (kvm/unmapGfnRange.ts evictOne's endLimit): range_end
 * is booked in the vCPU's next step (shrinkNode.ts finishDeferredEnd), then the cluster goes on.
 */
export const PHASE_RANGE_END = 7;
/**
 * Asleep on MGLRU's lruvec->mm_state.wait (try_to_inc_max_seq's wait_event_killable, mm/vmscan.c 6.1-6.3)
 * until kswapd's aging pass, running in steps, opens the new generation (Pgdat.mmWalkDone); then the
 * cluster goes on (mm/directReclaim.ts). SUS_AT: when it fell asleep; SUS_VICTIM: the cluster's phase.
 */
export const PHASE_MM_WALK = 8;

/**
 * Record vCPU `vi`'s fault as suspended in `phase` at `at` (its resumable state: the fault's start t0,
 * the reclaim time so far, the direct-reclaim batch's pages left and evicted); the vCPU's step ends and
 * it resumes at `resumeAt` (+Infinity: until woken). Returns FAULT_SUSPENDED.
 */
export function suspend(
  g: Guest,
  vi: number,
  phase: number,
  t0: number,
  reclaimNs: number,
  left: number,
  evicted: number,
  at: number,
  resumeAt: number,
): number {
  const o = vi * SUS_WORDS;
  const sus = g.suspended;
  sus[o + SUS_PHASE] = phase;
  sus[o + SUS_T0] = t0;
  sus[o + SUS_RECLAIM_NS] = reclaimNs;
  sus[o + SUS_LEFT] = left;
  sus[o + SUS_EVICTED] = evicted;
  sus[o + SUS_AT] = at;
  g.resumeAt = resumeAt;
  return FAULT_SUSPENDED;
}

/**
 * Suspend vCPU `vi`'s fault before user_mem_abort's read_lock, to book the map's read hold in its next
 * step (PHASE_MAP_LOCK), once earlier actors of this worker have booked theirs.
 */
export function suspendForMapLock(
  g: Guest,
  vi: number,
  t0: number,
  reclaimNs: number,
  refault: boolean,
  now: number,
  sample: number,
): number {
  // SUS_LEFT carries `refault` in this phase; SUS_SAMPLE when mmu_seq was read.
  g.suspended[vi * SUS_WORDS + SUS_SAMPLE] = sample;
  return suspend(g, vi, PHASE_MAP_LOCK, t0, reclaimNs, refault ? 1 : 0, 0, now, now);
}
