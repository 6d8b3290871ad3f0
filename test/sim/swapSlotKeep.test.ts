/**
 * A private anonymous guest's swap-in keeps its swap slot unless should_try_to_free_swap says otherwise
 * (mm/swapIn.ts keepsSwapSlot; do_swap_page, mm/memory.c 6.1-6.4): a read fault leaves the folio mapped in
 * the swap cache with its slot (PG_SWAPSLOT), a write fault frees it, a swap more than half full
 * (vm_swap_full) frees it on a read too. The first write after a read swap-in (the stage-2 permission fault
 * -> do_wp_page -> wp_page_reuse, exclusive folio) dirties the folio and keeps the slot. Reclaim evicts a
 * clean swap-cache folio with no write (shrink_folio_list: no add_to_swap, no pageout) and a dirty one by
 * writing its own slot. shmem guests free the slot on every swap-in (shmem_swapin_folio).
 *
 * Setup (test/sim/swapReadahead.test.ts's): one 4 MiB guest (1024 pages) pre-faulted on a 3 MiB host with a
 * 64 MiB SSD swap device; the first 286 pages written were swapped out in order by kswapd, gfn at slot
 * 512 + gfn. kswapd's slot cache refilled 64 at a time: 5 refills, 320 slots in use (si->inuse_pages).
 *
 * Negative controls (run by hand, session 16 (h); each fails the tests named, the others pass):
 * keepsSwapSlot returning false always (the old model): read-keeps, the permission fault, both eviction
 * tests and the 641-slot control (5); its `write ||` term removed: 'a write fault frees it' and the
 * eviction test's write-swap-in control (2); vmSwapFull's `<` made `<=`: the boundary (1); afterRangeEnd's
 * PG_SWAPSLOT branch removed: both eviction tests (a write, a new slot) (2); permFault's PG_SWAPSLOT clear
 * removed: the permission-fault test and the dirty eviction (no write) (2); finishRangeEnd always adding
 * swapOutNs: the deferred range_end test (1).
 */
import { describe, expect, it, vi } from 'vitest';
import type { Guest } from '../../engine/core/sim/guest.ts';
import type { ScenarioConfig } from '../../engine/protocol.ts';
import { SSD_SWAP_OUT_SUBMIT_NS } from '../../engine/core/mm/swap.ts';
import { SwapArea } from '../../engine/core/mm/swapReadahead.ts';
import { DList } from '../../engine/core/sim/dlist.ts';
import { KSWAPD_CPU } from '../../engine/core/mm/swapSlots.ts';
import { C_LOCK_ACQUIRE } from '../../engine/core/sim/costs.ts';
import { vclock } from '../../engine/core/sync/vlock.ts';
import { finishRangeEnd } from '../../engine/core/kvm/unmapGfnRange.ts';
import { vmaSwapRa } from '../../engine/core/mm/swapVmaReadahead.ts';
import {
  GS_EVICTIONS,
  GS_RA_PAGES,
  GS_RESIDENT,
  GS_SWAP_READS,
  GS_WB_PAGES,
  PG_HOST,
  PG_RESIDENT,
  PG_SWAPCACHE,
  PG_SWAPPED,
  PG_SWAPSLOT,
} from '../../engine/core/sim/simLayout.ts';
import { scanSliceScenario, workerOf } from './fixtures.ts';

const BASE = 512;
const GFN = 20;
const SLOT = BASE + GFN;

function build(backing: 'private-anon' | 'shmem-memfd', edit?: (c: ScenarioConfig) => void): Guest {
  const c = scanSliceScenario({ name: 'slot-keep', device: 'ssd', prefault: true, harvest: 'locked-write' });
  edit?.(c);
  const { g } = workerOf(c);
  g.backing = backing;
  return g;
}

const id = (g: Guest): number => g.idBase + GFN;
const slotOf = (g: Guest): number => g.swapArea!.slot(id(g));

describe('do_swap_page: should_try_to_free_swap (private anonymous memory)', () => {
  it('a read swap-in keeps the folio in the swap cache with its slot (PG_SWAPSLOT)', () => {
    const g = build('private-anon');
    const area = g.swapArea!;
    expect(slotOf(g)).toBe(SLOT);
    const inuse = area.slots.inusePages();
    expect(inuse).toBe(320);
    g.fault(GFN, false, 1000);
    expect(g.flags[GFN] & (PG_RESIDENT | PG_SWAPSLOT | PG_SWAPCACHE)).toBe(PG_RESIDENT | PG_SWAPSLOT);
    expect(area.holds(id(g))).toBe(true);
    expect(slotOf(g)).toBe(SLOT);
    expect(area.pageAt(SLOT)).toBe(id(g));
    expect(area.slots.inusePages()).toBe(inuse);
  });

  it('negative control: a shmem guest frees it on the same read (shmem_swapin_folio)', () => {
    const g = build('shmem-memfd');
    g.fault(GFN, false, 1000);
    expect(g.flags[GFN] & (PG_RESIDENT | PG_SWAPSLOT)).toBe(PG_RESIDENT);
    expect(g.swapArea!.holds(id(g))).toBe(false);
    expect(g.swapArea!.pageAt(SLOT)).toBe(-1); // in the vCPU CPU's slots_ret (SWAP_HAS_CACHE), no page
  });

  it('a write fault frees it (FAULT_FLAG_WRITE, folio_ref_count 2: folio_free_swap)', () => {
    const g = build('private-anon');
    g.fault(GFN, true, 1000);
    expect(g.flags[GFN] & (PG_RESIDENT | PG_SWAPSLOT)).toBe(PG_RESIDENT);
    expect(g.swapArea!.holds(id(g))).toBe(false);
    expect(g.swapArea!.pageAt(SLOT)).toBe(-1);
  });

  it('the first write after a read swap-in (permission fault, do_wp_page reuse) dirties it and keeps the slot', () => {
    const g = build('private-anon');
    const t = g.fault(GFN, false, 1000);
    g.permFault(GFN, t);
    expect(g.flags[GFN] & (PG_RESIDENT | PG_SWAPSLOT)).toBe(PG_RESIDENT);
    expect(g.swapArea!.holds(id(g))).toBe(true);
    expect(g.swapArea!.pageAt(SLOT)).toBe(id(g));
  });
});

describe('shrink_folio_list on a folio in the swap cache', () => {
  /** Evict GFN at 1 ms (no contention left); returns the eviction's duration and the counters' changes. */
  function evict(g: Guest): { ns: number; writes: number; evictions: number; resident: number } {
    const s = g.stats;
    const [w, e, r] = [s[g.sb + GS_WB_PAGES], s[g.sb + GS_EVICTIONS], s[g.sb + GS_RESIDENT]];
    const end = g.evictOne(GFN, 1e6, false);
    return {
      ns: end - 1e6,
      writes: s[g.sb + GS_WB_PAGES] - w,
      evictions: s[g.sb + GS_EVICTIONS] - e,
      resident: s[g.sb + GS_RESIDENT] - r,
    };
  }

  it('clean (read swap-in, never written): no add_to_swap, no pageout; the frame is free at once, the slot the same', () => {
    const clean = build('private-anon');
    clean.fault(GFN, false, 1000);
    const free0 = clean.host.free();
    const a = evict(clean);
    expect(a).toMatchObject({ writes: 0, evictions: 1, resident: -1 });
    expect(clean.host.free()).toBe(free0 + 1);
    expect(clean.flags[GFN] & (PG_RESIDENT | PG_SWAPCACHE | PG_SWAPSLOT | PG_SWAPPED)).toBe(PG_SWAPPED);
    expect(clean.swapArea!.writeback.has(id(clean))).toBe(false);
    expect(clean.swapArea!.holds(id(clean))).toBe(false);
    expect(slotOf(clean)).toBe(SLOT);
    // Dirty (read swap-in, then the write's permission fault): pageout writes the same slot, no new one;
    // the reclaimer pays the swap-out's submission (SSD_SWAP_OUT_SUBMIT_NS) on top of the same unmap.
    const dirty = build('private-anon');
    const t = dirty.fault(GFN, false, 1000);
    dirty.permFault(GFN, t);
    const b = evict(dirty);
    expect(b).toMatchObject({ writes: 1, evictions: 1, resident: 0 });
    expect(b.ns - a.ns).toBe(SSD_SWAP_OUT_SUBMIT_NS);
    expect(dirty.swapArea!.writeback.has(id(dirty))).toBe(true);
    expect(slotOf(dirty)).toBe(SLOT);
    expect(dirty.swapArea!.pageAt(SLOT)).toBe(id(dirty));
    // Negative control: after a write swap-in (slot freed) the eviction's add_to_swap takes another slot.
    const freed = build('private-anon');
    freed.fault(GFN, true, 1000);
    expect(evict(freed)).toMatchObject({ writes: 1, evictions: 1, resident: 0 });
    expect(slotOf(freed)).not.toBe(SLOT);
  });

  it("range_end deferred to the reclaimer's next step (finishRangeEnd): no swap-out cost for the clean one", () => {
    const deferred = (written: boolean): number => {
      const g = build('private-anon');
      const t = g.fault(GFN, false, 1000);
      if (written) g.permFault(GFN, t);
      // range_end's request lies past the step's limit with an earlier actor: evictOne stops before it.
      vclock.others = 1e6 + 1;
      const at = g.evictOne(GFN, 1e6, false, KSWAPD_CPU, 1e6);
      vclock.others = Infinity;
      expect(g.pgdat.rangeEndAt).toBe(at);
      // Uncontended: range_end's write hold (invalidateEndHoldNs, the lockAcquire estimate) from `at`.
      return finishRangeEnd(g, GFN, at, g.pgdat.rangeEndStart, false) - at - g.costs[C_LOCK_ACQUIRE];
    };
    expect(deferred(false)).toBe(0);
    expect(deferred(true)).toBe(SSD_SWAP_OUT_SUBMIT_NS);
  });

  it('the next access after a clean eviction reads the page back from the same slot', () => {
    const g = build('private-anon');
    g.fault(GFN, false, 1000);
    g.evictOne(GFN, 1e6, false);
    const reads = g.stats[g.sb + GS_SWAP_READS];
    g.fault(GFN, false, 2e6);
    expect(g.stats[g.sb + GS_SWAP_READS]).toBe(reads + 1);
    expect(g.flags[GFN] & (PG_RESIDENT | PG_SWAPSLOT)).toBe(PG_RESIDENT | PG_SWAPSLOT);
    expect(slotOf(g)).toBe(SLOT);
  });
});

describe('vm_swap_full: nr_swap_pages * 2 < total_swap_pages frees the slot on a read too', () => {
  it('the boundary, si->inuse_pages set by hand: 128 usable with 64 in use is not full, 127 usable is', () => {
    // 129 slots (128 usable): 64 free, 128 < 128 false. 128 slots (127 usable): 63 free, 126 < 127.
    const half = new SwapArea(new DList(new Int32Array(2), 0, 1), 129);
    vi.spyOn(half.slots, 'inusePages').mockReturnValue(64);
    expect([half.slots.pages, half.vmSwapFull()]).toEqual([128, false]);
    const over = new SwapArea(new DList(new Int32Array(2), 0, 1), 128);
    vi.spyOn(over.slots, 'inusePages').mockReturnValue(64);
    expect([over.slots.pages, over.vmSwapFull()]).toEqual([127, true]);
  });

  it('a 640-slot device with the setup (639 usable, 320 in use: 638 < 639): the read frees the slot', () => {
    const g = build('private-anon', (c) => {
      c.host.swap.sizeMiB = 640 / 256;
    });
    expect(g.swapArea!.slots.pages).toBe(639);
    expect(g.swapArea!.slots.inusePages()).toBe(320);
    expect(g.swapArea!.vmSwapFull()).toBe(true);
    g.fault(GFN, false, 1000);
    expect(g.flags[GFN] & (PG_RESIDENT | PG_SWAPSLOT)).toBe(PG_RESIDENT);
    expect(g.swapArea!.holds(id(g))).toBe(false);
  });

  it('negative control, 641 slots (640 usable; this layout leaves 299 in use: 682 < 640 false): the read keeps it', () => {
    const g = build('private-anon', (c) => {
      c.host.swap.sizeMiB = 641 / 256;
    });
    expect([g.swapArea!.slots.pages, g.swapArea!.slots.inusePages(), g.swapArea!.vmSwapFull()]).toEqual([
      640,
      299,
      false,
    ]);
    g.fault(GFN, false, 1000);
    expect(g.flags[GFN] & (PG_RESIDENT | PG_SWAPSLOT)).toBe(PG_RESIDENT | PG_SWAPSLOT);
  });
});

describe("x86's root zap (Guest.zapRoot) leaves a kept-slot folio held by the VMM's read-only PTE (PG_HOST)", () => {
  it('a write fault on it (GUP FOLL_WRITE -> do_wp_page reuse) dirties it: PG_SWAPSLOT clears, the slot stays, eviction writes', () => {
    const g = build('private-anon');
    const t = g.fault(GFN, false, 1000);
    g.zapRoot();
    expect(g.flags[GFN] & (PG_RESIDENT | PG_HOST | PG_SWAPSLOT)).toBe(PG_HOST | PG_SWAPSLOT);
    g.fault(GFN, true, t + 1000);
    expect(g.flags[GFN] & (PG_RESIDENT | PG_HOST | PG_SWAPSLOT)).toBe(PG_RESIDENT);
    expect(g.swapArea!.holds(id(g))).toBe(true);
    expect(slotOf(g)).toBe(SLOT);
    const w = g.stats[g.sb + GS_WB_PAGES];
    g.evictOne(GFN, 1e6, false);
    expect(g.stats[g.sb + GS_WB_PAGES] - w).toBe(1);
    expect(g.swapArea!.writeback.has(id(g))).toBe(true);
    expect(slotOf(g)).toBe(SLOT);
  });

  it('negative control: a read fault on it keeps it clean (read-only PTE, PG_SWAPSLOT stays, eviction writes nothing)', () => {
    const g = build('private-anon');
    const t = g.fault(GFN, false, 1000);
    g.zapRoot();
    g.fault(GFN, false, t + 1000);
    expect(g.flags[GFN] & (PG_RESIDENT | PG_HOST | PG_SWAPSLOT)).toBe(PG_RESIDENT | PG_SWAPSLOT);
    const w = g.stats[g.sb + GS_WB_PAGES];
    g.evictOne(GFN, 1e6, false);
    expect(g.stats[g.sb + GS_WB_PAGES] - w).toBe(0);
  });

  it('swap_vma_readahead skips it: its VMM PTE is present, not a swap entry (window GFN..GFN+3 reads GFN+2, GFN+3)', () => {
    const g = build('private-anon');
    const t = g.fault(GFN, false, 1000);
    g.zapRoot();
    // swap_ra_info: 2 hits since a fault far away -> __swapin_nr_pages 4, left (4 - 1) >> 1 = 1: [GFN, GFN + 4).
    const ra = vmaSwapRa(g);
    ra.addr = 500;
    ra.hits = 2;
    const pages = g.stats[g.sb + GS_RA_PAGES];
    const resident = g.stats[g.sb + GS_RESIDENT];
    g.fault(GFN + 1, false, t + 1000);
    expect(ra.win).toBe(4);
    expect(g.stats[g.sb + GS_RA_PAGES] - pages).toBe(2);
    expect(g.flags[GFN] & (PG_HOST | PG_SWAPCACHE | PG_SWAPSLOT)).toBe(PG_HOST | PG_SWAPSLOT);
    expect(g.flags[GFN + 2] & PG_SWAPCACHE).toBe(PG_SWAPCACHE);
    expect(g.flags[GFN + 3] & PG_SWAPCACHE).toBe(PG_SWAPCACHE);
    // GFN + 1 faulted (+1) and two read ahead (+2); GFN's frame is counted once already.
    expect(g.stats[g.sb + GS_RESIDENT] - resident).toBe(3);
    expect(slotOf(g)).toBe(SLOT);
  });
});
