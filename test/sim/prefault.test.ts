/**
 * max_guest_memory_test's host pre-fault (workload `prefault`, sim/prefault.ts): before the vCPUs run
 * the VMM has written every page, so the pages sit on the host LRU holding frames, unmapped in stage-2,
 * and what did not fit above the high watermark was swapped out (the first pages written). The guest's
 * first touch of such a page is a stage-2 fault that maps it: no frame taken, no swap-in, no LRU add.
 * Evicting one still takes kvm->mmu_lock for write (the notifier's kvm_unmap_gfn_range) but finds no
 * leaf: no TLBI.
 */
import { describe, expect, it } from 'vitest';
import type { SimWorkerCore } from '../../engine/core/sim/simCore.ts';
import type { Guest } from '../../engine/core/sim/guest.ts';
import { hostUnmapFlushNs, invalidateEndHoldNs, unmapHoldNs } from '../../engine/core/sim/guest.ts';
import { C_CMPXCHG, C_DCACHE_CLEAN_INVAL, C_LOCK_ACQUIRE, C_S2_FAULT } from '../../engine/core/sim/costs.ts';
import { stage2GetLeaf } from '../../engine/core/arch/pgtable.ts';
import {
  GS_ACCESSES,
  GS_COLD,
  GS_PASS_END_NS,
  GS_PASSES,
  GS_LOCK_HOLD_NS,
  GS_REFAULTS,
  GS_RESIDENT,
  GS_TLBI,
  PG_HOST,
  PG_RESIDENT,
  PG_SWAPCACHE,
  PG_SWAPPED,
  PG_TOUCHED,
} from '../../engine/core/sim/simLayout.ts';
import { scanSliceScenario, workerOf } from './fixtures.ts';

/** One 4 MiB guest (1024 pages), 2 vCPUs, max_guest_memory_test's shape, on a 3 MiB host (768 frames). */
function build(prefault: boolean): { core: SimWorkerCore; g: Guest; stats: Float64Array } {
  return workerOf(scanSliceScenario({ name: 'prefault', device: 'ssd', prefault, harvest: 'lockless' }));
}

// high watermark: floor(768 * 4 / 100) = 30 frames left free; 738 pages resident; 1024 - 738 = 286 swapped.
const HIGH = 30;
const RESIDENT = 768 - HIGH;
const SWAPPED = 1024 - RESIDENT;

describe('host pre-fault (max_guest_memory_test)', () => {
  it('leaves the node at its high watermark: the last pages written resident and unmapped, the first swapped', () => {
    const { g, stats } = build(true);
    expect(g.host.free()).toBe(HIGH);
    expect(stats[GS_RESIDENT]).toBe(RESIDENT);
    expect(g.lruvec.size()).toBe(RESIDENT);
    for (let gfn = 0; gfn < 1024; gfn++) {
      expect(g.flags[gfn]).toBe(gfn < SWAPPED ? PG_SWAPPED : PG_HOST);
      expect(stage2GetLeaf(g.pgt, gfn * 4096)).toBeLessThan(0); // nothing in stage-2
    }
    // Without the option the guest starts untouched (the negative control of the setup).
    const cold = build(false);
    expect(cold.g.host.free()).toBe(768);
    expect(cold.g.lruvec.size()).toBe(0);
    expect(cold.g.flags.every((f) => f === 0)).toBe(true);
  });

  it('a first touch of a pre-faulted page is a stage-2 fault with no frame, no swap-in and no LRU add', () => {
    const { g, stats } = build(true);
    const c = g.costs;
    const gfn = 900;
    const end = g.fault(gfn, true, 1000);
    // Its first stage-2 leaf is new: stage2_map_walker_try_leaf cleans it to PoC (N1 has no S2FWB).
    expect(g.cmoNs).toBe(c[C_DCACHE_CLEAN_INVAL]);
    expect(end).toBe(1000 + c[C_S2_FAULT] + c[C_LOCK_ACQUIRE] + c[C_CMPXCHG] + c[C_DCACHE_CLEAN_INVAL]);
    expect(g.host.free()).toBe(HIGH); // no frame taken
    expect(g.lruvec.size()).toBe(RESIDENT); // already on the LRU
    expect(stats[GS_RESIDENT]).toBe(RESIDENT);
    expect(stats[GS_REFAULTS]).toBe(0);
    expect(stats[GS_COLD]).toBe(1);
    expect(g.flags[gfn]).toBe(PG_RESIDENT | PG_TOUCHED);
    expect(stage2GetLeaf(g.pgt, gfn * 4096)).toBeGreaterThanOrEqual(0);
    // A page the pre-fault's reclaim swapped out is a refault: it waits for its read.
    const swapped = g.fault(0, true, 1000);
    expect(swapped).toBe(end + g.swapInNs);
    expect(stats[GS_REFAULTS]).toBe(1);
  });

  it('negative control: a never-touched page (no pre-fault) takes a frame and joins the LRU', () => {
    const { g, stats } = build(false);
    g.fault(900, true, 1000);
    expect(g.host.free()).toBe(767);
    expect(g.lruvec.size()).toBe(1);
    expect(stats[GS_RESIDENT]).toBe(1);
  });

  it('evicting a pre-faulted page takes the write lock but unmaps nothing: no TLBI; a mapped one pays both', () => {
    const { g, stats } = build(true);
    const c = g.costs;
    const t = 5000;
    const e1 = g.evictOne(800, t, false);
    // invalidate_range_start's hold (no leaf) and invalidate_range_end's (invalidateEndHoldNs).
    expect(stats[GS_LOCK_HOLD_NS]).toBe(c[C_LOCK_ACQUIRE] + invalidateEndHoldNs(c));
    expect(stats[GS_TLBI]).toBe(0);
    // Between the holds the VMM's own PTE (the pre-fault mapped it) is cleared and flushed: arm64's
    // ptep_clear_flush (hostUnmapFlushNs), outside the lock.
    expect(e1).toBe(t + c[C_LOCK_ACQUIRE] + hostUnmapFlushNs(c, false) + invalidateEndHoldNs(c) + g.swapOutNs);
    // SSD swap: the folio stays in the swap cache under writeback, holding its frame (mm/swap.ts).
    expect(g.flags[800]).toBe(PG_SWAPPED | PG_SWAPCACHE);
    expect(g.host.free()).toBe(HIGH);
    g.fault(801, true, 10_000);
    const before = stats[GS_LOCK_HOLD_NS];
    g.evictOne(801, 20_000, false);
    expect(stats[GS_LOCK_HOLD_NS] - before).toBe(unmapHoldNs(c, g.cmoNs) + invalidateEndHoldNs(c));
    expect(stats[GS_TLBI]).toBe(2);
  });

  it('a whole run: two passes recorded, the pre-fault overflow refaulted in pass 1, the run ends after pass 2', () => {
    const { core, stats } = build(true);
    expect(core.loop()).toBe('done');
    const s = new Float64Array(stats.buffer);
    expect(s[GS_REFAULTS]).toBeGreaterThanOrEqual(SWAPPED);
    expect(s[GS_COLD] + s[GS_REFAULTS]).toBeGreaterThanOrEqual(1024);
    expect(s[GS_PASSES]).toBe(2);
    expect(s[GS_ACCESSES]).toBe(2 * 1024); // every vCPU stopped after its second pass
    expect(s[GS_PASS_END_NS + 1]).toBeGreaterThan(s[GS_PASS_END_NS]);
  });
});
