/**
 * What lazy promotion (folio_update_gen) does to MGLRU's victim order, in two constructed cases, each
 * with a negative control. Kernel source read for both: mm/vmscan.c of 6.1 and 6.6 (folio_update_gen,
 * folio_inc_gen, inc_min_seq, sort_folio, walk_pte_range, lru_gen_look_around, try_to_inc_max_seq).
 *
 * 1. inc_min_seq keeps a lazy promotion. folio_inc_gen starts with "folio_update_gen() has promoted
 *    this page?": when the folio's gen bits are no longer the oldest generation it returns them
 *    unchanged, and inc_min_seq list_move_tail()s the folio onto that generation's list. Only folios
 *    still in the oldest generation go to min_seq + 1. So a folio promoted while it sat on the oldest
 *    list is not demoted by the fold. (The control folds every folio to min_seq + 1.)
 *
 * 2. Within a generation, victims leave in list order, and a walk's lazy promotion does not reorder
 *    the list: walk_pte_range only rewrites the gen bits (folio_update_gen), and sort_folio later
 *    list_move()s each promoted folio to its generation's head as eviction meets it at the oldest
 *    tail, which keeps their relative order. After a walk that finds every page young (every page
 *    mapped young, none cleared yet: the first pass of a run), the promoted generation is therefore
 *    evicted in fault order, not in the walk's address order. This is what decides seed-debate's
 *    lockless run (see the scenario's description): the sweep's first-faulted pages lead that
 *    generation. (The control promotes eagerly, moving each page to the head at once: the walk's
 *    address order.)
 */
import { describe, expect, it } from 'vitest';
import { AgingGate } from '../../engine/core/mm/policy/agingGate.ts';
import { MAX_NR_GENS, Mglru } from '../../engine/core/mm/policy/mglru.ts';
import type { Promoter, Reclaimer } from '../../engine/core/mm/policy/policy.ts';
import { DList } from '../../engine/core/sim/dlist.ts';
import { Prng } from '../../engine/core/sim/prng.ts';
import { GS_WORDS } from '../../engine/core/sim/simLayout.ts';

/** The private parts of Mglru a constructed case and its controls reach into. */
interface MglruInside {
  list: DList;
  tag: Int16Array;
  nrPages: Float64Array;
  minSeq: number;
  maxSeq: number;
  incMinSeq(): void;
  incMaxSeqNoWalk(): void;
  seqOf(id: number): number;
}

function make(n: number): { m: Mglru; inside: MglruInside } {
  const list = new DList(new Int32Array(2 * (n + MAX_NR_GENS)), 0, n + MAX_NR_GENS);
  const m = new Mglru(list, new Int16Array(n), 0, n, n, new Float64Array(GS_WORDS), 0, new AgingGate(0));
  return { m, inside: m as unknown as MglruInside };
}

/** folio_referenced is never young; the walk (walk_pte_range) finds young the pages `walkYoung(pass)` lists. */
function reclaimer(walkYoung: (pass: number) => number[]): Reclaimer {
  let pass = 0;
  return {
    t: 0,
    referenced: () => false,
    walk(start: number, end: number, p: Promoter): void {
      for (const id of walkYoung(pass)) if (id >= start && id < end) p.promote(id);
      pass++;
    },
    canWalk: () => true,
    spent: () => false,
  };
}

function evictAll(m: Mglru, r: Reclaimer, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(m.pickVictim(r, true));
  return out;
}

/** The misreading of folio_inc_gen the control plants: every folio of the oldest list goes to min_seq + 1. */
function foldDiscardingPromotions(inside: MglruInside): void {
  const old = inside.minSeq;
  const next = old + 1;
  // The heads follow the pages: node n + (seq & 3) (headBase = n in make()).
  const n = inside.tag.length;
  const head = (seq: number): number => n + (seq & (MAX_NR_GENS - 1));
  for (let v = inside.list.tail(head(old)); v >= 0; v = inside.list.tail(head(old))) {
    const seq = inside.seqOf(v);
    inside.tag[v] = next;
    inside.nrPages[seq & (MAX_NR_GENS - 1)]--;
    inside.nrPages[next & (MAX_NR_GENS - 1)]++;
    inside.list.moveToTail(head(next), v);
  }
  inside.minSeq = old + 1;
}

/**
 * Case 1: pages 0..7 fault into generation 1 (max_seq: folio_add_lru in fault context); generations 2..4
 * are opened without a walk (the third folds the empty generation 0); page 5 is then promoted lazily to
 * 4 (it stays on generation 1's list); opening a sixth generation folds generation 1.
 * Returns the eviction order that follows.
 */
function foldCase(plantBug: boolean): { order: number[]; seq5: number } {
  const n = 8;
  const { m, inside } = make(n);
  if (plantBug) inside.incMinSeq = () => foldDiscardingPromotions(inside);
  for (let id = 0; id < n; id++) m.onMap(id);
  inside.incMaxSeqNoWalk(); // generations 0..2
  inside.incMaxSeqNoWalk(); // generations 0..3 (MAX_NR_GENS)
  inside.incMaxSeqNoWalk(); // inc_min_seq folds the empty generation 0: generations 1..4
  m.promote(5); // folio_update_gen(folio, max_seq = 4): the gen bits only
  inside.incMaxSeqNoWalk(); // inc_min_seq folds generation 1, then max_seq = 5
  const seq5 = inside.seqOf(5);
  return {
    order: evictAll(
      m,
      reclaimer(() => []),
      n,
    ),
    seq5,
  };
}

/**
 * Case 2: n pages fault in a shuffled order (generation 0); the first walk finds every page young, the
 * second none. Returns the fault order and the eviction order.
 */
function walkCase(eager: boolean, seed: number): { faults: number[]; evicted: number[] } {
  const n = 96;
  const { m } = make(n);
  if (eager) m.promote = (id: number) => m.activate(id); // the control: the page moves to the head at once
  const faults = [...Array(n).keys()];
  const rnd = new Prng(seed, 3);
  for (let i = n - 1; i > 0; i--) {
    const j = rnd.nextU32() % (i + 1);
    [faults[i], faults[j]] = [faults[j], faults[i]];
  }
  for (const id of faults) m.onMap(id);
  // The faults joined max_seq (1), which a walk cannot promote them out of: open generation 2 first, so
  // that the first walk promotes every page from generation 1 into 2 (walk->max_seq).
  (m as unknown as MglruInside).incMaxSeqNoWalk();
  const all = [...Array(n).keys()]; // walk_pte_range visits in address order
  const evicted = evictAll(
    m,
    reclaimer((pass) => (pass === 0 ? all : [])),
    n,
  );
  return { faults, evicted };
}

describe('MGLRU lazy promotion and victim order (folio_update_gen, folio_inc_gen, sort_folio)', () => {
  it('inc_min_seq keeps a folio promoted while it sat on the oldest list in its own generation', () => {
    const r = foldCase(false);
    expect(r.seq5).toBe(4);
    // The seven unpromoted pages were folded into generation 2 and leave first, page 5 last.
    expect(r.order.slice(0, 7).sort()).toEqual([0, 1, 2, 3, 4, 6, 7]);
    expect(r.order[7]).toBe(5);
  });

  it('negative control: a fold that sends every folio to min_seq + 1 loses the promotion', () => {
    const r = foldCase(true);
    expect(r.seq5).toBe(2);
    expect(r.order[7]).not.toBe(5);
  });

  it('a generation filled by one walk is evicted in fault order, not in the walk address order', () => {
    for (let seed = 1; seed <= 5; seed++) {
      const r = walkCase(false, seed);
      expect(r.evicted).toEqual(r.faults);
    }
  });

  it('negative control: eager promotion evicts that generation in the walk address order', () => {
    for (let seed = 1; seed <= 5; seed++) {
      const r = walkCase(true, seed);
      expect(r.evicted).toEqual([...Array(r.evicted.length).keys()]);
      expect(r.evicted).not.toEqual(r.faults);
    }
  });
});
