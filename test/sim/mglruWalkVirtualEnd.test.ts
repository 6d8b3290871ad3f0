/**
 * A direct reclaimer's inline MGLRU walk is under way, for every other reclaimer, until the walker's
 * clock at its end (engine/core/mm/policy/agingGate.ts, mglruEvict.ts pickVictim, mm/shrinkNode.ts
 * mmWalkWait). The lab runs the whole walk inside one pickVictim call, so its data (promotions, the new
 * generation) are there at once; but in virtual time its inc_max_seq happens at the walker's clock after
 * the walk. Kernel, mm/vmscan.c 6.1-6.3: a reclaimer that calls try_to_inc_max_seq while the iteration
 * of the mm list is under way (mm_state->seq already max_seq: iterate_mm_list gives it no mm) returns
 * false, so get_nr_to_scan gives that lruvec nothing to scan (only MIN_NR_GENS generations: scan_folios
 * cannot evict); from DEF_PRIORITY - 2 it sleeps in wait_event_killable(lruvec->mm_state.wait,
 * max_seq < lrugen->max_seq) until the walker's inc_max_seq wakes it, and the next priority evicts.
 *
 * Negative control (the old, instantaneous behaviour): the gate's end ignores the walker's time
 * (`gate.end = () => end()`, i.e. `end()` as before this change). `CONTROL=1 npx vitest run
 * test/sim/mglruWalkVirtualEnd.test.ts` plants it in the two main cases, which then fail (the early
 * reclaimer gets page 1 at 6,000 ns; the vCPU evicts at once, before the walk's end); the control cases
 * always plant it and assert that outcome. Run by hand for this commit: mmWalkWait answering -1 (no sleep on
 * mm_state.wait, the old retry) fails the fault-path case (the fault returns -1 instead of suspending until
 * the walk's end); the kswapd case below names its own control.
 */
import { describe, expect, it } from 'vitest';
import { AgingGate } from '../../engine/core/mm/policy/agingGate.ts';
import { MAX_LRU_BATCH, MAX_NR_GENS, Mglru } from '../../engine/core/mm/policy/mglru.ts';
import type { Promoter, Reclaimer } from '../../engine/core/mm/policy/policy.ts';
import { DList } from '../../engine/core/sim/dlist.ts';
import { FAULT_SUSPENDED } from '../../engine/core/sim/guest.ts';
import { C_S2_FAULT } from '../../engine/core/sim/costs.ts';
import { GS_DIRECT_RECLAIM, GS_WORDS } from '../../engine/core/sim/simLayout.ts';
import { HostFrames } from '../../engine/core/mm/hostFrames.ts';
import { KSWAPD_WAKE_NS, Kswapd } from '../../engine/core/mm/kswapd.ts';
import { CTL_FREE_FRAMES, CTL_WORDS } from '../../engine/core/sim/simLayout.ts';
import { smallReclaimScenario, workerOf } from './fixtures.ts';
import { kswapdNode } from './kswapdNode.ts';

const planted = process.env.CONTROL === '1';

interface MglruInside {
  minSeq: number;
  maxSeq: number;
  gate: AgingGate;
}

/** The old behaviour: a pass's end is not kept in virtual time (AgingGate.end without the time). */
function plantInstantEnd(gate: AgingGate): void {
  const end = gate.end.bind(gate);
  gate.end = () => end();
}

/** A reclaimer at clock t: every folio old; each walk call (one MAX_LRU_BATCH of ids) costs walkNs. */
function reclaimer(t: number, walkNs: number, walked: number[]): Reclaimer {
  const r: Reclaimer = {
    t,
    referenced: () => false,
    walk(start: number, _end: number, _p: Promoter): void {
      walked.push(start);
      r.t += walkNs;
    },
    canWalk: () => true,
    spent: () => false,
  };
  return r;
}

/**
 * MAX_LRU_BATCH + 8 pages fault (max_seq 1, generation 0 empty). A first pass at t = 0 costs nothing
 * (max_seq 2). Then direct reclaimer A at 1,000 ns retires the empty generation 0, is left with
 * MIN_NR_GENS and walks inline: two walk calls of 5,000 ns, so its walk ends (inc_max_seq, max_seq 3)
 * at 11,000 ns; it evicts page 0 (the tail of generation 1). Direct reclaimer B asks at 6,000 ns, in
 * the middle of A's walk, and again at 11,000 ns.
 */
function twoReclaimers(control: boolean): {
  victimA: number;
  tA: number;
  victimB: number;
  walkedB: number;
  wakeB: number;
  kswapdWants: boolean;
  maxSeqAfterB: number;
  victimBAtEnd: number;
} {
  const n = MAX_LRU_BATCH + 8;
  const list = new DList(new Int32Array(2 * (n + MAX_NR_GENS)), 0, n + MAX_NR_GENS);
  const m = new Mglru(list, new Int16Array(n), 0, n, n, new Float64Array(GS_WORDS), 0, new AgingGate(0));
  const inside = m as unknown as MglruInside;
  if (control) plantInstantEnd(inside.gate);
  for (let id = 0; id < n; id++) m.onMap(id);
  const setup = reclaimer(0, 0, []);
  m.beginAging(0);
  while (m.ageStep(setup)) {
    /* free first pass */
  }
  expect(inside.maxSeq).toBe(2);
  const walkedA: number[] = [];
  const a = reclaimer(1000, 5000, walkedA);
  const victimA = m.pickVictim(a, true);
  expect(walkedA).toEqual([0, MAX_LRU_BATCH]); // A walked: two batches
  const walkedB: number[] = [];
  const b = reclaimer(6000, 5000, walkedB);
  const victimB = m.pickVictim(b, true);
  const wakeB = m.walkEnd(6000);
  const kswapdWants = m.wantsAging(6000);
  const maxSeqAfterB = inside.maxSeq;
  const victimBAtEnd = m.pickVictim(reclaimer(11000, 5000, walkedB), true);
  return {
    victimA,
    tA: a.t,
    victimB,
    walkedB: walkedB.length,
    wakeB,
    kswapdWants,
    maxSeqAfterB,
    victimBAtEnd,
  };
}

describe('MGLRU: an inline walk is under way for other reclaimers until its virtual end (try_to_inc_max_seq, 6.1-6.3)', () => {
  it('a reclaimer before the walk ends gets no victim and no walk, and waits until 11,000 ns', () => {
    const r = twoReclaimers(planted);
    expect(r.victimA).toBe(0);
    expect(r.tA).toBe(11000); // the walker's clock after its walk: inc_max_seq
    expect(r.victimB).toBe(-1); // MIN_NR_GENS as B sees it, the walk under way: nothing to scan
    expect(r.walkedB).toBe(0); // and no second walk (iterate_mm_list gives B no mm)
    expect(r.maxSeqAfterB).toBe(3); // no generation opened by B
    expect(r.wakeB).toBe(11000); // mm_state.wait: woken by the walker's inc_max_seq
    expect(r.kswapdWants).toBe(false); // kswapd at 6,000 ns cannot start a pass either
    expect(r.victimBAtEnd).toBe(1); // at the walk's end the new generation is there: the next tail folio
  });

  it('negative control (planted): with an instantaneous end B evicts page 1 at 6,000 ns', () => {
    const r = twoReclaimers(true);
    expect(r.victimA).toBe(0);
    expect(r.victimB).toBe(1);
    expect(r.wakeB).toBe(-1);
  });
});

/**
 * The same through the fault path (mm/directReclaim.ts allocFrame): one guest, MGLRU, its host at the
 * min watermark (SSD swap: an evicted folio stays in the swap cache under writeback, so the host stays at
 * min). vCPU 0 faults at t and direct-reclaims: its first step needs a generation and walks inline,
 * ending at E (the walker's clock after its last walk call, recorded around Pgdat.walk); it stops after
 * that first folio (limit t + 1). vCPU 1 faults at t + 1, before E: its step finds the walk under way and
 * nothing to evict, so it sleeps until E: the fault suspends (E is past its limit t + 2) with resumeAt
 * exactly E and no eviction of its own. Resumed at E it evicts.
 */
function faultDuringWalk(control: boolean): {
  e: number;
  r: number;
  resumeAt: number;
  evictedBefore: number;
  evictedAfterResume: number;
} {
  const cfg = smallReclaimScenario();
  cfg.reclaim = { ...cfg.reclaim, policy: 'mglru', harvest: 'lockless' };
  const { g, stats } = workerOf(cfg);
  const pg = g.pgdat;
  if (control) plantInstantEnd((g.lruvec as unknown as MglruInside).gate);
  let t = 0;
  let gfn = 0;
  while (g.host.free() > g.host.min) t = g.fault(gfn++, false, t + 1000, 0, Infinity) + 1000;
  expect(stats[GS_DIRECT_RECLAIM]).toBe(0);
  const ends: number[] = [];
  const walk = pg.walk.bind(pg);
  pg.walk = (start: number, end: number, p: Promoter): void => {
    walk(start, end, p);
    ends.push(pg.t);
  };
  expect(g.fault(gfn++, false, t, 0, t + 1)).toBe(FAULT_SUSPENDED);
  expect(ends.length).toBeGreaterThan(0); // vCPU 0 walked
  const e = ends[ends.length - 1];
  const n = ends.length;
  const afterA = stats[GS_DIRECT_RECLAIM];
  expect(afterA).toBe(1);
  expect(t + 1 + g.costs[C_S2_FAULT]).toBeLessThan(e); // vCPU 1's reclaim step starts inside vCPU 0's walk
  const r = g.fault(gfn, false, t + 1, 1, t + 2);
  const resumeAt = g.resumeAt;
  const evictedBefore = stats[GS_DIRECT_RECLAIM] - afterA;
  let evictedAfterResume = evictedBefore;
  if (r === FAULT_SUSPENDED) {
    g.fault(gfn, false, resumeAt, 1, resumeAt + 1);
    evictedAfterResume = stats[GS_DIRECT_RECLAIM] - afterA;
  }
  expect(ends.length).toBe(n); // vCPU 1 never walked
  return { e, r, resumeAt, evictedBefore, evictedAfterResume };
}

describe('direct reclaim sleeps on mm_state.wait until the walk under way ends (allocFrame, mmWalkWait)', () => {
  it("a vCPU that needs a victim during another vCPU's inline walk resumes exactly at its end", () => {
    const f = faultDuringWalk(planted);
    expect(f.r).toBe(FAULT_SUSPENDED);
    expect(f.resumeAt).toBe(f.e);
    expect(f.evictedBefore).toBe(0);
    expect(f.evictedAfterResume).toBe(1); // at E the next priority evicts
  });

  it('negative control (planted): with an instantaneous end the vCPU evicts at once, before the walk ends', () => {
    const f = faultDuringWalk(true);
    expect(f.evictedBefore).toBe(1);
    expect(f.resumeAt).toBeLessThan(f.e);
  });
});

/**
 * kswapd (mm/kswapd.ts) woken at 0 on a node whose one lruvec has a direct reclaimer's walk under way
 * until 50,000 ns (a stand-in lruvec: walkEnd) and whose shrinkNode steps evict nothing (test/sim/
 * kswapdNode.ts, 100 ns a step). 6.1-6.2: age_lruvec -> try_to_inc_max_seq sleeps on mm_state.wait until
 * the walk's inc_max_seq; that is no balance_pgdat without progress. So: first step at KSWAPD_WAKE_NS
 * (5,000 ns) evicts nothing, kswapd sleeps until 50,000 ns, its second step evicts nothing with no walk
 * under way, and only then kswapd_failures++ and asleep at 50,000 ns. Negative control (run by hand for
 * this commit): without the mmWalkWait call in Kswapd.run, one step, kswapd_failures++ at 5,000 ns.
 */
describe("kswapd sleeps on mm_state.wait during a direct reclaimer's walk (6.1-6.2 age_lruvec)", () => {
  it('waits until the walk ends, then counts a failure only for a step with no walk under way', () => {
    const control = new Int32Array(CTL_WORDS);
    control[CTL_FREE_FRAMES] = 39;
    const host = new HostFrames(control, 1000, 20, 40, 60);
    const { pg, log } = kswapdNode(host, 0);
    (pg as unknown as { lruvecs: unknown[] }).lruvecs = [
      { policy: { walkEnd: (t: number): number => (t < 50_000 ? 50_000 : -1) } },
    ];
    const k = new Kswapd(pg, host);
    expect(k.wake(0)).toBe(true);
    k.run(1_000_000);
    expect(log.shrinks).toBe(2);
    expect(pg.kswapdFailures).toBe(1);
    expect(k.asleep).toBe(true);
    expect(k.sleptAt).toBe(50_000);
    expect(KSWAPD_WAKE_NS).toBeLessThan(50_000);
  });
});
