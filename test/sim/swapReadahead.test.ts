/**
 * Swap-in readahead on an SSD (mm/swapReadahead.ts): swap_cluster_readahead reads the aligned window
 * of swapin_nr_pages slots around the faulting one in one request; the window's other swapped-out pages
 * become swap-cache folios on the LRU, a later fault on one is a minor fault (no I/O), an unused one is
 * reclaimed without a write, and zram (SWP_SYNCHRONOUS_IO) reads only the faulting page.
 *
 * Setup (as test/sim/prefault.test.ts): one 4 MiB guest (1024 pages) pre-faulted on a 3 MiB host; the
 * first 286 pages written were swapped out in write order by kswapd, whose CPU took its slots from the
 * first free swap cluster (mm/swapSlots.ts: cluster 1, cluster 0 holding the header), so page gfn holds
 * slot 512 + gfn.
 */
import { describe, expect, it } from 'vitest';
import type { Guest } from '../../engine/core/sim/guest.ts';
import { C_CMPXCHG, C_LOCK_ACQUIRE, C_S2_FAULT } from '../../engine/core/sim/costs.ts';
import { SwapArea, ssdReadNs, SSD_READ_PAGE_NS } from '../../engine/core/mm/swapReadahead.ts';
import { DList } from '../../engine/core/sim/dlist.ts';
import { OPTANE_P5800X_READ_NS, SSD_SWAP_IN_NS } from '../../engine/core/mm/swap.ts';
import {
  GS_EVICTIONS,
  GS_FOLIOS_CONSIDERED,
  GS_KSWAPD_WAKEUPS,
  GS_LOCK_HOLD_NS,
  GS_RA_HITS,
  GS_RA_PAGES,
  GS_REFAULTS,
  GS_RESIDENT,
  GS_SWAP_READS,
  PG_HOST_YOUNG,
  PG_RESIDENT,
  PG_SWAPCACHE,
  PG_SWAPPED,
  PG_TOUCHED,
} from '../../engine/core/sim/simLayout.ts';
import { scanSliceScenario, workerOf } from './fixtures.ts';

function build(device: 'ssd' | 'zram', ssd?: 'tlc-nand' | 'optane-p5800x'): { g: Guest; stats: Float64Array } {
  const c = scanSliceScenario({ name: 'readahead', device, prefault: true, harvest: 'locked-write' });
  if (ssd !== undefined) c.host.swap.ssd = ssd;
  return workerOf(c);
}

const SWAPPED = 286;
/** The first slot of kswapd's first cluster (SWAPFILE_CLUSTER 512). */
const BASE = 512;
const HIGH = 30;
const MIN = 7; // floor(768 * 1 / 100)
/** The trap and the map's read-lock hold around any stage-2 fault with no lock contention. */
/** Trap + the map's read hold, its cache maintenance included (no S2FWB: Guest.cmoNs). */
const faultNs = (g: Guest): number => g.costs[C_S2_FAULT] + g.costs[C_LOCK_ACQUIRE] + g.costs[C_CMPXCHG] + g.cmoNs;
const cachedGfns = (g: Guest): number[] => {
  const out: number[] = [];
  for (let gfn = 0; gfn < g.pages; gfn++) if ((g.flags[gfn] & PG_SWAPCACHE) !== 0) out.push(gfn);
  return out;
};

describe('swapin_nr_pages (the adaptive window)', () => {
  it('follows __swapin_nr_pages: 1 alone, 2 next to the last, hits round up to a power of two, shrinks by halves', () => {
    const a = new SwapArea(new DList(new Int32Array(2), 0, 1), 1001);
    expect(a.nrPages(100)).toBe(1); // no hits, not next to prev_offset (0)
    expect(a.nrPages(101)).toBe(2); // next to the previous offset
    a.hit();
    expect(a.nrPages(103)).toBe(4); // hits 1: 3 rounded up to 4
    for (let i = 0; i < 3; i++) a.hit();
    expect(a.nrPages(107)).toBe(8); // hits 3: 5 -> 8
    for (let i = 0; i < 7; i++) a.hit();
    expect(a.nrPages(115)).toBe(8); // 9 -> 16, capped at 2^page_cluster
    expect(a.nrPages(500)).toBe(4); // no hits, far away: 1, but never below half the last window
    expect(a.nrPages(900)).toBe(2);
    expect(a.nrPages(300)).toBe(1);
    // page_cluster 0: never any readahead, whatever the hits.
    const none = new SwapArea(new DList(new Int32Array(2), 0, 1), 101, 0);
    for (let i = 0; i < 7; i++) none.hit();
    expect(none.nrPages(5)).toBe(1);
  });

  it('a swapped-out page keeps its slot in its unused list link; a swap-cache page in a map, and back on reclaim', () => {
    const list = new DList(new Int32Array(2 * 8), 0, 8);
    const a = new SwapArea(list, 2048);
    // kswapd's CPU: the first free cluster is 1 (cluster 0 holds the header), filled in order.
    expect([a.alloc(3), a.alloc(0), a.alloc(2)]).toEqual([512, 513, 514]);
    expect(a.slot(0)).toBe(513); // kept in the page's unused list link
    expect(a.pageAt(513)).toBe(0);
    a.free(0, 1);
    expect(a.pageAt(513)).toBe(-1);
    expect(a.alloc(1)).toBe(515); // the freed slot waits in CPU 1's slots_ret (mm/swapSlots.ts)
    // A swap-cache page's slot survives its list link being reused, and goes back there on reclaim.
    a.toCache(3);
    list.setSpare(3, 99);
    expect(a.slot(3)).toBe(512);
    a.fromCache(3);
    expect(list.spare(3)).toBe(512);
  });
});

describe('swap_cluster_readahead on an SSD', () => {
  it('reads the aligned 8-slot window in one request; the others join the swap cache and the LRU', () => {
    const { g, stats } = build('ssd');
    const area = g.swapArea!;
    expect(area.slot(g.idBase + 20)).toBe(BASE + 20); // pre-fault order: slot = 512 + gfn
    for (let i = 0; i < 7; i++) area.hit(); // seven readahead hits since the last swap-in: window 8
    const lru = g.lruvec.size();
    const end = g.fault(20, true, 1000);
    // slot 532 -> window [528, 535] -> gfns 16..23 except 20 itself: 7 pages read ahead.
    expect(cachedGfns(g)).toEqual([16, 17, 18, 19, 21, 22, 23]);
    expect(end).toBe(1000 + faultNs(g) + ssdReadNs(8));
    expect(ssdReadNs(8)).toBe(SSD_SWAP_IN_NS + 7 * SSD_READ_PAGE_NS);
    expect(g.host.free()).toBe(HIGH - 8);
    expect(g.lruvec.size()).toBe(lru + 8);
    expect(stats[GS_SWAP_READS]).toBe(1);
    expect(stats[GS_RA_PAGES]).toBe(7);
    // Negative controls: the neighbours outside the aligned window (15, 24) stay swapped, untouched.
    expect(g.flags[15]).toBe(PG_SWAPPED);
    expect(g.flags[24]).toBe(PG_SWAPPED);
    // The faulting page's slot is freed (shmem_swapin_folio); the cached ones keep theirs.
    expect(area.pageAt(BASE + 20)).toBe(-1);
    expect(area.slot(g.idBase + 21)).toBe(BASE + 21);
    expect(area.pageAt(BASE + 21)).toBe(g.idBase + 21);
  });

  it('a later fault on a read-ahead page is a minor fault: no I/O, counted as a hit; in flight it waits for the read', () => {
    const { g, stats } = build('ssd');
    const area = g.swapArea!;
    for (let i = 0; i < 7; i++) area.hit();
    const end = g.fault(20, true, 1000);
    const resident = stats[GS_RESIDENT];
    const lru = g.lruvec.size();
    const t = end + 5000;
    expect(g.fault(21, true, t)).toBe(t + faultNs(g)); // no read
    expect(stats[GS_SWAP_READS]).toBe(1);
    expect(stats[GS_RA_HITS]).toBe(1);
    expect(stats[GS_REFAULTS]).toBe(2); // still a refault of an evicted page
    // do_swap_page / shmem finish_fault installed the VMM's PTE young (mm/hostPte.ts).
    expect(g.flags[21]).toBe(PG_RESIDENT | PG_TOUCHED | PG_SWAPPED | PG_HOST_YOUNG);
    expect(stats[GS_RESIDENT]).toBe(resident); // counted when it was read ahead
    expect(g.lruvec.size()).toBe(lru); // on the LRU already
    expect(g.host.free()).toBe(HIGH - 8); // no frame taken
    expect(area.pageAt(BASE + 21)).toBe(-1);
    // Another vCPU faulting a read-ahead page while the request is in flight (t = 2,000 ns, the read
    // ends at end - the lock hold) waits for the read's end, then maps: it finishes when the first did.
    expect(g.fault(22, true, 2000, 1)).toBe(end);
    expect(stats[GS_SWAP_READS]).toBe(1);
    // Negative control: a page outside the window still takes a read of its own.
    g.fault(30, true, t);
    expect(stats[GS_SWAP_READS]).toBe(2);
  });

  it('stops when no frame is free above the min watermark', () => {
    const { g, stats } = build('ssd');
    for (let i = 0; i < 7; i++) g.swapArea!.hit();
    g.host.put(-(HIGH - (MIN + 1 + 3))); // MIN + 4 free: one for the faulting page, three above min
    g.fault(20, true, 1000);
    expect(cachedGfns(g)).toEqual([16, 17, 18]);
    expect(stats[GS_RA_PAGES]).toBe(3);
    expect(g.host.free()).toBe(MIN);
  });

  it('an adjacent swap-in opens a window of 2 aligned on an even slot: after an even slot it reads nothing', () => {
    // What decides the v1 reproduction's regime (docs/repro-max-guest-memory.md, session 18 (d)): with no
    // hits, __swapin_nr_pages gives 2 only to a swap-in next to the previous one, and swap_cluster_readahead
    // reads the aligned pair (offset & ~1, offset | 1). Ascending, the pair of an odd slot is the previous
    // one, already freed by shmem_swapin_folio: nothing is read ahead, no hit follows, the window closes.
    const pair = (first: number): number[] => {
      const { g } = build('ssd');
      g.fault(first, true, 1000); // window 1: no hits, not next to prev_offset 0
      g.fault(first + 1, true, 200_000); // next to it: window 2
      return cachedGfns(g);
    };
    expect(pair(40)).toEqual([]); // slots 552, 553: the pair (552, 553), 552 freed
    expect(pair(41)).toEqual([43]); // slots 553, 554: the pair (554, 555) reads gfn 43
  });

  it('a read-ahead folio taken at or below the low watermark wakes kswapd, as the faulting page would', () => {
    // __read_swap_cache_async allocates each window folio with the fault's gfp: __alloc_pages' fast path
    // fails at low (free <= low) and the slow path wakes kswapd before retrying at min (mm/page_alloc.c).
    // Negative control (seen failing before readaheadFrame): without the wake-up kswapd stays asleep.
    const wakesAfter = (free: number): { wakes: number; yieldNow: boolean; left: number } => {
      const { g, stats, kswapd } = workerOf(
        scanSliceScenario({ name: 'readahead', device: 'ssd', prefault: true, harvest: 'locked-write' }),
      );
      expect(kswapd).not.toBeNull();
      for (let i = 0; i < 7; i++) g.swapArea!.hit();
      g.host.put(-(g.host.free() - free));
      const before = stats[GS_KSWAPD_WAKEUPS];
      g.fault(20, true, 1000); // the faulting page's frame above low: allocFrame wakes nobody
      expect(cachedGfns(g)).toEqual([16, 17, 18, 19, 21, 22, 23]);
      return { wakes: stats[GS_KSWAPD_WAKEUPS] - before, yieldNow: g.yieldNow, left: g.host.free() };
    };
    const { g } = build('ssd');
    const low = g.host.low;
    expect(low - 6).toBeGreaterThan(MIN); // the window read whole, above min
    // low + 2 free: the fault takes one (low + 1), the first folio one (low), the second finds free <= low.
    expect(wakesAfter(low + 2)).toEqual({ wakes: 1, yieldNow: true, left: low - 6 });
    // low + 9 free: the eight frames leave low + 1, above low: no wake-up.
    expect(wakesAfter(low + 9)).toEqual({ wakes: 0, yieldNow: false, left: low + 1 });
  });

  it('an unused read-ahead page is reclaimed without a write: no lock, no swap-out, slot kept', () => {
    const { g, stats } = build('ssd');
    const area = g.swapArea!;
    for (let i = 0; i < 7; i++) area.hit();
    g.fault(20, true, 1000);
    const hold = stats[GS_LOCK_HOLD_NS];
    const free = g.host.free();
    const resident = stats[GS_RESIDENT];
    const considered = stats[GS_FOLIOS_CONSIDERED];
    // folio_referenced on a folio mapped nowhere: not referenced, no mmu notifier.
    expect(g.pgdat.referenced(g.idBase + 18, null)).toBe(false);
    expect(stats[GS_FOLIOS_CONSIDERED]).toBe(considered);
    // (The test calls evictOne directly: pickVictim would first have taken the page off its list.)
    expect(g.evictOne(18, 50_000, false)).toBe(50_000); // no lock hold, no swap-out submission
    expect(stats[GS_LOCK_HOLD_NS]).toBe(hold);
    expect(stats[GS_EVICTIONS]).toBe(0);
    expect(g.flags[18]).toBe(PG_SWAPPED);
    expect(stats[GS_RESIDENT]).toBe(resident - 1);
    expect(g.host.free()).toBe(free + 1);
    expect(area.slot(g.idBase + 18)).toBe(BASE + 18); // its data is still in its slot
    // Negative control: evicting a mapped page pays the unmap and the swap-out, and takes a new slot.
    const e = g.evictOne(20, 60_000, false);
    expect(e).toBeGreaterThan(60_000 + g.swapOutNs);
    expect(stats[GS_EVICTIONS]).toBe(1);
    // kswapd's slot cache holds the rest of its first refill batch of 64 after the pre-fault's 286.
    expect(area.slot(g.idBase + 20)).toBe(BASE + SWAPPED);
  });

  it('zram (SWP_SYNCHRONOUS_IO) reads only the faulting page: no slots, no swap cache, no readahead', () => {
    const { g, stats } = build('zram');
    expect(g.swapArea).toBeNull();
    const end = g.fault(20, true, 1000);
    expect(end).toBe(1000 + faultNs(g) + g.swapInNs);
    expect(cachedGfns(g)).toEqual([]);
    expect(stats[GS_SWAP_READS]).toBe(0);
    expect(stats[GS_RA_PAGES]).toBe(0);
    expect(g.host.free()).toBe(HIGH - 1);
    // Its neighbour in the same window is a full swap-in of its own.
    expect(g.fault(21, true, end)).toBe(end + faultNs(g) + g.swapInNs);
  });
});

describe('the SSD model (host.swap.ssd): its 4 KiB read latency, the rest of the read unchanged', () => {
  // The same window read as 'reads the aligned 8-slot window in one request' above, on each model:
  // 7 readahead hits -> window 8 around slot 532, gfns 16..23 read in one request.
  const windowRead = (ssd?: 'tlc-nand' | 'optane-p5800x'): number => {
    const { g } = build('ssd', ssd);
    for (let i = 0; i < 7; i++) g.swapArea!.hit();
    return g.fault(20, true, 1000) - 1000 - faultNs(g);
  };

  it("'optane-p5800x' (the seed hosts' INTEL SSDPF21Q800GB): 13.4 us + 1.4 us per extra page", () => {
    expect(OPTANE_P5800X_READ_NS).toBe(13_400);
    expect(windowRead('optane-p5800x')).toBe(13_400 + 7 * SSD_READ_PAGE_NS);
    // A page read alone (no readahead hit yet, not next to the previous fault: window 1).
    const { g } = build('ssd', 'optane-p5800x');
    expect(g.fault(40, true, 1000) - 1000 - faultNs(g)).toBe(13_400);
  });

  it("absent or 'tlc-nand': the 90 us estimate, as before the field existed", () => {
    // Negative control in the data: the model is what moves the read (the same fault, 76.6 us apart).
    expect(windowRead()).toBe(SSD_SWAP_IN_NS + 7 * SSD_READ_PAGE_NS);
    expect(windowRead('tlc-nand')).toBe(windowRead());
    expect(windowRead() - windowRead('optane-p5800x')).toBe(90_000 - 13_400);
  });
});
