/**
 * Everything derived from a ScenarioConfig before a run starts, computed identically by the host
 * (to size buffers) and by every worker: guest page counts, host frames and watermarks, arena size,
 * the guest-to-worker assignment, and the virtual-time grid (quantum, sample interval, end).
 */
import type { ScenarioConfig } from '../../protocol.ts';

export interface RunPlan {
  guestPages: number[];
  hostFrames: number;
  minFrames: number;
  lowFrames: number;
  highFrames: number;
  tablePages: number;
  workers: number;
  /** owner worker of each guest */
  owner: number[];
  quantumNs: number;
  sampleNs: number;
  endNs: number;
  maxRows: number;
  maxThreads: number;
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
  const workers =
    config.run.deterministic || sharedLru ? 1 : Math.max(1, Math.min(requestedWorkers, config.guests.length));
  // Guest affinity: place guests (weighted by vCPUs) on the least-loaded worker, in order.
  const load = new Array<number>(workers).fill(0);
  const owner = config.guests.map((g) => {
    let best = 0;
    for (let w = 1; w < workers; w++) if (load[w] < load[best]) best = w;
    load[best] += g.vcpus;
    return best;
  });
  const sampleNs = config.run.sampleIntervalMs * 1e6;
  const perSample = Math.max(1, Math.ceil(sampleNs / MAX_QUANTUM_NS));
  const endNs = config.run.durationMs * 1e6;
  return {
    guestPages,
    hostFrames,
    minFrames: pct(wm.minPct),
    lowFrames: pct(wm.lowPct),
    highFrames: pct(wm.highPct),
    tablePages,
    workers,
    owner,
    quantumNs: sampleNs / perSample,
    sampleNs,
    endNs,
    maxRows: Math.ceil(endNs / sampleNs) + 1,
    maxThreads: workers + 2,
  };
}

/**
 * Simulator memory a run holds per guest page, in bytes: the stage-2 tables (the arena's table pages),
 * page flags, eviction times, and the worker-local LRU lists (mm/pgdat.ts: prev/next links and a 16-bit
 * tag). Excludes per-run constants (stats, sample rows, histograms) and per-vCPU TLBs.
 */
export function simBytesPerPage(plan: RunPlan): number {
  const pages = plan.guestPages.reduce((a, b) => a + b, 0);
  if (pages === 0) return 0;
  const tables = plan.tablePages * 4096;
  const flags = plan.guestPages.reduce((a, p) => a + (Math.ceil(p / 4) + 16) * 4, 0);
  const evictedAt = pages * 4;
  const lists = 2 * 4 * (pages + 8 * plan.guestPages.length) + 2 * pages;
  return (tables + flags + evictedAt + lists) / pages;
}
