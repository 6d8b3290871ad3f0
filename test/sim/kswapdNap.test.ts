/**
 * kswapd_try_to_sleep's short nap (mm/kswapd.ts KSWAPD_NAP_NS; mm/vmscan.c 6.3): once balance_pgdat leaves
 * the node balanced, kswapd first sleeps HZ/10 (100 ms) on kswapd_wait; a wakeup_kswapd ends the nap early,
 * and at its end prepare_kswapd_sleep runs again: still balanced (free > high), the full sleep until woken;
 * not, balance_pgdat at once, unwoken (KSWAPD_HIGH_WMARK_HIT_QUICKLY).
 *
 * Host: min 20, low 40, high 100; kswapd woken at t 0 with 40 free (it starts at KSWAPD_WAKE_NS = 5,000 ns);
 * each step of the stand-in node frees one frame in 100 ns; MGLRU call: nr_to_reclaim = max(100, 32) = 100
 * frees (the scan bound, 12,800 >> 4 = 800 folios, is not reached at 1 folio a step). So the first
 * balance_pgdat ends at 5,000 + 100 x 100 = 15,000 ns with free 140 and naps until 100,015,000.
 *
 * Negative control (run by hand, session 18 (e)): with kswapd's full sleep at once (the rule before), the
 * first case fails ("expected Infinity to be 100015000": asleep for good after the first call); the second case (still
 * balanced at the nap's end) passes either way: it guards against a nap that always reclaims.
 */
import { describe, expect, it } from 'vitest';
import { KSWAPD_NAP_NS } from '../../engine/core/mm/kswapd.ts';
import { kswapdStandIn as node } from './_kswapdStandIn.ts';

describe('kswapd_try_to_sleep: the HZ/10 nap before the full sleep (6.3)', () => {
  it('a nap that ends with free at or below high runs balance_pgdat unwoken', () => {
    expect(KSWAPD_NAP_NS).toBe(100_000_000);
    const { k, host, log } = node();
    k.wake(0);
    k.run(50_000_000);
    expect(log.callEnds).toEqual([15_000]);
    expect(host.free()).toBe(140);
    expect(k.clock).toBe(100_015_000); // napping: on kswapd_wait, a wake-up would still reach it
    expect(k.asleep).toBe(true);
    // Faults take 50 frames: 90 free, under high, above low: no wakeup_kswapd.
    for (let i = 0; i < 50; i++) host.tryTake(20);
    k.run(1e9);
    // At 100,015,000 the nap times out unbalanced: a call of 100 frees ends at 100,025,000, free 190.
    expect(log.callEnds).toEqual([15_000, 100_025_000]);
    expect(host.free()).toBe(190);
    expect(k.highWmarkHitQuickly).toBe(1);
    expect(log.wakeups).toBe(1); // the nap's end is no wakeup_kswapd
    // Balanced at that nap's end too: the full sleep.
    expect(k.clock).toBe(Infinity);
  });

  it('a nap that ends balanced goes to the full sleep without reclaiming', () => {
    const { k, host, log } = node();
    k.wake(0);
    k.run(1e9);
    expect(log.callEnds).toEqual([15_000]);
    expect(host.free()).toBe(140);
    expect(k.highWmarkHitQuickly).toBe(0);
    expect(k.clock).toBe(Infinity);
  });

  it('a wake-up in the nap ends it: balance_pgdat from the waker time + KSWAPD_WAKE_NS', () => {
    const { k, host, log } = node();
    k.wake(0);
    k.run(50_000_000);
    for (let i = 0; i < 100; i++) host.tryTake(20); // 40 free: at low, the allocator wakes kswapd
    expect(k.wake(60_000_000)).toBe(true);
    expect(k.clock).toBe(60_005_000);
    k.run(1e9);
    // A call of 100 frees from 60,005,000 ends at 60,015,000 (free 140); its nap ends balanced.
    expect(log.callEnds).toEqual([15_000, 60_015_000]);
    expect(k.highWmarkHitQuickly).toBe(0);
    expect(log.wakeups).toBe(2);
    expect(k.clock).toBe(Infinity);
  });
});
