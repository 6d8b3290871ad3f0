/**
 * The engine on worker_threads, as main's StartRun seam. electron-vite's `?nodeWorker` import bundles
 * engine/host/node/simWorker.ts as its own chunk and gives a factory for a worker_threads Worker
 * (docs: electron-vite.org "Worker Threads"); engine/host drives the workers and calls onEvent from
 * the event loop, so the main thread never blocks on the simulation (the shared-memory waits happen
 * in the workers; Atomics.wait is never called on the main thread).
 */
import createSimWorker from '../engine/host/node/simWorker.ts?nodeWorker';
import { startRun } from '../engine/host/engine.ts';
import { nodeCores, nodeSpawnerFrom } from '../engine/host/node/spawn.ts';
import type { StartRun } from './runs.ts';

export interface EngineOptions {
  /** Traces known to this host by name (workload.trace); none are bundled yet. */
  traces?: Record<string, Uint32Array>;
  log?: (message: string) => void;
}

export function createEngine(options: EngineOptions = {}): StartRun {
  const spawnWorker = nodeSpawnerFrom(() => createSimWorker({}));
  return (config, onEvent) =>
    startRun(config, {
      spawnWorker,
      cores: nodeCores(),
      onEvent,
      ...(options.traces ? { traces: options.traces } : {}),
    });
}
