/**
 * A stage-2 fault's frame allocation, in the faulting vCPU's context (mm/page_alloc.c, mm/vmscan.c,
 * 6.1-6.6): __alloc_pages' fast path (get_page_from_freelist above the low watermark), the slow path's
 * wakeup_kswapd and retry against the min watermark, then __alloc_pages_direct_reclaim ->
 * try_to_free_pages (throttle_direct_reclaim: asleep on pgdat->pfmemalloc_wait while
 * !allow_direct_reclaim) -> shrink_node, whose shrink_inactive_list may first sleep in
 * reclaim_throttle(VMSCAN_THROTTLE_ISOLATED) (too_many_isolated). A cluster of SWAP_CLUSTER_MAX
 * evictions runs one folio per step (Pgdat.directReclaimStep), and the fault suspends between steps
 * past the vCPU's scheduling limit (sim/faultSuspend.ts). Guest.fault (kvm/userMemAbort.ts) comes here
 * before it maps the page.
 *
 * On MGLRU lruvecs (lru_gen_shrink_node -> try_to_shrink_lruvec, mm/vmscan.c 6.3; 6.1-6.4 alike here) a
 * cluster is whole evict_folios batches: scan_folios isolates up to MIN_LRU_BATCH folios, shrink_folio_list
 * handles each, evict_folios' retry frees those whose swap write completed meanwhile (retryWritten), and
 * try_to_shrink_lruvec stops after a batch once sc->nr_reclaimed >= nr_to_reclaim (SWAP_CLUSTER_MAX):
 * frames freed, not folios evicted (a folio under SSD writeback is not freed by its eviction). The other
 * policies keep a cluster of SWAP_CLUSTER_MAX evictions (their shrink_lruvec is not modelled further).
 */
import type { Guest } from '../sim/guest.ts';
import {
  GS_DIRECT_RECLAIM,
  GS_PFMEMALLOC_NS,
  GS_PFMEMALLOC_THROTTLED,
  GS_PRESSURE_NS,
  GS_RECLAIM_OWED,
  GS_STALL_NS,
  GS_THROTTLED,
  GS_THROTTLE_NS,
  PG_HOST,
  PG_SWAPCACHE,
} from '../sim/simLayout.ts';
import {
  PHASE_MM_WALK,
  PHASE_NONE,
  PHASE_OWED,
  PHASE_PFMEMALLOC,
  PHASE_SHORT,
  PHASE_THROTTLED,
  PHASE_RANGE_END,
  PHASE_UNMAP,
  SUS_AT,
  SUS_BATCH,
  SUS_END_START,
  SUS_EVICTED,
  SUS_FREED,
  SUS_LEFT,
  SUS_PHASE,
  SUS_RECLAIM_NS,
  SUS_T0,
  SUS_VICTIM,
  SUS_WORDS,
  suspend,
} from '../sim/faultSuspend.ts';
import { THROTTLE_ISOLATED_NS, WAIT_ISOLATED, WAIT_MM_WALK, WAIT_PFMEMALLOC } from './reclaimThrottle.ts';
import { evictDeferred, finishDeferredEnd, mmWalkWait } from './shrinkNode.ts';
import { cpuOfVcpu } from './swapSlots.ts';
import { MIN_LRU_BATCH } from './reclaimConsts.ts';
import { lruGenNode, retryWritten, victimsOf } from './evictBatch.ts';

/** Pages one direct-reclaim or kswapd round evicts (the kernel's SWAP_CLUSTER_MAX). */
export const SWAP_CLUSTER_MAX = 32;

/**
 * The frame for vCPU `vi`'s stage-2 fault on `gfn` at virtual time t (the trap is charged here), or the
 * fault's resumption from its suspended record. Returns the time the frame is there (no frame needed for
 * a page the VMM pre-faulted or one in the swap cache), with the fault's start and reclaim time so far in
 * g.faultT0 / g.faultReclaimNs; or -1 when no frame can be had now (nothing evictable on the host node);
 * or FAULT_SUSPENDED (sim/faultSuspend.ts).
 */
export function allocFrame(g: Guest, gfn: number, t: number, vi: number, limit: number): number {
  const s = g.stats;
  const sb = g.sb;
  const sus = g.suspended;
  const o = vi * SUS_WORDS;
  let t0 = t;
  let now: number;
  let reclaimNs = 0;
  // Allocate the frame first (as KVM's fault path does, before taking mmu_lock): maybe reclaim.
  // One worker: direct reclaim when free frames are at the min watermark (reserve), decided at
  // this fault's virtual time. Several workers: the shared free count mixes the other workers'
  // virtual futures and pasts with ours, so "who finds the host at min first" would be decided by
  // which worker runs ahead in real time. Instead the fault takes any existing frame, and the
  // serial section turns the min-watermark deficit into reclaim clusters owed by the guests in
  // proportion to their faults of the quantum (spreadSettle.ts settleMinWatermark): the expected share
  // each guest pays in the one-worker interleaving, where the payer is whoever faults at min. A spread
  // run (sim/spread.ts) keeps the check at this fault: g.reserve is min, and tryTake takes from this
  // worker's budget of frames above min (mm/hostFrames.ts useBudgets), so each worker finds itself at
  // min at its own virtual time.
  // Direct reclaim (__alloc_pages_direct_reclaim -> shrink_node) runs in this vCPU's context on
  // the host node: with the host lruvec its victims may be any guest's pages.
  // A cluster (SWAP_CLUSTER_MAX evictions) runs folio by folio (Pgdat.directReclaimStep), as
  // shrink_folio_list does: each folio's MMU-lock holds are booked when the step runs, so the
  // vCPU yields between folios once past its limit and other actors' earlier requests go first.
  let phase: number;
  let left = 0;
  let evicted = 0;
  // Back from pfmemalloc_wait: straight into reclaim (throttle_direct_reclaim returned).
  let skipFreelist = false;
  // PHASE_UNMAP: the victim whose unmap this step books first (its frees so far), else -1.
  let victim = -1;
  let victimFreed = 0;
  // PHASE_RANGE_END: the victim whose range_end this step books first, else -1 (victimFreed: its frees).
  let endVictim = -1;
  let endStart = 0;
  // MGLRU: folios isolated in the cluster's current evict_folios batch (SUS_BATCH, written through).
  let batch = 0;
  const pg = g.pgdat;
  if (sus[o + SUS_PHASE] !== PHASE_NONE) {
    phase = sus[o + SUS_PHASE];
    t0 = sus[o + SUS_T0];
    reclaimNs = sus[o + SUS_RECLAIM_NS];
    left = sus[o + SUS_LEFT];
    evicted = sus[o + SUS_EVICTED];
    batch = sus[o + SUS_BATCH];
    sus[o + SUS_PHASE] = PHASE_NONE;
    now = t;
    if (phase === PHASE_PFMEMALLOC) {
      // Woken by kswapd (wake_up_all(&pgdat->pfmemalloc_wait)): wait_event_killable checks its
      // condition again; still not allow_direct_reclaim, it sleeps again (one PGSCAN_DIRECT_THROTTLE);
      // else try_to_free_pages goes on into do_try_to_free_pages: a cluster, no freelist retry first.
      s[sb + GS_PFMEMALLOC_NS] += t - sus[o + SUS_AT];
      reclaimNs += t - sus[o + SUS_AT];
      if (pg.mustThrottleDirect(now)) return sleepPfmemalloc(g, vi, t0, reclaimNs, now);
      phase = PHASE_NONE;
      skipFreelist = true;
    } else if (phase === PHASE_THROTTLED) {
      // Woken (wake_throttle_isolated) or timed out. shrink_inactive_list checks once more
      // (stalled = true): still too many, it returns having reclaimed nothing and the allocator
      // retries its freelists (the frames others freed meanwhile), else it isolates its batch.
      s[sb + GS_THROTTLE_NS] += t - sus[o + SUS_AT];
      reclaimNs += t - sus[o + SUS_AT];
      if (pg.tooManyIsolated(g.lruvec, now)) phase = PHASE_NONE;
      else {
        phase = PHASE_SHORT;
        pg.isolate();
      }
    } else if (phase === PHASE_MM_WALK) {
      // Woken by the last walker's wake_up_all(&lruvec->mm_state.wait) (Pgdat.mmWalkDone): max_seq moved,
      // wait_event_killable's condition holds, try_to_inc_max_seq returns, and the cluster goes on with
      // the new generation (mglruMmList.ts: 6.1 evicts in the same get_nr_to_scan, 6.3 at the next priority).
      reclaimNs += t - sus[o + SUS_AT];
      phase = sus[o + SUS_VICTIM];
    } else if (phase === PHASE_UNMAP) {
      // Back to the cluster at the unmap its last step stopped before. Its batch is isolated, and it
      // evicts this folio: PHASE_SHORT's "freed nothing" test cannot apply to it any more.
      victim = sus[o + SUS_VICTIM];
      victimFreed = sus[o + SUS_FREED];
      phase = PHASE_SHORT;
    } else if (phase === PHASE_RANGE_END) {
      // Back at the range_end its last step stopped before (the victim is unmapped): as PHASE_UNMAP.
      endVictim = sus[o + SUS_VICTIM];
      victimFreed = sus[o + SUS_FREED];
      endStart = sus[o + SUS_END_START];
      phase = PHASE_SHORT;
    }
  } else {
    now = t + g.s2TrapNs; // s2Fault, less pKVM's map HVC (charged in the hold: kvm/mapLocked.ts mapHoldNs)
    phase = PHASE_NONE;
    if (g.deferMin && s[sb + GS_RECLAIM_OWED] > 0) {
      s[sb + GS_RECLAIM_OWED]--;
      phase = PHASE_OWED;
      left = SWAP_CLUSTER_MAX;
      pg.isolate();
    }
  }
  for (;;) {
    if (phase === PHASE_NONE) {
      // A page the VMM pre-faulted (PG_HOST): its folio is in memory already (the memfd's page cache),
      // so hva_to_pfn finds it and nothing is allocated: no frame, no reclaim, no swap-in. So is a
      // page swap readahead brought into the swap cache (PG_SWAPCACHE, mm/swapReadahead.ts).
      if (!skipFreelist) {
        if ((g.flags[gfn] & (PG_HOST | PG_SWAPCACHE)) !== 0) break;
        // __alloc_pages: the fast path's get_page_from_freelist needs free pages above the low
        // watermark; below it the slow path wakes kswapd (wake_all_kswapds -> wakeup_kswapd) and
        // retries against the min watermark (ALLOC_WMARK_MIN): `reserve`. Only below min does the
        // fault enter direct reclaim (__alloc_pages_direct_reclaim -> try_to_free_pages -> shrink_node).
        // A spread run's worker >= 1 has no kswapd (worker 0 runs the node's one): it polls (mm/kswapd.ts).
        // The low watermark reads HostFrames.wmarkFree: the free count itself but in spread runs.
        if (pg.kswapdTask !== null && g.host.wmarkFree() <= g.host.low && pg.wakeKswapd(now)) g.yieldNow = true;
        if (g.host.tryTake(g.reserve)) break;
        // try_to_free_pages -> throttle_direct_reclaim (mm/vmscan.c, 6.1-6.6): a user task (the vCPU
        // thread: not PF_KTHREAD) sleeps on pgdat->pfmemalloc_wait while !allow_direct_reclaim (free
        // pages <= half the min watermarks), killable and without timeout: GFP_HIGHUSER_MOVABLE has
        // __GFP_FS. Not with the deferred min watermark (parallel runs whose workers own guests): there
        // the shared free count mixes workers' virtual times and dips to 0 by construction (see above).
        // One worker and spread runs check it (budgets keep the count at min or above in a quantum).
        if (!g.deferMin && !g.demandOnly && pg.mustThrottleDirect(now)) {
          s[sb + GS_PFMEMALLOC_THROTTLED]++;
          return sleepPfmemalloc(g, vi, t0, reclaimNs, now);
        }
      }
      skipFreelist = false;
      left = g.demandOnly ? 1 : SWAP_CLUSTER_MAX;
      evicted = 0;
      batch = sus[o + SUS_BATCH] = 0;
      // shrink_inactive_list: too_many_isolated -> reclaim_throttle(pgdat, VMSCAN_THROTTLE_ISOLATED):
      // asleep until another direct reclaimer finds isolation back under the limit, or HZ/50.
      if (pg.tooManyIsolated(g.lruvec, now)) {
        s[sb + GS_THROTTLED]++;
        g.throttledAt = now;
        g.throttleQueue = WAIT_ISOLATED;
        return suspend(g, vi, PHASE_THROTTLED, t0, reclaimNs, left, 0, now, now + THROTTLE_ISOLATED_NS);
      }
      phase = PHASE_SHORT;
      pg.isolate();
    }
    const before = now;
    if (endVictim >= 0) {
      now = finishDeferredEnd(pg, endVictim, victimFreed, now, endStart, true);
      endVictim = -1;
    } else if (victim >= 0) {
      now = evictDeferred(pg, victim, victimFreed, now, true, cpuOfVcpu(g.index, vi), limit);
      victim = -1;
    } else {
      now = pg.directReclaimStep(now, g.lruvec, cpuOfVcpu(g.index, vi), limit);
      if (pg.deferredVictim >= 0) {
        // folio_referenced ended past the vCPU's limit with an earlier actor: try_to_unmap's write
        // request is booked in the vCPU's next step (mm/shrinkNode.ts unmapLimit), at the check's end.
        reclaimNs += now - before;
        sus[o + SUS_VICTIM] = pg.deferredVictim;
        sus[o + SUS_FREED] = pg.deferredFreed;
        return suspend(g, vi, PHASE_UNMAP, t0, reclaimNs, left, evicted, now, now);
      }
    }
    if (pg.deferredEnd >= 0) {
      // The victim is unmapped and its range_end's write request (at `now`) lies past the vCPU's limit
      // with an earlier actor (kvm/unmapGfnRange.ts evictOne's endLimit): booked in the next step.
      reclaimNs += now - before;
      sus[o + SUS_VICTIM] = pg.deferredEnd;
      sus[o + SUS_FREED] = pg.deferredFreed;
      sus[o + SUS_END_START] = pg.rangeEndStart;
      pg.deferredEnd = -1;
      return suspend(g, vi, PHASE_RANGE_END, t0, reclaimNs, left, evicted, now, now);
    }
    reclaimNs += now - before;
    // MGLRU's direct reclaim counts frames freed (sc->nr_reclaimed) in whole batches. Evictions are counted
    // by a demand-only replay's one-eviction cluster and in parallel per-memcg runs (deferMin: there the
    // owed clusters, a lab construct, share this loop; a stated departure).
    const byFrees = phase === PHASE_SHORT && !g.demandOnly && !g.deferMin && lruGenNode(pg);
    if (pg.lastEvicted > 0) {
      s[sb + GS_DIRECT_RECLAIM]++;
      evicted++;
      if (!byFrees) left--;
    }
    if (byFrees) {
      // This step's frees: the writes it met completed at the tail (endWriteback) and its victim if not
      // under writeback. A folio isolated: the victim, or a young folio put back (scanAgain).
      left -= pg.lastFreed;
      if (pg.lastEvicted > 0 || pg.scanAgain) batch = sus[o + SUS_BATCH] = batch + 1;
      if (pg.lastEvicted > 0 && pg.swap !== null && pg.swap.writeback.has(pg.lastVictim)) {
        victimsOf(g, vi).push(pg.lastVictim);
        pg.heldWriteback.add(pg.lastVictim); // isolated until the batch's end
      }
    }
    if (pg.lastEvicted === 0 && !pg.scanAgain && pg.joinedWalk) {
      // This step joined kswapd's MGLRU walk under way and walked the mms no walker held (6.1-6.3
      // try_to_inc_max_seq -> iterate_mm_list, mm/policy/mglruAging.ts joinWalk), but kswapd is the last
      // walker: try_to_inc_max_seq returned false. The vCPU's clock is at its walk's end; the fault
      // resumes there (the cluster's next step), so the walk is the vCPU's time, not lost to a retry.
      return suspend(g, vi, phase, t0, reclaimNs, left, evicted, now, now);
    }
    if (pg.lastEvicted === 0 && !pg.scanAgain) {
      // Nothing evictable now because another reclaimer's MGLRU walk is under way at `now`: asleep on
      // lruvec->mm_state.wait until its inc_max_seq (try_to_inc_max_seq, 6.1-6.3: shrinkNode.ts
      // mmWalkWait), then the cluster goes on. Past the vCPU's limit the fault resumes there.
      const wake = mmWalkWait(pg, now);
      if (wake === Infinity) {
        // kswapd's pass runs in steps, its end not known yet: the vCPU sleeps on the queue (vcpu.ts:
        // Pgdat.throttle) until the pass's last walker wakes it at its inc_max_seq (Pgdat.mmWalkDone),
        // then resumes the cluster (PHASE_MM_WALK above). Before session 15 it retried every
        // FRAME_RETRY_NS (10 us) until the generation was there.
        g.throttledAt = now;
        g.throttleQueue = WAIT_MM_WALK;
        sus[o + SUS_VICTIM] = phase;
        return suspend(g, vi, PHASE_MM_WALK, t0, reclaimNs, left, evicted, now, Infinity);
      }
      if (wake > now) {
        reclaimNs += wake - now;
        now = wake;
        if (now >= limit) return suspend(g, vi, phase, t0, reclaimNs, left, evicted, now, now);
        continue;
      }
    }
    const nothing = pg.lastEvicted === 0 && !pg.scanAgain;
    let clusterDone = left === 0;
    if (byFrees) {
      // evict_folios' end (MIN_LRU_BATCH isolated, or nothing more to isolate): its retry, then
      // try_to_shrink_lruvec's `sc->nr_reclaimed >= nr_to_reclaim`.
      clusterDone = false;
      if (batch >= MIN_LRU_BATCH || nothing) {
        left -= retryWritten(pg, victimsOf(g, vi), now);
        batch = sus[o + SUS_BATCH] = 0;
        clusterDone = left <= 0;
      }
    }
    if (clusterDone || nothing) {
      pg.putback(); // the batch is freed or back on the LRU: NR_ISOLATED_ANON falls
      pg.snapshotRefaults(); // do_try_to_free_pages' end: snapshot_refaults (mm/vmscan.c)
      // The cluster is over: a short one that freed nothing means nothing is evictable now.
      if (phase === PHASE_SHORT && evicted === 0) {
        // The vCPU spent the trap and the reclaim that found nothing, from t0 (the fault's first step,
        // before any suspension) to `now`, in the fault: stalled, and its retry (VCpu.run,
        // FRAME_RETRY_NS) starts from `now` (g.noFrameAt), whether or not the fault was suspended
        // between two folios on the way (a scheduling artefact: the vCPU's clock must not depend on it).
        s[sb + GS_STALL_NS] += now - t0;
        s[sb + GS_PRESSURE_NS] += now - t0;
        g.noFrameAt = now;
        return -1;
      }
      phase = PHASE_NONE;
      continue;
    }
    if (now >= limit) return suspend(g, vi, phase, t0, reclaimNs, left, evicted, now, now);
  }
  g.faultT0 = t0;
  g.faultReclaimNs = reclaimNs;
  return now;
}

/**
 * Fall asleep on pgdat->pfmemalloc_wait at `now` (throttle_direct_reclaim's wait_event_killable):
 * FAULT_SUSPENDED with resumeAt +Infinity; the vCPU queues itself (Pgdat.throttle, WAIT_PFMEMALLOC)
 * and kswapd's wake_up_all sets its clock. allow_direct_reclaim woke kswapd if it slept: yield.
 */
function sleepPfmemalloc(g: Guest, vi: number, t0: number, reclaimNs: number, now: number): number {
  if (g.pgdat.wokeKswapd) {
    g.pgdat.wokeKswapd = false;
    g.yieldNow = true;
  }
  g.throttledAt = now;
  g.throttleQueue = WAIT_PFMEMALLOC;
  return suspend(g, vi, PHASE_PFMEMALLOC, t0, reclaimNs, 0, 0, now, Infinity);
}
