/**
 * Messages between the engine host (engine.ts, on a main thread) and its simulation workers
 * (workerMain.ts), declared once. Both directions are discriminated unions on `type`.
 */
import type { ErrorInfo, ScenarioConfig } from '../protocol.ts';
import type { RunPlan } from '../core/sim/plan.ts';
import type { SimBuffers } from '../core/sim/simLayout.ts';
import type { SimCoreHooks } from '../core/sim/simCore.ts';

/** Everything one worker needs; posted as the first message ({ type: 'init' }). */
export interface SimWorkerData {
  config: ScenarioConfig;
  plan: RunPlan;
  buffers: SimBuffers;
  workerIndex: number;
  /** Test hook: throw inside the worker after this many quanta (crash injection). */
  failAfterQuanta?: number;
  /** Sample the stage-2 heat map (core/sim/heatmap.ts); default true. Batch callers (sweeps) may turn it off. */
  heatmap?: boolean;
  /** Tests and bench: false keeps an eligible trace replay on the general path (replay.ts). */
  replay?: boolean;
  /** Stress tests only: a bug a negative control plants (simCore.ts SimCoreHooks). */
  hooks?: SimCoreHooks;
  /** Bench/diagnostics only: where each worker's time goes (core/sim/probe.ts), written by the workers. */
  probe?: SharedArrayBuffer;
}

export type HostToWorker = { type: 'init'; data: SimWorkerData };

export type WorkerToHost =
  | { type: 'rows'; startRow: number; rows: Float64Array[] }
  | { type: 'progress'; virtualNs: number }
  /**
   * The worker saw a pause and waits (SimSink.parked) at `virtualNs`, everything it produced before
   * already posted. Unlike 'progress' it is never coalesced or deduplicated: the host always tells its
   * listener, so "the run holds still" is an event, not a guess.
   */
  | { type: 'parked'; virtualNs: number }
  /** A stage-2 heat-map column of one guest (core/sim/heatmap.ts). */
  | { type: 'heat'; guest: number; tMs: number; cells: Uint8Array }
  | { type: 'finished'; outcome: 'done' | 'aborted' }
  | { type: 'error'; error: ErrorInfo };

/** What engine.ts needs of a worker, whichever runtime made it (worker_threads or Web Workers). */
export interface WorkerLike {
  postMessage(message: HostToWorker): void;
  terminate(): void;
  /**
   * Kept workers (workerPool.ts) only: the run ended cleanly (this worker said 'finished', outcome
   * 'done'); the worker may serve another run. Without it, engine.ts terminates the worker.
   */
  release?(): void;
  /** Messages from the worker. */
  onMessage(handler: (message: WorkerToHost) => void): void;
  /** The worker failed to load, threw, or exited before saying 'finished'. */
  onError(handler: (error: ErrorInfo) => void): void;
}

/** Starts one simulation worker. Node: nodeSpawner(path); browser: webSpawner(() => new Worker(...)). */
export type SpawnWorker = (data: SimWorkerData) => WorkerLike;

/**
 * A run with one worker from `lone` (the lone worker bundle, core/sync/atomicsLone.ts: its arena
 * atomics are plain, which is correct only when no other agent touches the arena), every other run's
 * workers from `general`.
 */
export function loneAwareSpawner(general: SpawnWorker, lone: SpawnWorker): SpawnWorker {
  return (data) => (data.plan.workers === 1 ? lone(data) : general(data));
}

export function toErrorInfo(e: unknown): ErrorInfo {
  if (e instanceof Error) return { name: e.name, message: e.message, stack: e.stack };
  if (typeof e === 'object' && e !== null && typeof (e as ErrorInfo).message === 'string') {
    const x = e as ErrorInfo;
    return { name: typeof x.name === 'string' ? x.name : 'Error', message: x.message, stack: x.stack };
  }
  return { name: 'Error', message: String(e) };
}
