/**
 * SSD swap-out under writeback (mm/swap.ts): shrink_folio_list -> pageout -> swap_writepage submits the
 * write and the folio stays in the swap cache, holding its frame, until the write completes
 * (folio_end_writeback -> folio_rotate_reclaimable) and a reclaim pass meets it at the LRU tail and frees
 * it (__remove_mapping). A guest touch before that finds it in the swap cache: a minor fault, no read.
 * zram (SWP_SYNCHRONOUS_IO, zram_write_page inline) frees the frame at once, as before.
 *
 * Setup (as test/sim/swapReadahead.test.ts): one 4 MiB guest pre-faulted on a 3 MiB host, 738 pages
 * resident on the LRU, 30 frames free (the high watermark).
 */
import { describe, expect, it } from 'vitest';
import type { Guest } from '../../engine/core/sim/guest.ts';
import { C_CMPXCHG, C_LOCK_ACQUIRE } from '../../engine/core/sim/costs.ts';
import { SSD_SWAP_WRITE_NS } from '../../engine/core/mm/swap.ts';
import {
  GS_EVICTIONS,
  GS_REFAULTS,
  GS_RESIDENT,
  GS_SWAP_READS,
  GS_WB_FAULTS,
  GS_WB_PAGES,
  PG_HOST_YOUNG,
  PG_RESIDENT,
  PG_SWAPCACHE,
  PG_SWAPPED,
  PG_TOUCHED,
} from '../../engine/core/sim/simLayout.ts';
import { kswapdEvictOne, scanSliceScenario, workerOf } from './fixtures.ts';

function build(device: 'ssd' | 'zram'): { g: Guest; stats: Float64Array } {
  return workerOf(scanSliceScenario({ name: 'writeback', device, prefault: true, harvest: 'locked-write' }));
}

const HIGH = 30;
const RESIDENT = 768 - HIGH;

/** kswapd's shrink_node evicting one folio at t; returns the victim's gfn and the pass's end. */
function swapOutOne(g: Guest, t: number): { gfn: number; end: number } {
  const before = new Set(g.flags.keys());
  const end = kswapdEvictOne(g, t);
  const area = g.swapArea;
  let gfn = -1;
  if (area !== null) for (const id of area.writeback.keys()) gfn = id - g.idBase;
  else for (const k of before) if ((g.flags[k] & PG_SWAPPED) !== 0 && g.evictedAt[k] > 0) gfn = k;
  return { gfn, end };
}

describe('SSD swap-out under writeback', () => {
  it('keeps the frame until the write completes and reclaim meets the written folio again', () => {
    const { g, stats } = build('ssd');
    const area = g.swapArea!;
    expect(g.host.free()).toBe(HIGH);
    const { gfn, end } = swapOutOne(g, 10_000);
    const id = g.idBase + gfn;
    expect(stats[GS_EVICTIONS]).toBe(1);
    expect(stats[GS_WB_PAGES]).toBe(1);
    expect(g.flags[gfn]).toBe(PG_SWAPPED | PG_SWAPCACHE);
    const done = area.writeback.get(id)!;
    expect(done).toBe(end + SSD_SWAP_WRITE_NS); // the pass ends with the submission: end = unmap + swapOutNs
    // Not freed at the swap-out, nor by a reclaim pass while the write is in flight.
    expect(g.host.free()).toBe(HIGH);
    expect(stats[GS_RESIDENT]).toBe(RESIDENT);
    g.pgdat.shrinkNode(done - 1, 0, false);
    expect(g.host.free()).toBe(HIGH);
    expect(g.flags[gfn] & PG_SWAPCACHE).toBe(PG_SWAPCACHE);
    // The first pass at or after completion frees it: clean, its data in its slot, which it keeps.
    g.pgdat.shrinkNode(done, 0, false);
    expect(g.host.free()).toBe(HIGH + 1);
    expect(g.flags[gfn]).toBe(PG_SWAPPED);
    expect(stats[GS_RESIDENT]).toBe(RESIDENT - 1);
    expect(area.writeback.size).toBe(0);
    expect(area.slot(id)).toBeGreaterThan(0);
  });

  it('negative control: zram (synchronous write) frees the frame at the swap-out, no writeback', () => {
    const { g, stats } = build('zram');
    expect(g.swapArea).toBeNull();
    const { gfn } = swapOutOne(g, 10_000);
    expect(gfn).toBeGreaterThanOrEqual(0);
    expect(g.host.free()).toBe(HIGH + 1); // the assertion the SSD case above fails at the same point
    expect(g.flags[gfn]).toBe(PG_SWAPPED);
    expect(stats[GS_RESIDENT]).toBe(RESIDENT - 1);
    expect(stats[GS_WB_PAGES]).toBe(0);
  });

  it('a touch during writeback is a minor fault: it waits for the write, reads nothing, takes no frame', () => {
    const { g, stats } = build('ssd');
    const area = g.swapArea!;
    const { gfn, end } = swapOutOne(g, 10_000);
    const id = g.idBase + gfn;
    const slot = area.slot(id);
    const done = end + SSD_SWAP_WRITE_NS;
    const lru = g.lruvec.size();
    const t = end + 1_000;
    const f = g.fault(gfn, true, t);
    // shmem_swapin_folio: folio_wait_writeback, then the map under the read lock (with the page's
    // clean to PoC inside it on a stage-2 without FWB: Guest.cmoNs, 400 ns on this profile).
    expect(g.cmoNs).toBeGreaterThan(0);
    expect(f).toBe(done + g.costs[C_LOCK_ACQUIRE] + g.costs[C_CMPXCHG] + g.cmoNs);
    expect(stats[GS_SWAP_READS]).toBe(0);
    expect(stats[GS_WB_FAULTS]).toBe(1);
    expect(stats[GS_REFAULTS]).toBe(1);
    expect(g.host.free()).toBe(HIGH); // no frame taken: the folio's own
    expect(stats[GS_RESIDENT]).toBe(RESIDENT);
    // The fault installed the VMM's PTE young (mm/hostPte.ts).
    expect(g.flags[gfn]).toBe(PG_RESIDENT | PG_TOUCHED | PG_SWAPPED | PG_HOST_YOUNG);
    expect(g.lruvec.size()).toBe(lru + 1); // back on the LRU
    expect(area.writeback.size).toBe(0);
    expect(area.pageAt(slot)).toBe(-1); // swap_free_nr: the slot is free again
    // A later reclaim pass has nothing to free.
    g.pgdat.shrinkNode(done + 1_000_000, 0, false);
    expect(g.host.free()).toBe(HIGH);
  });

  it('negative control: a touch after reclaim freed the written folio reads it from the device', () => {
    const { g, stats } = build('ssd');
    const { gfn, end } = swapOutOne(g, 10_000);
    const done = end + SSD_SWAP_WRITE_NS;
    g.pgdat.shrinkNode(done, 0, false); // freed
    const f = g.fault(gfn, true, done + 1_000);
    expect(stats[GS_SWAP_READS]).toBe(1);
    expect(stats[GS_WB_FAULTS]).toBe(0);
    expect(f).toBeGreaterThanOrEqual(done + 1_000 + g.swapInNs);
  });
});
