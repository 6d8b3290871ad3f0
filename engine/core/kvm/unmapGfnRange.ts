/**
 * Host reclaim taking one page off a VM (mm/rmap.c try_to_unmap_one -> the mmu notifier ->
 * virt/kvm/kvm_main.c kvm_mmu_notifier_invalidate_range_start / _end, v6.1-v6.6): kvm_unmap_gfn_range
 * under kvm->mmu_lock for write (arch/arm64/kvm/mmu.c: stage2_unmap_walker, its TLBIs and CMO; x86:
 * kvm_flush_remote_tlbs in the same hold), the second write hold of invalidate_range_end
 * (kvm_mmu_invalidate_end), then the page's swap-out (mm/vmscan.c pageout: zram inline, or an SSD's
 * add_to_swap + swap_writepage leaving the folio in the swap cache under writeback). The hold figures
 * are shared with the trace replay's copy of this path (sim/replayMmu.ts). Guest.evictOne comes here.
 */
import type { Guest } from '../sim/guest.ts';
import { writeLock, writeUnlock } from './mmuLock.ts';
import { stage2Unmap } from '../arch/pgtable.ts';
import { C_CMPXCHG, C_LOCK_ACQUIRE, C_TLB_INVALIDATE } from '../sim/costs.ts';
import { SSD_SWAP_WRITE_NS } from '../mm/swap.ts';
import { KSWAPD_CPU } from '../mm/swapSlots.ts';
import {
  GS_DVM_HOLD_WAIT_NS,
  GS_DVM_WAIT_NS,
  GS_EVICTIONS,
  GS_KSWAPD_WRITE_WAIT_NS,
  GS_LOCK_HOLD_NS,
  GS_LOCK_WAIT_AGING_NS,
  GS_LOCK_WAIT_NS,
  GS_RESIDENT,
  GS_TLBI,
  GS_WB_PAGES,
  PG_HOST,
  PG_HOST_YOUNG,
  PG_LRU,
  PG_RESIDENT,
  PG_SWAPCACHE,
  PG_SWAPPED,
  PG_SWAPSLOT,
} from '../sim/simLayout.ts';
import { clearPageFlags, setPageFlags, updatePageFlags } from '../mm/pageFlags.ts';
import { PAGE } from './userMemAbort.ts';
import { extendHold } from '../arch/dvm.ts';
import { el2Section } from './hypLock.ts';
import { vclock } from '../sync/vlock.ts';

/**
 * The unmap's TLB maintenance: kvm_unmap_gfn_range -> stage2_unmap_walker -> __kvm_tlb_flush_vmid_ipa,
 * inside the write hold: TLBI IPAS2E1IS + DSB ISH, then TLBI VMALLE1IS + DSB ISH ("the whole of
 * Stage-1", the VA being unknown): two broadcast invalidates with their completion, each the DVM round
 * trip tlbInvalidate stands for (estimate: the VMID-wide stage-1 one costs the same as the per-IPA one).
 */
export const UNMAP_TLBIS = 2;

/**
 * Write-hold of one page's unmap (Guest.evictOne and the replay's copy of it share this): the PTE
 * clear, the TLBIs, and without FEAT_S2FWB stage2_unmap_walker's dcache_clean_inval_poc of the page
 * (cmoNs: s2CmoNs), all inside kvm_unmap_gfn_range's write hold. hvcNs (Guest.unmapHvcNs, sim/costs.ts
 * unmapHvcNs): under pKVM (mainline 6.14+) the unmap is a hypercall, kvm_unmap_gfn_range ->
 * pkvm_pgtable_stage2_unmap -> __pkvm_pgtable_stage2_unshare -> kvm_call_hyp_nvhe(__pkvm_host_unshare_guest)
 * once per pkvm_mapping (one page here), and the PTE clear, TLBIs and CMO run at EL2
 * (__pkvm_host_unshare_guest -> kvm_pgtable_stage2_unmap on the hyp VM's table); its round trip is in
 * the hold too. 0 elsewhere.
 */
export function unmapHoldNs(c: Float64Array, cmoNs: number, hvcNs = 0): number {
  return c[C_LOCK_ACQUIRE] + hvcNs + c[C_CMPXCHG] + UNMAP_TLBIS * c[C_TLB_INVALIDATE] + cmoNs;
}

/**
 * Write-hold of the second half of one folio's unmap: try_to_unmap_one brackets its PTE clear with
 * mmu_notifier_invalidate_range_start / _end, and KVM's kvm_mmu_notifier_invalidate_range_end
 * (virt/kvm/kvm_main.c, v6.1-v6.6) goes through __kvm_handle_hva_range with handler kvm_null_fn and
 * on_lock kvm_mmu_invalidate_end: for the memslot covering the hva it takes KVM_MMU_LOCK (write_lock
 * on arm64) again, bumps mmu_invalidate_seq and decrements mmu_invalidate_in_progress, and unlocks.
 * So every folio try_to_unmap takes off a VM costs two write holds, never batched across folios
 * (shrink_folio_list batches only the primary MMU's TLB flush: TTU_BATCH_FLUSH, try_to_unmap_flush).
 * The hold is the acquire/release and two stores on lines the lock's owner has just written: the
 * lockAcquire estimate, nothing added.
 */
export function invalidateEndHoldNs(c: Float64Array): number {
  return c[C_LOCK_ACQUIRE];
}

/**
 * The reclaimer's flush of the VMM's own PTE between the two write holds of one folio's unmap, outside
 * kvm->mmu_lock. try_to_unmap_one (mm/rmap.c, v6.1-v6.4) clears the PTE with ptep_clear_flush unless
 * should_defer_flush says the architecture batches it (CONFIG_ARCH_WANT_BATCHED_UNMAP_TLB_FLUSH). arm64
 * did not select that in the seed-era kernels: "arm64: support batched/deferred tlb shootdown during page
 * reclamation/migration" was still in review after v6.4's merge window (v10,
 * lore.kernel.org/r/20230518065934.12877-3-yangyicong@huawei.com, the series tlbInvalidate's source
 * takes its figures from) and was merged in a later 6.x. So every folio taken off a VM costs its
 * reclaimer ptep_clear_flush -> pte_accessible (the PTE is valid: the VMM's fault mapped it) ->
 * flush_tlb_page: DSB ISHST, TLBI VALE1IS, DSB ISH (no second TLBI: Neoverse N1 needs no KPTI). The
 * published per-call ptep_clear_flush figures in tlbInvalidate's source measure exactly this operation,
 * so tlbInvalidate is its cost (the same estimate). It lies inside mmu_invalidate_in_progress (between
 * invalidate_range_start and _end), so it also lengthens the window in which the VM's faults on the
 * page retry. x86 ('ipi-kick' hardware) defers it: arch_tlbbatch_should_defer when the VMM's mm has run
 * on other CPUs, one flush per shrink_folio_list batch (try_to_unmap_flush); that deferred flush is not
 * charged (0 here).
 */
export function hostUnmapFlushNs(c: Float64Array, ipiKick: boolean): number {
  return ipiKick ? 0 : c[C_TLB_INVALIDATE];
}

/**
 * Host reclaim evicts this guest's page gfn at time t: try_to_unmap -> mmu notifier
 * invalidate_range_start -> kvm_unmap_gfn_range under kvm->mmu_lock for write, TLB invalidate,
 * swap-out, frame freed. byVcpu: direct reclaim (its lock wait is a vCPU's wait), else kswapd; cpu:
 * the reclaimer's CPU (mm/swapSlots.ts: the swap slot comes from its cluster). endLimit: the reclaimer's
 * scheduling limit; a range_end request at or past it with an earlier actor (vclock.others) is left to
 * the caller's next step (returns that request's time, g.pgdat.rangeEndAt set; finishRangeEnd books it).
 */
export function evictOne(
  g: Guest,
  gfn: number,
  t: number,
  byVcpu: boolean,
  cpu = KSWAPD_CPU,
  endLimit = Infinity,
): number {
  const s = g.stats;
  const sb = g.sb;
  const c = g.costs;
  if ((g.flags[gfn] & PG_SWAPCACHE) !== 0) {
    // An unused readahead folio (mm/swapReadahead.ts): mapped nowhere, so try_to_unmap and the mmu
    // notifier have nothing to do, and clean (its data is still in its swap slot), so no pageout:
    // __remove_mapping drops it from the swap cache and the frame is freed. Not a swap-out: no write,
    // no eviction counted; the page keeps its slot and its original eviction time. Its CPU cost
    // (a few hundred ns, as the other per-folio bookkeeping of shrink_folio_list) is not charged.
    clearPageFlags(g.flags, gfn, PG_SWAPCACHE | PG_LRU);
    g.swapArea?.fromCache(g.idBase + gfn);
    s[sb + GS_RESIDENT]--;
    g.host.put(1);
    return t;
  }
  // A page only the VMM mapped (PG_HOST, pre-faulted, never touched by the guest): the notifier's
  // kvm_unmap_gfn_range still takes the write lock (the memslot covers the hva), but
  // stage2_unmap_walker finds no valid leaf: no PTE cleared, no TLBI.
  const mapped = (g.flags[gfn] & PG_HOST) === 0;
  // x86 ('ipi-kick'): the zap has no broadcast invalidate; kvm_unmap_gfn_range returns flush and
  // kvm_handle_hva_range (flush_on_ret) calls kvm_flush_remote_tlbs inside the same write hold.
  const ipi = mapped && g.kick !== null;
  const hold = !mapped
    ? c[C_LOCK_ACQUIRE]
    : ipi
      ? c[C_LOCK_ACQUIRE] + c[C_CMPXCHG] + g.cmoNs + g.flushRemoteTlbs(t, !byVcpu)
      : unmapHoldNs(c, g.cmoNs, g.unmapHvcNs);
  const start = g.vlock.write(t, hold, false);
  s[sb + GS_LOCK_WAIT_NS] += start - t;
  if (byVcpu) s[sb + GS_LOCK_WAIT_AGING_NS] += g.vlock.agingWaitNs;
  else s[sb + GS_KSWAPD_WRITE_WAIT_NS] += start - t;
  writeLock(g.lock);
  if (mapped) stage2Unmap(g.pgt, gfn * PAGE, PAGE);
  writeUnlock(g.lock);
  let unmapEnd = start + hold;
  s[sb + GS_LOCK_HOLD_NS] += hold;
  const dvm = g.dvm;
  if (mapped && dvm !== null) {
    // __kvm_tlb_flush_vmid_ipa's two TLBI + DSB ISH, issued once the PTE is cleared, queue on the host's
    // DVM Sync behind the broadcasts other reclaimers have in flight (arch/dvm.ts); the wait lengthens
    // this write hold. The CMO (g.cmoNs) follows them (stage2_unmap_walker). Under pKVM they run inside
    // __pkvm_host_unshare_guest: the HVC's round trip (g.unmapHvcNs) is placed before them (its return
    // after the CMO is the smaller part: an approximation of the order, not of the hold).
    const tlbi = c[C_TLB_INVALIDATE];
    // pKVM (6.14+): __pkvm_host_unshare_guest's critical section at EL2 under host_lock_component (host-wide)
    // and the VM's guest_lock_component (kvm/hypLock.ts): the leaf lookup (el2LookupNs, carved from the HVC),
    // the PTE clear, the two TLBI + DSB ISH and the CMO. Waiting for another VM's share or unshare to
    // release host_mmu.lock delays the TLBIs, and the DVM Sync wait below is spent holding both EL2 locks.
    const host = g.hypHostLock;
    const guest = g.hypGuestLock;
    let el2Wait = 0;
    let el2End = 0;
    if (host !== null && guest !== null) {
      const el2 = g.el2LookupNs + c[C_CMPXCHG] + UNMAP_TLBIS * tlbi + g.cmoNs;
      const el2Issue = start + c[C_LOCK_ACQUIRE] + g.unmapHvcNs - g.el2LookupNs;
      el2Wait = el2Section(host, guest, el2Issue, el2);
      el2End = el2Issue + el2Wait + el2;
    }
    const issue = start + c[C_LOCK_ACQUIRE] + g.unmapHvcNs + c[C_CMPXCHG] + el2Wait;
    const wait = dvm.broadcasts(issue, tlbi, UNMAP_TLBIS) - (issue + UNMAP_TLBIS * tlbi);
    if (wait > 0) {
      s[sb + GS_DVM_WAIT_NS] += wait;
      s[sb + GS_DVM_HOLD_WAIT_NS] += wait;
      if (host !== null && guest !== null) {
        host.extend(el2End, wait);
        guest.extend(el2End, wait);
      }
    }
    if (wait + el2Wait > 0) {
      s[sb + GS_LOCK_HOLD_NS] += wait + el2Wait;
      unmapEnd = extendHold(g.vlock, dvm, unmapEnd, wait + el2Wait, true, false);
    }
  }
  if (ipi) {
    if (g.tlbs !== null) g.tlbs.invalidate(gfn); // flushRemoteTlbs emptied every vCPU's TLB
  } else if (mapped) {
    if (g.tlbs !== null) g.tlbs.invalidate(gfn);
    g.tlbFlush.flushStage1(); // every vCPU of this VM re-walks its stage-1 next (arch/tlb.ts)
    s[sb + GS_TLBI] += UNMAP_TLBIS;
  }
  // try_to_unmap_one clears the VMM's own PTE (arm64, v6.1-v6.4: ptep_clear_flush, a synchronous TLBI
  // + DSB; x86: deferred to try_to_unmap_flush, not charged: hostUnmapFlushNs), then
  // mmu_notifier_invalidate_range_end: the second write hold (invalidateEndHoldNs).
  let flushed = unmapEnd + hostUnmapFlushNs(c, g.kick !== null);
  if (dvm !== null) {
    // flush_tlb_page's DSB ISH queues on the DVM Sync too (arch/dvm.ts), outside the lock; for a page
    // only the VMM mapped as well (its PTE is valid: hostUnmapFlushNs).
    const done = dvm.broadcast(unmapEnd, c[C_TLB_INVALIDATE]);
    s[sb + GS_DVM_WAIT_NS] += done - flushed;
    flushed = done;
  }
  if (flushed >= endLimit && flushed > vclock.others) {
    // range_end's write request lies past the reclaimer's scheduling limit (the unmap waited, or the
    // step ran up to its limit): booked in the reclaimer's next step (finishRangeEnd), once the actors
    // earlier in virtual time have booked theirs, as qrwlock's queue would serve them. The eviction's
    // bookkeeping is done now with range_end granted at once (its earliest end); finishRangeEnd moves
    // what depends on its end if it waits.
    const pg = g.pgdat;
    pg.rangeEndAt = flushed;
    pg.rangeEndStart = start;
    const early = flushed + invalidateEndHoldNs(c);
    if (afterRangeEnd(g, gfn, start, unmapEnd, early, cpu) === early && g.swapOutNs > 0) cleanEnds(g).add(gfn);
    return flushed;
  }
  return afterRangeEnd(g, gfn, start, unmapEnd, invalidateEnd(g, flushed, byVcpu), cpu);
}

/**
 * kvm_mmu_notifier_invalidate_range_end for the folio `gfn` whose unmap held the write lock from
 * `start` (evictOne stopped before it: Pgdat.rangeEndAt), asked at `at`: the write hold booked now,
 * then mmu_invalidate_in_progress's period and the swap write's completion moved to its actual end if
 * it waited. Returns the eviction's finish time, as evictOne would have.
 */
export function finishRangeEnd(g: Guest, gfn: number, at: number, start: number, byVcpu: boolean): number {
  const early = at + invalidateEndHoldNs(g.costs);
  const end = invalidateEnd(g, at, byVcpu);
  if (end !== early) {
    g.mmuInvalidate.invalidate(start, end);
    const area = g.swapArea;
    if (area !== null) {
      // Still under the writeback evictOne submitted (not refaulted nor freed meanwhile): it completes
      // from the actual end.
      const id = g.idBase + gfn;
      if (area.writeback.get(id) === early + g.swapOutNs + SSD_SWAP_WRITE_NS)
        area.writeback.set(id, end + g.swapOutNs + SSD_SWAP_WRITE_NS);
    }
  }
  // A clean swap-cache folio's eviction (afterRangeEnd) submitted no write: no swap-out to pay.
  return cleanEnds(g).delete(gfn) ? end : end + g.swapOutNs;
}

/**
 * Per guest, the gfns whose eviction evictOne left with range_end deferred and which needed no swap-out (a
 * clean private-anon swap-cache folio): finishRangeEnd then returns its end without swapOutNs. Empty but
 * between those two calls.
 */
const deferredClean = new WeakMap<Guest, Set<number>>();
function cleanEnds(g: Guest): Set<number> {
  let s = deferredClean.get(g);
  if (s === undefined) {
    s = new Set();
    deferredClean.set(g, s);
  }
  return s;
}

/**
 * An eviction's bookkeeping once its range_end ended at `end` (evictOne, finishRangeEnd): the
 * invalidation's period, the page's flags and eviction records, the swap-out. Returns its finish time.
 */
function afterRangeEnd(g: Guest, gfn: number, start: number, unmapEnd: number, end: number, cpu: number): number {
  const s = g.stats;
  const sb = g.sb;
  // mmu_invalidate_in_progress from the unmap's hold to range_end's; mmu_invalidate_seq++ at the latter.
  g.mmuInvalidate.invalidate(start, end);
  const old = updatePageFlags(g.flags, gfn, PG_RESIDENT | PG_LRU | PG_HOST | PG_HOST_YOUNG | PG_SWAPSLOT, PG_SWAPPED);
  g.evictedAt[gfn] = unmapEnd;
  g.evictBuckets[g.bucketOf(unmapEnd)]++;
  s[sb + GS_EVICTIONS]++;
  const area = g.swapArea;
  if (area !== null) {
    const id = g.idBase + gfn;
    if ((old & PG_SWAPSLOT) !== 0) {
      // A clean private-anon folio still in the swap cache (mm/swapIn.ts keepsSwapSlot). shrink_folio_list
      // (mm/vmscan.c, read in 6.3): folio_test_swapcache, so no add_to_swap; try_to_unmap put the swap
      // entry back in the PTE (try_to_unmap_one: swap_duplicate); the PTE was never dirty, so
      // !folio_test_dirty: no pageout, no write; __remove_mapping -> __delete_from_swap_cache and
      // put_swap_folio free the folio, the slot staying with the swap PTE's count. The frame is free now,
      // as zram's; the reclaimer pays no swap-out (swapOutNs is add_to_swap + the bio's submission).
      area.fromCache(id);
      s[sb + GS_RESIDENT]--;
      g.host.put(1);
      return end;
    }
    // A block device (mm/swap.ts): add_to_swap gives the page a slot from the reclaimer's CPU's swap
    // cluster (mm/swapSlots.ts) and puts the folio in the swap cache; pageout -> swap_writepage submits the
    // write. The folio keeps its frame under writeback until reclaim meets it written (Pgdat.endWriteback).
    // A private-anon folio written since a swap-in that kept its slot is in the swap cache already
    // (folio_test_swapcache: no add_to_swap) and dirty (try_to_unmap moved the PTE's dirty bit): pageout
    // writes its own slot. Its cost stays swapOutNs (the add_to_swap share, a few hundred ns of that 2 us
    // estimate, is not split out).
    if (area.holds(id)) area.fromCache(id);
    else area.alloc(id, cpu);
    setPageFlags(g.flags, gfn, PG_SWAPCACHE);
    area.writeback.set(id, end + g.swapOutNs + SSD_SWAP_WRITE_NS);
    s[sb + GS_WB_PAGES]++;
    return end + g.swapOutNs;
  }
  // zram: zram_write_page compresses inline (SWP_SYNCHRONOUS_IO), the write is over and the frame freed.
  s[sb + GS_RESIDENT]--;
  g.host.put(1);
  return end + g.swapOutNs;
}

/**
 * kvm_mmu_notifier_invalidate_range_end for one folio's unmap, asked at time t by its reclaimer
 * (byVcpu: direct reclaim, else kswapd): KVM_MMU_LOCK for write around kvm_mmu_invalidate_end
 * (invalidateEndHoldNs). Returns when the hold ends. The real rwlock is not taken: nothing in the
 * lab's tables changes under it (mmu_invalidate_seq is evictOne's record: kvm/mmuInvalidate.ts).
 */
function invalidateEnd(g: Guest, t: number, byVcpu: boolean): number {
  const s = g.stats;
  const sb = g.sb;
  const hold = invalidateEndHoldNs(g.costs);
  // In progress since the unmap's hold (kvm_mmu_invalidate_begin): the shared calendar's record of
  // this hold spans from its request, the unmap's end (VLock.writeMeets, mmu_invalidate_retry).
  g.vlock.spanFromArrival = true;
  const start = g.vlock.write(t, hold, false);
  g.vlock.spanFromArrival = false;
  s[sb + GS_LOCK_WAIT_NS] += start - t;
  if (byVcpu) s[sb + GS_LOCK_WAIT_AGING_NS] += g.vlock.agingWaitNs;
  else s[sb + GS_KSWAPD_WRITE_WAIT_NS] += start - t;
  s[sb + GS_LOCK_HOLD_NS] += hold;
  return start + hold;
}
