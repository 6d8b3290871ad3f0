/**
 * The stage-2 fault paths of one VM's vCPU (arch/arm64/kvm/mmu.c, v6.1-v6.6: kvm_handle_guest_abort):
 * - userMemAbort: user_mem_abort for a page not mapped: mmu_invalidate_seq read, __kvm_faultin_pfn
 *   (the frame: allocation and maybe direct reclaim, mm/directReclaim.ts; the swap-in, mm/swapIn.ts),
 *   then read_lock(&kvm->mmu_lock), mmu_invalidate_retry and kvm_pgtable_stage2_map (kvm/mapLocked.ts);
 * - afFault, permFault (handle_access_fault; user_mem_abort's permission-fault path, a write to a leaf a
 *   read fault mapped read-only, which the lab's shmem-backed guests never have: kvm/faultinWritable.ts):
 *   kvm/protFaults.ts.
 * Each takes the vCPU's virtual time and returns the time it finished. Guest.fault comes here.
 * Under pKVM (mainline 6.14+, commit fce886a60207 "Plumb the pKVM MMU in KVM") user_mem_abort takes the
 * lock through kvm_fault_lock (arch/arm64/include/asm/kvm_mmu.h): write_lock(&kvm->mmu_lock) when
 * is_protected_kvm_enabled(), read_lock otherwise, and the map / relax is a hypercall at EL2
 * (pkvm_pgtable_stage2_map -> __pkvm_host_share_guest; pkvm_pgtable_stage2_relax_perms ->
 * __pkvm_host_relax_perms_guest, arch/arm64/kvm/pkvm.c) inside that hold: faultLock, Guest.faultWrite,
 * Guest.mapHvcNs.
 */
import type { Guest } from '../sim/guest.ts';
import type { LeafAttrs } from '../arch/descriptor.ts';
import { readLock, readUnlock } from './mmuLock.ts';
import { EAGAIN, stage2GetLeaf, stage2Map } from '../arch/pgtable.ts';
import { rcuPoll } from '../sync/rcu.ts';
import { mmuSeqAt } from './mmuInvalidate.ts';
import {
  GS_COLD,
  GS_LOCK_HOLD_NS,
  GS_LOCK_WAIT_AGING_NS,
  GS_LOCK_WAIT_NS,
  GS_PRESSURE_NS,
  GS_REFAULTS,
  GS_REFAULTS_IN_WINDOW,
  GS_RESIDENT,
  GS_S2_FAULTS,
  GS_STALL_NS,
  PG_HOST,
  PG_HOST_YOUNG,
  PG_LRU,
  PG_RESIDENT,
  PG_SWAPCACHE,
  PG_SWAPPED,
  PG_SWAPSLOT,
  PG_TOUCHED,
} from '../sim/simLayout.ts';
import { vclock } from '../sync/vlock.ts';
import { updatePageFlags } from '../mm/pageFlags.ts';
import {
  PHASE_MAP_LOCK,
  PHASE_NONE,
  SUS_LEFT,
  SUS_PHASE,
  SUS_RECLAIM_NS,
  SUS_SAMPLE,
  SUS_T0,
  SUS_WORDS,
  suspendForMapLock,
} from '../sim/faultSuspend.ts';
import { allocFrame } from '../mm/directReclaim.ts';
import { keepsSwapSlot, swapIn } from '../mm/swapIn.ts';
import { readFaultWritable } from './faultinWritable.ts';
import { faultLock, mapHoldNs } from './mapLocked.ts';
import { faultinMarks } from './faultinMarks.ts';

export const PAGE = 4096;
/** Guest.map: another vCPU (on another worker, spread runs) mapped the gfn first. */
const MAPPED_BY_OTHER = 1;

function map(g: Guest, gfn: number, attrs: LeafAttrs): number {
  readLock(g.lock);
  let r: number;
  for (;;) {
    r = stage2Map(g.pgt, gfn * PAGE, PAGE, g.frameBase + gfn, attrs, { shared: true });
    if (r !== EAGAIN) break;
    // EAGAIN on a valid leaf: a vCPU on another worker mapped this gfn first (spread runs; the
    // kernel's !stage2_pte_needs_update spurious fault). Otherwise a racing writer holds the entry.
    if (stage2GetLeaf(g.pgt, gfn * PAGE) >= 0) {
      r = MAPPED_BY_OTHER;
      break;
    }
  }
  readUnlock(g.lock);
  return r;
}

/**
 * Stage-2 fault on `gfn` by vCPU `vi` at virtual time t (the trap is charged here). Returns the
 * finish time; or -1 when no frame can be had now (nothing evictable on the host node): the vCPU
 * retries later, after kswapd had a chance to run; or FAULT_SUSPENDED when its direct reclaim
 * stopped between two folios at a time >= limit (the vCPU's scheduling limit, simCore.ts), or when
 * the frame was ready (swap-in, readahead wait, allocation) at or past limit, before the read hold
 * of kvm->mmu_lock is booked (PHASE_MAP_LOCK): the time is in `resumeAt`, and the vCPU calls fault
 * again for the same gfn at that time to go on.
 */
export function userMemAbort(g: Guest, gfn: number, write: boolean, t: number, vi = 0, limit = Infinity): number {
  const s = g.stats;
  const sb = g.sb;
  const c = g.costs;
  const sus = g.suspended;
  const o = vi * SUS_WORDS;
  if (sus[o + SUS_PHASE] === PHASE_MAP_LOCK) {
    sus[o + SUS_PHASE] = PHASE_NONE;
    return g.mapLocked(
      gfn,
      write,
      vi,
      limit,
      t,
      sus[o + SUS_T0],
      sus[o + SUS_RECLAIM_NS],
      sus[o + SUS_LEFT] === 1,
      sus[o + SUS_SAMPLE],
    );
  }
  let now = allocFrame(g, gfn, t, vi, limit);
  if (now < 0) return now;
  const t0 = g.faultT0;
  const reclaimNs = g.faultReclaimNs;
  const f = g.flags[gfn];
  if ((f & PG_RESIDENT) !== 0) {
    // Only after a suspension: another vCPU faulted gfn in meanwhile. user_mem_abort would find the
    // PTE valid (-EAGAIN from the map walker: a spurious fault) and free the page it allocated.
    g.host.put(1);
    s[sb + GS_STALL_NS] += now - t0;
    s[sb + GS_PRESSURE_NS] += reclaimNs;
    return now;
  }
  // Pre-faulted by the VMM: the frame is held and the folio is on the host LRU already.
  const prefaulted = (f & PG_HOST) !== 0;
  // Read ahead into the swap cache: already on the LRU and counted resident.
  const cached = (f & PG_SWAPCACHE) !== 0;
  // Swapped out and not back: PG_SWAPPED stays set once a page was evicted ("evicted at least once"), so a
  // page the VMM holds (PG_HOST) is excluded. Such a page with PG_SWAPPED is one swapped back in earlier
  // and then unmapped from stage-2 by x86's root zap (Guest.zapRoot): its folio is in the memfd's page
  // cache and the VMM's PTE present, so __kvm_faultin_pfn -> hva_to_pfn_fast finds it with no
  // shmem_swapin_folio, no swap read and no workingset_refault (mm/shmem.c, 6.1-6.6).
  const refault = !prefaulted && (f & PG_SWAPPED) !== 0;
  const area = g.swapArea;
  const written = cached && area !== null ? area.writeback.get(g.idBase + gfn) : undefined;
  // do_swap_page's slot (private anon only): kept clean on a read (PG_SWAPSLOT), dirty on a write under writeback.
  const keep = keepsSwapSlot(g, gfn, write, cached, refault, written, now);
  now = swapIn(g, gfn, vi, now, cached, refault, written, keep);
  // user_mem_abort (arch/arm64/kvm/mmu.c): __kvm_faultin_pfn resolved the pfn above, sleeping for
  // the swap-in without kvm->mmu_lock (mmu_invalidate_seq recorded before it); then
  // read_lock(&kvm->mmu_lock), mmu_invalidate_retry, and kvm_pgtable_stage2_map with its CMO (a
  // pre-faulted page too: its first stage-2 leaf is new). The table update and the folio's state
  // change now, in this step; the read hold is booked at `now`, the end of the sleep: in this step
  // when `now` is before the vCPU's scheduling limit, else in the vCPU's next step (FAULT_SUSPENDED,
  // PHASE_MAP_LOCK), once the scheduler has run the actors that are earlier in virtual time, so
  // their MMU-lock requests are booked first, in virtual-time order, as qrwlock would queue them.
  const hold = mapHoldNs(c, g.cmoNs, g.mapHvcNs);
  // user_mem_abort read mmu_seq before __gfn_to_pfn_memslot, i.e. before the reclaim and swap-in above.
  const sample = mmuSeqAt(g.s2TrapNs, t0);
  // user_mem_abort sets KVM_PGTABLE_PROT_W when hva_to_pfn returned `writable`: a write fault, or a read
  // fault whose FOLL_WRITE fast pin succeeded (hva_to_pfn_fast / hva_to_pfn_slow's "map read fault as
  // writable if possible"): for the lab's shmem memfd always, the VMM's PTE being writable after shmem_fault
  // (kvm/faultinWritable.ts). Then a later write to the page takes no permission fault.
  // A pre-faulted page still clean in the swap cache (PG_SWAPSLOT after x86's root zap) has the read-only PTE
  // of do_swap_page's read fault, not one the VMM wrote.
  const writable = write || readFaultWritable(g.backing, prefaulted && (f & PG_SWAPSLOT) === 0);
  const attrs = g.attrLoByWrite[writable ? 1 : 0];
  let r = map(g, gfn, attrs);
  // ENOMEM: every free table page is an unlinked one waiting for its RCU grace period (cheap runs
  // unlink and relink tables faster than quanta end). KVM's fault path would fail its memory-cache
  // top-up and retry; here the ripe frees run now (rcuPoll, as at a quantum's end) and the map retries.
  for (let tries = 0; r !== 0 && r !== MAPPED_BY_OTHER && tries < 3; tries++) {
    rcuPoll(g.rcu);
    r = map(g, gfn, attrs);
  }
  if (r === MAPPED_BY_OTHER) {
    // Spread runs: a vCPU on another worker faulted the same gfn in at the same time and mapped it
    // first. Its fault did the work (frame, LRU, counters); this one gives its frame back and returns.
    // It would have returned -EAGAIN before the CMO; the hold is charged anyway (rare).
    g.host.put(1);
    const start = faultLock(g, now, hold);
    s[sb + GS_LOCK_WAIT_NS] += start - now;
    s[sb + GS_LOCK_WAIT_AGING_NS] += g.vlock.agingWaitNs;
    s[sb + GS_LOCK_HOLD_NS] += hold;
    now = start + hold;
    s[sb + GS_STALL_NS] += now - t0;
    return now;
  }
  if (r !== 0) throw new Error(`stage-2 map of guest ${g.index} gfn ${gfn} failed (${r}): table arena exhausted`);
  if (refault) {
    s[sb + GS_REFAULTS]++;
    const evictedAt = g.evictedAt[gfn];
    if (t0 - evictedAt <= g.windowNs) {
      s[sb + GS_REFAULTS_IN_WINDOW]++;
      g.evictBuckets[g.buckets + g.bucketOf(evictedAt)]++;
    }
  } else {
    s[sb + GS_COLD]++;
  }
  // The fault installed the VMM's host PTE young (mm/hostPte.ts: do_anonymous_page / do_swap_page / shmem_fault
  // -> finish_fault, PTE_AF in arm64's PAGE_*), unless the VMM's pre-fault had (PG_HOST: hva_to_pfn_fast finds
  // the PTE, its bit stays). A pre-faulted page keeps PG_SWAPSLOT on a read only: a write's GUP FOLL_WRITE takes
  // do_wp_page -> wp_page_reuse on do_swap_page's read-only PTE (mm/memory.c 6.3), dirty, slot kept (permFault).
  // One transition from the byte as it is now (mm/pageFlags.ts): a PG_LRU another worker's lru_add set,
  // or a host-young clear by reclaim on another worker since `f` was read, is kept.
  updatePageFlags(
    g.flags,
    gfn,
    0xff & ~(PG_SWAPPED | PG_LRU | (prefaulted ? PG_HOST_YOUNG | (write ? 0 : PG_SWAPSLOT) : 0)),
    PG_RESIDENT | PG_TOUCHED | (prefaulted ? 0 : g.hostYoungOnMap) | (keep && !write ? PG_SWAPSLOT : 0),
  );
  if (!prefaulted && !cached) s[sb + GS_RESIDENT]++;
  s[sb + GS_S2_FAULTS]++;
  // Pinned (protected) memory is unevictable: it never joins the LRU. A pre-faulted page is on it
  // already, where the VMM's write put it; the stage-2 AF set by this map is what aging finds young.
  if (!g.pinned && !prefaulted && (!cached || written !== undefined)) {
    (g.lruAdd ?? g.lruvec).onMap(g.idBase + gfn);
  }
  // PG_referenced and folio_mark_accessed by the fault (faultinMarks): a page whose VMM PTE is present
  // (PG_HOST: pre-faulted, or left by x86's root zap) is pinned by GUP-fast, which sets PG_referenced; any
  // other by slow GUP's FOLL_TOUCH mark; then the release's marks. Spread runs: through the worker's lru_add
  // batch, which keeps the marks for a folio still in it (__lru_cache_activate_folio) and passes the others
  // to the shared lruvec under lru_lock (mm/lruAdd.ts markAccessedN); the batch takes no GUP-fast
  // PG_referenced (LruAddBatch has no setReferenced: a spread run's pre-faulted folio starts without it).
  if (!g.pinned) faultinMarks(g.lruAdd ?? g.lruvec, g.idBase + gfn, prefaulted, g.faultMarks);
  // Only when another actor of this worker is earlier (it may still ask for the lock before `now`):
  // a vCPU alone, or stopped by the quantum's end with nobody behind it, books at once.
  if (now >= limit && now > vclock.others) return suspendForMapLock(g, vi, t0, reclaimNs, refault, now, sample);
  return g.mapLocked(gfn, write, vi, limit, now, t0, reclaimNs, refault, sample);
}
