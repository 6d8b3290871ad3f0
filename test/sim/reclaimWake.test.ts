/**
 * Who reclaims, as the page allocator decides it (mm/page_alloc.c, mm/vmscan.c):
 * - kswapd sleeps until an allocation finds free pages at or below the low watermark and wakes it
 *   (__alloc_pages_slowpath -> wake_all_kswapds -> wakeup_kswapd), and sleeps again once the node is
 *   balanced at the high watermark (kswapd_try_to_sleep); it is not polled;
 * - a fault between min and low takes a frame (get_page_from_freelist with ALLOC_WMARK_MIN) and does
 *   no direct reclaim; at min it enters direct reclaim (__alloc_pages_direct_reclaim);
 * - a direct reclaimer finding too many folios isolated (too_many_isolated: isolated > inactive / 8)
 *   sleeps in reclaim_throttle(VMSCAN_THROTTLE_ISOLATED) for HZ/50 or until another direct reclaimer
 *   finds isolation under the limit (wake_throttle_isolated); MGLRU's evict_folios has no such check.
 */
import { describe, expect, it } from 'vitest';
import { FAULT_SUSPENDED, SWAP_CLUSTER_MAX, type Guest } from '../../engine/core/sim/guest.ts';
import { KSWAPD_WAKE_NS } from '../../engine/core/mm/kswapd.ts';
import { THROTTLE_ISOLATED_NS } from '../../engine/core/mm/reclaimThrottle.ts';
import { C_S2_FAULT } from '../../engine/core/sim/costs.ts';
import { runInProcess } from '../../engine/core/sim/run.ts';
import {
  GS_DIRECT_RECLAIM,
  GS_EVICTIONS,
  GS_KSWAPD_WAKEUPS,
  GS_THROTTLED,
  GS_THROTTLE_NS,
} from '../../engine/core/sim/simLayout.ts';
import type { ScenarioConfig } from '../../engine/protocol.ts';
import { smallReclaimScenario, workerOf, withoutFaultMarks } from './fixtures.ts';

/** Fault fresh pages 1 us apart while `more()` holds; returns the time and next gfn. */
function faultWhile(g: Guest, more: () => boolean, t = 0, gfn = 0): { t: number; gfn: number } {
  while (more()) {
    if (gfn > 100_000) throw new Error('the watermark is never reached');
    t = g.fault(gfn++, false, t + 1000) + 1000;
    g.yieldNow = false;
  }
  return { t, gfn };
}

describe('kswapd is woken by the allocator (wakeup_kswapd), not polled', () => {
  it('asleep while free pages stay above low; the first fault at or below low wakes it at its time + the wake-up latency', () => {
    const { g, stats, kswapd } = workerOf(smallReclaimScenario());
    withoutFaultMarks(g);
    if (kswapd === null) throw new Error('no kswapd');
    expect(kswapd.clock).toBe(Infinity);
    const h = g.host;
    const { t, gfn } = faultWhile(g, () => h.free() > h.low);
    expect(kswapd.clock).toBe(Infinity); // no poll moved it
    expect(stats[GS_KSWAPD_WAKEUPS]).toBe(0);
    expect(h.free()).toBe(h.low);
    g.fault(gfn, false, t);
    expect(kswapd.clock).toBe(t + g.costs[C_S2_FAULT] + KSWAPD_WAKE_NS);
    expect(g.yieldNow).toBe(true); // the waker ends its scheduler step
    expect(stats[GS_KSWAPD_WAKEUPS]).toBe(1);
    g.fault(gfn + 1, false, t + 1000); // already awake: no second wake-up
    expect(stats[GS_KSWAPD_WAKEUPS]).toBe(1);
  });

  it('once woken it reclaims to the high watermark, then sleeps (kswapd_try_to_sleep) until the next wake-up', () => {
    const { g, stats, kswapd } = workerOf(smallReclaimScenario());
    withoutFaultMarks(g);
    if (kswapd === null) throw new Error('no kswapd');
    const h = g.host;
    const { t, gfn } = faultWhile(g, () => h.free() > h.low);
    g.fault(gfn, false, t);
    kswapd.run(t + 1e9); // runs until it sleeps (its clock is then +Infinity), within 1 s
    expect(kswapd.clock).toBe(Infinity);
    expect(h.free()).toBeGreaterThanOrEqual(h.high);
    expect(stats[GS_EVICTIONS] - stats[GS_DIRECT_RECLAIM]).toBeGreaterThan(0); // kswapd's evictions
    const again = faultWhile(g, () => h.free() > h.low, t + 1e6, gfn + 1);
    expect(stats[GS_KSWAPD_WAKEUPS]).toBe(1);
    g.fault(again.gfn, false, again.t);
    expect(stats[GS_KSWAPD_WAKEUPS]).toBe(2);
    expect(kswapd.clock).toBeLessThan(Infinity);
  });
});

describe('the allocator enters direct reclaim only below the min watermark (ALLOC_WMARK_MIN)', () => {
  it('faults between min and low take a frame each without reclaiming; the fault at min reclaims a cluster', () => {
    const { g, stats } = workerOf(smallReclaimScenario());
    withoutFaultMarks(g);
    const h = g.host;
    let { t, gfn } = faultWhile(g, () => h.free() > h.low);
    expect(h.low - h.min).toBeGreaterThan(1);
    while (h.free() > h.min) {
      const before = h.free();
      t = g.fault(gfn++, false, t + 1000) + 1000;
      expect(h.free()).toBe(before - 1);
      expect(stats[GS_DIRECT_RECLAIM]).toBe(0);
    }
    g.fault(gfn, false, t);
    expect(stats[GS_DIRECT_RECLAIM]).toBe(SWAP_CLUSTER_MAX);
  });
});

describe('too_many_isolated -> reclaim_throttle(VMSCAN_THROTTLE_ISOLATED)', () => {
  /** A guest at its host's min watermark with `extra` more clusters isolated than the limit allows. */
  function atMinIsolated(extra: number): { g: Guest; stats: Float64Array; t: number; gfn: number; allowed: number } {
    const { g, stats } = workerOf(smallReclaimScenario(8));
    withoutFaultMarks(g);
    const h = g.host;
    const { t, gfn } = faultWhile(g, () => h.free() > h.min);
    // NR_ISOLATED_ANON already holds kswapd's batch (it is awake: free went below low).
    expect(g.pgdat.isolatedPages()).toBe(SWAP_CLUSTER_MAX);
    const limit = g.lruvec.inactivePages() >> 3;
    const allowed = Math.floor((limit - g.pgdat.isolatedPages()) / SWAP_CLUSTER_MAX);
    expect(allowed).toBeGreaterThanOrEqual(1);
    for (let i = 0; i < allowed + extra; i++) g.pgdat.isolate();
    return { g, stats, t, gfn, allowed };
  }

  it('N clusters isolated within inactive / 8 pass; the N+1-th direct reclaimer sleeps HZ/50 without reclaiming', () => {
    const a = atMinIsolated(0);
    expect(a.g.pgdat.tooManyIsolated(a.g.lruvec, a.t)).toBe(false);
    expect(a.g.fault(a.gfn, false, a.t)).toBeGreaterThan(a.t); // reclaims its cluster
    expect(a.stats[GS_DIRECT_RECLAIM]).toBe(SWAP_CLUSTER_MAX);
    expect(a.stats[GS_THROTTLED]).toBe(0);

    const b = atMinIsolated(1);
    expect(b.g.fault(b.gfn, false, b.t)).toBe(FAULT_SUSPENDED);
    expect(b.stats[GS_THROTTLED]).toBe(1);
    expect(b.stats[GS_DIRECT_RECLAIM]).toBe(0);
    const at = b.t + b.g.costs[C_S2_FAULT];
    expect(b.g.throttledAt).toBe(at);
    expect(b.g.resumeAt).toBe(at + THROTTLE_ISOLATED_NS); // HZ/50 = 20 ms
  });

  it('a direct reclaimer finding isolation under the limit wakes the sleepers (wake_throttle_isolated); one over it wakes nobody', () => {
    const b = atMinIsolated(1);
    expect(b.g.fault(b.gfn, false, b.t)).toBe(FAULT_SUSPENDED);
    const pg = b.g.pgdat;
    const sleeper = { clock: b.g.resumeAt };
    pg.throttle(sleeper, b.g.throttledAt);
    expect(pg.tooManyIsolated(b.g.lruvec, b.t + 5000)).toBe(true);
    expect(sleeper.clock).toBe(b.g.resumeAt); // still too many: nobody woken
    pg.putback();
    const t2 = b.g.throttledAt + 7000;
    expect(pg.tooManyIsolated(b.g.lruvec, t2)).toBe(false);
    expect(sleeper.clock).toBe(t2); // woken at the checker's time
    // The woken fault checks again (stalled), isolates and reclaims its cluster.
    expect(b.g.fault(b.gfn, false, t2)).toBeGreaterThan(t2);
    expect(b.stats[GS_DIRECT_RECLAIM]).toBe(SWAP_CLUSTER_MAX);
    expect(b.stats[GS_THROTTLE_NS]).toBe(t2 - b.g.costs[C_S2_FAULT] - b.t);
  });

  it('woken while still too many: no reclaim this round, the allocator retries and the reclaimer sleeps again', () => {
    const b = atMinIsolated(1);
    expect(b.g.fault(b.gfn, false, b.t)).toBe(FAULT_SUSPENDED);
    expect(b.g.fault(b.gfn, false, b.g.resumeAt)).toBe(FAULT_SUSPENDED);
    expect(b.stats[GS_THROTTLED]).toBe(2);
    expect(b.stats[GS_DIRECT_RECLAIM]).toBe(0);
  });

  it('MGLRU has no too_many_isolated (evict_folios): never throttled however many are isolated', () => {
    const base = smallReclaimScenario(8);
    const cfg: ScenarioConfig = { ...base, reclaim: { ...base.reclaim, policy: 'mglru' } };
    const { g, stats } = workerOf(cfg);
    withoutFaultMarks(g);
    const { t, gfn } = faultWhile(g, () => g.host.free() > g.host.min);
    for (let i = 0; i < 1000; i++) g.pgdat.isolate();
    expect(g.pgdat.tooManyIsolated(g.lruvec, t)).toBe(false);
    expect(g.fault(gfn, false, t)).toBeGreaterThan(t);
    expect(stats[GS_THROTTLED]).toBe(0);
    // One evict_folios batch (MIN_LRU_BATCH isolated, none young) whose retry freed >= SWAP_CLUSTER_MAX
    // (mm/directReclaim.ts; test/sim/directReclaimLruGenBatch.test.ts).
    expect(stats[GS_DIRECT_RECLAIM]).toBe(2 * SWAP_CLUSTER_MAX);
  });

  it('in a run of 16 vCPUs on a small host reclaimers are throttled, some woken before HZ/50, and the run repeats bit-identically', () => {
    const cfg = smallReclaimScenario(16);
    const a = runInProcess(cfg);
    const b = runInProcess(cfg);
    expect(a.summary).toEqual(b.summary);
    const n = a.summary.reclaimThrottled ?? 0;
    expect(n).toBeGreaterThan(0);
    // Some sleeps ended early (wake_throttle_isolated): the total is not a whole number of HZ/50 timeouts
    // (sleeps still going at the end of the run are not counted).
    const slept = a.summary.reclaimThrottleNs ?? 0;
    expect(slept).toBeGreaterThan(0);
    expect(slept % THROTTLE_ISOLATED_NS).not.toBe(0);
    expect(a.summary.kswapdWakeups ?? 0).toBeGreaterThan(0);
  });
});
