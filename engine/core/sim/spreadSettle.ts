/**
 * The min-watermark settlement of parallel runs, in the serial section (serialSection.ts). Real-time
 * progress may decide which worker takes a frame first, but not who pays the direct reclaim (the worker
 * that runs ahead would find the host at its min watermark first and pay every one).
 * - settleMinWatermark (workers own guests): the deficit becomes reclaim clusters owed in proportion to
 *   each guest's faults of the quantum (Guest.fault pays them, as __alloc_pages_direct_reclaim in the
 *   faulting task).
 * - SpreadSettlement.settleBudgets (spread runs, spread.ts): the frames above min become per-worker
 *   budgets, and each worker applies the one-worker rule against its own (mm/hostFrames.ts useBudgets).
 *   Before (session 9) spread runs used owed clusters per (guest, worker) too; measured (bench
 *   _parallelDrift, 600 ms, seeds 1-2, every vCPU on one thread) that alone was 1.1-1.2 pp below the
 *   check at each fault: free frames sat between 0 and min, the clusters were paid in bursts at each
 *   quantum's start, and direct reclaimers kept faulting below min during an aging walk that the
 *   deterministic run's vCPUs wait out (the "quiet" windows of mm/policy/mglru.ts's walk in progress).
 *   Session 11: every vCPU on worker 0, 200 ms, seed 1: budgets 91.87 %, deferred 91.04 %, deterministic
 *   91.85 % (sim/spread.ts has the rest).
 */
import type { ScenarioConfig } from '../../protocol.ts';
import { controlAtomics } from '../sync/atomics.ts';
import { splitBudgets } from '../mm/hostFrames.ts';
import { SWAP_CLUSTER_MAX } from './guest.ts';
import type { RunPlan } from './plan.ts';
import {
  CTL_FREE_FRAMES,
  GS_RECLAIM_CREDIT,
  GS_RECLAIM_OWED,
  GS_S2_FAULTS,
  GS_S2_FAULTS_AT_BARRIER,
  GS_VCPUS_DONE,
  GS_WORDS,
  SETTLE_DONE,
  SETTLE_WORDS,
  workerStats,
  type SimBuffers,
  type SimViews,
  type SpreadBuffers,
} from './simLayout.ts';

/**
 * Parallel runs, in the serial section: the frames the host lacks to be above its min watermark
 * (beyond clusters already owed) become reclaim clusters owed by unpinned guests, in proportion
 * to the stage-2 faults (frame takes) each made in the quantum (see Guest.fault). Largest
 * running credit first, so fractional shares add up over quanta. `takes`: scratch, one word per guest.
 */
export function settleMinWatermark(config: ScenarioConfig, plan: RunPlan, sv: SimViews, takes: Float64Array): void {
  const st = sv.stats;
  const n = config.guests.length;
  let owed = 0;
  let total = 0;
  let eligible = 0;
  for (let g = 0; g < n; g++) {
    const b = g * GS_WORDS;
    takes[g] = st[b + GS_S2_FAULTS] - st[b + GS_S2_FAULTS_AT_BARRIER];
    st[b + GS_S2_FAULTS_AT_BARRIER] = st[b + GS_S2_FAULTS];
    // Pinned guests cannot reclaim; a guest whose vCPUs are all done will not fault to pay.
    if (config.guests[g].protected || st[b + GS_VCPUS_DONE] >= config.guests[g].vcpus) {
      takes[g] = -1;
      st[b + GS_RECLAIM_OWED] = 0;
      continue;
    }
    eligible++;
    owed += st[b + GS_RECLAIM_OWED];
    total += takes[g];
  }
  if (eligible === 0) return;
  const lack = plan.minFrames + 1 - controlAtomics.load(sv.control, CTL_FREE_FRAMES) - owed * SWAP_CLUSTER_MAX;
  if (lack <= 0) return;
  const clusters = Math.ceil(lack / SWAP_CLUSTER_MAX);
  for (let g = 0; g < n; g++) {
    if (takes[g] < 0) continue;
    st[g * GS_WORDS + GS_RECLAIM_CREDIT] += (clusters * (total > 0 ? takes[g] : 1)) / (total > 0 ? total : eligible);
  }
  for (let k = 0; k < clusters; k++) {
    let best = -1;
    for (let g = 0; g < n; g++) {
      if (takes[g] < 0) continue;
      if (best < 0 || st[g * GS_WORDS + GS_RECLAIM_CREDIT] > st[best * GS_WORDS + GS_RECLAIM_CREDIT]) best = g;
    }
    st[best * GS_WORDS + GS_RECLAIM_CREDIT]--;
    st[best * GS_WORDS + GS_RECLAIM_OWED]++;
  }
}

/**
 * Spread runs: the settlement's state, every vCPU worker's counters and the vCPUs of each (guest, worker)
 * pair, for the serial section (whichever worker runs it).
 */
export class SpreadSettlement {
  /** Frame takes per (guest, worker) in the quantum, guest-major (collectSpreadTakes, then settleBudgets' weights). */
  private readonly takes: Float64Array;
  /** SpreadBuffers.settle: per (guest, worker) vCPUs done (cumulative). */
  private readonly settle: Float64Array;
  /** The vCPUs of each (guest, worker) pair (plan.vcpuWorker). */
  private readonly vcpusOn: Int32Array;
  /** Every worker's counters as the serial section reads them (simLayout.ts workerStats). */
  private readonly workerStatsViews: Float64Array[] = [];
  /** SpreadBuffers.budgets and .shares (mm/hostFrames.ts useBudgets). */
  private readonly budgets: Int32Array;
  private readonly shares: Float64Array;
  /** settleBudgets' scratch: each worker's takes and running vCPUs. */
  private readonly weights: Float64Array;
  private readonly live: Float64Array;

  constructor(
    private readonly config: ScenarioConfig,
    private readonly plan: RunPlan,
    buffers: SimBuffers,
    spread: SpreadBuffers,
  ) {
    const W = plan.workers;
    this.takes = new Float64Array(config.guests.length * W);
    this.settle = new Float64Array(spread.settle);
    this.vcpusOn = new Int32Array(config.guests.length * W);
    plan.vcpuWorker.forEach((ws, g) => ws.forEach((w) => this.vcpusOn[g * W + w]++));
    for (let w = 0; w < W; w++) this.workerStatsViews.push(workerStats(buffers, w));
    this.budgets = new Int32Array(spread.budgets);
    this.shares = new Float64Array(spread.shares);
    this.weights = new Float64Array(W);
    this.live = new Float64Array(W);
  }

  /**
   * Spread runs, in the serial section before the fold: the stage-2 faults (frame takes) each worker's
   * vCPUs of each guest made in the quantum (`takes`, guest-major), and each pair's vCPUs done
   * (cumulative, SpreadBuffers.settle). Worker 0's are in the shared counters (its adds since the last
   * fold), the others' in their private copies (zeroed by every fold).
   */
  collectSpreadTakes(): void {
    const W = this.plan.workers;
    const settle = this.settle;
    const takes = this.takes;
    const ws = this.workerStatsViews;
    for (let g = 0; g < this.config.guests.length; g++) {
      const b = g * GS_WORDS;
      let others = 0;
      for (let w = 1; w < W; w++) {
        const i = g * W + w;
        others += settle[i * SETTLE_WORDS + SETTLE_DONE];
        takes[i] = ws[w][b + GS_S2_FAULTS];
        settle[i * SETTLE_WORDS + SETTLE_DONE] += ws[w][b + GS_VCPUS_DONE];
      }
      const st = ws[0];
      takes[g * W] = st[b + GS_S2_FAULTS] - st[b + GS_S2_FAULTS_AT_BARRIER];
      settle[g * W * SETTLE_WORDS + SETTLE_DONE] = st[b + GS_VCPUS_DONE] - others;
    }
  }

  /**
   * Spread runs, in the serial section after the fold (`sv`: the shared counters; every worker waits):
   * the free frames above the min watermark become the workers' budgets for the next quantum
   * (mm/hostFrames.ts useBudgets), in proportion to each worker's frame takes (stage-2 faults, every
   * guest) in the quantum just ended; a worker with no running vCPU gets none. Inside the quantum each
   * worker applies the one-worker rule against its own budget: a fault that finds it empty reclaims in
   * the faulting task (directReclaim.ts allocFrame: __alloc_pages -> __alloc_pages_direct_reclaim), and
   * what the worker frees refills it. So each worker reaches min at its own virtual time, and the payer
   * is whoever faults there, as in the one-worker interleaving; neither worker's real-time progress can
   * take the other's frames.
   */
  settleBudgets(sv: SimViews): void {
    const { config, plan } = this;
    const W = plan.workers;
    const settle = this.settle;
    const takes = this.takes;
    const st = sv.stats;
    for (let g = 0; g < config.guests.length; g++) {
      const b = g * GS_WORDS;
      st[b + GS_S2_FAULTS_AT_BARRIER] = st[b + GS_S2_FAULTS]; // worker 0's takes count from here
    }
    const weights = this.weights;
    const live = this.live;
    let running = 0;
    let total = 0;
    for (let w = 0; w < W; w++) {
      let t = 0;
      let l = 0;
      for (let g = 0; g < config.guests.length; g++) {
        const i = g * W + w;
        t += takes[i];
        l += this.vcpusOn[i] - settle[i * SETTLE_WORDS + SETTLE_DONE];
      }
      weights[w] = l > 0 ? t : 0;
      live[w] = l > 0 ? l : 0;
      running += live[w];
      total += weights[w];
    }
    if (running === 0) return;
    const above = Math.max(0, controlAtomics.load(sv.control, CTL_FREE_FRAMES) - plan.minFrames);
    // No takes at all (a quantum without faults): by running vCPUs.
    splitBudgets(above, total > 0 ? weights : live, this.budgets, this.shares);
  }
}

/** Spread runs, before any worker starts: the first quantum's frame budgets, by each worker's vCPUs. */
export function initBudgets(b: SimBuffers, plan: RunPlan): void {
  if (b.spread === undefined || !plan.spread) return;
  const weights = new Float64Array(plan.workers);
  for (const ws of plan.vcpuWorker) for (const w of ws) weights[w]++;
  const above = Math.max(0, plan.hostFrames - plan.minFrames);
  splitBudgets(above, weights, new Int32Array(b.spread.budgets), new Float64Array(b.spread.shares));
}
