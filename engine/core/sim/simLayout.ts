/**
 * The simulation's own SharedArrayBuffers, declared in one place (the arena's layout stays in
 * ../layout.ts; the simulation puts nothing in the arena except stage-2 tables, RCU and locks).
 *
 * SIM_LAYOUT_VERSION is checked by every worker that attaches (`attachSimShared`).
 *
 * Ownership model ("guest affinity"): every guest — its vCPUs, its reclaimer (kswapd share) and
 * its aging — runs on exactly one worker, its owner. Per-guest regions below are therefore
 * written by the owner only and read by anyone after a barrier (the barrier's atomics order them).
 * What is truly shared between workers: host frames (CTL_FREE_FRAMES, atomics), the arena (table
 * pages, RCU, MMU locks), and the control words (barrier, pause/stop/abort).
 * Spread runs (plan.spread, spread.ts) break guest affinity on purpose: a guest's vCPUs run on several
 * workers, each of which reclaims from the shared host lruvec (kswapd on worker 0). Then page flags and eviction times are written by both (the
 * ordering each write relies on is stated at the write), TLBs and roots live in SpreadBuffers, and
 * workers >= 1 keep their counters in private copies folded in by the serial section.
 *
 * The layout is one module: this file, which re-exports one file per region of ./layout/ (import from
 * here, not from ./layout/). Each file documents its region slot by slot:
 *   layout/control.ts         control: Int32Array(CTL_WORDS)
 *   layout/time.ts            time: Float64Array(TIME_WORDS)
 *   layout/guestStats.ts      stats: per-guest counters (GS_*)
 *   layout/guestRecords.ts    vlocks, lockHist, opHist: per-guest lock rings and histograms (VL_*, LH_*, OH_*)
 *   layout/guestPages.ts      pagesI32 / pagesF64: per-page flags (PG_*) and eviction times
 *   layout/simBuffers.ts      SimBuffers / SimViews: every buffer of a run (evictBuckets described there)
 *   layout/spreadBuffers.ts   SpreadBuffers: a spread run's extra buffers
 *   layout/workerCounters.ts  a spread run's per-worker counter copies and their fold
 */

export * from './layout/control.ts';
export * from './layout/time.ts';
export * from './layout/guestStats.ts';
export * from './layout/guestRecords.ts';
export * from './layout/guestPages.ts';
export { createSimBuffers, attachSimViews, type SimBuffers, type SimViews } from './layout/simBuffers.ts';
export {
  BUDGET_STRIDE,
  TLB_GENS_STRIDE,
  SETTLE_DONE,
  SETTLE_WORDS,
  createSpreadBuffers,
  type SpreadBuffers,
} from './layout/spreadBuffers.ts';
export { foldWorkerCounters, workerStats } from './layout/workerCounters.ts';
