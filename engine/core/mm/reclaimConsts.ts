/**
 * Reclaim's constants used on every folio check: the look-around window (youngBatch.ts re-exports
 * MIN_LRU_BATCH and PMD_PAGES), folio_referenced's rmap walk (folioReferenced.ts re-exports
 * RMAP_WALK_NS) and the folios a kswapd or direct-reclaim step considers (pgdat.ts).
 *
 * Contract: this module imports nothing, so the bundler inlines its constants as literals at every use
 * (scripts/workers.mjs minifySyntax; esbuild inlines an imported `const` only from a module without
 * imports, and a module's own top-level `const` becomes a `var` of the bundle). Declared in the modules
 * above, which import, each use on the trace replay's reclaim path was a load from the module context,
 * a Smi check and an untag, and `gfn % PMD_PAGES` a modulus by an unknown divisor (session 14).
 */

/** MIN_LRU_BATCH = BITS_PER_LONG: the look-around window and the walk's bitmap batch. */
export const MIN_LRU_BATCH = 64;

/** PTRS_PER_PTE: look-around is clipped to the folio's PMD (one leaf table). */
export const PMD_PAGES = 512;

/**
 * folio_referenced's own walk for one mapped folio, outside the secondary MMU: rmap_walk (the anon_vma
 * or i_mmap tree of the VMM's one mapping, its lock), folio_referenced_one -> page_vma_mapped_walk (the
 * VMM's host page table, its PTE lock), ptep_clear_young_notify's primary PTE and the mmu-notifier
 * dispatch (__mmu_notifier_clear_young). 56 ns: inferred from idle page tracking, whose rmap walk per
 * page (page_idle_clear_pte_refs -> rmap_walk -> ptep_clear_young_notify, the same calls) took 15 s
 * for 1 TB, against 2 s in page-table order (lore.kernel.org/r/20180901124811.530300789@intel.com,
 * x86, 2018; ../shared/research/seed-numbers.md section 4). Used for Neoverse N1 as an estimate: a
 * figure of another CPU. KVM's handler (the lock, kvm_age_gfn or the lockless batch) is charged by
 * kvm/mmuNotifier.ts. A folio mapped nowhere (an unused swap-cache folio) returns before the walk
 * (folio_referenced: no mapcount) and pays nothing.
 */
export const RMAP_WALK_NS = 56;

/**
 * Folios kswapd considers per scheduler step. The kernel's kswapd checks folios one after another,
 * each taking and releasing the VM's MMU lock, while vCPUs run; one per step keeps its lock requests
 * in virtual-time order with theirs (a scheduling granularity, not a kernel constant).
 */
export const KSWAPD_SCAN_PER_STEP = 1;

/**
 * Folios one direct-reclaim step considers (Pgdat.directReclaimStep): shrink_folio_list handles the
 * folios of a cluster one after another, each folio_referenced / try_to_unmap taking and releasing
 * the VM's MMU lock, so other vCPUs' faults and kswapd queue between two folios (qrwlock). The
 * faulting vCPU (Guest.fault) yields to the scheduler between steps once it is past its limit.
 */
export const DIRECT_SCAN_PER_STEP = 1;
