/**
 * Eviction from the host node (mm/vmscan.c, 6.1-6.6): shrink_node -> shrink_node_memcgs -> shrink_lruvec /
 * lru_gen_shrink_node -> evict_folios / shrink_inactive_list -> shrink_folio_list, up to nr pages, from the
 * one host lruvec or from the per-guest memcgs in proportion to their sizes (get_scan_count's proportional
 * scan: pickLruvec); each victim the policy picks (folio_referenced on the way, mm/folioReferenced.ts) is
 * unmapped and swapped out by its guest (Guest.evictOne: try_to_unmap, pageout). With an SSD, folios whose
 * swap write completed are met and freed first (endWriteback: folio_end_writeback -> __remove_mapping).
 * Pgdat.shrinkNode (kswapd's and direct reclaim's entry) comes here.
 */
import type { Lruvec, Pgdat } from './pgdat.ts';
import { SCAN_AGAIN, type Policy } from './policy/policy.ts';
import { GS_EVICTIONS, GS_KSWAPD_NS, GS_RESIDENT, GS_WORDS, PG_SWAPCACHE } from '../sim/simLayout.ts';
import type { SwapArea } from './swapReadahead.ts';
import { vclock } from '../sync/vlock.ts';
import { KSWAPD_CPU } from './swapSlots.ts';
import { finishRangeEnd } from '../kvm/unmapGfnRange.ts';

/**
 * Evict up to nr pages at virtual time t (shrink_node); sets pg.lastEvicted, returns the finish time.
 * byVcpu: direct reclaim on a vCPU's fault path; otherwise kswapd. budget: folio checks allowed in this call.
 * cpu: the reclaimer's CPU, whose swap cluster the swap-outs take their slots from (mm/swapSlots.ts).
 * unmapLimit: the scheduling limit of the reclaimer's step (kswapd's, or the faulting vCPU's). A victim whose folio_referenced ended
 * at or past it, with another actor of this worker earlier (vclock.others), is not unmapped in this call:
 * its try_to_unmap -> mmu_notifier_invalidate_range_start -> kvm_unmap_gfn_range asks kvm->mmu_lock for
 * write at that time, and the actors earlier in virtual time must book their requests first, as
 * qrwlock's wait_lock queue would serve them (kernel/locking/qrwlock.c queued_write_lock_slowpath /
 * queued_read_lock_slowpath). The call returns with pg.deferredVictim set; the reclaimer's next step
 * finishes it (evictDeferred: mm/kswapd.ts, mm/directReclaim.ts PHASE_UNMAP), as a vCPU's fault resumes
 * its map (kvm/userMemAbort.ts PHASE_MAP_LOCK). In the kernel
 * the folio stays isolated and locked in shrink_folio_list meanwhile; here it is off the LRU (pickVictim).
 * The same limit stops the call after an unmap whose range_end request (mmu_notifier_invalidate_range_end
 * -> kvm_mmu_notifier_invalidate_range_end, write) lies past it (Guest.evictOne's endLimit): pg.deferredEnd,
 * booked in the reclaimer's next step (finishDeferredEnd).
 */
export function shrinkNode(
  pg: Pgdat,
  t: number,
  nr: number,
  byVcpu: boolean,
  own: Policy | undefined,
  budget: number,
  cpu: number,
  unmapLimit = Infinity,
): number {
  pg.t = t;
  pg.deferredVictim = -1;
  pg.deferredEnd = -1;
  pg.kswapd = !byVcpu;
  pg.budget = budget;
  pg.scanAgain = false;
  pg.joinedWalk = false;
  const freed = pg.swap !== null ? endWriteback(pg, t) : 0;
  let nrFreed = freed;
  let count = 0;
  // memcg mode, direct reclaim: the faulting VM's own memcg first (a deviation, see guestShrink).
  const first = own !== undefined && pg.lruvecs.length > 1 ? pg.lruvecs.find((l) => l.policy === own) : undefined;
  while (count < nr) {
    const lv = first !== undefined && !first.skip ? first : pickLruvec(pg);
    if (lv === null) break;
    const id = lv.policy.pickVictim(pg, byVcpu);
    if (id === SCAN_AGAIN) {
      pg.scanAgain = true;
      break;
    }
    if (id < 0) {
      if (pg.lruvecs.length === 1) break;
      lv.skip = true; // nothing evictable there now: the others
      continue;
    }
    const k = pg.guestOf(id);
    const g = pg.guests[k];
    // An unused swap-cache folio's eviction takes no lock (Guest.evictOne): never deferred.
    if (pg.t >= unmapLimit && pg.t > vclock.others && (g.flags[id - pg.base[k]] & PG_SWAPCACHE) === 0) {
      pg.deferredVictim = id;
      pg.deferredFreed = nrFreed;
      nrFreed = 0;
      break;
    }
    pg.rangeEndAt = -1;
    pg.lastVictim = id;
    pg.t = g.evictOne(id - pg.base[k], pg.t, byVcpu, cpu, unmapLimit);
    // Under writeback in the swap cache (SSD): not freed, so no shadow yet (a fault finds the folio in
    // the swap cache: no workingset_refault); endWriteback frees it and leaves the shadow then.
    if ((g.flags[id - pg.base[k]] & PG_SWAPCACHE) !== 0) pg.folioFlags[id] = 0;
    else nrFreed++;
    count++;
    if (pg.rangeEndAt >= 0) {
      // The unmap is done, its range_end's write request lies past the limit (evictOne's endLimit): the
      // reclaimer books it in its next step (finishDeferredEnd), as the unmap above.
      pg.deferredEnd = id;
      pg.deferredFreed = nrFreed;
      nrFreed = 0;
      break;
    }
  }
  // kswapd's busy time (folio_referenced, unmap, swap-out) goes to the first VM of the node: only
  // the node's sum is reported (kswapdWriteWaitShare), as the seed's kswapd profile is per node.
  if (!byVcpu && pg.guests.length > 0) pg.guests[0].stats[pg.guests[0].sb + GS_KSWAPD_NS] += pg.t - t;
  for (const l of pg.lruvecs) l.skip = false;
  pg.lastEvicted = count;
  pg.lastFreed = nrFreed;
  if (count + freed > 0) pg.kswapdFailures = 0; // shrink_node: reclaim made progress
  return pg.t;
}

/**
 * A reclaimer's deferred victim (shrinkNode's unmapLimit), evicted at t, the time its unmap asks for the
 * write lock: try_to_unmap and pageout as shrinkNode would have done them (Guest.evictOne). Sets
 * lastEvicted / lastFreed as that shrinkNode call would have; returns the finish time.
 */
export function evictDeferred(
  pg: Pgdat,
  id: number,
  freed: number,
  t: number,
  byVcpu = false,
  cpu = KSWAPD_CPU,
  endLimit = Infinity,
): number {
  pg.t = t;
  pg.kswapd = !byVcpu;
  pg.scanAgain = false;
  pg.deferredVictim = -1;
  pg.deferredEnd = -1;
  const k = pg.guestOf(id);
  const g = pg.guests[k];
  pg.rangeEndAt = -1;
  pg.lastVictim = id;
  pg.t = g.evictOne(id - pg.base[k], t, byVcpu, cpu, endLimit);
  let nrFreed = freed;
  if ((g.flags[id - pg.base[k]] & PG_SWAPCACHE) !== 0) pg.folioFlags[id] = 0;
  else nrFreed++;
  if (!byVcpu && pg.guests.length > 0) pg.guests[0].stats[pg.guests[0].sb + GS_KSWAPD_NS] += pg.t - t;
  if (pg.rangeEndAt >= 0) {
    // The unmap waited past the limit: its range_end is booked in the reclaimer's next step too.
    pg.deferredEnd = id;
    pg.deferredFreed = nrFreed;
  }
  pg.lastEvicted = 1;
  pg.lastFreed = nrFreed;
  pg.kswapdFailures = 0;
  return pg.t;
}

/**
 * A reclaimer's deferred range_end (Pgdat.deferredEnd: evictOne's endLimit), booked at its request time
 * pg.rangeEndAt (kvm/unmapGfnRange.ts finishRangeEnd). Sets lastEvicted / lastFreed as the call that
 * deferred it would have (`freed`: its pg.deferredFreed); returns the eviction's finish time.
 */
export function finishDeferredEnd(
  pg: Pgdat,
  id: number,
  freed: number,
  at: number,
  start: number,
  byVcpu: boolean,
): number {
  pg.kswapd = !byVcpu;
  pg.scanAgain = false;
  pg.deferredVictim = -1;
  pg.deferredEnd = -1;
  const k = pg.guestOf(id);
  const g = pg.guests[k];
  pg.lastVictim = id;
  pg.t = finishRangeEnd(g, id - pg.base[k], at, start, byVcpu);
  if (!byVcpu && pg.guests.length > 0) pg.guests[0].stats[pg.guests[0].sb + GS_KSWAPD_NS] += pg.t - at;
  pg.lastEvicted = 1;
  pg.lastFreed = freed;
  pg.kswapdFailures = 0;
  return pg.t;
}

/**
 * A reclaim step at virtual time t that freed nothing because another reclaimer's MGLRU walk of max_seq
 * is under way at t (Policy.walkEnd): the time it is woken, the earliest such walk's inc_max_seq; +Infinity
 * when the only such walk is a pass in steps whose end is not known yet (the caller sleeps on mm_state.wait,
 * WAIT_MM_WALK, until the pass's Reclaimer.mmWalkDone, or in a spread run its worker's mmWalkSettle); or -1
 * (no walk under way, or in a one-worker run one its kswapd does not run: nothing that can wake the caller). Kernel, mm/vmscan.c 6.1-6.3: get_nr_to_scan
 * skips the lruvec at DEF_PRIORITY and DEF_PRIORITY - 1 (try_to_inc_max_seq returns false: iterate_mm_list
 * gives a caller arriving after mm_state->seq reached max_seq no mm), and from DEF_PRIORITY - 2 on
 * try_to_inc_max_seq sleeps in wait_event_killable(lruvec->mm_state.wait, max_seq < lrugen->max_seq)
 * until the last walker's inc_max_seq and wake_up_all; the next priority then evicts from the new
 * generation. The lab folds the priority descent into this: a step that found nothing anywhere on the
 * node (so the first two priorities' passes got nothing either) waits. Its callers: direct reclaim
 * (mm/directReclaim.ts allocFrame) and kswapd (mm/kswapd.ts; 6.1-6.2's lru_gen_age_node -> age_lruvec ->
 * try_to_inc_max_seq waits the same way). 6.4+ removed the wait (7f63cf2d9b9b, see mglruAging.ts).
 */
export function mmWalkWait(pg: Pgdat, t: number): number {
  let wake = -1;
  for (const l of pg.lruvecs) {
    let e = l.policy.walkEnd?.(t) ?? -1;
    // A pass in steps wakes this node's queue when this worker's kswapd runs it (its ageStep's end,
    // Reclaimer.mmWalkDone, is this Pgdat's). In a spread run (one lruvec, one mm_state.wait for every
    // worker) a pass another worker runs (worker 0's kswapd, seen from worker >= 1; a direct reclaimer's
    // inline walk seen mid-call) wakes it too: the sleeper's worker wakes it at its next quantum start
    // once the shared gate shows the pass ended (mm/reclaimThrottle.ts mmWalkSettle). A one-worker run's
    // pass run by no local kswapd has no walker to wake the caller: no sleep, the caller retries.
    if (e === Infinity && !pg.lruFlag && pg.kswapdTask?.agingPass !== l.policy) e = -1;
    if (e > t && (wake < 0 || e < wake)) wake = e;
  }
  return wake;
}

/**
 * The reclaim pass starting at t meets, at the LRU tail where folio_end_writeback ->
 * folio_rotate_reclaimable put them, the swapped-out folios whose write completed by t, and frees
 * them (shrink_folio_list -> __remove_mapping: clean, in the swap cache, no rmap walk). Entries are
 * met in submission order, stopping at the first still in flight (writes by several reclaimers
 * complete nearly in that order; a later one behind it waits for the next pass). Returns the frees.
 * Their per-folio CPU cost is not charged (as for an unused readahead folio, Guest.evictOne).
 */
function endWriteback(pg: Pgdat, t: number): number {
  const wb = (pg.swap as SwapArea).writeback;
  let n = 0;
  const held = pg.heldWriteback;
  for (const [id, done] of wb) {
    if (done > t) break;
    if (held.size > 0 && held.has(id)) continue; // isolated in a direct reclaimer's batch
    wb.delete(id);
    freeWritten(pg, id);
    n++;
  }
  return n;
}

/** A swapped-out folio whose write completed is freed: __remove_mapping (workingset_eviction's shadow). */
export function freeWritten(pg: Pgdat, id: number): void {
  const k = pg.guestOf(id);
  pg.guests[k].freeWritten(id - pg.base[k]);
  pg.lruvecOf[k].policy.evicted?.(id); // __remove_mapping -> workingset_eviction
}

/**
 * The lruvec to take the next page from: the only one, or (memcg) the one furthest behind its
 * proportional share: get_scan_count scans each memcg's lruvec in proportion to its size, so over
 * time each memcg's share of evictions follows its share of resident pages (shares over every guest
 * of the host: all workers' counters).
 */
function pickLruvec(pg: Pgdat): Lruvec | null {
  const ls = pg.lruvecs;
  if (ls.length === 1) return ls[0].skip ? null : ls[0];
  const st = pg.allStats;
  let resident = 0;
  let evicted = 0;
  for (const g of pg.unpinned) {
    resident += st[g * GS_WORDS + GS_RESIDENT];
    evicted += st[g * GS_WORDS + GS_EVICTIONS];
  }
  let best: Lruvec | null = null;
  let bestDeficit = -Infinity;
  for (const l of ls) {
    if (l.skip || l.policy.size() === 0) continue;
    const b = l.guest * GS_WORDS;
    const share = resident > 0 ? st[b + GS_RESIDENT] / resident : 0;
    const done = evicted > 0 ? st[b + GS_EVICTIONS] / evicted : 0;
    const deficit = share - done;
    if (deficit > bestDeficit) {
      bestDeficit = deficit;
      best = l;
    }
  }
  return best;
}
