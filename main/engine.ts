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
  log?: (message: string) => void;
}

/** `traces` of each run: the traces the user loaded into this window (lab:loadTrace, main/traces.ts). */
export function createEngine(_options: EngineOptions = {}): StartRun {
  const spawnWorker = nodeSpawnerFrom(() => createSimWorker({}));
  return (config, onEvent, traces) => startRun(config, { spawnWorker, cores: nodeCores(), onEvent, traces });
}
