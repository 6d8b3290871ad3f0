/**
 * What one folio_referenced call costs the reclaimer, where the kernel spends it:
 * - mm/rmap.c folio_referenced -> rmap_walk -> folio_referenced_one (page_vma_mapped_walk, the primary
 *   PTE, the notifier dispatch): RMAP_WALK_NS per mapped folio (mm/pgdat.ts), nothing for a folio mapped
 *   nowhere (folio_referenced returns before the walk);
 * - KVM's handler on one folio (kvm_age_gfn under the write lock, or the seed's look-around batch): the
 *   walk's descent to the leaf and the leaf's line as a demand miss, which the streaming MGLRU walk
 *   (walk_pte_range over consecutive windows) does not pay per window (kvm/mmuNotifier.ts).
 */
import { describe, expect, it } from 'vitest';
import type { ReclaimSpec } from '../../engine/protocol.ts';
import type { Guest } from '../../engine/core/sim/guest.ts';
import { RMAP_WALK_NS } from '../../engine/core/mm/folioReferenced.ts';
import {
  C_CMPXCHG,
  C_LOCK_ACQUIRE,
  C_MEM_ACCESS,
  C_PTE_SCAN,
  C_TLB_INVALIDATE,
  C_WALK_LEVEL,
} from '../../engine/core/sim/costs.ts';
import { GS_LOCK_HOLD_NS, PG_SWAPCACHE } from '../../engine/core/sim/simLayout.ts';
import { workerOf, zipfVmScenario } from './fixtures.ts';

/** The built (not run) guest of a 2-vCPU zipfVmScenario and the run's counters. */
function guestOf(harvest: ReclaimSpec['harvest']): { g: Guest; stats: Float64Array } {
  return workerOf(zipfVmScenario({ harvest, vcpus: 2 }));
}

/** The descent to a leaf (one walkLevel per level) and the leaf's line from memory. */
const lookupOf = (g: Guest): number => (4 - g.pgt.startLevel) * g.costs[C_WALK_LEVEL] + g.costs[C_MEM_ACCESS];

describe("folio_referenced's costs: the rmap walk and KVM's lone lookup of the folio's leaf", () => {
  it('locked-write: kvm_age_gfn holds the write lock for the descent, the leaf miss and the AF clear', () => {
    const { g, stats } = guestOf('locked-write');
    const c = g.costs;
    g.fault(7, false, 0); // mapped young (mapYoung)
    const h = g.harvester;
    const t0 = 1_000_000;
    h.t = t0;
    const hold0 = stats[GS_LOCK_HOLD_NS];
    expect(h.folioReferenced(7)).toBe(true);
    const young = c[C_LOCK_ACQUIRE] + lookupOf(g) + c[C_CMPXCHG];
    expect(stats[GS_LOCK_HOLD_NS] - hold0).toBe(young);
    expect(h.t).toBe(t0 + young);
    // Old now, and its leaf line is the one the last lookup loaded: the descent only, no cmpxchg.
    const descent = (4 - g.pgt.startLevel) * c[C_WALK_LEVEL];
    const hold1 = stats[GS_LOCK_HOLD_NS];
    h.t = t0 + 10_000;
    expect(h.folioReferenced(7)).toBe(false);
    expect(stats[GS_LOCK_HOLD_NS] - hold1).toBe(c[C_LOCK_ACQUIRE] + c[C_PTE_SCAN] + descent);
    // A folio in another leaf line (gfn 16: line 2, the last was line 0): the line is a miss again.
    g.fault(16, false, 0);
    const hold2 = stats[GS_LOCK_HOLD_NS];
    h.t = t0 + 20_000;
    expect(h.folioReferenced(16)).toBe(true);
    expect(stats[GS_LOCK_HOLD_NS] - hold2).toBe(young);
    // More than one streamed descriptor: the lookup is a demand miss, not pteScan.
    expect(lookupOf(g)).toBeGreaterThan(c[C_PTE_SCAN]);
  });

  it('lockless: a look-around batch pays one lookup; the MGLRU walk over the same window pays none', () => {
    const { g } = guestOf('lockless');
    const c = g.costs;
    for (let gfn = 64; gfn < 128; gfn++) g.fault(gfn, false, 0);
    const h = g.harvester;
    expect(h.fastPath).toBe(true);
    // Look-around of 64 resident young pages, lockless under RCU (no lock charge): 64 scanned, 64
    // cleared, and one lookup of the folio's leaf in place of its first streamed descriptor.
    h.t = 0;
    h.lookAroundBatch(64, 64);
    const streamed = 64 * c[C_PTE_SCAN] + 64 * c[C_CMPXCHG];
    expect(h.t).toBe(streamed - c[C_PTE_SCAN] + lookupOf(g));
    // The walk's window over the same (now old) pages: streamed descriptors only (walk_pte_range inside
    // a leaf table), no lookup.
    h.t = 0;
    h.walkBatch(64, 64);
    expect(h.t).toBe(64 * c[C_PTE_SCAN]);
  });

  it('the rmap walk: RMAP_WALK_NS before the notifier for a mapped folio; a swap-cache folio mapped nowhere pays nothing', () => {
    const { g } = guestOf('locked-write');
    g.fault(3, false, 0);
    g.fault(4, false, 0);
    const pg = g.pgdat;
    const t0 = 2_000_000;
    pg.t = t0;
    expect(pg.referenced(pg.idOf(0, 3), null)).toBe(true);
    const c = g.costs;
    // The fault left the VMM's host PTE young (mm/hostPte.ts): ptep_clear_flush_young clears it (a
    // cmpxchg and flush_tlb_page_nosync's TLBI) before the notifier's kvm_age_gfn.
    const hostClear = c[C_CMPXCHG] + c[C_TLB_INVALIDATE];
    expect(pg.t - t0).toBe(RMAP_WALK_NS + hostClear + c[C_LOCK_ACQUIRE] + lookupOf(g) + c[C_CMPXCHG]);
    // A readahead folio in the swap cache: folio_referenced finds no mapping and returns at once.
    g.flags[4] |= PG_SWAPCACHE;
    pg.t = t0;
    expect(pg.referenced(pg.idOf(0, 4), null)).toBe(false);
    expect(pg.t).toBe(t0);
  });
});
