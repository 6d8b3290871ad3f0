/**
 * The accessed flag of the VMM's own (host, primary) PTEs over guest memory: PG_HOST_YOUNG in the
 * page's flags. The guest's accesses never set it (they go through stage-2 only); the fault does.
 *
 * Set: the vCPU's stage-2 fault resolves its page through the VMM's page tables (user_mem_abort ->
 * __kvm_faultin_pfn -> hva_to_pfn -> GUP -> handle_mm_fault). The fault that installs the host PTE
 * builds it from vma->vm_page_prot: do_anonymous_page (mk_pte(..., vma->vm_page_prot) then
 * pte_sw_mkyoung), do_swap_page (mk_pte(page, vma->vm_page_prot)), and for the memfd that backs guest
 * memory shmem_fault -> finish_fault -> do_set_pte / set_pte_range (mk_pte, pte_sw_mkyoung unless it is
 * a fault-around "prefault" PTE), mm/memory.c 6.1-6.6. On arm64 every user protection includes the
 * accessed flag (arch/arm64/include/asm/pgtable-prot.h: _PROT_DEFAULT / PAGE_DEFAULT have PTE_AF, and
 * PAGE_READONLY, PAGE_SHARED, ... are built on _PAGE_DEFAULT), so pte_sw_mkyoung (a no-op outside
 * MIPS/LoongArch) is not needed: the new PTE is young. The faulting page is never a fault-around
 * prefault. A hit in hva_to_pfn_fast (the host PTE present already) installs nothing and leaves it.
 * The lab ties the bit to reclaim.mapYoung, the stage-2's own "mapped young" (kvm_pgtable_stage2_map
 * sets KVM_PTE_LEAF_ATTR_LO_S2_AF): the kernel sets both; mapYoung = false is the idealised what-if
 * (new mappings carry no access information, as the trace oracle's reference CLOCK assumes), and the
 * host bit follows the same switch.
 *
 * Cleared (each names the kernel function; the callers are in mm/pgdat.ts):
 * - walk_pte_range (MGLRU's walk of the VMM's mm): ptep_test_and_clear_young on every young PTE whose
 *   folio get_pfn_folio accepts, and the folio is promoted (folio_update_gen), in every harvest mode;
 *   the seed's walk tests the stage-2 as well (test_spte_young || pte_young). get_pfn_folio of 6.1-6.6
 *   (mm/vmscan.c) checks node, memcg and can_swap only: a folio still in a per-CPU lru_add batch (spread
 *   runs: no PG_LRU yet) is accepted and its PTE cleared like any other; folio_update_gen, finding it in
 *   no generation, sets PG_referenced instead (mm/youngBatch.ts promoteYoung). The LRU-gen test
 *   (folio_lru_gen(folio) < 0 -> NULL) came later, with "mm/mglru: rework workingset protection"
 *   (Yu Zhao, posted 2024-12-07 for mm-unstable, i.e. 6.14), which no preset's kernel has.
 * - lru_gen_look_around: the same test over the window around the folio.
 * - folio_referenced_one: mainline 6.1-6.6 calls lru_gen_look_around when pte_young(primary) (then
 *   referenced++), and then ptep_clear_flush_young_notify (the primary, then the mmu notifier's
 *   clear_flush_young for the stage-2). The seed (v2, "mm: multi-gen LRU: use
 *   mmu_notifier_test_clear_young()") calls lru_gen_look_around for every PTE-mapped folio, whose
 *   should_look_around clears the primary and asks the notifier's clear_young.
 * - try_to_unmap_one at eviction: the PTE itself is replaced by a swap entry.
 */
import { PG_HOST, PG_HOST_YOUNG, PG_RESIDENT } from '../sim/simLayout.ts';
import { testClearPageFlag } from './pageFlags.ts';

/**
 * ptep_test_and_clear_young over the host PTEs of gfns [start, start + count), count <= 64: each young
 * one is cleared and bit i (gfn start + i) is set in `young` (two words, OR-ed into what is there).
 * Pages on no LRU list yet (a spread run's lru_add batch, no PG_LRU) are taken too: 6.1-6.6's
 * get_pfn_folio has no LRU test (see above). Returns how many were cleared. The test of each byte is a plain read (most are old: no atomic for them); the clear is
 * a cmpxchg that re-tests (mm/pageFlags.ts), as the kernel's is: a vCPU worker's PG_LRU set or a fault's
 * map racing with it is not lost.
 */
export function hostTestClearYoung(flags: Uint8Array, start: number, count: number, young: Uint32Array): number {
  let n = 0;
  for (let i = 0; i < count; i++) {
    const f = flags[start + i];
    if ((f & PG_HOST_YOUNG) === 0) continue;
    if (!testClearPageFlag(flags, start + i, PG_HOST_YOUNG, 0)) continue;
    young[i >>> 5] |= 1 << (i & 31);
    n++;
  }
  return n;
}

/** Host PTEs present among gfns [start, start + count) (stage-2 resident or VMM-only): what a scan of the primary PTEs reads. */
export function hostMapped(flags: Uint8Array, start: number, count: number): number {
  let n = 0;
  for (let i = start; i < start + count; i++) if ((flags[i] & (PG_RESIDENT | PG_HOST)) !== 0) n++;
  return n;
}
