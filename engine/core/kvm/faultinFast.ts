/**
 * FAULTIN_FAST_NS alone (kvm/mmuInvalidate.ts re-exports it).
 *
 * Contract: this module imports nothing, so the bundler inlines the constant as a literal at every use
 * (scripts/workers.mjs minifySyntax; esbuild inlines an imported `const` only from a module without
 * imports). Declared in mmuInvalidate.ts, which imports, its use in the trace replay's fault
 * (ReplayFaults.fault, once per eviction) was a load from the module context, a Smi check and an untag
 * (session 14).
 */

/**
 * Where user_mem_abort reads mmu_seq (arch/arm64/kvm/mmu.c, v6.1-v6.6: `mmu_seq =
 * vcpu->kvm->mmu_invalidate_seq; mmap_read_unlock(...)`, just before __gfn_to_pfn_memslot): this many ns
 * before the end of the fault's fixed cost (s2Fault, charged at the trap). What is left of the fault
 * between the read and read_lock(&kvm->mmu_lock), for a page already in memory, is hva_to_pfn_fast's
 * get_user_page_fast_only (a lockless walk of the VMM's 4-level table, ~4 dependent loads mostly cache
 * hits, and the folio reference, one atomic) and the checks around it: about 0.5 us (estimate, not
 * measured). A swap-in or direct reclaim inside __gfn_to_pfn_memslot comes on top (the lab charges
 * them after s2Fault), so the window is [sample, read-lock grant].
 * No measurement of hva_to_pfn_fast or of a single-page get_user_page_fast_only on an Arm server was
 * found (searched session 7). The nearest measured bound is a whole stage-2 fault on a resident page: in
 * dirty_log_perf_test with 1 vCPU, 4 GiB THP-backed, kvmarm-6.1, "time to dirty memory" was 0.87 s
 * (O. Upton, lore.kernel.org/r/20221007232818.459650-1-oliver.upton@linux.dev; host not named), i.e.
 * 1,048,576 guest pages written once each, each a dirty-logging fault through user_mem_abort and
 * __gfn_to_pfn_memslot: <= 0.83 us per fault, trap to ERET, the guest's store loop included. The lab's
 * re-fault on the Altra profile is afFault 451 + this 500 + read lock and map 60 + dcacheCleanInval 400
 * (no FEAT_S2FWB) = 1.41 us (1.01 us without the CMO): if that host was comparable, 500 ns is not low.
 */
export const FAULTIN_FAST_NS = 500;
