/**
 * The swap-in of a stage-2 fault's page (mm/shmem.c, mm/memory.c, mm/swap_state.c, 6.1-6.6). A shmem memfd
 * guest (the default backing) goes through shmem_swapin_folio; a private anonymous one (memoryBacking
 * 'private-anon') through do_swap_page -> swapin_readahead -> swap_vma_readahead (mm/swapVmaReadahead.ts)
 * for its read, the rest as below:
 * swap_cache_get_folio finds a folio still under writeback (shmem_swapin_folio: folio_wait_writeback; do_swap_page
 * does not wait) or a readahead hit, else shmem_swapin -> swap_cluster_readahead reads the window from the
 * SSD (mm/swapReadahead.ts);
 * with zram (SWP_SYNCHRONOUS_IO) the page is read alone, with no swap cache. Guest.fault
 * (kvm/userMemAbort.ts: __kvm_faultin_pfn, before read_lock(&kvm->mmu_lock)) comes here.
 *
 * The slot after the read: shmem_swapin_folio always frees it (delete_from_swap_cache, swap_free_nr).
 * do_swap_page (mm/memory.c, read in 6.3) drops the PTE's reference (swap_free(entry)) and frees the swap
 * cache's only when should_try_to_free_swap says so (keepsSwapSlot); otherwise the folio is mapped still in
 * the swap cache, holding its slot, with a read-only, clean PTE.
 */
import type { Guest } from '../sim/guest.ts';
import { GS_RA_HITS, GS_WB_FAULTS } from '../sim/simLayout.ts';
import { swapClusterReadahead } from './swapReadahead.ts';
import { swapVmaReadahead, vmaSwapCacheHit } from './swapVmaReadahead.ts';
import { cpuOfVcpu } from './swapSlots.ts';

/**
 * Whether a private anonymous guest's swap-in of gfn keeps the folio in the swap cache with its slot:
 * do_swap_page's `swap_free(entry); if (should_try_to_free_swap(folio, vma, vmf->flags))
 * folio_free_swap(folio);` (mm/memory.c, 6.1-6.4; read in 6.3). should_try_to_free_swap is true when
 * mem_cgroup_swap_full (vm_swap_full: swap more than half full; the lab sets no memcg swap.max / swap.high,
 * so only the global test applies), when the VMA is VM_LOCKED or the folio mlocked (the lab's pinned guests
 * are never evicted, so never swapped in), or for a write fault on a non-KSM folio with folio_ref_count 2
 * (the swap cache's reference and the fault's: the lab's folios have no other, lru_add_drain having emptied
 * the per-CPU batch). A read fault below half full keeps it. folio_free_swap then frees the slot (no swap
 * PTE left after swap_free) unless the folio is still under writeback: folio_free_swap (mm/swapfile.c,
 * 6.2-6.4; try_to_free_swap in 6.1) returns false on folio_test_writeback, so a fault that finds its folio's
 * swap write in flight (written > now: do_swap_page maps it without waiting) keeps the slot whatever
 * should_try_to_free_swap said; a write fault's folio is then mapped dirty in the swap cache (the caller sets
 * PG_SWAPSLOT for a read only) and its next eviction writes its own slot. Only with a block device
 * (zram skips the swap cache: SWP_SYNCHRONOUS_IO) and only for a page with a slot (see SwapArea's
 * "swap full"). shmem guests never keep it. written: the completion time of the page's swap write when it
 * is in SwapArea.writeback (else undefined); now: when the fault reaches do_swap_page.
 */
export function keepsSwapSlot(
  g: Guest,
  gfn: number,
  write: boolean,
  cached: boolean,
  refault: boolean,
  written?: number,
  now = 0,
): boolean {
  const area = g.swapArea;
  if (g.backing !== 'private-anon' || area === null || !(cached || refault)) return false;
  if (area.slot(g.idBase + gfn) < 0) return false;
  // folio_free_swap: `if (folio_test_writeback(folio)) return false;`
  if (written !== undefined && written > now) return true;
  return !write && !area.vmSwapFull();
}

/**
 * Swap in guest g's page gfn for vCPU `vi`'s fault from time `now`; returns when the folio is there.
 * cached: the page is in the swap cache (PG_SWAPCACHE); refault: swapped out (PG_SWAPPED); written: the
 * completion time of its swap write when it is still in SwapArea.writeback (else undefined). Counts the
 * writeback faults and readahead hits. A page neither cached nor swapped out returns `now`. keep:
 * keepsSwapSlot's answer: the folio stays in the swap cache with its slot (SwapArea.holds), else it is freed.
 * A shmem guest's fault on a folio under writeback returns at the write's completion, a private-anon one's
 * at once.
 */
export function swapIn(
  g: Guest,
  gfn: number,
  vi: number,
  now: number,
  cached: boolean,
  refault: boolean,
  written: number | undefined,
  keep = false,
): number {
  const s = g.stats;
  const sb = g.sb;
  const pg = g.pgdat;
  const area = g.swapArea;
  const anon = g.backing === 'private-anon';
  if (written !== undefined && area !== null) {
    // shmem_swapin_folio -> swap_cache_get_folio finds a folio this guest's memory swapped out, still
    // under writeback or written and not yet freed (mm/swap.ts): no read; folio_wait_writeback waits
    // for the write, then delete_from_swap_cache and swap_free_nr as for any swap-cache hit. Not a
    // readahead hit (no PG_readahead). The folio goes back on the LRU after (the caller).
    const id = g.idBase + gfn;
    if (anon) vmaSwapCacheHit(g, gfn, false); // swap_cache_get_folio: the VMA's last address, no hit
    area.writeback.delete(id);
    s[sb + GS_WB_FAULTS]++;
    // do_swap_page (mm/memory.c, read in 6.3) has no folio_wait_writeback: swap_cache_get_folio, then
    // folio_lock_or_retry (swap_writepage unlocked the folio once the bio was submitted) and the map, the
    // write still in flight (NVMe has no SWP_STABLE_WRITES, so the exclusive marker stays).
    if (!anon && written > now) now = written;
    // Private anon: do_swap_page keeps the folio in the swap cache (a read fault, or any fault while the
    // write is in flight: keepsSwapSlot); its slot moves from the list link (off the LRU under writeback) to
    // the swap cache's record, as it joins the LRU.
    if (keep) area.toCache(id);
    else area.free(id, cpuOfVcpu(g.index, vi));
  } else if (cached && area !== null) {
    // shmem_swapin_folio -> swap_cache_get_folio finds the folio (a readahead hit): no I/O, unless its
    // read is still in flight (folio_lock waits for it). The slot is freed as the folio moves to the
    // memfd's page cache (delete_from_swap_cache, swap_free_nr).
    const id = g.idBase + gfn;
    // swap_cache_get_folio: with VMA readahead the hit is the VMA's (swap_readahead_info), not
    // swapin_readahead_hits'.
    if (anon) vmaSwapCacheHit(g, gfn, true);
    else area.hit();
    s[sb + GS_RA_HITS]++;
    const ready = area.readyAt(area.slot(id));
    if (ready > now) now = ready;
    // keep: the read-ahead folio is mapped and stays in the swap cache (its slot already recorded there).
    if (!keep) area.free(id, cpuOfVcpu(g.index, vi));
  } else if (refault && area !== null) {
    // A block device: shmem_swapin -> swap_cluster_readahead, one request for the window; private
    // anonymous memory: swap_vma_readahead, the swap PTEs around the faulting address.
    const id = g.idBase + gfn;
    now = anon
      ? swapVmaReadahead(g, area, gfn, now, g.host.min)
      : swapClusterReadahead(pg, area, id, now, s, sb, g.host.min, g);
    // keep: the folio read into the swap cache stays there, mapped (do_swap_page's read fault).
    if (keep) area.toCache(id);
    else area.free(id, cpuOfVcpu(g.index, vi));
  } else if (refault) now += g.swapInNs; // zram: SWP_SYNCHRONOUS_IO, no swap cache, no readahead
  return now;
}
