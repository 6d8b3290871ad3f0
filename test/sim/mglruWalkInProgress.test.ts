/**
 * No new generation while the aging walk of max_seq is in progress (engine/core/mm/policy/mglruEvict.ts,
 * pickVictim). In the kernel only the walk adds a generation: try_to_inc_max_seq (mm/vmscan.c, 6.1-6.12)
 * hands each caller for the same max_seq the next unwalked mm (iterate_mm_list). In 6.1-6.3 a caller left
 * without one returns false (after waiting, at priority <= DEF_PRIORITY - 2, for the last walker's
 * inc_max_seq) and get_nr_to_scan skips the lruvec. From 6.4 ("mm: Multi-gen LRU: remove
 * wait_event_killable()") the caller that finds the list exhausted ends the walk itself with inc_max_seq,
 * and the walkers still on an mm stop at their next batch (walk_mm: walk->max_seq != max_seq), so no
 * walker promotes into a generation that is no longer the youngest either (the lab models 6.1-6.3's
 * joining, test/sim/mglruWalkJoin.test.ts, not 6.4's early end: mglruAging.ts; here the lruvec is one mm,
 * so the direct reclaimer finds nothing to join). Meanwhile scan_folios evicts nothing from the two
 * youngest generations. So walk_pte_range's new_gen = lru_gen_from_seq(walk->max_seq) is still max_seq
 * when the walk ends, and inc_max_seq leaves the folios the walk found young in max_seq - 1.
 *
 * The lab's former rule (the negative control): a reclaimer that needed a generation while the walk ran
 * opened one without a walk, so the folios the walk promoted (and whose accessed flags it cleared) were
 * left in a generation that had become the oldest. Control run: planting `gate.walking = () => false`
 * (the former rule) makes the two cases below fail; their control cases assert the former outcome.
 */
import { describe, expect, it } from 'vitest';
import { AgingGate } from '../../engine/core/mm/policy/agingGate.ts';
import { MAX_LRU_BATCH, MAX_NR_GENS, Mglru } from '../../engine/core/mm/policy/mglru.ts';
import type { Promoter, Reclaimer } from '../../engine/core/mm/policy/policy.ts';
import { DList } from '../../engine/core/sim/dlist.ts';
import { GS_WORDS } from '../../engine/core/sim/simLayout.ts';

interface MglruInside {
  minSeq: number;
  maxSeq: number;
  gate: AgingGate;
  seqOf(id: number): number;
}

/** A reclaimer whose walk finds `young` young and whose folio_referenced finds every folio old. */
function reclaimer(young: number[]): Reclaimer {
  return {
    t: 0,
    referenced: () => false,
    walk(start: number, end: number, p: Promoter): void {
      for (const id of young) if (id >= start && id < end) p.promote(id);
    },
    canWalk: () => true,
    spent: () => false,
  };
}

/**
 * MAX_LRU_BATCH + 8 pages fault (all in max_seq = 1; generation 0 is empty, so aging is due). kswapd's
 * pass starts and walks the first MAX_LRU_BATCH ids, finding pages 2 and 5 young; then a direct reclaimer
 * (inline aging allowed) asks for a victim; then the pass walks the rest (page n - 3 young).
 */
function walkInProgress(formerRule: boolean): {
  victim: number;
  maxSeqDuring: number;
  maxSeqAfter: number;
  minSeqAfter: number;
  promoted: number[];
} {
  const n = MAX_LRU_BATCH + 8;
  const list = new DList(new Int32Array(2 * (n + MAX_NR_GENS)), 0, n + MAX_NR_GENS);
  const m = new Mglru(list, new Int16Array(n), 0, n, n, new Float64Array(GS_WORDS), 0, new AgingGate(0));
  const inside = m as unknown as MglruInside;
  if (formerRule) inside.gate.walking = () => false;
  for (let id = 0; id < n; id++) m.onMap(id);
  const kswapd = reclaimer([2, 5, n - 3]);
  m.beginAging(0);
  expect(m.ageStep(kswapd)).toBe(true); // the first MAX_LRU_BATCH ids; the walk goes on
  const victim = m.pickVictim(reclaimer([]), true);
  const maxSeqDuring = inside.maxSeq;
  while (m.ageStep(kswapd)) {
    /* the rest of the walk */
  }
  return {
    victim,
    maxSeqDuring,
    maxSeqAfter: inside.maxSeq,
    minSeqAfter: inside.minSeq,
    promoted: [2, 5, n - 3].map((id) => inside.seqOf(id)),
  };
}

describe('MGLRU: no generation while the walk of max_seq runs (try_to_inc_max_seq)', () => {
  it('a reclaimer that needs a generation during the walk gets no victim and opens none', () => {
    const r = walkInProgress(false);
    expect(r.victim).toBe(-1);
    expect(r.maxSeqDuring).toBe(1);
  });

  it('the pages the walk found young end in max_seq - 1, above the oldest generation', () => {
    const r = walkInProgress(false);
    expect(r.maxSeqAfter).toBe(2); // inc_max_seq after the walk
    expect(r.promoted).toEqual([1, 1, 1]);
    expect(r.minSeqAfter).toBe(0); // generation 0 (empty) is still the oldest until eviction retires it
  });

  it('negative control: the former rule opens two generations meanwhile and evicts page 0', () => {
    const r = walkInProgress(true);
    expect(r.victim).toBe(0);
    expect(r.maxSeqDuring).toBe(3);
  });

  it('negative control: under the former rule the walked-young pages end in the oldest generation', () => {
    const r = walkInProgress(true);
    expect(r.maxSeqAfter).toBe(3); // the walk's end opens none: max_seq is no longer the walked one
    expect(r.minSeqAfter).toBe(1);
    // Pages 2 and 5 (walked before) sit in min_seq, next in line for eviction with their flags cleared;
    // page n - 3 (walked after) went to the max_seq of the moment (promote).
    expect(r.promoted).toEqual([1, 1, 3]);
  });
});
