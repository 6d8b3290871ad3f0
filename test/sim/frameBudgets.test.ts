/**
 * Spread runs' frame budgets (mm/hostFrames.ts useBudgets, spreadSettle.ts settleBudgets): the free frames
 * above the min watermark are split between the workers at each barrier, and inside a quantum each
 * worker applies the one-worker rule (__alloc_pages: below min, __alloc_pages_direct_reclaim in the
 * faulting task) against its own budget. What must hold: a worker that runs ahead in real time cannot
 * take the other worker's frames (it finds itself at min while the shared count is still above), its own
 * frees refill its own budget, and kswapd's frees go to both by share.
 *
 * Negative control (run by hand, session 9): HostFrames without useBudgets (the shared count alone, the
 * "check at each fault" rule): worker 0 takes all 10 frames above min, `w0 at min` and `w1 still has 4`
 * fail (worker 1 finds the host at min).
 */
import { describe, expect, it } from 'vitest';
import { HostFrames, splitBudgets } from '../../engine/core/mm/hostFrames.ts';
import { BUDGET_STRIDE, CTL_FREE_FRAMES, CTL_WORDS } from '../../engine/core/sim/simLayout.ts';
import { Kswapd, KSWAPD_POLL_NS } from '../../engine/core/mm/kswapd.ts';
import { kswapdNode } from './kswapdNode.ts';

const MIN = 20;

function setup(free: number, weights: number[], budgetsOn = true) {
  const control = new Int32Array(new SharedArrayBuffer(CTL_WORDS * 4));
  control[CTL_FREE_FRAMES] = free;
  const budgets = new Int32Array(new SharedArrayBuffer(weights.length * BUDGET_STRIDE * 4));
  const shares = new Float64Array(new SharedArrayBuffer(weights.length * 8));
  splitBudgets(free - MIN, weights, budgets, shares);
  const hosts = weights.map((_, w) => {
    const h = new HostFrames(control, 1000, MIN, 40, 60);
    if (budgetsOn) h.useBudgets(budgets, shares, w);
    return h;
  });
  return { control, budgets, shares, hosts, budget: (w: number) => budgets[w * BUDGET_STRIDE] };
}

/** Frames worker w can take at the min watermark before its fault would reclaim. */
function drain(h: HostFrames): number {
  let n = 0;
  while (h.tryTake(MIN)) n++;
  return n;
}

describe('frame budgets (spread runs)', () => {
  it('splits the frames above min by weight, whole frames by largest remainder', () => {
    const b = new Int32Array(3 * BUDGET_STRIDE);
    const sh = new Float64Array(3);
    splitBudgets(10, [3, 1, 1], b, sh); // 6, 2, 2
    expect([b[0], b[BUDGET_STRIDE], b[2 * BUDGET_STRIDE]]).toEqual([6, 2, 2]);
    splitBudgets(10, [1, 1, 1], b, sh); // 3.33 each: the remainder to the lowest worker
    expect([b[0], b[BUDGET_STRIDE], b[2 * BUDGET_STRIDE]]).toEqual([4, 3, 3]);
    splitBudgets(7, [0, 2, 0], b, sh); // a worker with no weight gets nothing
    expect([b[0], b[BUDGET_STRIDE], b[2 * BUDGET_STRIDE]]).toEqual([0, 7, 0]);
    expect(Array.from(sh)).toEqual([0, 1, 0]);
  });

  it('a worker at the end of its budget is at min though the other still has frames', () => {
    const { control, hosts, budget } = setup(MIN + 10, [6, 4]);
    expect(drain(hosts[0])).toBe(6); // w0 at min
    expect(control[CTL_FREE_FRAMES]).toBe(MIN + 4);
    expect(drain(hosts[1])).toBe(4); // w1 still has 4
    expect(control[CTL_FREE_FRAMES]).toBe(MIN);
    expect(budget(0) + budget(1)).toBe(0);
  });

  it("a worker's frees refill its own budget; kswapd's go to both by share", () => {
    const { control, hosts, budget } = setup(MIN + 10, [6, 4]);
    drain(hosts[0]);
    drain(hosts[1]);
    hosts[1].put(1); // worker 1's direct reclaim freed a frame: its own
    expect([budget(0), budget(1)]).toEqual([0, 1]);
    expect(drain(hosts[0])).toBe(0);
    expect(drain(hosts[1])).toBe(1);
    hosts[0].kswapdRunning = true;
    for (let k = 0; k < 10; k++) hosts[0].put(1); // shares 0.6 / 0.4
    hosts[0].kswapdRunning = false;
    expect([budget(0), budget(1)]).toEqual([6, 4]);
    expect(control[CTL_FREE_FRAMES]).toBe(MIN + 10);
  });

  it('a reserve above min keeps that many of the budget (readahead at a higher watermark)', () => {
    const { hosts } = setup(MIN + 10, [1, 1]);
    let n = 0;
    while (hosts[0].tryTake(MIN + 2)) n++;
    expect(n).toBe(3);
  });

  // The watermark checks (HostFrames.wmarkFree): min 20, low 40, high 60; 100 frames above min split 50 / 50.
  // Worker 1 takes 41 of its 50: the shared count is 79 (above high), but worker 1 stands for a node at
  // 20 + 9 / 0.5 = 38, below low. kswapd (on worker 0, asleep on a shared node: it polls) wakes and frees
  // frames to both budgets by share, alternately (0, 1, 0, 1, ...), until the lowest worker's view is above
  // high (pgdat_balanced: free > high, session 17 (e); was >= high, 22 frees): 20 + 2 * min(b0, b1) > 60,
  // i.e. b1 from 9 to 21: 12 frames to worker 1, 24 frees in all.
  // Negative control (run by hand, session 11): wmarkFree returning free() (the shared count, the check
  // before) fails: "expected 79 to be 38"; with that line removed, kswapd never wakes ("expected 0 to be 22").
  it("kswapd's watermark checks read the most spent worker's budget, not frames idle in another's", () => {
    const { control, hosts, budget } = setup(MIN + 100, [1, 1]);
    expect(hosts[0].wmarkFree()).toBe(MIN + 100);
    for (let k = 0; k < 41; k++) expect(hosts[1].tryTake(MIN)).toBe(true);
    expect(control[CTL_FREE_FRAMES]).toBe(79);
    expect(hosts[0].wmarkFree()).toBe(38);
    const host = hosts[0];
    const { pg, log } = kswapdNode(host, 1);
    const k = new Kswapd(pg, host, KSWAPD_POLL_NS);
    k.run(10 * KSWAPD_POLL_NS);
    expect(log.shrinks).toBe(24);
    expect([budget(0), budget(1)]).toEqual([62, 21]);
    expect(host.wmarkFree()).toBe(62);
    expect(control[CTL_FREE_FRAMES]).toBe(103);
  });
});
