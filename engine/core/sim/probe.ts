/**
 * Where a parallel run's wall time goes, per worker (bench and diagnostics only: bench/engine.ts,
 * bench/_spreadProbe.ts; no figure a user sees comes from here). A probe is a SharedArrayBuffer the
 * host hands every worker (SimWorkerData.probe); each worker writes only its own row, the host reads
 * it after 'finished'. Off (null) in every ordinary run: the cost is one branch per quantum.
 *
 * Per worker (row of PROBE_HDR + maxQuanta doubles):
 *   P_QUANTA              quanta run
 *   P_BUSY_WALL_MS        wall time in runUntil (the actors' work of each quantum)
 *   P_BARRIER_WALL_MS     wall time from arriving at the barrier to its release (minus the serial section)
 *   P_SERIAL_WALL_MS      wall time in the serial section (run by the last arriver)
 *   P_BUSY_CPU_MS         this thread's CPU time in runUntil   \ thread CPU (Linux: /proc/thread-self/schedstat
 *   P_BARRIER_CPU_MS      ... at the barrier (spin + drain)      | sum_exec_runtime), NaN where the host has no
 *   P_SERIAL_CPU_MS       ... in the serial section             / per-thread clock
 *   P_RUN_DELAY_MS        time this thread was runnable but not running (schedstat run_delay: other
 *                         processes on the cores), over the whole loop
 *   P_ACCESSES, P_S2_FAULTS, P_EVICTIONS, P_DIRECT_RECLAIM   this worker's own work (counter deltas over its
 *                         runUntil calls: on worker 0 the shared counters, which the serial section folds the
 *                         other workers' into only after everyone arrived; on workers >= 1 their private copies)
 *   P_VCPUS, P_ACTORS     vCPUs and actors (vCPUs + kswapd) this worker runs
 *   P_HEAT_CPU_MS         thread CPU in the heat-map sampling after runUntil (NaN without a thread clock)
 * then PQ_SERIES per-quantum series of `quanta` doubles each (index: pqAt):
 *   PQ_CPU_MS             CPU ms of quantum q's work (actors, heat map, serial section; wall ms where there
 *                         is no thread clock), barrier waits excluded: the
 *                         critical path of an idle machine is the sum over quanta of the slowest worker's.
 *   PQ_ACCESSES, PQ_S2_FAULTS, PQ_EVICTIONS, PQ_DIRECT_RECLAIM   the work counters above, per quantum
 *   PQ_STEPS              scheduler steps (ActorScheduler.steps: one per actor picked to run)
 *   PQ_KSWAPD_STEPS       of which kswapd's
 *   PQ_KSWAPD_WALL_MS     wall ms in kswapd's runs (Kswapd.run timed with ProbeClocks.wallMs, a cheap clock:
 *                         a thread-CPU read costs 30-80 us, as much as one kswapd step; wall equals the
 *                         thread's CPU except where the thread was preempted, see P_RUN_DELAY_MS)
 */
import type { RunPlan } from './plan.ts';

export const P_QUANTA = 0;
export const P_BUSY_WALL_MS = 1;
export const P_BARRIER_WALL_MS = 2;
export const P_SERIAL_WALL_MS = 3;
export const P_BUSY_CPU_MS = 4;
export const P_BARRIER_CPU_MS = 5;
export const P_SERIAL_CPU_MS = 6;
export const P_RUN_DELAY_MS = 7;
export const P_ACCESSES = 8;
export const P_S2_FAULTS = 9;
export const P_EVICTIONS = 10;
export const P_DIRECT_RECLAIM = 11;
export const P_VCPUS = 12;
export const P_ACTORS = 13;
export const P_HEAT_CPU_MS = 14;
export const PROBE_HDR = 16;
export const PQ_CPU_MS = 0;
export const PQ_ACCESSES = 1;
export const PQ_S2_FAULTS = 2;
export const PQ_EVICTIONS = 3;
export const PQ_DIRECT_RECLAIM = 4;
export const PQ_STEPS = 5;
export const PQ_KSWAPD_STEPS = 6;
export const PQ_KSWAPD_WALL_MS = 7;
export const PQ_SERIES = 8;

/** Clocks a worker host injects (engine/host/workerMain.ts): wall ms, and this thread's CPU / run delay in ms. */
export interface ProbeClocks {
  wallMs(): number;
  /** [CPU ms, run-delay ms] of the calling thread, or null when the runtime has none. */
  thread(): [number, number] | null;
}

/** Quanta of a run (the probe's per-quantum slots). */
export const probeQuanta = (plan: Pick<RunPlan, 'endNs' | 'quantumNs'>): number =>
  Math.ceil(plan.endNs / plan.quantumNs);

/** Doubles of one worker's row for a run of `quanta` quanta. */
export const probeRowWords = (quanta: number): number => PROBE_HDR + PQ_SERIES * quanta;

/** Index in a probe row of per-quantum series `series` (PQ_*) at quantum q (q < the row's quanta). */
export const pqAt = (row: Float64Array, series: number, q: number): number =>
  PROBE_HDR + series * ((row.length - PROBE_HDR) / PQ_SERIES) + q;

/** A probe buffer for `workers` workers and a run of `quanta` quanta. */
export function createProbe(workers: number, quanta: number): SharedArrayBuffer {
  return new SharedArrayBuffer(workers * probeRowWords(quanta) * 8);
}

/** One worker's row of a probe buffer. */
export function probeRow(sab: SharedArrayBuffer, worker: number, quanta: number): Float64Array {
  const n = probeRowWords(quanta);
  return new Float64Array(sab, worker * n * 8, n);
}

/**
 * Idle-machine prediction from a probe: the sum over quanta of the slowest worker's busy CPU (the
 * critical path, barriers free) and the sum of all workers' (the work). Their ratio is the speed-up an
 * idle machine with a core per worker would show over running the same work on one core (its
 * serial-section and barrier costs aside, each under 1 % in the runs measured).
 */
export function criticalPath(rows: Float64Array[]): { criticalMs: number; workMs: number } {
  let criticalMs = 0;
  let workMs = 0;
  const quanta = rows.length > 0 ? rows[0][P_QUANTA] : 0;
  for (let q = 0; q < quanta; q++) {
    let max = 0;
    for (const r of rows) {
      const x = r[pqAt(r, PQ_CPU_MS, q)] ?? 0;
      workMs += x;
      if (x > max) max = x;
    }
    criticalMs += max;
  }
  return { criticalMs, workMs };
}
