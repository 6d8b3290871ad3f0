/**
 * x86's TDP MMU root zap between two runs of max_guest_memory_test (workload resetZapsRoot): every
 * vCPU's kvm_mmu_free_roots puts the root, the last put queues tdp_mmu_zap_root_work, which zaps every
 * SPTE (arch/x86/kvm/mmu/tdp_mmu.c). Called through Guest.zapRoot (sim/guest.ts, where it was a method
 * until session 16 (k); body moved verbatim, `this` -> `g`).
 */
import { writeLock, writeUnlock } from './mmuLock.ts';
import { stage2Unmap } from '../arch/pgtable.ts';
import type { Guest } from '../sim/guest.ts';
import { PG_HOST, PG_RESIDENT } from '../sim/simLayout.ts';
import { updatePageFlags } from '../mm/pageFlags.ts';
import { PAGE } from './userMemAbort.ts';
import { zapMarks } from './faultinMarks.ts';

/**
 * Every vCPU's MMU context reset between two runs of max_guest_memory_test on x86 (workload
 * resetZapsRoot, wired in buildGuest.ts): KVM_SET_SREGS with CR0.WP toggled -> kvm_mmu_reset_context ->
 * kvm_mmu_unload -> kvm_mmu_free_roots puts each vCPU's reference to the TDP MMU root; the root is reloaded
 * only at the vCPU's next KVM_RUN (kvm_mmu_reload), after the test's "reset" rendezvous, so the last put
 * finds the count at zero: kvm_tdp_mmu_put_root (arch/x86/kvm/mmu/tdp_mmu.c, from 6.0 until "Keep TDP
 * MMU roots alive until they are explicitly invalidated") marks the root invalid and queues
 * tdp_mmu_zap_root_work, which zaps every SPTE. Run 2 then faults each page into a new root: the folio is
 * still in the memfd's page cache and the VMM's PTE present (hva_to_pfn_fast), so the fault maps it with
 * no frame, no swap-in and no LRU add, as for a page only the VMM pre-faulted: PG_HOST, here.
 * Not charged (estimate, a stated simplification): the zap's own time. The worker runs on its own CPU under
 * mmu_lock for read and yields to a queued writer (tdp_mmu_iter_cond_resched: rwlock_needbreak), so it
 * delays no vCPU fault (readers) and a writer by one iteration at most; at an estimated 20 ns per SPTE the
 * 262,144 pages of the v1 preset take ~5 ms, ~1 % of its shortest x86 run 2 (388 ms, lockless), beside it.
 * The zap's handle_changed_spte -> kvm_set_pfn_accessed marks each accessed leaf's folio (kvm/faultinMarks.ts
 * zapMarks; session 15 (a)), before the lab removes the leaves; not in spread runs (as the fault's marks).
 * Not modelled: aging reaching the old root's A bits before the worker is done (for_each_tdp_mmu_root visits
 * invalid roots too).
 * The zap is not an mmu-notifier invalidation: mmu_invalidate_seq is unchanged. Returns the leaves zapped.
 */
export function zapRoot(g: Guest): number {
  if (!g.pinned && g.lruAdd === null) zapMarks(g.lruvec, g.pgt, g.flags, g.idBase, g.pages);
  writeLock(g.lock);
  stage2Unmap(g.pgt, 0, g.pages * PAGE);
  writeUnlock(g.lock);
  // The vCPUs load a new root: no cached translation of the old one survives.
  g.tlbFlush.flush();
  let n = 0;
  const flags = g.flags;
  for (let gfn = 0; gfn < g.pages; gfn++) {
    if ((flags[gfn] & PG_RESIDENT) === 0) continue;
    // Mapped -> held by the VMM only: the frame, the LRU place and the VMM's PTE (PG_HOST_YOUNG) stay.
    updatePageFlags(flags, gfn, PG_RESIDENT, PG_HOST);
    g.tlbs?.invalidate(gfn);
    n++;
  }
  return n;
}
