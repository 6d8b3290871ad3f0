/**
 * Swap slots and swap-in readahead on a block swap device (the SSD; zram is SWP_SYNCHRONOUS_IO and
 * takes neither, see below).
 *
 * Slots (mm/swapSlots.ts): folio_alloc_swap on the reclaiming CPU, from that CPU's swap slot cache
 * and swap cluster, as the kernel does on an SSD (SWP_SOLIDSTATE): kswapd's consecutive swap-outs fill
 * its cluster in order, and a vCPU in direct reclaim fills its own, so two reclaimers' swap-outs do not
 * interleave in slot order. Each worker's node has one swap device over its guests' pages (Pgdat ids).
 * A page keeps its slot while it is swapped out and while it sits in the swap cache;
 * shmem_swapin_folio frees it (delete_from_swap_cache, swap_free) on the faulting vCPU's CPU when the
 * page is faulted in, as the guest memory of max_guest_memory_test is a shmem memfd. Private anonymous
 * memory's read fault keeps it (do_swap_page: mm/swapIn.ts keepsSwapSlot) while the page is mapped.
 *
 * Readahead (mm/swap_state.c, read in 6.3): shmem_swapin_folio -> shmem_swapin (6.1-6.6; later
 * shmem_swapin_cluster) -> swap_cluster_readahead reads the window of swapin_nr_pages(offset) slots aligned
 * around the faulting slot (mask = pages - 1, start = offset & ~mask, end = offset | mask), each slot
 * through __read_swap_cache_async, which skips a free slot or one whose folio is in the swap cache already,
 * allocates a folio with the fault's gfp and submits its read inside one block plug; folios other than the
 * faulting one are marked PG_readahead. swapin_nr_pages is the kernel's adaptive window: 2^page_cluster at
 * most, sized by the readahead hits since the last call (swap_cache_get_folio counts a hit when it finds a
 * folio with PG_readahead and clears it), or 2 for an access next to the previous one, else 1; never less
 * than half the previous window. shmem_swapin_folio looks the folio up with swap_cache_get_folio(swap, NULL,
 * 0): no VMA, so its hits go to the global swapin_readahead_hits and prev_offset is one for every faulting
 * task: several vCPUs refaulting at once interleave their offsets, a swap-in is next to the previous one
 * only when no other came between, and a window of 2 reads the aligned pair, in which the previous slot of
 * an ascending stream (freed by its swap-in) is the odd slot's partner: only an even slot reads ahead
 * (docs/repro-max-guest-memory.md, session 18 (d)). Private anonymous guest memory (memoryBacking
 * 'private-anon') on a non-rotational device takes swap_vma_readahead instead (swap_use_vma_readahead;
 * mm/swapVmaReadahead.ts); shmem always takes the cluster path.
 *
 * zram: do_swap_page / shmem_swapin_folio skip the swap cache and readahead for SWP_SYNCHRONOUS_IO
 * devices (a synchronous read of the one page): no SwapArea exists then (Pgdat.swap is null).
 *
 * Memory, only with an SSD: the page of each slot (mm/swapSlots.ts: Int32 per slot of the clusters in
 * use); the slot of a swapped-out page is kept in its LRU node's unused link (DList.spare: the page is
 * on no list), and that of a read-ahead page, which is on the LRU, in a map (as many entries as
 * read-ahead pages in the swap cache, a share of the host's frames); the completion time of each folio
 * under writeback or written and not yet freed (SwapArea.writeback, mm/swap.ts: the writes in flight plus
 * the swap-outs since reclaim last ran, also a share of the host's frames).
 *
 * Swap full: the lab does not model a full device (add_to_swap failing, the folio kept). A page
 * swapped out while no slot can be had gets none: its refault reads it alone, without readahead.
 */
import type { ScenarioConfig } from '../../protocol.ts';
import type { DList } from '../sim/dlist.ts';
import type { HostFrames } from './hostFrames.ts';
import type { Pgdat } from './pgdat.ts';
import { SSD_SWAP_IN_NS } from './swap.ts';
import { KSWAPD_CPU, SwapSlots } from './swapSlots.ts';
import { GS_RA_PAGES, GS_RESIDENT, GS_SWAP_READS, PG_SWAPCACHE } from '../sim/simLayout.ts';
import { setPageFlags } from './pageFlags.ts';

/** vm.page-cluster's default (mm/swap.c swap_setup: 3 above 16 MiB of RAM): windows of up to 8 slots. */
export const PAGE_CLUSTER = 3;

/**
 * Each page of a multi-page swap read after the first: estimate, 1.4 us. The window's reads are
 * adjacent bios submitted under one blk_plug, which blk-mq merges into one request; the device pays
 * its access latency once (SSD_SWAP_IN_NS, an estimate for a 4 KiB read) plus the transfer of the
 * extra 4 KiB pages at its sequential read rate, ~3 GB/s for a PCIe 3.0 x4 datacenter NVMe SSD
 * (4,096 B / 3 GB/s = 1.4 us). A 32 KiB read thus costs 90 + 7 x 1.4 = 99.8 us.
 */
export const SSD_READ_PAGE_NS = 1_400;

/**
 * Virtual ns one swap read of `pages` adjacent slots takes (see SSD_READ_PAGE_NS) on a device whose 4 KiB
 * read takes `readNs` (mm/swap.ts ssdReadLatencyNs).
 */
export function ssdReadNs(pages: number, readNs = SSD_SWAP_IN_NS): number {
  return readNs + (pages - 1) * SSD_READ_PAGE_NS;
}

/** The swap device's size in 4 KiB slots (host.swap.sizeMiB), the header slot included. */
export function swapDeviceSlots(config: ScenarioConfig): number {
  return Math.floor(config.host.swap.sizeMiB * 256);
}

/** Recent reads kept to find one still in flight when a readahead page is faulted (see readyAt). */
const INFLIGHT = 256;

/** __swapin_nr_pages (mm/swap_state.c): the window for a swap fault at `offset`
 * (swapin_nr_pages here, swap_vma_readahead's swap_ra_info in mm/swapVmaReadahead.ts). */
export function swapinNrPages(
  prevOffset: number,
  offset: number,
  hits: number,
  maxPages: number,
  prevWin: number,
): number {
  let pages = hits + 2;
  if (pages === 2) {
    // No hits to judge by: an access next to the previous one still earns a window of 2.
    if (offset !== prevOffset + 1 && offset !== prevOffset - 1) pages = 1;
  } else {
    let roundup = 4;
    while (roundup < pages) roundup <<= 1;
    pages = roundup;
  }
  if (pages > maxPages) pages = maxPages;
  // "Don't shrink readahead too fast."
  const lastRa = prevWin >> 1;
  if (pages < lastRa) pages = lastRa;
  return pages;
}

export class SwapArea {
  /** Slots of the pages in the swap cache (on the LRU, so their list link is in use). */
  private readonly cached = new Map<number, number>();
  /** The device's slots: which page holds each, and how they are handed out (mm/swapSlots.ts). */
  readonly slots: SwapSlots;
  readonly maxPages: number;
  /** swapin_nr_pages' state: swapin_readahead_hits, prev_offset, last_readahead_pages. */
  private hits = 0;
  private prevOffset = 0;
  private lastRaPages = 0;
  /** Reads recently submitted: [first slot, last slot, completion time] per entry, a ring. */
  private readonly inflight = new Float64Array(INFLIGHT * 3).fill(-1);
  private inflightNext = 0;
  /**
   * Folios swapped out and not yet freed (mm/swap.ts): page id -> the virtual time its write completes,
   * in submission order. Off the LRU (their slot in their list link), flagged PG_SWAPCACHE. As many
   * entries as writes in flight plus written folios reclaim has not come back to.
   */
  readonly writeback = new Map<number, number>();

  /**
   * list: the node's LRU list, whose unused links of off-list pages hold their slots; pages: the
   * node's guest pages; deviceSlots: the swap device's size in 4 KiB slots (header included); seed:
   * the run's seed (the allocator's get_random_u32_inclusive draws).
   */
  constructor(
    private readonly list: DList,
    deviceSlots: number,
    pageCluster = PAGE_CLUSTER,
    seed = 1,
    /** The device's 4 KiB read latency (mm/swap.ts ssdReadLatencyNs). */
    readonly readNs = SSD_SWAP_IN_NS,
  ) {
    this.slots = new SwapSlots(deviceSlots, seed);
    this.maxPages = 1 << pageCluster;
  }

  /** The slot of a swapped-out page id (in the swap cache or not), -1 if it has none. */
  slot(id: number): number {
    const c = this.cached.get(id);
    return c ?? this.list.spare(id);
  }

  /** The page in slot `s`, or -1 (free or out of the area). */
  pageAt(s: number): number {
    return this.slots.pageAt(s);
  }

  /**
   * folio_alloc_swap for page id, off the LRU and holding no slot, by a reclaimer on CPU `cpu`
   * (mm/swapSlots.ts: KSWAPD_CPU, or cpuOfVcpu for direct reclaim): its slot, or -1 when none is free.
   */
  alloc(id: number, cpu = KSWAPD_CPU): number {
    const s = this.slots.alloc(id, cpu);
    this.list.setSpare(id, s);
    return s;
  }

  /**
   * swap_free on CPU `cpu`: the page was faulted in by a vCPU there (shmem_swapin_folio frees its slot,
   * through that CPU's slots_ret). Before it joins the LRU.
   */
  free(id: number, cpu: number): void {
    const s = this.slot(id);
    this.cached.delete(id);
    if (s > 0) this.slots.free(s, cpu);
  }

  /** Page id enters the swap cache, about to join the LRU: its slot moves out of its list link. */
  toCache(id: number): void {
    this.cached.set(id, this.list.spare(id));
  }

  /** Page id leaves the swap cache unused (reclaimed, off the LRU now): its slot goes back to its link. */
  fromCache(id: number): void {
    const s = this.cached.get(id);
    this.cached.delete(id);
    this.list.setSpare(id, s ?? -1);
  }

  /**
   * Whether page id's folio is in the swap cache with its slot while on the LRU: a read-ahead folio
   * (PG_SWAPCACHE), or a private anonymous page mapped after a swap-in that kept its slot (PG_SWAPSLOT, or
   * dirtied since: mm/swapIn.ts keepsSwapSlot).
   */
  holds(id: number): boolean {
    return this.cached.has(id);
  }

  /**
   * vm_swap_full (include/linux/swap.h, 6.1-6.4: "Swap 50% full? Release swapcache more aggressively"):
   * nr_swap_pages * 2 < total_swap_pages, with nr_swap_pages the free slots (those the CPUs' slot caches
   * hold, and freed ones not yet returned from slots_ret, are not free: SwapInfo.inusePages counts them)
   * and total_swap_pages the usable ones (si->pages). One device.
   */
  vmSwapFull(): boolean {
    const total = this.slots.pages;
    return (total - this.slots.inusePages()) * 2 < total;
  }

  /** swap_cache_get_folio found a PG_readahead folio: one more readahead hit. */
  hit(): void {
    this.hits++;
  }

  /**
   * swapin_nr_pages(offset) with __swapin_nr_pages: the window for a swap-in of `offset`, a power of
   * two from 1 to 2^page_cluster. Consumes the hits counted since the previous call.
   */
  nrPages(offset: number): number {
    const max = this.maxPages;
    if (max <= 1) return 1;
    const hits = this.hits;
    this.hits = 0;
    const pages = swapinNrPages(this.prevOffset, offset, hits, max, this.lastRaPages);
    if (hits === 0) this.prevOffset = offset;
    this.lastRaPages = pages;
    return pages;
  }

  /** Record one read of slots [first, last] completing at `end` (for readyAt). */
  submitted(first: number, last: number, end: number): void {
    const o = this.inflightNext * 3;
    this.inflight[o] = first;
    this.inflight[o + 1] = last;
    this.inflight[o + 2] = end;
    this.inflightNext = (this.inflightNext + 1) % INFLIGHT;
  }

  /**
   * When the read that brought slot `s` into the swap cache completes (0 if long done or unknown):
   * a fault on a readahead folio whose read is in flight waits for it (folio_lock in
   * shmem_swapin_folio sleeps until the read's end_io unlocks the folio).
   */
  readyAt(s: number): number {
    const f = this.inflight;
    let end = 0;
    for (let o = 0; o < f.length; o += 3) if (f[o] <= s && s <= f[o + 1] && f[o + 2] > end) end = f[o + 2];
    return end;
  }
}

/**
 * The frame of one read-ahead folio: __read_swap_cache_async's vma_alloc_folio with the fault's gfp
 * (mm/swap_state.c, 6.1-6.4; shmem: the memfd's mapping_gfp_mask, GFP_HIGHUSER_MOVABLE), at virtual time t
 * on node pg. Each readahead folio is an allocation of its own, so it takes __alloc_pages' path as the
 * faulting page's does (mm/directReclaim.ts allocFrame): the fast path's get_page_from_freelist fails at
 * the low watermark (zone_watermark_fast: free <= low), and the slow path wakes kswapd (wake_all_kswapds ->
 * wakeup_kswapd) before it retries against the min watermark (`reserve`). Without the wake-up, a window
 * whose folios took the node from above low to below it left kswapd asleep until the next fault that
 * allocated (a readahead hit allocates nothing). A kswapd it woke makes the faulting guest (`waker`) yield
 * after this access, as allocFrame's wake-up does, so kswapd's steps are booked in virtual-time order.
 * Returns whether a frame was taken.
 */
export function readaheadFrame(
  pg: Pgdat,
  host: HostFrames,
  t: number,
  reserve: number,
  waker: { yieldNow: boolean },
): boolean {
  if (pg.kswapdTask !== null && host.wmarkFree() <= host.low && pg.wakeKswapd(t)) waker.yieldNow = true;
  return host.tryTake(reserve);
}

/**
 * swap_cluster_readahead for the swap-in of page `id` (its slot still held) at virtual time t, by a
 * fault of the guest whose counters are at stats[sb] (`waker`: that guest, see readaheadFrame): reads the
 * faulting page and the window's other swapped-out pages in one request and returns its completion time.
 * Each other page becomes a swap-cache folio (PG_SWAPCACHE) on the LRU (folio_add_lru from __read_swap_cache_async, placed by
 * Policy.onReadahead), holding a host frame taken above `reserve` free frames: the allocation with the
 * fault's gfp (readaheadFrame: it wakes kswapd at or below the low watermark). When none is free the
 * readahead stops there (a deviation: the kernel's gfp allows direct reclaim for each readahead folio; here
 * only the faulting page's own frame is reclaimed for).
 */
export function swapClusterReadahead(
  pg: Pgdat,
  area: SwapArea,
  id: number,
  t: number,
  stats: Float64Array,
  sb: number,
  reserve: number,
  waker: { yieldNow: boolean },
): number {
  const offset = area.slot(id);
  if (offset < 0) {
    // No slot (swapped out while the device was full, see SwapArea): a read of the page alone.
    stats[sb + GS_SWAP_READS]++;
    return t + ssdReadNs(1, area.readNs);
  }
  const mask = area.nrPages(offset) - 1;
  let first = offset;
  let last = offset;
  let read = 1;
  if (mask !== 0) {
    const start = Math.max(1, offset & ~mask); // slot 0 is the swap header
    const end = offset | mask;
    for (let s = start; s <= end; s++) {
      if (s === offset) continue;
      const other = area.pageAt(s);
      if (other < 0) continue; // a free slot: swapcache_prepare fails, nothing to read
      const k = pg.guestOf(other);
      const g = pg.guests[k];
      const gfn = other - g.idBase;
      if ((g.flags[gfn] & PG_SWAPCACHE) !== 0) continue; // in the swap cache already: no read
      if (!readaheadFrame(pg, g.host, t, reserve, waker)) break;
      setPageFlags(g.flags, gfn, PG_SWAPCACHE);
      area.toCache(other);
      g.stats[g.sb + GS_RESIDENT]++;
      if (g.lruvec.onReadahead !== undefined) g.lruvec.onReadahead(other);
      else g.lruvec.onMap(other);
      read++;
      if (s < first) first = s;
      if (s > last) last = s;
    }
  }
  stats[sb + GS_SWAP_READS]++;
  stats[sb + GS_RA_PAGES] += read - 1;
  const done = t + ssdReadNs(read, area.readNs);
  if (read > 1) area.submitted(first, last, done);
  return done;
}
