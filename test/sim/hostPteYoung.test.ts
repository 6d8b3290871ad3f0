/**
 * The VMM's host PTE accessed bit (engine/core/mm/hostPte.ts): the vCPU's stage-2 fault installs the
 * host PTE young (do_anonymous_page / do_swap_page / shmem_fault -> finish_fault; arm64's PAGE_* carry
 * PTE_AF), and only reclaim clears it: MGLRU's walk (walk_pte_range, every harvest mode), lru_gen_look_around
 * and folio_referenced_one (ptep_clear_flush_young_notify's primary PTE). Hand-computed: one fault, one
 * young host PTE, found once by whichever check comes first, then old.
 *
 * Negative control (run by hand): with Guest.hostYoungOnMap forced to 0 (the old model: host PTEs never
 * young) the walk promotes nothing and the folio_referenced cases return false after the stage-2 AF was
 * cleared, so every case below but the mapYoung=false one fails.
 */
import { describe, expect, it } from 'vitest';
import type { ReclaimSpec } from '../../engine/protocol.ts';
import type { Guest } from '../../engine/core/sim/guest.ts';
import { workerOf, zipfVmScenario } from './fixtures.ts';
import { hostYoung, recorder } from './promoteRecorder.ts';

/** The built (not run) guest. */
function guestOf(harvest: ReclaimSpec['harvest'], policy: ReclaimSpec['policy'] = 'mglru', mapYoung = true): Guest {
  return workerOf(zipfVmScenario({ harvest, policy, mapYoung })).g;
}

describe("the VMM's host PTE accessed bit: set by the fault, cleared once by reclaim", () => {
  it.each(['locked-write', 'locked-read', 'lockless', 'none'] as const)(
    '%s: walk_pte_range finds each faulted page young once, promotes it and clears it',
    (harvest) => {
      const g = guestOf(harvest);
      const pg = g.pgdat;
      g.fault(7, false, 0);
      g.fault(9, false, 0);
      expect(hostYoung(g, 7) && hostYoung(g, 9)).toBe(true);
      // The stage-2 AF (mapYoung) is harvested by the seed's walk too; clear it first so that the walk
      // can find only the host bit, in every mode.
      g.harvester.folioReferenced(7);
      g.harvester.folioReferenced(9);
      const r = recorder(g);
      pg.walk(g.idBase, g.idBase + 64, r);
      expect(r.promoted).toEqual([7, 9]);
      expect(hostYoung(g, 7) || hostYoung(g, 9)).toBe(false);
      const again = recorder(g);
      pg.walk(g.idBase, g.idBase + 64, again);
      expect(again.promoted).toEqual([]);
    },
  );

  it("locked-write MGLRU: folio_referenced finds the young host PTE once (the notifier's stage-2 AF already clear), look-around takes the neighbour's", () => {
    const g = guestOf('locked-write');
    const pg = g.pgdat;
    g.fault(7, false, 0);
    g.fault(8, false, 0);
    g.harvester.folioReferenced(7); // kvm_age_gfn: the stage-2 AF now clear, the host PTE untouched
    g.harvester.folioReferenced(8);
    expect(hostYoung(g, 7)).toBe(true);
    const r = recorder(g);
    // pte_young(primary) -> lru_gen_look_around (direct reclaim: folio_activate of the young neighbour),
    // referenced++; the folio's own host PTE cleared.
    expect(pg.referenced(g.idBase + 7, r)).toBe(true);
    expect(r.activated).toEqual([8]);
    expect(hostYoung(g, 7) || hostYoung(g, 8)).toBe(false);
    // Nothing young left, on either MMU.
    expect(pg.referenced(g.idBase + 7, r)).toBe(false);
    expect(pg.referenced(g.idBase + 8, r)).toBe(false);
    expect(r.activated).toEqual([8]);
  });

  it('active/inactive (no look-around): ptep_clear_flush_young_notify counts the host PTE once', () => {
    const g = guestOf('locked-write', 'active-inactive');
    const pg = g.pgdat;
    g.fault(7, false, 0);
    g.harvester.folioReferenced(7);
    expect(pg.referenced(g.idBase + 7, null)).toBe(true);
    expect(hostYoung(g, 7)).toBe(false);
    expect(pg.referenced(g.idBase + 7, null)).toBe(false);
  });

  it('mapYoung = false (the what-if the CLOCK oracle runs): the host PTE is not young either', () => {
    const g = guestOf('locked-write', 'active-inactive', false);
    g.fault(7, false, 0);
    expect(hostYoung(g, 7)).toBe(false);
    expect(g.pgdat.referenced(g.idBase + 7, null)).toBe(false);
  });
});
