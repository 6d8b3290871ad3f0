/**
 * throttle_direct_reclaim (mm/vmscan.c, 6.1 and 6.6): try_to_free_pages' first step. A user task whose
 * node fails allow_direct_reclaim (free pages <= the sum of the zones' min watermarks / 2) wakes kswapd
 * and sleeps on pgdat->pfmemalloc_wait (wait_event_killable, no timeout: __GFP_FS) until kswapd wakes
 * the queue: balance_pgdat after a kswapd_shrink_node iteration (nr_to_reclaim = max(high_wmark,
 * SWAP_CLUSTER_MAX) pages) when allow_direct_reclaim holds, or prepare_kswapd_sleep (unconditionally).
 *
 * The lab's allocations never take free frames below min (every one checks ALLOC_WMARK_MIN), so these
 * tests take frames away directly (host.put(-n)), standing for what the lab does not model (per-CPU list
 * refills, ALLOC_HIGH / ALLOC_HARDER and PF_MEMALLOC allocations).
 *
 * Negative controls (run by hand, s7-c): `>=` instead of `>` in Pgdat.allowDirectReclaim fails all four
 * (the fault at min / 2 reclaims instead of sleeping); waking pfmemalloc_wait after every kswapd step with
 * allow_direct_reclaim true (Kswapd.run calling kswapdShrunk each step) fails the two wake-time tests
 * that expect a wake-up (the sleeper runs from the first step that lifts free above min / 2, not the
 * iteration's end or the sleep); a vCPU that does not queue itself on pfmemalloc_wait (vcpu.ts skipping
 * Pgdat.throttle for WAIT_PFMEMALLOC) fails the run test (it sleeps for ever: no sleep ends, 0 ns).
 */
import { describe, expect, it } from 'vitest';
import { FAULT_SUSPENDED, SWAP_CLUSTER_MAX, type Guest } from '../../engine/core/sim/guest.ts';
import { KSWAPD_WAKE_NS, type Kswapd } from '../../engine/core/mm/kswapd.ts';
import { WAIT_PFMEMALLOC } from '../../engine/core/mm/reclaimThrottle.ts';
import { C_S2_FAULT } from '../../engine/core/sim/costs.ts';
import {
  GS_DIRECT_RECLAIM,
  GS_KSWAPD_WAKEUPS,
  GS_PFMEMALLOC_NS,
  GS_PFMEMALLOC_THROTTLED,
} from '../../engine/core/sim/simLayout.ts';
import { smallReclaimScenario, workerOf, withoutFaultMarks } from './fixtures.ts';

/** The first gfn hostAt's guest has not faulted, and the time after its faults. */
let nextGfn = 0;
const T = 10e6;

/**
 * A guest that faulted fresh pages (1 us apart) while free frames were above the low watermark (kswapd
 * never woken), then whose host has `free` free frames (taken directly, see the file comment).
 */
function hostAt(free: (min: number) => number): { g: Guest; stats: Float64Array; kswapd: Kswapd } {
  const { g, stats, kswapd } = workerOf(smallReclaimScenario());
  withoutFaultMarks(g);
  if (kswapd === null) throw new Error('no kswapd');
  const h = g.host;
  let t = 0;
  let gfn = 0;
  while (h.free() > h.low) t = g.fault(gfn++, false, t + 1000) + 1000;
  expect(t).toBeLessThan(T);
  nextGfn = gfn;
  h.put(free(h.min) - h.free());
  expect(kswapd.clock).toBe(Infinity);
  expect(stats[GS_KSWAPD_WAKEUPS]).toBe(0);
  return { g, stats, kswapd };
}

/** The fault at T on a fresh gfn that sleeps on pfmemalloc_wait; returns when it fell asleep. */
function throttledFault(g: Guest): number {
  const t = T;
  expect(g.fault(nextGfn, false, t)).toBe(FAULT_SUSPENDED);
  const at = t + g.costs[C_S2_FAULT];
  expect(g.throttledAt).toBe(at);
  expect(g.throttleQueue).toBe(WAIT_PFMEMALLOC);
  expect(g.resumeAt).toBe(Infinity); // no timeout (__GFP_FS)
  return at;
}

describe('throttle_direct_reclaim: allow_direct_reclaim is free > min / 2', () => {
  it('at min / 2 + 1 free the fault reclaims a cluster; at min / 2 it sleeps on pfmemalloc_wait and wakes kswapd', () => {
    const a = hostAt((min) => Math.floor(min / 2) + 1);
    expect(a.g.host.min).toBeGreaterThan(2); // 1 % of 1,536 frames: 15, so min / 2 = 7
    expect(a.g.fault(nextGfn, false, T)).toBeGreaterThan(T);
    expect(a.stats[GS_PFMEMALLOC_THROTTLED]).toBe(0);
    expect(a.stats[GS_DIRECT_RECLAIM]).toBe(SWAP_CLUSTER_MAX);

    const b = hostAt((min) => Math.floor(min / 2));
    const at = throttledFault(b.g);
    expect(b.stats[GS_PFMEMALLOC_THROTTLED]).toBe(1);
    expect(b.stats[GS_DIRECT_RECLAIM]).toBe(0); // do_try_to_free_pages not reached
    // Woken at the sleeper's time (the slow path's wakeup_kswapd, free <= low, comes first; else
    // allow_direct_reclaim's "kswapd must be awake if processes are being throttled").
    expect(b.kswapd.clock).toBe(at + KSWAPD_WAKE_NS);
    expect(b.stats[GS_KSWAPD_WAKEUPS]).toBe(1);
    expect(b.g.yieldNow).toBe(true);
  });
});

describe('kswapd wakes pfmemalloc_wait at the end of a balance_pgdat iteration or when it goes to sleep', () => {
  it('nobody allocating: the sleeper runs from the time kswapd goes to sleep (prepare_kswapd_sleep), not when free passes min / 2', () => {
    const { g, stats, kswapd } = hostAt((min) => Math.floor(min / 2));
    const at = throttledFault(g);
    const sleeper = { clock: Infinity };
    g.pgdat.throttle(sleeper, at, WAIT_PFMEMALLOC);
    const h = g.host;
    // high (61) - free (7) = 54 frees to balance, fewer than nr_to_reclaim = max(61, 32): kswapd sleeps
    // before its first iteration ends. allow_direct_reclaim is true after the first free already.
    let steps = 0;
    let aboveHalfMin = -1;
    // Until kswapd_try_to_sleep: its HZ/10 nap (asleep on kswapd_wait, its clock the nap's end).
    while (!kswapd.asleep) {
      expect(sleeper.clock).toBe(Infinity);
      kswapd.run(kswapd.clock + 1);
      if (aboveHalfMin < 0 && h.free() > Math.floor(h.min / 2) && !kswapd.asleep) aboveHalfMin = kswapd.clock;
      if (++steps > 100_000) throw new Error('kswapd never slept');
    }
    expect(aboveHalfMin).toBeGreaterThan(0);
    expect(h.free()).toBeGreaterThanOrEqual(h.high);
    expect(kswapd.sleptAt).toBeGreaterThan(aboveHalfMin);
    expect(sleeper.clock).toBe(kswapd.sleptAt);
    // The woken fault finds allow_direct_reclaim true and goes straight into reclaim (a cluster).
    const end = g.fault(nextGfn, false, sleeper.clock);
    expect(end).toBeGreaterThan(sleeper.clock);
    expect(stats[GS_PFMEMALLOC_NS]).toBe(kswapd.sleptAt - at);
    expect(stats[GS_DIRECT_RECLAIM]).toBe(SWAP_CLUSTER_MAX);
  });

  /**
   * Others allocate between kswapd's steps, holding free at `hold` (below high: kswapd stays awake);
   * returns the kswapd clock after the step whose frees brought the iteration to nr_to_reclaim.
   */
  function iteration(hold: (min: number) => number): { sleeper: { clock: number }; iterationEnd: number } {
    const { g, kswapd } = hostAt((min) => Math.floor(min / 2));
    const at = throttledFault(g);
    const sleeper = { clock: Infinity };
    g.pgdat.throttle(sleeper, at, WAIT_PFMEMALLOC);
    const h = g.host;
    const nrToReclaim = Math.max(h.high, SWAP_CLUSTER_MAX);
    h.put(hold(h.min) - h.free());
    let freed = 0;
    let steps = 0;
    for (;;) {
      const before = h.free();
      kswapd.run(kswapd.clock + 1);
      expect(kswapd.clock).toBeLessThan(Infinity); // never balanced: no prepare_kswapd_sleep
      freed += h.free() - before;
      if (freed >= nrToReclaim) return { sleeper, iterationEnd: kswapd.clock };
      expect(sleeper.clock).toBe(Infinity);
      h.put(before - h.free()); // the frames kswapd freed are allocated again at once
      if (++steps > 100_000) throw new Error('kswapd freed too little');
    }
  }

  it('free held at min / 2 + 1: woken at the end of the step that completes nr_to_reclaim = max(high, 32) frees', () => {
    const { sleeper, iterationEnd } = iteration((min) => Math.floor(min / 2) + 1);
    expect(sleeper.clock).toBe(iterationEnd);
  });

  it('free held below min / 2: the iteration ends without a wake-up (allow_direct_reclaim false)', () => {
    // The step's own frees lift free above min / 2 before the check; hold it at 0 so they do not reach it.
    const { sleeper } = iteration(() => 0);
    expect(sleeper.clock).toBe(Infinity);
  });
});

describe('vCPUs asleep on pfmemalloc_wait in a run', () => {
  /**
   * smallReclaimScenario(16) run to its end with allow_direct_reclaim seeing free frames min - min / 2
   * lower than the count (as if NR_FREE_PAGES dipped to min / 2 whenever the freelist is at min: every
   * direct-reclaim entry sleeps), on this run's one Pgdat instance only.
   */
  function throttledRun(): Float64Array {
    const { core, g, stats } = workerOf(smallReclaimScenario(16));
    withoutFaultMarks(g);
    const pg = g.pgdat;
    const h = g.host;
    const allow = pg.allowDirectReclaim.bind(pg);
    pg.allowDirectReclaim = (t: number): boolean => {
      const hide = h.min - Math.floor(h.min / 2);
      h.put(-hide);
      const ok = allow(t);
      h.put(hide);
      return ok;
    };
    core.loop();
    core.close();
    return new Float64Array(stats);
  }

  it('sleep until kswapd wakes them, the run completes, and it repeats bit-identically', () => {
    const a = throttledRun();
    const b = throttledRun();
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(a[GS_PFMEMALLOC_THROTTLED]).toBeGreaterThan(1);
    // Sleeps that ended were woken (no timeout): finite, and not all of zero length.
    expect(Number.isFinite(a[GS_PFMEMALLOC_NS])).toBe(true);
    expect(a[GS_PFMEMALLOC_NS]).toBeGreaterThan(0);
    // The sleepers went on into reclaim once woken.
    expect(a[GS_DIRECT_RECLAIM]).toBeGreaterThan(0);
  });
});
