/**
 * What KVM's MMU does to host folios' LRU state (PG_referenced, folio_mark_accessed): the stage-2 fault's
 * (Guest.fault in kvm/userMemAbort.ts and the trace replay's copy in sim/replayFault.ts) and x86's root zap's
 * (Guest.zapRoot).
 */
import type { Policy } from '../mm/policy/policy.ts';
import { stage2GetLeaf, type Pgt } from '../arch/pgtable.ts';
import { pteYoung } from '../arch/descriptor.ts';
import { atomics } from '../sync/atomics.ts';
import { PAGE_SIZE } from '../layout.ts';
import { PG_RESIDENT } from '../sim/simLayout.ts';

/** The stage-2 fault's `n` folio_mark_accessed calls on folio `id` (see faultinMarks). */
export function markOnMap(lruvec: Pick<Policy, 'markAccessedN'>, id: number, n: number): void {
  if (n !== 0) lruvec.markAccessedN(id, n);
}

/**
 * What the stage-2 fault's pfn lookup and release do to folio `id`'s LRU state (6.1-6.4, read in the code
 * corpus; docs/repro-max-guest-memory.md, session 15 (a)). __gfn_to_pfn_memslot -> hva_to_pfn tries
 * hva_to_pfn_fast first (virt/kvm/kvm_main.c): get_user_page_fast_only(FOLL_WRITE) pins a page whose VMM PTE
 * is present and writable, and GUP-fast's gup_pte_range (mm/gup.c) calls folio_set_referenced on every page
 * it returns: PG_referenced, no mark, no activation (`gupFast`: the VMM pre-faulted the page, or x86's root
 * zap left its PTE). Else hva_to_pfn_slow -> get_user_pages_unlocked adds FOLL_TOUCH, and follow_page_pte
 * calls mark_page_accessed once the fault has made the PTE present. Then the release's marks (`faultMarks`,
 * Guest.faultMarks): kvm_release_pfn_clean -> kvm_release_page_clean -> kvm_set_page_accessed ->
 * mark_page_accessed (kvm_is_ad_tracked_page: !PageReserved, true for the memfd's folios), and on arm64
 * user_mem_abort's kvm_set_pfn_accessed before it; a write fault's kvm_set_pfn_dirty only sets PG_dirty.
 * Policies without setReferenced (exact LRU, CLOCK) take only the marks; MGLRU's PG_referenced is
 * folio_inc_refs' first step (Mglru.setReferenced).
 */
export function faultinMarks(
  lruvec: Pick<Policy, 'markAccessedN' | 'setReferenced'>,
  id: number,
  gupFast: boolean,
  faultMarks: number,
): void {
  if (gupFast) lruvec.setReferenced?.(id);
  markOnMap(lruvec, id, (gupFast ? 0 : 1) + faultMarks);
}

/**
 * x86's root zap between the test's runs (Guest.zapRoot) marks every leaf the guest accessed since it was last
 * aged: tdp_mmu_zap_root / handle_removed_pt -> handle_changed_spte (arch/x86/kvm/mmu/tdp_mmu.c, 6.1-6.4;
 * handle_changed_spte_acc_track until 6.4 folded it in): a leaf SPTE that was present and accessed and is
 * now removed -> kvm_set_pfn_accessed -> kvm_set_page_accessed -> mark_page_accessed. The accessed bit is the
 * lab leaf's AF (EPT A/D or NPT A, set by the access, cleared by kvm_age_gfn). Call before the unmap, on
 * guest pages `0..pages` with host-wide ids from `idBase`. Returns the folios marked.
 */
export function zapMarks(lruvec: Policy, pgt: Pgt, flags: Uint8Array, idBase: number, pages: number): number {
  const i32 = pgt.views.i32;
  let n = 0;
  for (let gfn = 0; gfn < pages; gfn++) {
    if ((flags[gfn] & PG_RESIDENT) === 0) continue;
    const w = stage2GetLeaf(pgt, gfn * PAGE_SIZE);
    if (w < 0 || !pteYoung(atomics.load(i32, w))) continue;
    markOnMap(lruvec, idBase + gfn, 1);
    n++;
  }
  return n;
}
