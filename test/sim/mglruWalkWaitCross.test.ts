/**
 * Spread runs: a sleeper on MGLRU's lruvec->mm_state.wait on worker 1, woken by the end of the aging pass
 * worker 0's kswapd runs (mm/vmscan.c 6.1-6.3 try_to_inc_max_seq: one wait queue per lruvec, woken by the
 * last walker's wake_up_all after inc_max_seq, whatever CPU the sleepers are on). Engine:
 * mm/reclaimThrottle.ts mmWalkSettle (at each quantum start of each spread worker, sim/scheduler.ts
 * runUntil), mm/shrinkNode.ts mmWalkWait (a spread run's reclaimer sleeps whoever runs the pass).
 *
 * Hand-computed scenario (as test/sim/mglruWalkWaitQueue.test.ts; one mm): N = 3 B ids, B = 4096, the walk
 * costs 1 ns an id. Worker 0's kswapd begins the pass at t = 0 and its first step walks [0, B) (t = 4096).
 * Two reclaimers on worker 1 find the pass under way at 5,000 and 20,000 ns and sleep on worker 1's queue.
 * A quantum boundary now (the pass still runs): they stay asleep. kswapd's steps end the pass at 12,288 ns
 * (inc_max_seq) and wake worker 0's queue only. At the next quantum boundary worker 1 sees the pass ended:
 * its sleepers run from 12,288 (the pass's inc_max_seq) and from 20,000 (when it fell asleep).
 *
 * Negative control: worker 1 without the boundary wake-up (CONTROL=1 plants it: mmWalkSettle not called)
 * keeps both asleep (clocks +Infinity) and the main cases fail; the control cases assert that outcome.
 */
import { describe, expect, it } from 'vitest';
import type { Mglru } from '../../engine/core/mm/policy/mglru.ts';
import type { Pgdat } from '../../engine/core/mm/pgdat.ts';
import {
  mmWalkPass,
  mmWalkSettle,
  ReclaimThrottle,
  WAIT_MM_WALK,
  type ThrottleWaiter,
} from '../../engine/core/mm/reclaimThrottle.ts';
import { FAULT_SUSPENDED } from '../../engine/core/sim/guest.ts';
import { GS_DIRECT_RECLAIM } from '../../engine/core/sim/simLayout.ts';
import { agedMglru, mglruFaultWorker, N, walkingReclaimer } from './mglruWalkFixtures.ts';

const planted = process.env.CONTROL === '1';

/** Worker `w`'s view of the node: its own wait queue on the one (shared) lruvec `m`. */
function node(m: Mglru): Pgdat {
  return { throttling: new ReclaimThrottle(), lruvecs: [{ policy: m }], mmWaitPass: -1 } as unknown as Pgdat;
}

function scenario(noSettle: boolean) {
  const m = agedMglru();
  const w0 = node(m);
  const w1 = node(m);
  const kswapd = walkingReclaimer(0, 1, w0.throttling); // worker 0's kswapd wakes worker 0's queue
  m.beginAging(0);
  m.ageStep(kswapd); // [0, B): t = 4096
  const sleepers: { w: ThrottleWaiter; victim: number; wake: number }[] = [];
  for (const at of [5000, 20000]) {
    const victim = m.pickVictim(walkingReclaimer(at, 1, null), true);
    const wake = m.walkEnd(at);
    const w = { clock: Infinity };
    w1.mmWaitPass = mmWalkPass(w1); // Pgdat.throttle's record
    w1.throttling.throttle(w, at, WAIT_MM_WALK);
    sleepers.push({ w, victim, wake });
  }
  const pass = w1.mmWaitPass;
  if (!noSettle) mmWalkSettle(w1); // a quantum boundary mid-pass
  const midPass = sleepers.map((s) => s.w.clock);
  while (m.ageStep(kswapd)) {
    /* worker 0's kswapd ends the pass */
  }
  const afterEnd = sleepers.map((s) => s.w.clock);
  if (!noSettle) mmWalkSettle(w1); // the next quantum boundary
  return {
    pass,
    sleepers,
    midPass,
    afterEnd,
    kswapdT: kswapd.t,
    incAt: m.walkIncAt(),
    woken: sleepers.map((s) => s.w.clock),
    left: w1.throttling.sleepers(WAIT_MM_WALK),
  };
}

describe("a spread run's sleeper on worker 1 is woken by worker 0's pass end (mmWalkSettle)", () => {
  it('the reclaimers on worker 1 get no victim and sleep on the pass started at 0', () => {
    const r = scenario(planted);
    expect(r.pass).toBe(0);
    for (const s of r.sleepers) {
      expect(s.victim).toBe(-1);
      expect(s.wake).toBe(Infinity);
    }
  });

  it('a quantum boundary while the pass runs leaves them asleep; its end alone does not reach worker 1', () => {
    const r = scenario(planted);
    expect(r.midPass).toEqual([Infinity, Infinity]);
    expect(r.afterEnd).toEqual([Infinity, Infinity]); // kswapd's wake_up_all went to worker 0's queue
    expect(r.kswapdT).toBe(N);
    expect(r.incAt).toBe(N);
  });

  it('the next boundary wakes them from 12,288 (inc_max_seq) and 20,000 (asleep later)', () => {
    const r = scenario(planted);
    expect(r.woken).toEqual([N, 20000]);
    expect(r.left).toBe(0);
  });

  it('negative control: no boundary wake-up leaves both asleep for good', () => {
    const r = scenario(true);
    expect(r.woken).toEqual([Infinity, Infinity]);
    expect(r.left).toBe(2);
  });
});

/**
 * The fault path on a spread run's worker >= 1 (Pgdat.lruFlag; its kswapd is not the walker, and the
 * walker's wake-up does not reach this node: Pgdat.mmWalkDone emptied). Before session 15 (j) the fault
 * retried every FRAME_RETRY_NS (-1). Now it suspends asleep on WAIT_MM_WALK from S, and the boundary
 * wake-up after the pass's end E sets its clock to max(S, E); resumed, its cluster evicts.
 */
function faultPath(settle: boolean) {
  const { g, stats } = mglruFaultWorker();
  const pg = g.pgdat;
  pg.mmWalkDone = () => {}; // the walker is another worker's kswapd
  const p = pg.lruvecPolicies[0];
  let t = 0;
  let gfn = 0;
  for (; g.host.free() > g.host.min; gfn++) t = g.fault(gfn, false, t + 1000, 0, Infinity) + 1000;
  pg.lruFlag = true; // a spread run's node (after the fault-in: no lru_add batch in this fixture)
  expect(p.beginAging(t)).toBe(true);
  expect(pg.kswapdAgeStep(p, t)).toBe(true);
  let k = pg.t;
  const r = g.fault(gfn, false, k + 1, 1, Infinity);
  const asleep = { clock: Infinity };
  const S = g.throttledAt;
  const queue = g.throttleQueue;
  if (r === FAULT_SUSPENDED) pg.throttle(asleep, S, queue);
  g.throttledAt = -1;
  while (pg.kswapdAgeStep(p, k)) k = pg.t;
  const E = pg.t;
  const before = asleep.clock;
  if (settle) mmWalkSettle(pg);
  const woken = asleep.clock;
  let e = -1;
  if (woken !== Infinity) e = g.fault(gfn, false, woken, 1, Infinity);
  return { r, S, queue, E, before, woken, e, direct: stats[GS_DIRECT_RECLAIM] };
}

describe('the fault path on a spread worker >= 1: sleep, then the boundary wake-up at max(S, E)', () => {
  it('suspends asleep on WAIT_MM_WALK (not the 10 us retry), woken at max(S, E), then evicts', () => {
    const f = faultPath(!planted);
    expect(f.r).toBe(FAULT_SUSPENDED);
    expect(f.queue).toBe(WAIT_MM_WALK);
    expect(f.E).toBeGreaterThan(f.S);
    expect(f.before).toBe(Infinity); // the pass's end alone wakes nobody here
    expect(f.woken).toBe(Math.max(f.S, f.E));
    expect(f.e).toBeGreaterThan(f.woken);
    expect(f.direct).toBeGreaterThan(0);
  });

  it('negative control: without the boundary wake-up the vCPU never runs again', () => {
    const f = faultPath(false);
    expect(f.r).toBe(FAULT_SUSPENDED);
    expect(f.woken).toBe(Infinity);
    expect(f.direct).toBe(0);
  });
});
