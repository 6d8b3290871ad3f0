/**
 * swap_vma_readahead (mm/swapVmaReadahead.ts): a private anonymous guest's refault reads the swap PTEs of
 * a window centred on the faulting address (swap_ra_info), sized by the VMA's own readahead hits
 * (swap_readahead_info), clamped to the VMA and the PMD; a shmem guest keeps swap_cluster_readahead.
 *
 * Setup (test/sim/swapReadahead.test.ts's): one 4 MiB guest (1024 pages) pre-faulted on a 3 MiB host; gfns
 * 0..285 swapped out in order, gfn at slot 512 + gfn. The two paths pick different neighbours for the same
 * fault: the cluster path the aligned slots 528..535 (gfns 16..23) for gfn 20, the VMA path gfns 17..24
 * (left = (8 - 1) / 2 = 3 below).
 */
import { describe, expect, it } from 'vitest';
import type { Guest } from '../../engine/core/sim/guest.ts';
import { C_CMPXCHG, C_LOCK_ACQUIRE, C_S2_FAULT } from '../../engine/core/sim/costs.ts';
import { ssdReadNs } from '../../engine/core/mm/swapReadahead.ts';
import { NO_SWAP_RA_ADDR, swapinNrPages, vmaSwapRa } from '../../engine/core/mm/swapVmaReadahead.ts';
import { GS_RA_HITS, GS_RA_PAGES, GS_SWAP_READS, PG_SWAPCACHE, PG_SWAPPED } from '../../engine/core/sim/simLayout.ts';
import { scanSliceScenario, workerOf } from './fixtures.ts';

function build(backing: 'private-anon' | 'shmem-memfd'): { g: Guest; stats: Float64Array } {
  const c = scanSliceScenario({ name: 'vma-readahead', device: 'ssd', prefault: true, harvest: 'locked-write' });
  const w = workerOf(c);
  w.g.backing = backing;
  return w;
}

/** Trap + the map's read hold, its cache maintenance included (as swapReadahead.test.ts). */
const faultNs = (g: Guest): number => g.costs[C_S2_FAULT] + g.costs[C_LOCK_ACQUIRE] + g.costs[C_CMPXCHG] + g.cmoNs;
const cachedGfns = (g: Guest): number[] => {
  const out: number[] = [];
  for (let gfn = 0; gfn < g.pages; gfn++) if ((g.flags[gfn] & PG_SWAPCACHE) !== 0) out.push(gfn);
  return out;
};

describe('__swapin_nr_pages', () => {
  it('1 alone, 2 next to the previous fault, hits + 2 rounded up to a power of two, capped, halves at most', () => {
    expect(swapinNrPages(0, 20, 0, 8, 0)).toBe(1);
    expect(swapinNrPages(NO_SWAP_RA_ADDR, 0, 0, 8, 0)).toBe(1); // the first swap fault, at the VMA's start
    expect(swapinNrPages(NO_SWAP_RA_ADDR, 1, 0, 8, 0)).toBe(1);
    expect(swapinNrPages(20, 21, 0, 8, 0)).toBe(2);
    expect(swapinNrPages(20, 19, 0, 8, 0)).toBe(2);
    expect(swapinNrPages(0, 20, 1, 8, 0)).toBe(4); // 3 -> 4
    expect(swapinNrPages(0, 20, 7, 8, 0)).toBe(8); // 9 -> 16 -> 8
    expect(swapinNrPages(0, 20, 0, 8, 8)).toBe(4); // never below half the previous window
  });
});

describe('swap_vma_readahead (private-anon guest)', () => {
  it('reads the swap PTEs of the window centred on the fault: gfns 17..24 for gfn 20 with 7 VMA hits', () => {
    const { g, stats } = build('private-anon');
    const area = g.swapArea!;
    vmaSwapRa(g).hits = 7; // swap_readahead_info: 7 hits since the last swap fault (at address 0)
    const end = g.fault(20, true, 1000);
    expect(cachedGfns(g)).toEqual([17, 18, 19, 21, 22, 23, 24]);
    expect(end - 1000 - faultNs(g)).toBe(ssdReadNs(8, area.readNs));
    expect(stats[GS_SWAP_READS]).toBe(1);
    expect(stats[GS_RA_PAGES]).toBe(7);
    // Negative controls: outside the window (16, 25) stays swapped out; the info is this fault's.
    expect(g.flags[16]).toBe(PG_SWAPPED);
    expect(g.flags[25]).toBe(PG_SWAPPED);
    expect({ ...vmaSwapRa(g) }).toEqual({ addr: 20, win: 8, hits: 0 });
  });

  it('the global swapin_readahead_hits do not size it (the VMA keeps its own)', () => {
    const { g, stats } = build('private-anon');
    for (let i = 0; i < 7; i++) g.swapArea!.hit();
    g.fault(20, true, 1000);
    expect(cachedGfns(g)).toEqual([]);
    expect(stats[GS_RA_PAGES]).toBe(0);
  });

  it('a sequential fault reads ahead in its direction: up from 20 to 21 reads 22, down from 40 to 39 reads 38', () => {
    const { g } = build('private-anon');
    const t1 = g.fault(20, true, 1000); // window 1 (no hits, 20 is not next to 0)
    expect(cachedGfns(g)).toEqual([]);
    const t2 = g.fault(21, true, t1); // prev 20: window 2, [21, 23)
    expect(cachedGfns(g)).toEqual([22]);
    const t3 = g.fault(40, true, t2); // window: 1, but half the previous (2 >> 1): 1
    expect(cachedGfns(g)).toEqual([22]);
    g.fault(39, true, t3); // prev 40 = fpfn + 1: window 2, [38, 40)
    expect(cachedGfns(g)).toEqual([22, 38]);
  });

  it('a hit on a read-ahead page counts for the VMA and widens the next window: 4 pages around 100', () => {
    const { g, stats } = build('private-anon');
    vmaSwapRa(g).hits = 7;
    const t1 = g.fault(20, true, 1000);
    const t2 = g.fault(21, true, t1 + 10_000); // a swap-cache hit: no read
    expect(stats[GS_RA_HITS]).toBe(1);
    expect(stats[GS_SWAP_READS]).toBe(1);
    expect({ ...vmaSwapRa(g) }).toEqual({ addr: 21, win: 8, hits: 1 });
    // hits 1: 3 -> 4; half the last window (8 >> 1) = 4; prev 21 is not adjacent: left 1, [99, 103).
    g.fault(100, true, t2);
    expect(cachedGfns(g)).toEqual([17, 18, 19, 22, 23, 24, 99, 101, 102]);
    expect(vmaSwapRa(g).win).toBe(4);
  });

  it('clamped to the VMA: gfn 2 with a window of 8 reads 0, 1 and 3..6 ([-1, 7) from 0)', () => {
    const { g } = build('private-anon');
    vmaSwapRa(g).hits = 7;
    g.fault(2, true, 1000);
    expect(cachedGfns(g)).toEqual([0, 1, 3, 4, 5, 6]);
    // gfn 1, the VMA's second page, is not sequential to the initial info (the kernel's address 0 is in no
    // VMA; session 15 (r): the lab's initial gfn 0 made it [1, 9)): centred, [-2, 6) clamped to [0, 6).
    // Negative control (by hand): NO_SWAP_RA_ADDR 0 -> 2..8.
    const b = build('private-anon').g;
    vmaSwapRa(b).hits = 7;
    b.fault(1, true, 1000);
    expect(cachedGfns(b)).toEqual([0, 2, 3, 4, 5]);
    // A fault after one at gfn 0 is sequential: [1, 9).
    const c = build('private-anon').g;
    const t = c.fault(0, true, 1000);
    vmaSwapRa(c).hits = 7;
    c.fault(1, true, t);
    expect(cachedGfns(c)).toEqual([2, 3, 4, 5, 6, 7, 8]);
  });

  it('negative control: a shmem guest keeps swap_cluster_readahead (the aligned slot window 16..23)', () => {
    const { g } = build('shmem-memfd');
    for (let i = 0; i < 7; i++) g.swapArea!.hit();
    vmaSwapRa(g).hits = 0;
    g.fault(20, true, 1000);
    expect(cachedGfns(g)).toEqual([16, 17, 18, 19, 21, 22, 23]);
  });
});
