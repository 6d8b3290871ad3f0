/**
 * snapshot_refaults at the end of a direct-reclaim cluster (mm/vmscan.c, 6.1-6.4: do_try_to_free_pages
 * calls `snapshot_refaults(sc->target_mem_cgroup, zone->zone_pgdat)` for each node it reclaimed from,
 * once its priority loop is over): mm/directReclaim.ts allocFrame calls Pgdat.snapshotRefaults once per
 * cluster, when the cluster is complete (SWAP_CLUSTER_MAX evicted) or stopped short, never per folio.
 * The classic LRU's refault-driven deactivation (test/sim/refaultDeactivate.test.ts) runs until that
 * snapshot. kswapd's call (balance_pgdat's end) is pinned by kswapdSnapshotRefaults.test.ts.
 *
 * Negative controls (run by hand, session 12, in engine/core/mm/directReclaim.ts): removing the call
 * fails both cases (0 snapshots); moving it into the per-folio loop (after each directReclaimStep) fails
 * both (a snapshot per folio: 32 in the first; in the second, one already at the first suspension).
 */
import { describe, expect, it } from 'vitest';
import { FAULT_SUSPENDED, SWAP_CLUSTER_MAX, type Guest } from '../../engine/core/sim/guest.ts';
import { GS_DIRECT_RECLAIM } from '../../engine/core/sim/simLayout.ts';
import { smallReclaimScenario, workerOf, withoutFaultMarks } from './fixtures.ts';

/** A guest at its host's min watermark (its next fault direct-reclaims a cluster), snapshots counted. */
function guestAtMin(): { g: Guest; stats: Float64Array; t: number; next: number; snapshots: number[] } {
  const { g, stats } = workerOf(smallReclaimScenario());
  withoutFaultMarks(g);
  let t = 0;
  let gfn = 0;
  while (g.host.free() > g.host.min) t = g.fault(gfn++, false, t + 1000) + 1000;
  expect(stats[GS_DIRECT_RECLAIM]).toBe(0);
  const snapshots: number[] = [];
  const pg = g.pgdat;
  const real = pg.snapshotRefaults.bind(pg);
  pg.snapshotRefaults = (): void => {
    snapshots.push(stats[GS_DIRECT_RECLAIM]);
    real();
  };
  return { g, stats, t, next: gfn, snapshots };
}

describe("direct reclaim takes snapshot_refaults at do_try_to_free_pages' end", () => {
  it('once per cluster, after its SWAP_CLUSTER_MAX evictions', () => {
    const a = guestAtMin();
    a.g.fault(a.next, false, a.t, 0, Infinity);
    expect(a.stats[GS_DIRECT_RECLAIM]).toBe(SWAP_CLUSTER_MAX);
    expect(a.snapshots).toEqual([SWAP_CLUSTER_MAX]);
  });

  it('once per cluster when the fault suspends between folios', () => {
    const b = guestAtMin();
    let r = b.g.fault(b.next, false, b.t, 0, b.t + 1);
    let steps = 0;
    while (r === FAULT_SUSPENDED) {
      steps++;
      expect(b.snapshots).toEqual([]); // never in the middle of the cluster
      r = b.g.fault(b.next, false, b.g.resumeAt, 0, b.g.resumeAt);
    }
    expect(steps).toBeGreaterThanOrEqual(SWAP_CLUSTER_MAX - 1);
    expect(b.snapshots).toEqual([SWAP_CLUSTER_MAX]);
  });
});
