/**
 * The swap-in of a stage-2 fault's page (mm/shmem.c, mm/memory.c, mm/swap_state.c, 6.1-6.6). A shmem memfd
 * guest (the default backing) goes through shmem_swapin_folio; a private anonymous one (memoryBacking
 * 'private-anon') through do_swap_page -> swapin_readahead -> swap_vma_readahead (mm/swapVmaReadahead.ts)
 * for its read, the rest as below:
 * swap_cache_get_folio finds a folio still under writeback (folio_wait_writeback) or a readahead hit,
 * else shmem_swapin_cluster -> swap_cluster_readahead reads the window from the SSD (mm/swapReadahead.ts);
 * with zram (SWP_SYNCHRONOUS_IO) the page is read alone, with no swap cache. Guest.fault
 * (kvm/userMemAbort.ts: __kvm_faultin_pfn, before read_lock(&kvm->mmu_lock)) comes here.
 */
import type { Guest } from '../sim/guest.ts';
import { GS_RA_HITS, GS_WB_FAULTS } from '../sim/simLayout.ts';
import { swapClusterReadahead } from './swapReadahead.ts';
import { swapVmaReadahead, vmaSwapCacheHit } from './swapVmaReadahead.ts';
import { cpuOfVcpu } from './swapSlots.ts';

/**
 * Swap in guest g's page gfn for vCPU `vi`'s fault from time `now`; returns when the folio is there.
 * cached: the page is in the swap cache (PG_SWAPCACHE); refault: swapped out (PG_SWAPPED); written: the
 * completion time of its swap write when it is still in SwapArea.writeback (else undefined). Counts the
 * writeback faults and readahead hits. A page neither cached nor swapped out returns `now`.
 */
export function swapIn(
  g: Guest,
  gfn: number,
  vi: number,
  now: number,
  cached: boolean,
  refault: boolean,
  written: number | undefined,
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
    if (written > now) now = written;
    area.free(id, cpuOfVcpu(g.index, vi));
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
    area.free(id, cpuOfVcpu(g.index, vi));
  } else if (refault && area !== null) {
    // A block device: shmem_swapin_cluster -> swap_cluster_readahead, one request for the window; private
    // anonymous memory: swap_vma_readahead, the swap PTEs around the faulting address.
    const id = g.idBase + gfn;
    now = anon
      ? swapVmaReadahead(g, area, gfn, now, g.host.min)
      : swapClusterReadahead(pg, area, id, now, s, sb, g.host.min);
    area.free(id, cpuOfVcpu(g.index, vi));
  } else if (refault) now += g.swapInNs; // zram: SWP_SYNCHRONOUS_IO, no swap cache, no readahead
  return now;
}
