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
import { GS_DIRECT_RECLAIM, GS_WORDS } from '../../engine/core/sim/simLayout.ts';
import { FAULT_SUSPENDED } from '../../engine/core/sim/guest.ts';
import { smallReclaimScenario, workerOf } from './fixtures.ts';

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

/**
 * The same through the fault path (mm/directReclaim.ts allocFrame), two guests on the host lruvec: mm A
 * (guest a, 32 MiB = 8,192 pages) and mm B (guest b, 8 MiB = 2,048 pages), every page of b and most of
 * a faulted in until the host is at its min watermark (no reclaim yet: MIN_NR_GENS generations, so
 * eviction needs a new one). kswapd's pass starts and takes one step: the first MAX_LRU_BATCH ids of mm
 * A. Then a vCPU of guest b faults at T: its direct reclaim (6.1-6.3 try_to_inc_max_seq) walks mm B, the
 * one mm no walker holds, evicts nothing, and the fault suspends until its walk's end E (the walker's
 * clock after its walk, recorded around Pgdat.walk): the vCPU pays its walk. kswapd's next step finishes
 * mm A and, the last walker, opens the generation at max(its clock, E).
 * Negative controls (run by hand for this commit): without allocFrame's joinedWalk branch the fault
 * returns -1 (its walk's time lost to FRAME_RETRY_NS retries from T); with joinWalk answering false (the
 * former one-walker pass) the vCPU walks nothing and kswapd walks mm B itself (a third step).
 */
describe("the fault path: a vCPU joins kswapd's pass and pays its walk (allocFrame)", () => {
  it('walks mm B, evicts nothing, suspends until its walk ends; kswapd ends the pass at the later end', () => {
    const cfg = smallReclaimScenario();
    cfg.host = { ...cfg.host, memoryMiB: 24 };
    cfg.guests = [
      { ...cfg.guests[0], name: 'a', memoryMiB: 32, workload: { ...cfg.guests[0].workload, pages: 8192 } },
      { ...cfg.guests[0], name: 'b', memoryMiB: 8, workload: { ...cfg.guests[0].workload, pages: 2048 } },
    ] as typeof cfg.guests;
    cfg.reclaim = { ...cfg.reclaim, policy: 'mglru', harvest: 'lockless', lruvec: 'host' };
    const { guests, stats } = workerOf(cfg);
    const [a, b] = guests;
    const pg = a.pgdat;
    expect(b.pgdat).toBe(pg);
    expect(pg.lruvecPolicies.length).toBe(1);
    const p = pg.lruvecPolicies[0];
    const inside = p as unknown as MglruInside & { maxSeq: number };
    let t = 0;
    for (let gfn = 0; gfn < 2048; gfn++) t = b.fault(gfn, false, t + 1000, 0, Infinity) + 1000;
    for (let gfn = 0; a.host.free() > a.host.min; gfn++) t = a.fault(gfn, false, t + 1000, 0, Infinity) + 1000;
    const direct = () => stats[GS_DIRECT_RECLAIM] + stats[GS_WORDS + GS_DIRECT_RECLAIM];
    expect(direct()).toBe(0);
    const seq0 = inside.maxSeq;
    const walks: { start: number; end: number; kswapd: boolean; t: number }[] = [];
    const walk = pg.walk.bind(pg);
    pg.walk = (start: number, end: number, pr: Promoter): void => {
      walk(start, end, pr);
      walks.push({ start, end, kswapd: pg.kswapd, t: pg.t });
    };
    expect(p.beginAging(t)).toBe(true);
    expect(pg.kswapdAgeStep(p, t)).toBe(true);
    const k1 = pg.t;
    expect(walks).toEqual([{ start: 0, end: B, kswapd: true, t: k1 }]);
    const T = k1 + 1;
    const r = b.fault(100, false, T, 1, Infinity);
    expect(r).toBe(FAULT_SUSPENDED);
    expect(walks.length).toBe(2);
    expect(walks[1].kswapd).toBe(false);
    expect([walks[1].start, walks[1].end]).toEqual([8192, 8192 + 2048]); // mm B
    const e = walks[1].t;
    expect(e).toBeGreaterThan(T);
    expect(b.resumeAt).toBe(e);
    expect(direct()).toBe(0);
    expect(inside.maxSeq).toBe(seq0);
    expect(pg.kswapdAgeStep(p, k1)).toBe(false); // [B, 2B) of mm A, then no mm left: the last walker
    expect(walks.length).toBe(3);
    expect([walks[2].start, walks[2].end]).toEqual([B, 8192]);
    expect(inside.maxSeq).toBe(seq0 + 1);
    expect(inside.gate.walkEnd(0)).toBe(Math.max(pg.t, e));
  });
});
