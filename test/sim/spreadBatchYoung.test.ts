/**
 * A spread run's page still in a per-CPU lru_add batch (mm/lruAdd.ts: mapped, no PG_LRU yet) under
 * MGLRU's walk and look-around, as 6.1-6.6 mm/vmscan.c has it: get_pfn_folio checks node, memcg and
 * can_swap only, so walk_pte_range / lru_gen_look_around clear the folio's young PTE like any other, and
 * folio_update_gen, finding it in no generation (!(old_flags & LRU_GEN_MASK)), sets PG_referenced instead
 * of promoting it (lru_gen_look_around without a walk: old_gen < 0 -> folio_set_referenced). The lab keeps
 * no PG_referenced (mm/youngBatch.ts promoteYoung says why no reader the lab models would see it): the
 * access is consumed, the page not promoted. The LRU test in get_pfn_folio (folio_lru_gen < 0 -> NULL) is
 * 6.14's ("mm/mglru: rework workingset protection").
 *
 * Construction: one deterministic guest whose node is switched to a spread run's PG_LRU bookkeeping
 * (pgdat.lruFlag) with a real LruAddBatch in front of its lruvec. Page 7 (and 8) faulted, then the batch
 * drained (on the LRU, PG_LRU); page 9 faulted after (in the batch). Each stage-2 AF is cleared first
 * (kvm_age_gfn, as test/sim/hostPteYoung.test.ts does) so only the host PTEs are young. Hand-computed:
 * the walk over gfns 0-63 promotes [7] and leaves every host PTE old, 9's included; after the batch moves,
 * a second walk finds nothing young (9's access was consumed by the first).
 *
 * Negative control (run, session 13 (l)): with the old gate restored (`git stash` of mm/hostPte.ts,
 * youngBatch.ts, walkMm.ts, folioReferenced.ts: hostTestClearYoung skipped a page without PG_LRU when
 * pg.lruFlag) both cases fail at `hostYoung(g, 9)`: 9's host PTE is left young.
 */
import { describe, expect, it } from 'vitest';
import type { Guest } from '../../engine/core/sim/guest.ts';
import { LruAddBatch } from '../../engine/core/mm/lruAdd.ts';
import type { LockedLruvec } from '../../engine/core/mm/sharedLru.ts';
import type { Policy } from '../../engine/core/mm/policy/policy.ts';
import { PG_LRU } from '../../engine/core/sim/simLayout.ts';
import { workerOf, zipfVmScenario } from './fixtures.ts';
import { hostYoung, recorder } from './promoteRecorder.ts';

/** A built guest whose node keeps a spread run's PG_LRU, with a one-guest lru_add batch in front of its lruvec. */
function spreadGuest(): { g: Guest; batch: LruAddBatch } {
  const g = workerOf(zipfVmScenario({ harvest: 'locked-write' })).g;
  g.pgdat.lruFlag = true;
  // LruAddBatch uses only locked(); one agent here, so the lock is the call itself.
  const lruvec = { locked: <A>(f: (p: Policy, a: A) => void, a: A) => f(g.lruvec, a) } as unknown as LockedLruvec;
  const batch = new LruAddBatch(lruvec, [g.flags], [g.idBase]);
  g.lruAdd = batch;
  return { g, batch };
}

const onLru = (g: Guest, gfn: number): boolean => (g.flags[gfn] & PG_LRU) !== 0;

describe('6.1-6.6 get_pfn_folio has no LRU test: a batched page young in the walk or look-around', () => {
  it('walk_pte_range clears its host PTE and does not promote it; the access is consumed', () => {
    const { g, batch } = spreadGuest();
    const pg = g.pgdat;
    g.fault(7, false, 0);
    batch.drain();
    g.fault(9, false, 0);
    expect([onLru(g, 7), onLru(g, 9), batch.pending]).toEqual([true, false, 1]);
    g.harvester.folioReferenced(7);
    g.harvester.folioReferenced(9);
    expect(hostYoung(g, 7) && hostYoung(g, 9)).toBe(true);
    const r = recorder(g);
    pg.walk(g.idBase, g.idBase + 64, r);
    expect(r.promoted).toEqual([7]);
    expect(hostYoung(g, 7) || hostYoung(g, 9)).toBe(false);
    // The cmpxchg clear kept the rest of 9's byte: still in the batch (no PG_LRU), then moved.
    expect(onLru(g, 9)).toBe(false);
    batch.drain();
    expect(onLru(g, 9)).toBe(true);
    const again = recorder(g);
    pg.walk(g.idBase, g.idBase + 64, again);
    expect(again.promoted).toEqual([]);
  });

  it("lru_gen_look_around (folio_referenced of 8) clears the batched neighbour's host PTE, activates nothing", () => {
    const { g, batch } = spreadGuest();
    const pg = g.pgdat;
    g.fault(8, false, 0);
    batch.drain();
    g.fault(9, false, 0);
    g.harvester.folioReferenced(8);
    g.harvester.folioReferenced(9);
    const r = recorder(g);
    // pte_young(primary of 8) -> lru_gen_look_around over 8's window: 9 is young but in no generation.
    expect(pg.referenced(g.idBase + 8, r)).toBe(true);
    expect(r.activated).toEqual([]);
    expect(hostYoung(g, 8) || hostYoung(g, 9)).toBe(false);
    expect(onLru(g, 9)).toBe(false);
  });
});
