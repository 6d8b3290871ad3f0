/**
 * swap_vma_readahead (mm/swap_state.c, 6.1-6.4): the swap-in readahead of private anonymous memory. A
 * guest whose memory is MAP_PRIVATE | MAP_ANONYMOUS (QEMU's default RAM, `memoryBacking: 'private-anon'`)
 * refaults through do_swap_page -> swapin_readahead, which takes swap_vma_readahead when
 * swap_use_vma_readahead() (enable_vma_readahead, default true, and no rotational swap device: the lab's
 * SSDs are not). Where swap_cluster_readahead (mm/swapReadahead.ts, the shmem path) reads the faulting
 * slot's neighbours in the swap device, this reads the faulting address's neighbours in the VMA: the
 * PTEs of a window around it that are swap entries.
 *
 * - swap_ra_info: the window `win = __swapin_nr_pages(prev pfn, fpfn, hits, max_win, prev_win)` from the
 *   VMA's swap_readahead_info (the last swap fault's address, its window, the readahead hits since), with
 *   max_win = 1 << min(page_cluster, SWAP_RA_ORDER_CEILING) = 8; it stores (faddr, win, 0). win 1: only
 *   the faulting page. Else [lpfn, rpfn): [fpfn, fpfn + win) after a fault one page below, [fpfn - win +
 *   1, fpfn + 1) after one above, otherwise left = (win - 1) / 2 pages below; swap_ra_clamp_pfn clamps it
 *   to the VMA and to the fault's PMD (512 pages).
 * - swap_vma_readahead: under one blk_plug, for each PTE of the window that is a swap entry,
 *   read_swap_cache_async allocates a folio and submits its read unless the entry is in the swap cache
 *   already (a folio read ahead earlier, or one under writeback); each allocated folio other than the
 *   faulting one is PG_readahead.
 * - swap_cache_get_folio, on a swap-cache hit with a VMA: the VMA's info becomes (this address, its
 *   window, hits + 1 if the folio was PG_readahead, at most SWAP_RA_HITS_MAX); the global
 *   swapin_readahead_hits is not counted (vmaSwapCacheHit).
 *
 * The lab's VMA is the guest's whole memory (one memslot over one QEMU RAM block): gfn stands for the
 * page's address in it. Per guest state: VmaSwapRa (vma->swap_readahead_info).
 *
 * Cost (estimate, as swap_cluster_readahead's, mm/swapReadahead.ts ssdReadNs): the device's 4 KiB read
 * latency plus SSD_READ_PAGE_NS per extra page. The window's slots are in general not adjacent, so the
 * plug submits separate requests that the device serves in parallel (an Optane P5800X at queue depth
 * > 1): the per-page transfer term is an upper side.
 */
import type { Guest } from '../sim/guest.ts';
import {
  GS_RA_PAGES,
  GS_RESIDENT,
  GS_SWAP_READS,
  PG_HOST,
  PG_RESIDENT,
  PG_SWAPCACHE,
  PG_SWAPPED,
} from '../sim/simLayout.ts';
import { setPageFlags } from './pageFlags.ts';
// PMD_SIZE / PAGE_SIZE with 4 KiB pages (swap_ra_clamp_pfn keeps the window in the fault's PMD), from the
// import-free module so the bundle inlines it (test/sim/inlinedConsts.test.ts).
import { PMD_PAGES } from './reclaimConsts.ts';
import { readaheadFrame, ssdReadNs, swapinNrPages, type SwapArea } from './swapReadahead.ts';

// Re-exported: __swapin_nr_pages, shared with swap_cluster_readahead's swapin_nr_pages (SwapArea.nrPages).
export { swapinNrPages };

/** SWAP_RA_ORDER_CEILING (mm/swap_state.c): the VMA window is at most 2^5 pages, below page_cluster's. */
export const SWAP_RA_ORDER_CEILING = 5;
/** SWAP_RA_HITS_MAX = SWAP_RA_HITS_MASK = (1 << (PAGE_SHIFT / 2)) - 1 with 4 KiB pages. */
export const SWAP_RA_HITS_MAX = 63;

/**
 * No swap fault yet: the kernel's vma->swap_readahead_info starts at 0, address 0, whose pfn is next to no
 * page of a user VMA (mmap_min_addr); the lab's addresses are gfns from the VMA's start, where 0 is the first
 * page, so the start is an address next to no gfn (neither it + 1 nor it - 1 is one).
 */
export const NO_SWAP_RA_ADDR = -2;

/** vma->swap_readahead_info: SWAP_RA_VAL(addr, win, hits), as gfn, window and hits. */
export class VmaSwapRa {
  addr = NO_SWAP_RA_ADDR;
  win = 0;
  hits = 0;
}

const state = new WeakMap<Guest, VmaSwapRa>();
/** The slots read ahead by the current call (at most the window less the faulting page). */
const readSlots = new Int32Array(1 << SWAP_RA_ORDER_CEILING);

/** The guest's VMA readahead state (created on first use). */
export function vmaSwapRa(g: Guest): VmaSwapRa {
  let s = state.get(g);
  if (s === undefined) {
    s = new VmaSwapRa();
    state.set(g, s);
  }
  return s;
}

/**
 * swap_cache_get_folio's VMA bookkeeping for a fault of guest g at gfn that found its folio in the swap
 * cache; `readahead`: the folio was PG_readahead (folio_test_clear_readahead).
 */
export function vmaSwapCacheHit(g: Guest, gfn: number, readahead: boolean): void {
  const s = vmaSwapRa(g);
  s.addr = gfn;
  if (readahead && s.hits < SWAP_RA_HITS_MAX) s.hits++;
}

/**
 * Whether guest g's page gfn has a swap entry in its PTE: swapped out, not in the swap cache, a slot. Not a
 * page the VMM's PTE maps (PG_HOST: pre-faulted, or swapped back in and unmapped from stage-2 by x86's root
 * zap): that PTE is present (swap_vma_readahead: `if (!is_swap_pte(pentry)) continue`), and a page a read
 * swap-in left in the swap cache (mm/swapIn.ts keepsSwapSlot) still has a slot.
 */
function isSwapPte(g: Guest, area: SwapArea, gfn: number): boolean {
  const f = g.flags[gfn];
  return (f & (PG_RESIDENT | PG_SWAPCACHE | PG_HOST)) === 0 && (f & PG_SWAPPED) !== 0 && area.slot(g.idBase + gfn) >= 0;
}

/**
 * swap_vma_readahead for guest g's refault of gfn (swapped out, its slot held) at virtual time t: reads
 * the faulting page and the window's other swap entries and returns when the faulting page's read
 * completes. Each other page becomes a swap-cache folio (PG_SWAPCACHE) on the LRU, holding a host frame
 * taken above `reserve` free frames; when none is free the readahead stops there (as
 * swapClusterReadahead). Counts one swap read and the pages read ahead.
 */
export function swapVmaReadahead(g: Guest, area: SwapArea, gfn: number, t: number, reserve: number): number {
  const s = vmaSwapRa(g);
  const stats = g.stats;
  const sb = g.sb;
  // swap_ra_info: max_win, then the window from the VMA's last swap fault (prev), which becomes this one.
  const maxWin = Math.min(area.maxPages, 1 << SWAP_RA_ORDER_CEILING);
  const prev = s.addr;
  let win = 1;
  if (maxWin > 1) {
    win = swapinNrPages(prev, gfn, s.hits, maxWin, s.win);
    s.addr = gfn;
    s.win = win;
    s.hits = 0;
  }
  let read = 1;
  if (win > 1) {
    let lpfn: number;
    let rpfn: number;
    if (gfn === prev + 1) {
      lpfn = gfn;
      rpfn = gfn + win;
    } else if (prev === gfn + 1) {
      lpfn = gfn - win + 1;
      rpfn = gfn + 1;
    } else {
      const left = (win - 1) >> 1;
      lpfn = gfn - left;
      rpfn = gfn + win - left;
    }
    // swap_ra_clamp_pfn: within the VMA (the guest's memory) and the fault's PMD.
    const pmd = gfn - (gfn % PMD_PAGES);
    const start = Math.max(lpfn, 0, pmd);
    const end = Math.min(rpfn, g.pages, pmd + PMD_PAGES);
    for (let x = start; x < end; x++) {
      if (x === gfn || !isSwapPte(g, area, x)) continue;
      if (!readaheadFrame(g.pgdat, g.host, t, reserve, g)) break; // wakes kswapd at low, as the cluster path
      const id = g.idBase + x;
      setPageFlags(g.flags, x, PG_SWAPCACHE);
      area.toCache(id);
      stats[sb + GS_RESIDENT]++;
      if (g.lruvec.onReadahead !== undefined) g.lruvec.onReadahead(id);
      else g.lruvec.onMap(id);
      readSlots[read - 1] = area.slot(id);
      read++;
    }
  }
  const done = t + ssdReadNs(read, area.readNs);
  // Each page's read, for readyAt (a fault on a page whose read is in flight waits for it): the slots
  // are not adjacent in general, so one entry per page.
  for (let i = 0; i < read - 1; i++) area.submitted(readSlots[i], readSlots[i], done);
  stats[sb + GS_SWAP_READS]++;
  stats[sb + GS_RA_PAGES] += read - 1;
  return done;
}
