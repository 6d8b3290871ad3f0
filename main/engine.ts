/**
 * The engine on worker_threads, as main's StartRun seam. electron-vite's `?nodeWorker` import bundles
 * engine/host/node/simWorker.ts as its own chunk and gives a factory for a worker_threads Worker
 * (docs: electron-vite.org "Worker Threads"); engine/host drives the workers and calls onEvent from
 * the event loop, so the main thread never blocks on the simulation (the shared-memory waits happen
 * in the workers; Atomics.wait is never called on the main thread).
 */
import createSimWorker from '../engine/host/node/simWorker.ts?nodeWorker';
import { startRun } from '../engine/host/engine.ts';
import { nodeCores, nodeWorkerPool } from '../engine/host/node/spawn.ts';
import type { SimWorkerPool } from '../engine/host/workerPool.ts';
import { SweepService } from '../engine/host/sweepService.ts';
import { ReproductionService } from '../engine/host/reproduceService.ts';
import { defaultReproConcurrency } from '../engine/host/reproduce.ts';
import { loadBundledPresets } from '../presets/browser.ts';
import type { StartRun } from './runs.ts';

let pool: SimWorkerPool | null = null;
/**
 * One pool of kept simulation workers (engine/host/workerPool.ts) for the window's runs, sweeps and
 * reproductions: from the second run on, no worker start and no JIT warm-up. Idle workers end after
 * 30 s and never keep the app from quitting.
 */
function simWorkers(): SimWorkerPool {
  pool ??= nodeWorkerPool(() => createSimWorker({}), { maxIdle: Math.max(4, nodeCores()) });
  return pool;
}

export interface EngineOptions {
  log?: (message: string) => void;
}

/** `traces` of each run: the traces the user loaded into this window (lab:loadTrace, main/traces.ts). */
export function createEngine(_options: EngineOptions = {}): StartRun {
  const spawnWorker = simWorkers().spawn;
  return (config, onEvent, traces) => startRun(config, { spawnWorker, cores: nodeCores(), onEvent, traces });
}

let bundledSet: ReturnType<typeof loadBundledPresets>['set'] | null = null;
/** The bundled presets, loaded once for sweeps and reproductions. */
const presetSet = () => (bundledSet ??= loadBundledPresets().set);

/** Sweeps on worker_threads (engine/host/sweepService.ts): the bundled presets, one deterministic run per job. */
export function createSweeps(): SweepService {
  const spawnWorker = simWorkers().spawn;
  return new SweepService({
    presets: presetSet,
    defaultWorkers: () => Math.max(1, nodeCores() - 1),
    startRun: (config, traces) => {
      const h = startRun(config, { spawnWorker, cores: nodeCores(), onEvent: () => {}, traces });
      return { done: h.done, stop: () => h.stop() };
    },
  });
}

/** Reproductions on worker_threads (engine/host/reproduceService.ts): the bundled presets, one deterministic run each. */
export function createReproductions(): ReproductionService {
  const spawnWorker = simWorkers().spawn;
  return new ReproductionService({
    presets: presetSet,
    concurrency: () => defaultReproConcurrency(nodeCores()),
    startRun: (config, onProgress) => {
      const h = startRun(config, {
        spawnWorker,
        cores: nodeCores(),
        onEvent: (e) => {
          if (e.type === 'progress') onProgress(e.fraction);
        },
      });
      return { done: h.done, stop: () => h.stop() };
    },
  });
}
