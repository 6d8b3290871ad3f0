/**
 * MGLRU's Bloom filters over PTE tables (mm/vmscan.c 6.1-6.12; engine/core/mm/policy/bloomFilter.ts):
 * after its first (force_scan) iteration the aging walk reads a leaf table only when the previous walk
 * found at least one young PTE per cache line in it (suitable_to_scan: young * 8 >= total, 64 of 512) or
 * when eviction's look-around found as many in a window of it (8 of 64, the folio itself counted). A
 * table the walk skips keeps its accessed bits and its folios' generations. Hand-computed on one lockless
 * VM of 2048 pages (4 tables: A = gfns 0-511, B = 512-1023, C = 1024-1535), MGLRU's real walk (Pgdat.walk)
 * and policy.
 *
 * Negative controls (run by hand, each makes a test below fail):
 * - Mglru.walkPmd returning true (the lab before: every table walked): 600 and 1100 are promoted and
 *   cleared by walk 3.
 * - suitableToScan with `>` instead of `>=`: A (64 young) is not carried over, so walk 3 skips 100.
 * - suitableToScan with `young * 8 + 8 >= total` (one PTE fewer suffices): B (63 young) is carried over
 *   and walk 3 promotes 600.
 * - Pgdat.referenced without its lookedAround call, or without the folio itself in the count: B is not
 *   added for walk 4, which leaves 800 young.
 */
import { describe, expect, it } from 'vitest';
import type { Guest } from '../../engine/core/sim/guest.ts';
import { stage2GetLeaf } from '../../engine/core/arch/pgtable.ts';
import { S2_AF } from '../../engine/core/arch/descriptor.ts';
import { atomics } from '../../engine/core/sync/atomics.ts';
import type { Mglru } from '../../engine/core/mm/policy/mglru.ts';
import { workerOf, zipfVmScenario } from './fixtures.ts';

const leaf = (g: Guest, gfn: number): number => {
  const w = stage2GetLeaf(g.pgt, gfn * 4096);
  if (w < 0) throw new Error(`gfn ${gfn} not mapped`);
  return w;
};
const s2Young = (g: Guest, gfn: number): boolean => (atomics.load(g.pgt.views.i32, leaf(g, gfn)) & S2_AF) !== 0;
/** The guest touches gfn: the hardware sets the stage-2 AF (FEAT_HAFDBS). */
const touch = (g: Guest, ...gfns: number[]): void => {
  for (const gfn of gfns) atomics.or(g.pgt.views.i32, leaf(g, gfn), S2_AF);
};
const range = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => from + i);

/** One guest, gfns 0-1535 faulted in (young), and a function running one whole aging pass. */
function setup(): { g: Guest; gen: (gfn: number) => number; age: () => void } {
  const g = workerOf(zipfVmScenario({ harvest: 'lockless', policy: 'mglru', mapYoung: true })).g;
  for (let gfn = 0; gfn < 1536; gfn++) g.fault(gfn, false, 0);
  const pg = g.pgdat;
  const policy = g.lruvec as Mglru;
  const age = (): void => {
    pg.t = 0;
    policy.beginAging(0);
    while (policy.ageStep(pg)) {
      /* next MAX_LRU_BATCH ids */
    }
  };
  return { g, gen: (gfn) => pg.tag[g.idBase + gfn], age };
}

describe('MGLRU Bloom filters: the walk reads the tables the last walk or look-around found dense', () => {
  it('walk 3 reads only the table walk 2 found with >= 64 young PTEs; the others keep their AF', () => {
    const { g, gen, age } = setup();
    expect(gen(0)).toBe(1); // faulted into max_seq 1
    age(); // walk of seq 1, force_scan (first iteration): all 1536 young, A, B and C carried over
    expect([s2Young(g, 0), s2Young(g, 600), s2Young(g, 1100)]).toEqual([false, false, false]);
    touch(g, ...range(0, 64), ...range(512, 63)); // A: 64 young (suitable), B: 63 (not), C: none
    age(); // walk of seq 2 reads A, B, C (filter of seq 2 = all); carries over A only
    expect([gen(0), gen(512), gen(1024)]).toEqual([2, 2, 1]);
    touch(g, 100, 600, 1100);
    age(); // walk of seq 3 reads A only
    expect([gen(100), s2Young(g, 100)]).toEqual([3, false]);
    expect([gen(600), s2Young(g, 600)]).toEqual([1, true]);
    expect([gen(1100), s2Young(g, 1100)]).toEqual([1, true]);
  });

  it("look-around's window with >= 8 young of 64 (the folio counted) adds its table to the next walk", () => {
    const { g, age } = setup();
    age();
    touch(g, ...range(0, 64), ...range(512, 63));
    age();
    touch(g, 100, 600, 1100);
    age(); // max_seq is now 4; walk 3 carried over nothing (A had 1 young PTE)
    const pg = g.pgdat;
    const policy = g.lruvec as Mglru;
    // B: folio 700 and 7 young neighbours in its window [668, 732): 8 young -> B in the filter of seq 4.
    touch(g, 700, ...range(669, 7));
    expect(pg.referenced(g.idBase + 700, policy)).toBe(true);
    // C: folio 1200 and 6 young neighbours in [1168, 1232): 7 young -> not added.
    touch(g, 1200, ...range(1201, 6));
    expect(pg.referenced(g.idBase + 1200, policy)).toBe(true);
    touch(g, 800, 1300);
    age(); // walk of seq 4 reads B only
    expect([s2Young(g, 800), s2Young(g, 1300), s2Young(g, 1100), s2Young(g, 100)]).toEqual([false, true, true, false]);
    expect(pg.tag[g.idBase + 800]).toBe(4);
  });
});
