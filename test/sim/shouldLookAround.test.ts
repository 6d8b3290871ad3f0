/**
 * should_look_around (the seed's mm/vmscan.c, "mm: multi-gen LRU: use mmu_notifier_test_clear_young()",
 * v2 19/21): with the lockless fast path, folio_referenced_one -> lru_gen_look_around first clears the
 * folio's own stage-2 flag through mmu_notifier_clear_young (KVM answers MMU_NOTIFIER_RANGE_LOCKLESS only
 * when it was young) and its host PTE, and looks around (the 64-page window) only when one of them was
 * young. An old folio is not referenced, and its neighbours' flags are left for their own turn.
 * Pgdat.referenced, hand-computed below on one lockless VM.
 *
 * Negative control (run by hand): deleting the early `return false` for an old folio in Pgdat.referenced
 * (the lab's former rule: every victim looked around) makes the first case fail: page 9 is activated and
 * both its flags are cleared by the old victim's look-around.
 */
import { describe, expect, it } from 'vitest';
import type { Guest } from '../../engine/core/sim/guest.ts';
import { stage2GetLeaf } from '../../engine/core/arch/pgtable.ts';
import { S2_AF } from '../../engine/core/arch/descriptor.ts';
import { atomics } from '../../engine/core/sync/atomics.ts';
import { workerOf, zipfVmScenario } from './fixtures.ts';
import { hostYoung, recorder } from './promoteRecorder.ts';

/** The stage-2 leaf's AF (bit 10), in the descriptor's low word. */
const s2Young = (g: Guest, gfn: number): boolean => {
  const w = stage2GetLeaf(g.pgt, gfn * 4096);
  return w >= 0 && (atomics.load(g.pgt.views.i32, w) & S2_AF) !== 0;
};

describe('should_look_around: the fast path looks around a young folio only', () => {
  it('an old folio is not referenced and its young neighbour is left young', () => {
    const g = workerOf(zipfVmScenario({ harvest: 'lockless', policy: 'mglru', mapYoung: true })).g;
    const pg = g.pgdat;
    g.fault(7, false, 0);
    pg.walk(g.idBase, g.idBase + 64, recorder(g)); // clears 7's stage-2 AF and host PTE
    g.fault(9, false, 0); // mapped young, host PTE young
    expect([s2Young(g, 7), hostYoung(g, 7), s2Young(g, 9), hostYoung(g, 9)]).toEqual([false, false, true, true]);
    const r = recorder(g);
    expect(pg.referenced(g.idBase + 7, r)).toBe(false);
    expect(r.activated).toEqual([]);
    expect(r.promoted).toEqual([]);
    expect([s2Young(g, 9), hostYoung(g, 9)]).toEqual([true, true]);
  });

  it('a young folio is referenced and looked around: its young neighbour is activated and cleared', () => {
    const g = workerOf(zipfVmScenario({ harvest: 'lockless', policy: 'mglru', mapYoung: true })).g;
    const pg = g.pgdat;
    g.fault(7, false, 0);
    g.fault(9, false, 0);
    const r = recorder(g);
    expect(pg.referenced(g.idBase + 7, r)).toBe(true);
    expect(r.activated).toEqual([9]); // direct reclaim (no mm_walk): folio_activate
    expect([s2Young(g, 7), hostYoung(g, 7), s2Young(g, 9), hostYoung(g, 9)]).toEqual([false, false, false, false]);
  });
});
