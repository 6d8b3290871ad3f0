/**
 * Per-guest page metadata (part of the simulation's layout, sim/simLayout.ts, which re-exports this
 * file): one flags byte per guest page (the kernel's struct page/folio flags: PG_lru, PG_swapcache, and
 * the lab's own residency bits) and each page's last eviction time (the lab's own, for the refault
 * window: GS_REFAULTS_IN_WINDOW, evictBuckets).
 *
 * per guest g, pagesI32[g] (owner): the page flags (PG_*), one byte per page (a Uint8Array view over
 *   guestRegions(pages).words Int32 words). The LRU lists live in the worker's own memory (mm/pgdat.ts),
 *   or in a spread run in SpreadBuffers.lru.
 * per guest g, pagesF64[g]: Float32Array(pages): virtual time (ns) of the page's last eviction (float32:
 *   24-bit mantissa, 64 ns resolution at 1 s and 8 us at 100 s, finer than any refault window).
 * Memory per guest page: 1 (flags) + 4 (eviction time) + 10 (worker-local lists: prev, next, 16-bit tag)
 *   + ~8.8 (stage-2 leaf descriptors with the arena's headroom) = ~24 bytes.
 */

// ---- page flags -------------------------------------------------------------------------
export const PG_RESIDENT = 1; //  mapped in stage-2, holding a host frame
export const PG_SWAPPED = 2; //   evicted at least once: the next fault is a refault
export const PG_TOUCHED = 4; //   faulted in at least once
/**
 * Spread runs only (sim/spread.ts): the page is on the host lruvec (the kernel's PG_lru). A page a vCPU
 * mapped waits in its worker's lru_add batch (mm/lruAdd.ts), off the LRU, until the batch moves;
 * reclaim's look-around and walk must not promote it meanwhile (it is on no list). Set when the page
 * joins the LRU, cleared by eviction.
 */
export const PG_LRU = 8;
/**
 * Holding a host frame and on the host LRU but not mapped in stage-2 (PG_RESIDENT clear): a page the VMM
 * wrote before the guest ran (workload `prefault`, max_guest_memory_test's host pre-fault). The guest's
 * first touch is a stage-2 fault that maps it without allocating or swapping in (Guest.fault).
 */
export const PG_HOST = 16;
/**
 * In the swap cache, read ahead (mm/swapReadahead.ts): holding a host frame and on the host LRU, mapped
 * neither in stage-2 nor by the VMM, its data still in its swap slot (clean). PG_SWAPPED stays set. The
 * guest's fault on it maps it from the swap cache without I/O; reclaim frees it without a write.
 */
export const PG_SWAPCACHE = 32;
/**
 * The VMM's own (host, primary) PTE for this page has the accessed flag (mm/hostPte.ts). Set when the
 * vCPU's stage-2 fault installs that PTE through GUP (handle_mm_fault: do_anonymous_page, do_swap_page,
 * shmem_fault -> finish_fault; arm64's PAGE_* protections include PTE_AF), cleared by MGLRU's walk
 * (walk_pte_range), lru_gen_look_around and folio_referenced_one, and with the PTE at eviction.
 */
export const PG_HOST_YOUNG = 64;
/**
 * Private anonymous memory with a block swap device only (mm/swapIn.ts keepsSwapSlot): mapped (PG_RESIDENT,
 * or PG_HOST after x86's root zap) and still in the swap cache holding its slot, clean: do_swap_page's read
 * fault kept it there (should_try_to_free_swap false, mm/memory.c 6.1-6.4), so the slot still holds the
 * page's data. Reclaim evicts it with no write (shrink_folio_list: no add_to_swap, no pageout;
 * __remove_mapping). The first write clears it (do_wp_page -> wp_page_reuse dirties the PTE; the slot
 * stays, SwapArea.holds): its eviction then writes the same slot.
 */
export const PG_SWAPSLOT = 128;

/** Sentinel list heads after the page nodes (MGLRU uses MAX_NR_GENS of them). */
export const LIST_HEADS = 8;
export const POLICY_WORDS = 16;

export interface GuestRegions {
  /** Byte offset of the flags (one byte per page). */
  flags: number;
  /** Int32 words of the region. */
  words: number;
}

export function guestRegions(pages: number): GuestRegions {
  return { flags: 0, words: Math.ceil(pages / 4) + POLICY_WORDS };
}
