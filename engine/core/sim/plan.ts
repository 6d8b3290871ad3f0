/**
 * Everything derived from a ScenarioConfig before a run starts, computed identically by the host
 * (to size buffers) and by every worker: guest page counts, host frames and watermarks, arena size,
 * the guest-to-worker assignment, and the virtual-time grid (quantum, sample interval, end).
 */
import type { ScenarioConfig } from '../../protocol.ts';
import { swapDeviceSlots } from '../mm/swapReadahead.ts';

export interface RunPlan {
  guestPages: number[];
  hostFrames: number;
  minFrames: number;
  lowFrames: number;
  highFrames: number;
  tablePages: number;
  workers: number;
  /** owner worker of each guest: the worker holding its reclaim side (Pgdat, kswapd, the LRU) */
  owner: number[];
  /**
   * vCPUs of a VM spread over the workers (sim/spread.ts): every worker reclaims from the one shared
   * host lruvec (direct reclaim by its vCPUs), kswapd runs on worker 0, the vCPUs on `vcpuWorker[g][v]`.
   * False: each guest's vCPUs run on its owner (deterministic runs, memcg spreads).
   */
  spread: boolean;
  /** Worker of each vCPU, per guest (all `owner[g]` unless `spread`). */
  vcpuWorker: number[][];
  /** Worker that takes each guest's heat-map columns (sim/heatmap.ts): `owner[g]` unless `spread` (heatWorkers). */
  heatWorker: number[];
  quantumNs: number;
  sampleNs: number;
  endNs: number;
  maxRows: number;
  maxThreads: number;
  /** A block swap device: its size in slots; each node keeps a page id per slot (mm/swapReadahead.ts). */
  swapSlots?: number;
}

/** Largest quantum: workers meet at a barrier at least every virtual millisecond. */
const MAX_QUANTUM_NS = 1e6;

export const pagesOf = (mib: number): number => Math.round(mib * 256);

/** Stage-2 table pages a run needs: leaf tables (512 pages each) + level-2 tables + root, per guest, with headroom for splits. */
export function tablePagesFor(guestPages: readonly number[]): number {
  let tablePages = 16;
  for (const p of guestPages) tablePages += Math.ceil(p / 512) + Math.ceil(p / (512 * 512)) + 2;
  return Math.ceil(tablePages * 1.1);
}

export function planRun(config: ScenarioConfig, requestedWorkers: number): RunPlan {
  const guestPages = config.guests.map((g) => pagesOf(g.memoryMiB));
  const hostFrames = pagesOf(config.host.memoryMiB);
  const wm = config.host.watermarks;
  const pct = (p: number): number => Math.floor((hostFrames * p) / 100);
  const tablePages = tablePagesFor(guestPages);
  // One host lruvec (the default) is reclaimed by one kswapd that picks victims across every guest, so all
  // guests live on one worker; per-guest memcgs may be spread over workers (each worker's node reclaims its own).
  const sharedLru = (config.reclaim.lruvec ?? 'host') === 'host';
  const totalVcpus = config.guests.reduce((n, g) => n + g.vcpus, 0);
  // The host lruvec in a parallel run: the vCPUs spread over workers around the shared node
  // (canSpread). Otherwise per-guest memcgs spread whole guests; else one worker.
  const spread = !config.run.deterministic && requestedWorkers > 1 && sharedLru && canSpread(config);
  const workers = config.run.deterministic
    ? 1
    : spread
      ? Math.max(1, Math.min(requestedWorkers, totalVcpus))
      : sharedLru
        ? 1
        : Math.max(1, Math.min(requestedWorkers, config.guests.length));
  // Guest affinity: place guests (weighted by vCPUs) on the least-loaded worker, in order.
  const load = new Array<number>(workers).fill(0);
  const owner = config.guests.map((g) => {
    if (spread) return 0;
    let best = 0;
    for (let w = 1; w < workers; w++) if (load[w] < load[best]) best = w;
    load[best] += g.vcpus;
    return best;
  });
  const vcpuWorker = spread
    ? spreadVcpus(config, workers)
    : config.guests.map((g, i) => new Array<number>(g.vcpus).fill(owner[i]));
  const heatWorker = spread && workers > 1 ? heatWorkers(guestPages, workers) : owner.slice();
  const sampleNs = config.run.sampleIntervalMs * 1e6;
  const perSample = Math.max(1, Math.ceil(sampleNs / MAX_QUANTUM_NS));
  const endNs = config.run.durationMs * 1e6;
  return {
    guestPages,
    hostFrames,
    ...(config.host.swap.device === 'ssd' ? { swapSlots: swapDeviceSlots(config) } : {}),
    minFrames: pct(wm.minPct),
    lowFrames: pct(wm.lowPct),
    highFrames: pct(wm.highPct),
    tablePages,
    workers,
    owner,
    spread: spread && workers > 1,
    vcpuWorker,
    heatWorker,
    quantumNs: sampleNs / perSample,
    sampleNs,
    endNs,
    maxRows: Math.ceil(endNs / sampleNs) + 1,
    maxThreads: workers + 2,
  };
}

/**
 * Whether a run's vCPUs may spread over workers around one shared host node (sim/spread.ts): not a
 * demand-only replay (its reclaim is the fault itself), and not a policy that sees every access
 * (exact LRU's list order is the access order: every access would have to reach the reclaim worker),
 * nor a workload whose vCPUs meet at a pass barrier, nor an SSD swap device (its readahead), nor x86's
 * IPI remote TLB flush.
 */
function canSpread(config: ScenarioConfig): boolean {
  // A scan with slices meets at a pass barrier of the guest's vCPUs (workload.ts PassBarrier), which
  // lives on one worker.
  // A pre-fault (sim/prefault.ts) is set up by the reclaim side before any vCPU runs: not across workers.
  const passBarrier = config.guests.some(
    (g) => g.workload.kind === 'scan' && (g.workload.slices === true || g.workload.prefault === true),
  );
  // Swap readahead on a block device (mm/swapReadahead.ts) reads and frees swap slots in the faulting
  // vCPU's context and adds folios to the LRU: the slot map lives with the node, on one worker.
  const ssd = config.host.swap.device === 'ssd';
  // x86's IPI flush (kvm/remoteTlbFlush.ts) reads which vCPUs are in guest mode and charges their exits
  // in worker-local arrays: the flusher (reclaim, worker 0) and the vCPUs must share a worker.
  const ipi = config.hardware.remoteTlbFlush === 'ipi-kick';
  return !config.run.demandOnly && config.reclaim.policy !== 'exact-lru' && !passBarrier && !ssd && !ipi;
}

/**
 * Share of vCPUs worker 0 takes relative to each other worker (it also runs the node's kswapd: aging,
 * the rmap walk, its evictions). A scheduling choice, not a model parameter: it decides which thread
 * runs a vCPU, never what the vCPU does. Measured on bench/engine.ts's 64-vCPU scenario (4 guests,
 * 200 ms, thread CPU per worker, bench/_spreadProbe.ts) with an even split: worker 0's busy CPU exceeded
 * worker 1's by 46-103 ms of ~1,200-1,600 ms (4-7 %, about two vCPUs' worth of 32), and worker 0 was
 * the slower one in 129 of 200 quanta; its kswapd is that excess. 0.94 gives 31 vCPUs to worker 0 and
 * 33 to worker 1 out of 64 (one vCPU's worth moved; 4 vCPUs still split 2/2). History: when only
 * worker 0's vCPUs paid direct reclaim, weight 0.5 moved the hit rate -0.64 pp from the deterministic
 * run; direct reclaim is now paid by every worker's vCPUs, each at its own budget's floor (settleBudgets).
 * Session 15 (b), load-independent: instructions of each worker thread (valgrind --tool=callgrind
 * --separate-threads=yes, bench/_profileSpread.ts 4 guests, 50 ms, seed 1; whole thread): at 0.94 (31/33)
 * worker 0 3,092 M, worker 1 2,636 M (+17 %: kswapd, its rmap walk, the serial section); at 0.78 (28/36)
 * 2,854 M and 3,043 M. 0.85 gives 29/35, about the crossing (linear: ~2,930 / ~2,910 M, the slower
 * -5 %); thread CPU busy of 200 ms runs (bench/_spreadProbe.ts, load 15-19): worker 0 over worker 1
 * +13-16 % at 0.94, +2-6 % at 0.85, -3..+1 % at 0.78. Small VMs still split evenly (4 vCPUs 2/2).
 */
export let RECLAIM_WORKER_VCPU_WEIGHT = 0.85;
/** Bench/test only: set the weight above (see its comment). */
export function setReclaimWorkerVcpuWeight(w: number): void {
  RECLAIM_WORKER_VCPU_WEIGHT = w;
}

/**
 * vCPUs to workers, round-robin over every vCPU of the run in guest order (vCPU threads of one VM
 * land on different host CPUs), so each worker gets an equal share of every guest. Worker 0 also
 * runs the node's kswapd.
 */
function spreadVcpus(config: ScenarioConfig, workers: number): number[][] {
  const count = new Array<number>(workers).fill(0);
  const weight = (w: number): number => (w === 0 ? RECLAIM_WORKER_VCPU_WEIGHT : 1);
  return config.guests.map((g) =>
    Array.from({ length: g.vcpus }, () => {
      let best = 0;
      for (let w = 1; w < workers; w++) if ((count[w] + 1) / weight(w) < (count[best] + 1) / weight(best)) best = w;
      count[best]++;
      return best;
    }),
  );
}

/**
 * A spread run's heat-map samplers over the workers: each guest to the worker with the fewest pages to
 * sample so far, ties to the highest-numbered worker, so worker 0 (which also runs the node's kswapd)
 * takes the fewest. Every worker holds every guest's shared page flags, tags and tables, so any worker
 * can sample any guest; one guest stays on one worker (its sampler remembers the previous column).
 * A scheduling choice, not a model parameter: the sampler reads and never writes (heatmap.ts). Measured
 * on bench/engine.ts's 64-vCPU scenario with every column on worker 0: its heat-map CPU exceeded worker
 * 1's by ~25 ms (1 guest) and ~38 ms (4 guests) per 200 ms run, on the critical path (bench/_quantaDump.ts).
 */
function heatWorkers(guestPages: readonly number[], workers: number): number[] {
  const load = new Array<number>(workers).fill(0);
  return guestPages.map((p) => {
    let best = workers - 1;
    for (let w = workers - 2; w >= 0; w--) if (load[w] < load[best]) best = w;
    load[best] += p;
    return best;
  });
}

/**
 * Simulator memory a run holds per guest page, in bytes: the stage-2 tables (the arena's table pages),
 * page flags, eviction times, the worker-local LRU lists (mm/pgdat.ts: prev/next links and a 16-bit
 * tag) and, with an SSD, the swap slots (mm/swapReadahead.ts). Excludes per-run constants (stats, sample rows, histograms) and per-vCPU TLBs.
 */
export function simBytesPerPage(plan: RunPlan): number {
  const pages = plan.guestPages.reduce((a, b) => a + b, 0);
  if (pages === 0) return 0;
  const tables = plan.tablePages * 4096;
  const flags = plan.guestPages.reduce((a, p) => a + (Math.ceil(p / 4) + 16) * 4, 0);
  const evictedAt = pages * 4;
  const lists = 2 * 4 * (pages + 8 * plan.guestPages.length) + 2 * pages;
  // SwapArea: the page in each slot, Int32 (a swapped page's slot is in its unused LRU link; the
  // read-ahead pages' map, a share of the host's frames, is not counted).
  const slots = plan.swapSlots !== undefined ? 4 * Math.min(pages + 1, plan.swapSlots) : 0;
  return (tables + flags + evictedAt + lists + slots) / pages;
}
