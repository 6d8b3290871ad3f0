/**
 * Joining the aging walk under way (engine/core/mm/policy/mglruAging.ts joinWalk; mm/vmscan.c 6.1-6.3
 * try_to_inc_max_seq -> iterate_mm_list): a further caller of try_to_inc_max_seq for the max_seq being
 * walked takes mm_state->head, the next mm no walker holds (nr_walkers++), and walks it; a walker done
 * with its mm asks iterate_mm_list again and gets the next unheld one, or none; the walker that leaves
 * with nr_walkers back at 0 calls inc_max_seq. So with two mms, kswapd walking mm A in steps and a direct
 * reclaimer arriving mid-walk, the direct reclaimer walks mm B, kswapd walks only A, and the generation
 * opens when the later of the two finishes (the lab's walkers are concurrent in virtual time: the last to
 * finish is the one whose walk ends last, walkersDoneAt).
 *
 * Hand-computed scenario: mm A = ids [0, 2B), mm B = [2B, 3B), B = MAX_LRU_BATCH = 4096, every walked id
 * costs the walker 1 ns. kswapd starts at t = 0: step 1 walks [0, B) (t = 4096). A direct reclaimer at
 * t = 5000 needs a generation (all pages in max_seq 1, min_seq 0 empty: MIN_NR_GENS left): it walks mm B
 * ([2B, 3B), t = 5000 + 4096 = 9096), gets no victim, and max_seq stays 1 (kswapd still holds A). kswapd's
 * step 2 walks [B, 2B) (t = 8192), finds no mm left and is the last walker: inc_max_seq, max_seq 2, at
 * max(8192, 9096) = 9096.
 *
 * Negative control (the lab's former one-walker pass): planting `joinWalk = () => false` on the instance
 * (the direct reclaimer gets no mm, as before this change) makes the first two cases fail: the direct
 * reclaimer walks nothing (its clock stays 5000), kswapd needs a third step for mm B, and the generation
 * opens at kswapd's 12288. The control cases below assert that former outcome.
 */
import { describe, expect, it } from 'vitest';
import { AgingGate } from '../../engine/core/mm/policy/agingGate.ts';
import { MAX_LRU_BATCH, MAX_NR_GENS, Mglru } from '../../engine/core/mm/policy/mglru.ts';
import type { Promoter, Reclaimer } from '../../engine/core/mm/policy/policy.ts';
import { DList } from '../../engine/core/sim/dlist.ts';
import { GS_WORDS } from '../../engine/core/sim/simLayout.ts';

interface MglruInside {
  maxSeq: number;
  gate: AgingGate;
  joinWalk(r: Reclaimer): boolean;
}

const B = MAX_LRU_BATCH;
const MM_A_END = 2 * B;
const N = 3 * B;

interface Walker extends Reclaimer {
  walked: [number, number][];
}

/** A reclaimer whose walk costs 1 ns an id and finds `young` young; folio_referenced finds every folio old. */
function walker(t: number, young: number[], mms: boolean): Walker {
  const w: Walker = {
    t,
    walked: [],
    referenced: () => false,
    walk(start: number, end: number, p: Promoter): void {
      w.walked.push([start, end]);
      for (const id of young) if (id >= start && id < end) p.promote(id);
      w.t += end - start;
    },
    canWalk: () => true,
    spent: () => false,
  };
  if (mms) w.mmEnd = (id: number) => (id < MM_A_END ? MM_A_END : N);
  return w;
}

function scenario(formerRule: boolean, mms = true) {
  const list = new DList(new Int32Array(2 * (N + MAX_NR_GENS)), 0, N + MAX_NR_GENS);
  const m = new Mglru(list, new Int16Array(N), 0, N, N, new Float64Array(GS_WORDS), 0, new AgingGate(0));
  const inside = m as unknown as MglruInside;
  if (formerRule) inside.joinWalk = () => false;
  for (let id = 0; id < N; id++) m.onMap(id);
  const kswapd = walker(0, [3, MM_A_END + 5], mms);
  m.beginAging(0);
  const steps: boolean[] = [m.ageStep(kswapd)]; // [0, B)
  const direct = walker(5000, [3, MM_A_END + 5], mms);
  const victim = m.pickVictim(direct, true);
  const maxSeqAfterDirect = inside.maxSeq;
  for (let more = true; more;) {
    more = m.ageStep(kswapd);
    steps.push(more);
  }
  return {
    victim,
    joined: direct.joinedWalk === true,
    directWalked: direct.walked,
    directT: direct.t,
    maxSeqAfterDirect,
    kswapdWalked: kswapd.walked,
    kswapdT: kswapd.t,
    steps,
    maxSeqAfter: inside.maxSeq,
    incAt: inside.gate.walkEnd(0),
  };
}

describe('MGLRU: a direct reclaimer joins the walk under way (try_to_inc_max_seq, 6.1-6.3)', () => {
  it('the direct reclaimer walks mm B, gets no victim, and opens no generation (kswapd holds mm A)', () => {
    const r = scenario(false);
    expect(r.victim).toBe(-1);
    expect(r.joined).toBe(true);
    expect(r.directWalked).toEqual([[MM_A_END, N]]);
    expect(r.directT).toBe(5000 + B);
    expect(r.maxSeqAfterDirect).toBe(1);
  });

  it('kswapd walks only mm A; the last walker opens the generation at the later walk end', () => {
    const r = scenario(false);
    expect(r.kswapdWalked).toEqual([
      [0, B],
      [B, MM_A_END],
    ]);
    expect(r.steps).toEqual([true, false]);
    expect(r.kswapdT).toBe(2 * B);
    expect(r.maxSeqAfter).toBe(2);
    expect(r.incAt).toBe(5000 + B); // max(8192, 9096)
  });

  it('one mm (a single guest): nothing is left to join, as before', () => {
    const r = scenario(false, false);
    expect(r.victim).toBe(-1);
    expect(r.joined).toBe(false);
    expect(r.directWalked).toEqual([]);
    expect(r.directT).toBe(5000);
    expect(r.kswapdWalked).toEqual([
      [0, B],
      [B, 2 * B],
      [2 * B, N],
    ]);
    expect(r.incAt).toBe(N);
  });

  it('negative control: the former one-walker pass leaves mm B to kswapd and opens the generation later', () => {
    const r = scenario(true);
    expect(r.victim).toBe(-1);
    expect(r.joined).toBe(false);
    expect(r.directT).toBe(5000);
    expect(r.kswapdWalked).toEqual([
      [0, B],
      [B, MM_A_END],
      [MM_A_END, N],
    ]);
    expect(r.steps).toEqual([true, true, false]);
    expect(r.incAt).toBe(N);
  });
});
