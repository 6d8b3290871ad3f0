/**
 * Sleeping on MGLRU's lruvec->mm_state.wait while kswapd's aging pass runs in steps (mm/vmscan.c 6.1-6.3
 * try_to_inc_max_seq: a caller left without an mm waits, at priority <= DEF_PRIORITY - 2, in
 * wait_event_killable(lruvec->mm_state.wait, max_seq < READ_ONCE(lrugen->max_seq)); the last walker, after
 * inc_max_seq, wake_up_all(&lruvec->mm_state.wait)). Engine: mglruMmList.ts walkEnd (+Infinity while a
 * pass runs in steps), mglruAging.ts ageStep -> Reclaimer.mmWalkDone, mm/reclaimThrottle.ts WAIT_MM_WALK,
 * mm/directReclaim.ts PHASE_MM_WALK. Until session 15 the vCPU's fault retried every FRAME_RETRY_NS.
 *
 * Hand-computed scenario (one mm: nobody can join): N = 3 B ids, B = MAX_LRU_BATCH = 4096, every walked id
 * costs the walker 1 ns, no page young. A free first pass at t = 0 (max_seq 2, pages in generation 1).
 * kswapd begins the next pass at t = 0: step 1 walks [0, B) (t = 4096). A direct reclaimer at t = 5000
 * needs a generation (generation 0 empty and retired: MIN_NR_GENS left), gets no victim and no mm, and
 * sleeps (walkEnd +Infinity); a second at t = 20000 (ahead of kswapd in virtual time) sleeps too. kswapd's
 * steps 2 and 3 walk [B, 2B) and [2B, 3B) (t = 12288); the third is the last: inc_max_seq (max_seq 3) and
 * the wake-up at 12288. The first sleeper runs from 12288 (woken), the second from 20000 (from when it
 * fell asleep: it was woken before it slept, in virtual time). At 12288 the first evicts page 0 (the tail
 * of generation 1).
 *
 * Negative control: the last walker sends no wake-up (a kswapd Reclaimer without mmWalkDone, or
 * Pgdat.mmWalkDone emptied in the fault-path case). `CONTROL=1 npx vitest run
 * test/sim/mglruWalkWaitQueue.test.ts` plants it in the main cases, which then fail (the sleepers' clocks
 * stay +Infinity); the control cases always plant it and assert that outcome.
 */
import { describe, expect, it } from 'vitest';
import type { AgingGate } from '../../engine/core/mm/policy/agingGate.ts';
import { ReclaimThrottle, WAIT_MM_WALK, type ThrottleWaiter } from '../../engine/core/mm/reclaimThrottle.ts';
import { FAULT_SUSPENDED } from '../../engine/core/sim/guest.ts';
import { GS_DIRECT_RECLAIM } from '../../engine/core/sim/simLayout.ts';
import { agedMglru, mglruFaultWorker, B, N, walkingReclaimer } from './mglruWalkFixtures.ts';

const planted = process.env.CONTROL === '1';

interface MglruInside {
  maxSeq: number;
  gate: AgingGate;
}

function scenario(noWake: boolean) {
  const m = agedMglru();
  const inside = m as unknown as MglruInside;
  expect(inside.maxSeq).toBe(2);
  const q = new ReclaimThrottle();
  const kswapd = walkingReclaimer(0, 1, noWake ? null : q);
  m.beginAging(0);
  const steps = [m.ageStep(kswapd)]; // [0, B)
  const kswapdT1 = kswapd.t;
  // Direct reclaimers at 5000 and 20000: no victim, and the walk's end not known yet.
  const sleepers: { w: ThrottleWaiter; at: number; victim: number; wake: number }[] = [];
  for (const at of [5000, 20000]) {
    const victim = m.pickVictim(walkingReclaimer(at, 1, q), true);
    const wake = m.walkEnd(at);
    const w = { clock: Infinity };
    q.throttle(w, at, WAIT_MM_WALK);
    sleepers.push({ w, at, victim, wake });
  }
  const sleepingBefore = q.sleepers(WAIT_MM_WALK);
  for (let more = true; more;) {
    more = m.ageStep(kswapd);
    steps.push(more);
  }
  const first = sleepers[0].w.clock;
  const victimAtWake = first === Infinity ? -2 : m.pickVictim(walkingReclaimer(first, 1, q), true);
  return {
    kswapdT1,
    sleepers,
    sleepingBefore,
    sleepingAfter: q.sleepers(WAIT_MM_WALK),
    steps,
    kswapdT: kswapd.t,
    maxSeq: inside.maxSeq,
    incAt: inside.gate.walkEnd(0),
    victimAtWake,
    m,
  };
}

describe("MGLRU: a reclaimer sleeps on mm_state.wait until kswapd's pass opens the generation (6.1-6.3)", () => {
  it('the reclaimers get no victim and sleep (walkEnd +Infinity: the end is not known yet)', () => {
    const r = scenario(planted);
    expect(r.kswapdT1).toBe(B);
    for (const s of r.sleepers) {
      expect(s.victim).toBe(-1);
      expect(s.wake).toBe(Infinity);
    }
    expect(r.sleepingBefore).toBe(2);
  });

  it("kswapd's last step opens max_seq 3 at 12,288 ns and wakes them: from 12,288 and from 20,000", () => {
    const r = scenario(planted);
    expect(r.steps).toEqual([true, true, false]);
    expect(r.kswapdT).toBe(N);
    expect(r.maxSeq).toBe(3);
    expect(r.incAt).toBe(N);
    expect(r.sleepers[0].w.clock).toBe(N); // woken at the pass's inc_max_seq
    expect(r.sleepers[1].w.clock).toBe(20000); // asleep from 20,000: runs from there
    expect(r.sleepingAfter).toBe(0);
  });

  it('the woken reclaimer evicts from the new generation at once: page 0', () => {
    const r = scenario(planted);
    expect(r.victimAtWake).toBe(0);
  });

  it('with no pass under way there is nothing to wait for (walkEnd -1)', () => {
    const r = scenario(false);
    expect(r.m.walkEnd(30000)).toBe(-1);
  });

  it('negative control: no wake-up from the last walker leaves both asleep (clocks +Infinity)', () => {
    const r = scenario(true);
    expect(r.maxSeq).toBe(3);
    expect(r.sleepers[0].w.clock).toBe(Infinity);
    expect(r.sleepers[1].w.clock).toBe(Infinity);
    expect(r.sleepingAfter).toBe(2);
  });
});

/**
 * The same through the fault path (mm/directReclaim.ts allocFrame), one guest on the host lruvec (one mm):
 * its pages faulted in until the host is at its min watermark (no reclaim yet: MIN_NR_GENS generations,
 * so eviction needs a new one). kswapd's pass starts and takes one step. A fault at T then finds the walk
 * under way: FAULT_SUSPENDED, asleep (resumeAt +Infinity) on WAIT_MM_WALK from S (its trap and reclaim
 * step after T). kswapd's steps finish the pass at E (its clock after the last step: the only walker), and
 * the wake-up sets the sleeper's clock to max(S, E). Resumed there, the fault's cluster evicts (direct
 * reclaim > 0) and the fault's reclaim time includes the sleep.
 */
function faultPath(noWake: boolean, otherWalker = false, strayWake = false) {
  const { g, stats, kswapd } = mglruFaultWorker();
  const pg = g.pgdat;
  if (noWake) pg.mmWalkDone = () => {};
  const p = pg.lruvecPolicies[0];
  // The test drives kswapd's pass step by step (Pgdat.kswapdAgeStep) as Kswapd.run does with its `aging`;
  // otherWalker: the pass is not this node's kswapd's (not a spread node: Pgdat.lruFlag false): nobody here wakes it (spread runs: mglruWalkWaitCross.test.ts).
  if (!otherWalker) (kswapd as unknown as { aging: unknown }).aging = p;
  let t = 0;
  let gfn = 0;
  for (; g.host.free() > g.host.min; gfn++) t = g.fault(gfn, false, t + 1000, 0, Infinity) + 1000;
  expect(stats[GS_DIRECT_RECLAIM]).toBe(0);
  expect(p.beginAging(t)).toBe(true);
  expect(pg.kswapdAgeStep(p, t)).toBe(true);
  let k = pg.t;
  const T = k + 1;
  const r = g.fault(gfn, false, T, 1, Infinity);
  const asleep = { clock: Infinity };
  const S = g.throttledAt;
  const queue = g.throttleQueue;
  const resumeAt = g.resumeAt;
  pg.throttle(asleep, S, queue); // VCpu.run's part (Pgdat.throttle)
  g.throttledAt = -1;
  // strayWake: a direct reclaimer's inline pass on another lruvec (a memcg's) ends first, at S + 1: its
  // ageStep's last step calls Reclaimer.mmWalkDone on this Pgdat with kswapd false.
  let afterStray = Infinity;
  if (strayWake) {
    pg.beginDirectReclaim(S + 1);
    pg.mmWalkDone(S + 1);
    afterStray = asleep.clock;
  }
  while (pg.kswapdAgeStep(p, k)) k = pg.t;
  const E = pg.t;
  const woken = asleep.clock;
  let e = -1;
  if (woken !== Infinity) e = g.fault(gfn, false, woken, 1, Infinity);
  return {
    r,
    S,
    T,
    queue,
    resumeAt,
    E,
    woken,
    e,
    afterStray,
    direct: stats[GS_DIRECT_RECLAIM],
    reclaimNs: g.faultReclaimNs,
  };
}

describe("the fault path: a vCPU sleeps on mm_state.wait until kswapd's inc_max_seq (allocFrame)", () => {
  it('suspends asleep on WAIT_MM_WALK, is woken at max(S, E), and its cluster then evicts', () => {
    const f = faultPath(planted);
    expect(f.r).toBe(FAULT_SUSPENDED);
    expect(f.queue).toBe(WAIT_MM_WALK);
    expect(f.resumeAt).toBe(Infinity);
    expect(f.S).toBeGreaterThan(f.T);
    expect(f.E).toBeGreaterThan(f.S); // kswapd's remaining steps end after the fault fell asleep
    expect(f.woken).toBe(Math.max(f.S, f.E));
    expect(f.e).toBeGreaterThan(f.woken);
    expect(f.direct).toBeGreaterThan(0);
    expect(f.reclaimNs).toBeGreaterThanOrEqual(f.woken - f.S);
  });

  it("another lruvec's inline pass ending (a direct reclaimer's) does not wake kswapd's pass's sleeper", () => {
    // Session 15 (r): Pgdat.mmWalkDone woke the node's queue at the end of any pass; a memcg lruvec's inline
    // pass then woke the vCPU before kswapd's inc_max_seq (at S + 1, to fail its step and sleep again).
    // Negative control (by hand): drop the `this.kswapd` test in Pgdat.mmWalkDone -> afterStray is S + 1.
    const f = faultPath(false, false, true);
    expect(f.afterStray).toBe(Infinity);
    expect(f.woken).toBe(Math.max(f.S, f.E));
    expect(f.direct).toBeGreaterThan(0);
  });

  it("a pass this node's kswapd does not run (one-worker node, no spread run): no sleep, the retry (-1)", () => {
    const f = faultPath(false, true);
    expect(f.r).toBe(-1);
    expect(f.queue).not.toBe(WAIT_MM_WALK);
  });

  it('negative control: without the wake-up the vCPU never runs again (clock +Infinity)', () => {
    const f = faultPath(true);
    expect(f.r).toBe(FAULT_SUSPENDED);
    expect(f.woken).toBe(Infinity);
    expect(f.direct).toBe(0);
  });
});
