/**
 * Whether a stage-2 fault maps its page writable: user_mem_abort (arch/arm64/kvm/mmu.c, 6.1-6.6) sets
 * KVM_PGTABLE_PROT_W when __kvm_faultin_pfn -> __gfn_to_pfn_memslot -> hva_to_pfn (virt/kvm/kvm_main.c)
 * returns `writable`, and forces it off only under dirty logging (`logging_active && !write_fault`: not
 * modelled, the lab never logs dirty pages). A write fault asks GUP for FOLL_WRITE: writable. A read
 * fault: hva_to_pfn_fast tries get_user_page_fast_only(FOLL_WRITE) first ("Fast pin a writable pfn only
 * if ... the caller allows to map a writable pfn for a read fault request"; arm64 passes &writable), and
 * after a read GUP hva_to_pfn_slow retries it ("map read fault as writable if possible"). It succeeds when
 * the VMM's own (host) PTE is writable (gup_pte_range: pte_access_permitted(pte, FOLL_WRITE)), which
 * depends on what backs guest memory:
 *
 * - 'shmem-memfd', a MAP_SHARED memfd (max_guest_memory_test: kvm_memfd_alloc + mmap(MAP_SHARED); every
 *   lab guest, as mm/swapIn.ts, sim/prefault.ts say): the read fault's shmem_fault -> finish_fault ->
 *   do_set_pte / set_pte_range (mm/memory.c) builds the PTE from vma->vm_page_prot, which for a shared
 *   writable VMA is writable (PAGE_SHARED) unless vma_wants_writenotify (mm/mmap.c) downgraded it:
 *   shmem_vm_ops has no page_mkwrite / pfn_mkwrite; the memfd's inode has the noop backing_dev_info, with
 *   no BDI_CAP_WRITEBACK, so mapping_can_writeback is false; soft-dirty tracking is off (arm64 has no
 *   CONFIG_MEM_SOFT_DIRTY; on x86 a new VMA carries VM_SOFTDIRTY until someone writes clear_refs) and no
 *   uffd-wp is registered. So the host PTE is writable after a read fault too, first touch (shmem_fault
 *   allocates a folio: no zero page for shmem) or swap-in (shmem_swapin_folio, then the same finish_fault):
 *   every read fault maps stage-2 writable, and no later write takes a permission fault.
 * - 'private-anon', private anonymous memory (e.g. QEMU's default RAM without a shared memory backend): a
 *   read fault on a swapped-out page, do_swap_page, builds the PTE from the private VMA's read-only
 *   vm_page_prot and makes it writable only under FAULT_FLAG_WRITE; a first-touch read,
 *   do_anonymous_page, maps the shared zero page read-only. GUP FOLL_WRITE-fast fails, the stage-2 leaf
 *   is read-only, and the first write is a permission fault (after a swap-in: do_wp_page reuses the
 *   exclusive page, the same pfn, kvm_pgtable_stage2_relax_perms). A page the VMM itself wrote (PG_HOST:
 *   the pre-fault) has a writable PTE and maps writable. Its swap-in path is modelled (swap_vma_readahead,
 *   mm/swapVmaReadahead.ts; do_swap_page keeping the slot on a read, mm/swapIn.ts keepsSwapSlot, the
 *   permission fault's wp_page_reuse dirtying it: permFault). Not modelled: the zero page's CoW on the
 *   write (wp_page_copy's mmu notifier invalidation and re-fault, where the lab takes the permission
 *   fault alone). The setting
 *   guests[].memoryBacking selects it (session 14; the memcached reproduction's QEMU `-m 270g` with no
 *   memory backend). The permission fault's host side (user_mem_abort -> __gfn_to_pfn_memslot with
 *   write_fault: hva_to_pfn_fast's FOLL_WRITE pin fails on the read-only PTE, hva_to_pfn_slow's GUP
 *   FOLL_WRITE -> handle_mm_fault -> do_wp_page, which for a PageAnonExclusive folio, as a swap-in of an
 *   exclusive swap PTE is, goes straight to wp_page_reuse, 6.1-6.6, keeping the swap slot) is charged as
 *   a whole fault's fixed cost (permFault: Guest.s2TrapNs).
 */
import type { GuestMemoryBacking } from '../../protocol.ts';
export type { GuestMemoryBacking } from '../../protocol.ts';

/** What backs a lab guest's memory when its spec names none: a MAP_SHARED memfd (the presets' stated setups). */
export const GUEST_MEMORY_BACKING: GuestMemoryBacking = 'shmem-memfd';

/**
 * hva_to_pfn's `writable` for a READ stage-2 fault on a page of guest memory backed by `backing`;
 * hostPteWritten: the VMM's PTE is present from the VMM's own write (PG_HOST, the pre-fault), so
 * hva_to_pfn_fast finds it writable in either backing.
 */
export function readFaultWritable(backing: GuestMemoryBacking, hostPteWritten: boolean): boolean {
  return backing === 'shmem-memfd' || hostPteWritten;
}
