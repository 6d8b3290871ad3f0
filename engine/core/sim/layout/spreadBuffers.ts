/**
 * A spread run's extra shared buffers (part of the simulation's layout, sim/simLayout.ts, which
 * re-exports this file): one VM's vCPUs on several workers around one shared host node (sim/spread.ts).
 * Each buffer names the kernel structure it stands for below (the host lruvec, kvm->mmu_lock, the
 * VM's TLB flush counts); the per-worker counters and budgets are the lab's own.
 */

import type { SharedLruBuffers } from '../../mm/sharedLru.ts';
import type { SimBuffers } from './simBuffers.ts';
import { counterBytes } from './workerCounters.ts';

/**
 * Spread runs only (plan.spread, sim/spread.ts: a VM's vCPUs on several workers around one shared host
 * node). Absent otherwise, so one-worker runs allocate and touch nothing of it.
 *   roots: Int32Array(guests)       stage-2 root table page of each guest, allocated by prepareRun before
 *                                   any worker starts (every worker walks the same stage-2)
 *   tlbs[g]: Int32Array(vcpus * entries) or null   guest g's TLBs (arch/tlb.ts), shared because its
 *                                   vCPUs run on several workers and reclaim on any worker invalidates them
 *   tlbGens: Int32Array(TLB_GENS_STRIDE * guests)  each guest's [VM-wide, stage-1] flush counts (arch/tlb.ts VmTlbFlush),
 *                                   bumped by reclaim on any worker, read by every vCPU before it translates
 *   counters[w - 1], worker w >= 1: its private copy of stats | evictBuckets | lockHist | opHist (same
 *                                   shapes as the shared ones); counters are plain Float64 adds, so two
 *                                   workers never add to one word. The serial section folds them into
 *                                   the shared ones (foldWorkerCounters) before it samples. Not folded:
 *                                   the min-watermark settlement's words (SETTLE_SLOTS), which are the
 *                                   worker's own: the clusters its vCPUs of each guest owe (GS_RECLAIM_OWED).
 *   lru: the host lruvec in shared memory (mm/sharedLru.ts): every worker's reclaim works on it under
 *                                   lru_lock (arena MMU lock number `guests`), built by prepareSpread
 *   settle: Float64Array(guests * workers * SETTLE_WORDS)  the serial section's per (guest, worker) state
 *                                   (spreadSettle.ts: vCPUs done, for settleBudgets' running vCPUs)
 *   vlocks[g]: guest g's MMU lock in virtual time, one calendar for every worker (sync/vlockShared.ts)
 *   budgets: Int32Array(workers * BUDGET_STRIDE)  worker w's frames above the min watermark at
 *                                   w * BUDGET_STRIDE (mm/hostFrames.ts): split by the serial section
 *                                   (spreadSettle.ts settleBudgets), taken and refilled by worker w (atomics;
 *                                   kswapd's frees go to every worker's, mm/hostFrames.ts putKswapd)
 *   shares: Float64Array(workers)    each worker's share of the last split (serial section / kswapd)
 */
export interface SpreadBuffers {
  roots: SharedArrayBuffer;
  tlbs: (SharedArrayBuffer | null)[];
  tlbGens: SharedArrayBuffer;
  counters: SharedArrayBuffer[];
  lru: SharedLruBuffers;
  settle: SharedArrayBuffer;
  vlocks: SharedArrayBuffer[];
  budgets: SharedArrayBuffer;
  shares: SharedArrayBuffer;
}

/**
 * Int32 words from one worker's frame budget to the next's in SpreadBuffers.budgets: each on its own
 * 64-byte line (layout.ts LINE_WORDS), as every frame take and free of that worker changes it.
 */
export const BUDGET_STRIDE = 16;

/**
 * Int32 words between two guests' flush counts in SpreadBuffers.tlbGens (2 used): every vCPU reads its
 * guest's at every access (VmTlbFlush.refill) and reclaim bumps them at every flush, so each guest's pair
 * is on its own 64-byte line (layout.ts LINE_WORDS): one guest's flushes no longer invalidate the line
 * the other guests' vCPUs read.
 */
export const TLB_GENS_STRIDE = 16;
/** Per (guest, worker) words of SpreadBuffers.settle: vCPUs done (cumulative). */
export const SETTLE_DONE = 0;
export const SETTLE_WORDS = 1;

/**
 * The spread run's extra buffers (SpreadBuffers); `tlbEntries[g]` = vcpus * entries of guest g's TLBs (0: no TLB).
 */
export function createSpreadBuffers(
  b: SimBuffers,
  workers: number,
  tlbEntries: number[],
  lru: SharedLruBuffers,
  vlockBytes: number,
): SpreadBuffers {
  const others = Math.max(0, workers - 1);
  return {
    lru,
    vlocks: b.pagesI32.map(() => new SharedArrayBuffer(vlockBytes)),
    settle: new SharedArrayBuffer(Math.max(1, b.pagesI32.length * workers * SETTLE_WORDS) * 8),
    roots: new SharedArrayBuffer(Math.max(1, b.pagesI32.length) * 4),
    tlbs: tlbEntries.map((n) => (n > 0 ? new SharedArrayBuffer(n * 4) : null)),
    tlbGens: new SharedArrayBuffer(Math.max(1, tlbEntries.length) * TLB_GENS_STRIDE * 4),
    counters: Array.from({ length: others }, () => new SharedArrayBuffer(counterBytes(b))),
    budgets: new SharedArrayBuffer(workers * BUDGET_STRIDE * 4),
    shares: new SharedArrayBuffer(workers * 8),
  };
}
