/**
 * The min-watermark settlement of parallel runs, in the serial section (serialSection.ts): who pays for
 * the frames the host lacks to be above its min watermark. Real-time progress may decide which worker
 * takes a frame first, but not who pays the direct reclaim (the worker that runs ahead would find the
 * host at its min watermark first and pay every one): the deficit becomes reclaim clusters owed in
 * proportion to each guest's faults of the quantum (Guest.fault pays them, as
 * __alloc_pages_direct_reclaim in the faulting task). settleMinWatermark: per guest (workers own
 * guests); SpreadSettlement: per (guest, worker) pair (spread runs, spread.ts).
 */
import type { ScenarioConfig } from '../../protocol.ts';
import { atomics } from '../sync/atomics.ts';
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
  SETTLE_CREDIT,
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
  const lack = plan.minFrames + 1 - atomics.load(sv.control, CTL_FREE_FRAMES) - owed * SWAP_CLUSTER_MAX;
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
  /** Frame takes per (guest, worker) in the quantum, guest-major (collectSpreadTakes, then settleSpread's weights). */
  private readonly takes: Float64Array;
  /** SpreadBuffers.settle: per (guest, worker) vCPUs done (cumulative) and running reclaim credit. */
  private readonly settle: Float64Array;
  /** The vCPUs of each (guest, worker) pair (plan.vcpuWorker). */
  private readonly vcpusOn: Int32Array;
  /** Every worker's counters as the serial section reads them (simLayout.ts workerStats). */
  private readonly workerStatsViews: Float64Array[] = [];

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
   * Spread runs, in the serial section after the fold (`sv`: the shared counters): settleMinWatermark over (guest, worker) pairs instead of guests.
   * A cluster owed by a pair is paid by that guest's vCPUs on that worker (their next fault's direct
   * reclaim, Guest.fault, in their own thread: __alloc_pages_direct_reclaim runs in the faulting task).
   * Each guest's share is in proportion to its faults of the quantum (as settleMinWatermark), and a
   * guest's share is split over its workers in proportion to its vCPUs still running there: a VM's
   * vCPUs run one workload (each its own stream), so the expected share each vCPU pays is the one of
   * the one-worker interleaving, wherever it runs.
   *
   * Why not each pair's own faults of the quantum (the rule before): that split fed back with a
   * quantum's delay. The pair that faulted most in quantum q owed most in q + 1, its vCPUs stalled
   * paying (one 32-folio cluster per fault), faulted least, and the other worker's pair owed in q + 2:
   * a period-2 oscillation the kernel does not have (its payer is whoever faults at min, microseconds
   * later). Measured (bench 64-vCPU scenario, 4 guests, seed 1, load ~10): one worker's 32 vCPUs made
   * ~500 accesses in a quantum while the other's made ~20,000, alternating, and each quantum's CPU
   * followed (critical path 3,218 of 5,580 ms work). The owed count lives in the worker's own counters
   * (GS_RECLAIM_OWED, never folded); credits in SpreadBuffers.settle.
   */
  settleSpread(sv: SimViews): void {
    const { config, plan } = this;
    const W = plan.workers;
    const st = sv.stats;
    const settle = this.settle;
    const takes = this.takes;
    const ws = this.workerStatsViews;
    let owed = 0;
    let total = 0;
    let eligible = 0;
    for (let g = 0; g < config.guests.length; g++) {
      const b = g * GS_WORDS;
      st[b + GS_S2_FAULTS_AT_BARRIER] = st[b + GS_S2_FAULTS];
      // The guest's faults and running vCPUs over its eligible pairs.
      let guestTakes = 0;
      let guestRunning = 0;
      for (let w = 0; w < W; w++) {
        const i = g * W + w;
        // Pinned guests cannot reclaim; a pair whose vCPUs are all done will not fault to pay.
        const here = this.vcpusOn[i];
        const running = here - settle[i * SETTLE_WORDS + SETTLE_DONE];
        if (config.guests[g].protected || here === 0 || running <= 0) {
          takes[i] = -1;
          ws[w][b + GS_RECLAIM_OWED] = 0;
          continue;
        }
        eligible++;
        owed += ws[w][b + GS_RECLAIM_OWED];
        guestTakes += takes[i];
        guestRunning += running;
      }
      // The pairs' weights: the guest's faults, split by running vCPUs.
      for (let w = 0; w < W; w++) {
        const i = g * W + w;
        if (takes[i] < 0) continue;
        takes[i] = (guestTakes * (this.vcpusOn[i] - settle[i * SETTLE_WORDS + SETTLE_DONE])) / guestRunning;
      }
      total += guestTakes;
    }
    if (eligible === 0) return;
    const lack = plan.minFrames + 1 - atomics.load(sv.control, CTL_FREE_FRAMES) - owed * SWAP_CLUSTER_MAX;
    if (lack <= 0) return;
    const clusters = Math.ceil(lack / SWAP_CLUSTER_MAX);
    const n = takes.length;
    for (let i = 0; i < n; i++) {
      if (takes[i] < 0) continue;
      settle[i * SETTLE_WORDS + SETTLE_CREDIT] +=
        (clusters * (total > 0 ? takes[i] : 1)) / (total > 0 ? total : eligible);
    }
    for (let k = 0; k < clusters; k++) {
      let best = -1;
      for (let i = 0; i < n; i++) {
        if (takes[i] < 0) continue;
        if (best < 0 || settle[i * SETTLE_WORDS + SETTLE_CREDIT] > settle[best * SETTLE_WORDS + SETTLE_CREDIT])
          best = i;
      }
      settle[best * SETTLE_WORDS + SETTLE_CREDIT]--;
      ws[best % W][Math.floor(best / W) * GS_WORDS + GS_RECLAIM_OWED]++;
    }
  }
}
