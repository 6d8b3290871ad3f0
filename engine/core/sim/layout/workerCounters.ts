/**
 * A spread run's per-worker private counters (part of the simulation's layout, sim/simLayout.ts, which
 * re-exports this file): workers >= 1 add to their own copies of stats | evictBuckets | lockHist |
 * opHist, which the serial section folds into the shared ones. No kernel counterpart (the nearest:
 * the per-CPU vmstat diffs refresh_cpu_vm_stats folds into the node's counters, mm/vmstat.c).
 */

import type { SimBuffers } from './simBuffers.ts';
import { GS_CLOCK_MAX, GS_RECLAIM_CREDIT, GS_RECLAIM_OWED, GS_S2_FAULTS_AT_BARRIER, GS_WORDS } from './guestStats.ts';

/** Per-guest stats words that are a worker's own settlement state, never folded (foldWorkerCounters). */
const SETTLE_SLOTS = [GS_RECLAIM_OWED, GS_RECLAIM_CREDIT, GS_S2_FAULTS_AT_BARRIER];

export interface CounterViews {
  stats: Float64Array;
  evictBuckets: Float64Array;
  lockHist: Float64Array;
  opHist: Float64Array;
}

/** Byte size of one worker's private counters: the shared counter buffers, back to back. */
export function counterBytes(b: Pick<SimBuffers, 'stats' | 'evictBuckets' | 'lockHist' | 'opHist'>): number {
  return b.stats.byteLength + b.evictBuckets.byteLength + b.lockHist.byteLength + b.opHist.byteLength;
}

export function counterViews(b: SimBuffers, sab: SharedArrayBuffer): CounterViews {
  let at = 0;
  const take = (bytes: number): Float64Array => {
    const v = new Float64Array(sab, at, bytes / 8);
    at += bytes;
    return v;
  };
  return {
    stats: take(b.stats.byteLength),
    evictBuckets: take(b.evictBuckets.byteLength),
    lockHist: take(b.lockHist.byteLength),
    opHist: take(b.opHist.byteLength),
  };
}

/**
 * Spread runs: add every worker's private counters into the shared ones and zero them (GS_CLOCK_MAX
 * is a maximum, not a sum). Only in the serial section, while every other worker waits at the barrier.
 */
export function foldWorkerCounters(b: SimBuffers): void {
  if (b.spread === undefined) return;
  const main: CounterViews = {
    stats: new Float64Array(b.stats),
    evictBuckets: new Float64Array(b.evictBuckets),
    lockHist: new Float64Array(b.lockHist),
    opHist: new Float64Array(b.opHist),
  };
  const guests = b.pagesI32.length;
  for (const sab of b.spread.counters) {
    const w = counterViews(b, sab);
    for (let g = 0; g < guests; g++) {
      const i = g * GS_WORDS + GS_CLOCK_MAX;
      if (w.stats[i] > main.stats[i]) main.stats[i] = w.stats[i];
      w.stats[i] = 0;
    }
    for (const k of ['stats', 'evictBuckets', 'lockHist', 'opHist'] as const) {
      const src = w[k];
      const dst = main[k];
      for (let i = 0; i < src.length; i++) {
        const x = src[i];
        if (x !== 0 && (k !== 'stats' || !SETTLE_SLOTS.includes(i % GS_WORDS))) {
          dst[i] += x;
          src[i] = 0;
        }
      }
    }
  }
}

/**
 * Worker w's counters as the serial section reads them: the shared stats for worker 0 (or outside a
 * spread run), worker w's private copy for w >= 1 (not yet folded).
 */
export function workerStats(b: SimBuffers, w: number): Float64Array {
  if (b.spread === undefined || w === 0) return new Float64Array(b.stats);
  return counterViews(b, b.spread.counters[w - 1]).stats;
}
