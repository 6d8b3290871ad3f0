/**
 * A private anonymous guest's fault on a folio whose swap write is still in flight (mm/swapIn.ts, session
 * 16 (n)). do_swap_page (mm/memory.c, read in 6.3) finds it with swap_cache_get_folio and maps it after
 * folio_lock_or_retry, with no folio_wait_writeback (shmem_swapin_folio waits); and folio_free_swap
 * (mm/swapfile.c) refuses a folio under writeback, so the slot stays even when should_try_to_free_swap says
 * free (a write fault, or vm_swap_full): the write fault's folio is mapped dirty in the swap cache and its
 * next eviction writes its own slot. Once the write has completed (reclaim not yet back to free the folio)
 * the fault frees the slot as before (session 16 (h)).
 *
 * Setup (test/sim/swapWriteback.test.ts's): one 4 MiB guest pre-faulted on a 3 MiB host with a 64 MiB SSD;
 * kswapd's pass evicting one folio ends at `end` (the bio's submission included), its write completing at
 * end + SSD_SWAP_WRITE_NS (20 us); the touch comes at end + 1 us, under writeback.
 *
 * Negative controls (run by hand, session 16 (n); each fails the tests named, the others pass): the wait
 * restored for private anon (`if (written > now) now = written` for both backings): the read touch and the
 * write fault under writeback (2); keepsSwapSlot's writeback clause removed: the write fault under
 * writeback and the vm_swap_full test (2); the clause without `written > now` (any folio in
 * SwapArea.writeback): the completed-write control and the vm_swap_full test (2); userMemAbort setting
 * PG_SWAPSLOT for a write too (`keep` alone): the write fault under writeback (1).
 */
import { describe, expect, it, vi } from 'vitest';
import type { Guest } from '../../engine/core/sim/guest.ts';
import { C_CMPXCHG, C_LOCK_ACQUIRE } from '../../engine/core/sim/costs.ts';
import { SSD_SWAP_WRITE_NS } from '../../engine/core/mm/swap.ts';
import {
  GS_SWAP_READS,
  GS_WB_FAULTS,
  GS_WB_PAGES,
  PG_RESIDENT,
  PG_SWAPCACHE,
  PG_SWAPSLOT,
} from '../../engine/core/sim/simLayout.ts';
import { kswapdEvictOne, scanSliceScenario, workerOf } from './fixtures.ts';

function build(backing: 'private-anon' | 'shmem-memfd'): Guest {
  const { g } = workerOf(
    scanSliceScenario({ name: 'wb-anon', device: 'ssd', prefault: true, harvest: 'locked-write' }),
  );
  g.backing = backing;
  return g;
}

/** kswapd's shrink_node evicting one folio at t (as swapWriteback.test.ts); its gfn and the pass's end. */
function swapOutOne(g: Guest, t: number): { gfn: number; end: number } {
  const end = kswapdEvictOne(g, t);
  const ids = [...g.swapArea!.writeback.keys()];
  expect(ids.length).toBe(1);
  return { gfn: ids[0] - g.idBase, end };
}

/** The uncontended map after the swap-in: read lock, the PTE's cmpxchg, the CMO (swapWriteback.test.ts). */
const mapNs = (g: Guest): number => g.costs[C_LOCK_ACQUIRE] + g.costs[C_CMPXCHG] + g.cmoNs;
/** A fault at t that waits for nothing: the trap (Guest.s2TrapNs, 4 us on this profile), then the map. */
const noWait = (g: Guest, t: number): number => t + g.s2TrapNs + mapNs(g);

describe('do_swap_page on a folio under writeback (private anonymous memory)', () => {
  it('a read touch maps it without waiting for the write; the slot stays (PG_SWAPSLOT)', () => {
    const g = build('private-anon');
    const area = g.swapArea!;
    const { gfn, end } = swapOutOne(g, 10_000);
    const id = g.idBase + gfn;
    const slot = area.slot(id);
    expect(slot).toBeGreaterThan(0);
    const t = end + 1_000;
    // shrinkNode's end includes the submission (swapOutNs); the write completes 20 us after it.
    const written = end + SSD_SWAP_WRITE_NS;
    expect(area.writeback.get(id)).toBe(written);
    const f = g.fault(gfn, false, t);
    expect([g.s2TrapNs, mapNs(g)]).toEqual([4_000, 460]);
    expect(f).toBe(noWait(g, t)); // 5,460 ns after t, the write ending 19,000 ns after it
    expect(f).toBeLessThan(written);
    expect(g.stats[g.sb + GS_WB_FAULTS]).toBe(1);
    expect(g.stats[g.sb + GS_SWAP_READS]).toBe(0);
    expect(g.flags[gfn] & (PG_RESIDENT | PG_SWAPSLOT | PG_SWAPCACHE)).toBe(PG_RESIDENT | PG_SWAPSLOT);
    expect(area.writeback.has(id)).toBe(false);
    expect(area.holds(id)).toBe(true);
    expect(area.pageAt(slot)).toBe(id);
  });

  it('negative control: a shmem guest waits for the write (folio_wait_writeback) and frees the slot', () => {
    const g = build('shmem-memfd');
    const area = g.swapArea!;
    const { gfn, end } = swapOutOne(g, 10_000);
    const id = g.idBase + gfn;
    const slot = area.slot(id);
    const f = g.fault(gfn, false, end + 1_000);
    expect(f).toBe(end + SSD_SWAP_WRITE_NS + mapNs(g)); // the trap lies inside the wait
    expect(area.holds(id)).toBe(false);
    expect(area.pageAt(slot)).toBe(-1);
  });

  it('a write fault under writeback: folio_free_swap refuses, the slot stays, the folio is dirty (no PG_SWAPSLOT)', () => {
    const g = build('private-anon');
    const area = g.swapArea!;
    const { gfn, end } = swapOutOne(g, 10_000);
    const id = g.idBase + gfn;
    const slot = area.slot(id);
    const t = end + 1_000;
    expect(g.fault(gfn, true, t)).toBe(noWait(g, t));
    expect(g.flags[gfn] & (PG_RESIDENT | PG_SWAPSLOT)).toBe(PG_RESIDENT);
    expect(area.holds(id)).toBe(true);
    expect(area.pageAt(slot)).toBe(id);
    // Its next eviction: in the swap cache (no add_to_swap), dirty: pageout writes the same slot.
    const w = g.stats[g.sb + GS_WB_PAGES];
    g.evictOne(gfn, 1e6, false);
    expect(g.stats[g.sb + GS_WB_PAGES] - w).toBe(1);
    expect(area.writeback.has(id)).toBe(true);
    expect(area.slot(id)).toBe(slot);
    expect(area.pageAt(slot)).toBe(id);
  });

  it('negative control: a write fault once the write has completed (not yet freed by reclaim) frees the slot', () => {
    const g = build('private-anon');
    const area = g.swapArea!;
    const { gfn, end } = swapOutOne(g, 10_000);
    const id = g.idBase + gfn;
    const slot = area.slot(id);
    const done = end + SSD_SWAP_WRITE_NS;
    expect(area.writeback.get(id)).toBe(done);
    expect(g.fault(gfn, true, done)).toBe(noWait(g, done));
    expect(g.stats[g.sb + GS_WB_FAULTS]).toBe(1); // still found in the swap cache: no read
    expect(area.holds(id)).toBe(false);
    expect(area.pageAt(slot)).toBe(-1);
  });

  it('vm_swap_full: a read under writeback keeps the slot anyway; after the write it frees it (control)', () => {
    const under = build('private-anon');
    vi.spyOn(under.swapArea!, 'vmSwapFull').mockReturnValue(true);
    const a = swapOutOne(under, 10_000);
    under.fault(a.gfn, false, a.end + 1_000);
    expect(under.flags[a.gfn] & (PG_RESIDENT | PG_SWAPSLOT)).toBe(PG_RESIDENT | PG_SWAPSLOT);
    expect(under.swapArea!.holds(under.idBase + a.gfn)).toBe(true);
    const after = build('private-anon');
    vi.spyOn(after.swapArea!, 'vmSwapFull').mockReturnValue(true);
    const b = swapOutOne(after, 10_000);
    after.fault(b.gfn, false, b.end + SSD_SWAP_WRITE_NS);
    expect(after.flags[b.gfn] & (PG_RESIDENT | PG_SWAPSLOT)).toBe(PG_RESIDENT);
    expect(after.swapArea!.holds(after.idBase + b.gfn)).toBe(false);
  });
});
