/**
 * kswapd's balance_pgdat iterations on MGLRU (mm/kswapd.ts; mm/vmscan.c 6.3-6.4: balance_pgdat ->
 * kswapd_shrink_node -> lru_gen_shrink_node -> set_initial_priority, try_to_shrink_lruvec): pgdat_balanced
 * (free > high) is checked only between kswapd_shrink_node calls, and a call ends once it reclaimed
 * nr_to_reclaim = max(high, SWAP_CLUSTER_MAX) or scanned size >> priority folios; the priority comes from
 * set_initial_priority and is raised when a call isolated fewer than nr_to_reclaim folios.
 *
 * Host: min 20, low 40, high 100 (nr_to_reclaim 100 >= MIN_LRU_BATCH), 40 free when kswapd wakes. Lruvec:
 * 12,800 pages, 6,400 of them inactive: reclaimable / MEMCG_NR_GENS = 3,200, fls 12; fls(99) = 7; priority
 * 12 - 1 - 7 = 4, so a call scans at most 12,800 >> 4 = 800 folios. Each step of the stand-in node frees
 * one frame and scans / isolates the given numbers of folios.
 *
 * Negative controls (run by hand, session 17 (e)): the balance check after every folio (the rule before)
 * stops each case at free 101, 61 frees ("expected 61 to be 100", "expected 61 to be 80", "expected [ 40 ]
 * to deeply equal [ 40, 120 ]"); without the scan bound a call ends only at 100 frees ("expected 100 to be
 * 80"); without the priority raise the second call scans 800 folios again ("expected [ 40, 80 ] to deeply
 * equal [ 40, 120 ]").
 */
import { describe, expect, it } from 'vitest';
import { DEF_PRIORITY, initialPriority } from '../../engine/core/mm/balancePgdat.ts';
import { kswapdStandIn as node } from './_kswapdStandIn.ts';

describe('kswapd on MGLRU: balance_pgdat iterations (6.3-6.4)', () => {
  it('set_initial_priority: fls of reclaimable / MEMCG_NR_GENS less fls of nr_to_reclaim - 1, clamped', () => {
    expect(initialPriority(6_400, 100)).toBe(4);
    expect(initialPriority(6_400, 63)).toBe(DEF_PRIORITY); // below MIN_LRU_BATCH: left at DEF_PRIORITY
    expect(initialPriority(10, 100)).toBe(0);
    expect(initialPriority(1e9, 100)).toBe(DEF_PRIORITY);
  });

  it('frees nr_to_reclaim before it checks the watermark: past high, not to it', () => {
    const { k, host, log } = node(1, 1);
    expect(k.wake(0)).toBe(true);
    k.run(1e9);
    expect(log.frees).toBe(100);
    expect(log.shrunk).toEqual([100]);
    expect(host.free()).toBe(140);
    expect(k.asleep).toBe(true);
  });

  it('a call ends at size >> priority folios scanned', () => {
    // 10 folios scanned and isolated a step: 800 scanned after 80 steps, 80 frees, free 120 > high.
    const { k, host, log } = node(10, 10);
    k.wake(0);
    k.run(1e9);
    expect(log.frees).toBe(80);
    expect(log.shrunk).toEqual([80]);
    expect(host.free()).toBe(120);
  });

  it('a call that isolated fewer than nr_to_reclaim raises the priority: the next scans twice as many', () => {
    // 20 scanned, 1 isolated a step: call 1 at priority 4 ends at 800 scanned (40 frees, free 80, not
    // balanced, 40 isolated < 100: priority 3); call 2 ends at 1,600 scanned (80 frees), free 160.
    const { k, host, log } = node(20, 1);
    k.wake(0);
    k.run(1e9);
    expect(log.shrunk).toEqual([40, 120]);
    expect(log.frees).toBe(120);
    expect(host.free()).toBe(160);
  });
});
