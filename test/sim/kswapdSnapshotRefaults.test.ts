/**
 * snapshot_refaults at the end of balance_pgdat (mm/vmscan.c, 6.1-6.4: `snapshot_refaults(NULL, pgdat)`
 * after the priority loop, before kswapd_try_to_sleep): mm/kswapd.ts calls Pgdat.snapshotRefaults once
 * per balance_pgdat, when the node is balanced (free at high) and when it reclaimed nothing, and never
 * during it. The classic LRU's refault-driven deactivation (test/sim/refaultDeactivate.test.ts) stops at
 * that snapshot, so a kswapd that never takes it keeps deactivating forever and one that takes it after
 * every eviction never does.
 *
 * Negative controls (run by hand, session 11): removing the call after pgdat_balanced fails the first
 * case (0 snapshots); removing the one after a reclaim that freed nothing fails the second (0); calling
 * it after every eviction step fails the first (a snapshot per step).
 */
import { describe, expect, it } from 'vitest';
import { HostFrames } from '../../engine/core/mm/hostFrames.ts';
import { CTL_FREE_FRAMES, CTL_WORDS } from '../../engine/core/sim/simLayout.ts';
import { Kswapd } from '../../engine/core/mm/kswapd.ts';
import { kswapdNode } from './kswapdNode.ts';

const MIN = 20;
const LOW = 40;
const HIGH = 60;

/** A node at `free` frames whose every shrinkNode step frees `perStep` frames (test/sim/kswapdNode.ts). */
function setup(free: number, perStep: number): { k: Kswapd; snapshots: number[] } {
  const control = new Int32Array(CTL_WORDS);
  control[CTL_FREE_FRAMES] = free;
  const host = new HostFrames(control, 1000, MIN, LOW, HIGH);
  const { pg, log } = kswapdNode(host, perStep);
  return { k: new Kswapd(pg, host), snapshots: log.snapshots };
}

describe("kswapd takes snapshot_refaults at balance_pgdat's end", () => {
  it('once, when the node reaches the high watermark, not after each eviction', () => {
    const { k, snapshots } = setup(LOW - 1, 5);
    expect(k.wake(0)).toBe(true);
    k.run(1_000_000);
    // 39 + 5 * 5 = 64 >= 60 after the fifth step: one balance_pgdat, one snapshot, then asleep.
    expect(snapshots).toEqual([64]);
    expect(k.asleep).toBe(true);
    // A second wake-up is a second balance_pgdat: a second snapshot.
    expect(k.wake(1_000_000)).toBe(true);
    k.run(2_000_000);
    expect(snapshots).toEqual([64, 69]);
  });

  it('once, when balance_pgdat reclaimed nothing (kswapd_failures++)', () => {
    const { k, snapshots } = setup(LOW - 1, 0);
    expect(k.wake(0)).toBe(true);
    k.run(1_000_000);
    expect(snapshots).toEqual([LOW - 1]);
    expect(k.asleep).toBe(true);
  });
});
