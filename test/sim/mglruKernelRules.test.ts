/**
 * Two placement rules of the kernel's MGLRU that engine/core/mm/policy/mglru.ts follows, each pinned in
 * a constructed case with a negative control that plants the lab's former rule.
 *
 * 1. A faulted folio joins max_seq. KVM's stage-2 fault reaches the page through handle_mm_fault, which
 *    sets current->in_lru_fault; folio_add_lru (mm/swap.c, 6.1-6.6) then sets PG_active, and
 *    lru_gen_add_folio (include/linux/mm_inline.h, 6.1-6.6) tests folio_test_active first:
 *    seq = lrugen->max_seq. (Former rule, the control: max_seq - 1, the anon-not-in-swapcache case.)
 *
 * 2. The aging walk fills the current max_seq and the new generation is opened after it.
 *    try_to_inc_max_seq (mm/vmscan.c, 6.1-6.6) sets walk->max_seq = max_seq, walk_pte_range promotes to
 *    new_gen = lru_gen_from_seq(walk->max_seq), and inc_max_seq runs after the walk. (Former rule, the
 *    control: max_seq + 1 before the walk, the walk promoting into the new generation.)
 */
import { describe, expect, it } from 'vitest';
import { AgingGate } from '../../engine/core/mm/policy/agingGate.ts';
import { MAX_LRU_BATCH, MAX_NR_GENS, Mglru } from '../../engine/core/mm/policy/mglru.ts';
import type { Promoter, Reclaimer } from '../../engine/core/mm/policy/policy.ts';
import { DList } from '../../engine/core/sim/dlist.ts';
import { GS_WORDS } from '../../engine/core/sim/simLayout.ts';

/** The private parts of Mglru the cases and their controls reach into. */
interface MglruInside {
  tag: Int16Array;
  list: DList;
  nrPages: Float64Array;
  total: number;
  minSeq: number;
  maxSeq: number;
  gate: AgingGate;
  incMaxSeq(): void;
  incMaxSeqNoWalk(): void;
  endAging(): void;
  seqOf(id: number): number;
  head(seq: number): number;
}

function make(n: number): { m: Mglru; inside: MglruInside } {
  const list = new DList(new Int32Array(2 * (n + MAX_NR_GENS)), 0, n + MAX_NR_GENS);
  const m = new Mglru(list, new Int16Array(n), 0, n, n, new Float64Array(GS_WORDS), 0, new AgingGate(0));
  return { m, inside: m as unknown as MglruInside };
}

/** The former fault rule (the control): lru_gen_add_folio's anon-not-in-swapcache case, max_seq - 1. */
function plantFaultIntoSecondYoungest(m: Mglru, inside: MglruInside): void {
  m.onMap = (id: number) => {
    const seq = inside.maxSeq - 1;
    inside.list.insertHead(inside.head(seq), id);
    inside.tag[id] = seq;
    inside.nrPages[seq & (MAX_NR_GENS - 1)]++;
    inside.total++;
  };
}

/** The former pass order (the control): a new generation before the walk, none after it. */
function plantIncBeforeWalk(m: Mglru, inside: MglruInside): void {
  const begin = m.beginAging.bind(m);
  m.beginAging = (t: number) => {
    const began = begin(t);
    inside.incMaxSeq();
    return began;
  };
  inside.endAging = () => inside.gate.end();
}

/**
 * Case 1: pages 0..3 fault, a generation is opened without a walk, page 4 faults. Returns each page's
 * generation and the youngest generation's page count.
 */
function faultCase(plant: boolean): { seqs: number[]; maxSeq: number; youngest: number } {
  const { m, inside } = make(8);
  if (plant) plantFaultIntoSecondYoungest(m, inside);
  for (let id = 0; id < 4; id++) m.onMap(id);
  inside.incMaxSeqNoWalk();
  m.onMap(4);
  return {
    seqs: [0, 1, 2, 3, 4].map((id) => inside.seqOf(id)),
    maxSeq: inside.maxSeq,
    youngest: inside.nrPages[inside.maxSeq & (MAX_NR_GENS - 1)],
  };
}

/** A reclaimer whose walk finds `young` young and records the max_seq it promoted into. */
function walker(inside: MglruInside, young: number[], seen: number[]): Reclaimer {
  return {
    t: 0,
    referenced: () => false,
    walk(start: number, end: number, p: Promoter): void {
      for (const id of young)
        if (id >= start && id < end) {
          p.promote(id);
          seen.push(inside.seqOf(id));
        }
    },
    canWalk: () => true,
    spent: () => false,
  };
}

/**
 * Case 2: pages 0..7 fault, a generation is opened without a walk, then one aging pass whose walk finds
 * pages 2 and 5 young. Returns max_seq before and after the pass, the generation the walk promoted into,
 * the promoted pages' generation and the new youngest generation's page count.
 */
function walkCase(plant: boolean): {
  before: number;
  after: number;
  promotedInto: number[];
  youngest: number;
  seq2: number;
} {
  const { m, inside } = make(8);
  if (plant) plantIncBeforeWalk(m, inside);
  for (let id = 0; id < 8; id++) m.onMap(id);
  inside.incMaxSeqNoWalk();
  const before = inside.maxSeq;
  const seen: number[] = [];
  const r = walker(inside, [2, 5], seen);
  m.beginAging(0);
  while (m.ageStep(r)) {
    /* next MAX_LRU_BATCH ids */
  }
  return {
    before,
    after: inside.maxSeq,
    promotedInto: seen,
    youngest: inside.nrPages[inside.maxSeq & (MAX_NR_GENS - 1)],
    seq2: inside.seqOf(2),
  };
}

/**
 * Case 3: a pass over MAX_LRU_BATCH + 8 ids in two steps; between them a generation is opened without a
 * walk (called directly: eviction no longer does this during a walk, mglruWalkInProgress.test.ts; this
 * pins endAging's own check). Returns max_seq before and after.
 */
function openedMeanwhileCase(alwaysInc: boolean): { before: number; after: number } {
  const n = MAX_LRU_BATCH + 8;
  const { m, inside } = make(n);
  if (alwaysInc) {
    inside.endAging = () => {
      inside.incMaxSeq();
      inside.gate.end();
    };
  }
  for (let id = 0; id < n; id++) m.onMap(id);
  const before = inside.maxSeq;
  const r = walker(inside, [], []);
  m.beginAging(0);
  expect(m.ageStep(r)).toBe(true); // the first MAX_LRU_BATCH ids; the pass goes on
  inside.incMaxSeqNoWalk(); // a no-walk generation while the walk runs
  while (m.ageStep(r)) {
    /* the rest */
  }
  return { before, after: inside.maxSeq };
}

describe('MGLRU kernel placement rules (folio_add_lru in fault context, try_to_inc_max_seq)', () => {
  it('a faulted page joins max_seq, before and after a new generation', () => {
    const r = faultCase(false);
    expect(r.maxSeq).toBe(2);
    expect(r.seqs).toEqual([1, 1, 1, 1, 2]);
    expect(r.youngest).toBe(1);
  });

  it('negative control: the former rule (max_seq - 1) puts every fault one generation older', () => {
    const r = faultCase(true);
    expect(r.seqs).toEqual([0, 0, 0, 0, 1]);
    expect(r.youngest).toBe(0);
  });

  it('the walk promotes into the current max_seq; the new generation opens after it, empty', () => {
    const r = walkCase(false);
    expect(r.before).toBe(2);
    expect(r.promotedInto).toEqual([2, 2]);
    expect(r.after).toBe(3);
    expect(r.seq2).toBe(2); // now the second youngest
    expect(r.youngest).toBe(0);
  });

  it('negative control: opening the generation before the walk fills the new youngest generation', () => {
    const r = walkCase(true);
    expect(r.promotedInto).toEqual([3, 3]);
    expect(r.after).toBe(3);
    expect(r.seq2).toBe(3);
    expect(r.youngest).toBe(2);
  });

  it('a pass whose generation was opened meanwhile opens none at its end', () => {
    const r = openedMeanwhileCase(false);
    expect(r.after - r.before).toBe(1);
  });

  it('negative control: incrementing at the end regardless opens a second generation', () => {
    const r = openedMeanwhileCase(true);
    expect(r.after - r.before).toBe(2);
  });
});
