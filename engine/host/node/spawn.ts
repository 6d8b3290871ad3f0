/**
 * Node spawners (worker_threads) for engine.ts. nodeSpawner(path) starts a bundled worker file
 * (tests/CLI/bench: workerPath('sim-worker') from scripts/workers.mjs); nodeSpawnerFrom(create)
 * wraps any factory returning a worker_threads Worker (Electron main: electron-vite's ?nodeWorker).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ErrorInfo } from '../../protocol.ts';
import { loneAwareSpawner, toErrorInfo, type SpawnWorker, type WorkerToHost } from '../messages.ts';
import { SimWorkerPool, type PoolableWorker, type WorkerPoolOptions } from '../workerPool.ts';

export function adaptNodeWorker(w: Worker): PoolableWorker {
  let errorHandler: (e: ErrorInfo) => void = () => {};
  let finished = false;
  let terminated = false;
  w.on('error', (e) => errorHandler(toErrorInfo(e)));
  w.on('messageerror', (e) => errorHandler(toErrorInfo(e)));
  w.on('exit', (code) => {
    if (!finished && !terminated)
      errorHandler({ name: 'WorkerExit', message: `simulation worker exited with code ${code} before finishing` });
  });
  return {
    postMessage: (m) => {
      if (m.type === 'init') finished = false; // a kept worker's next run (workerPool.ts)
      w.postMessage(m);
    },
    ref: () => w.ref(),
    unref: () => w.unref(),
    terminate: () => {
      terminated = true;
      void w.terminate();
    },
    onMessage: (h) =>
      w.on('message', (m: WorkerToHost) => {
        if (m.type === 'finished' || m.type === 'error') finished = true;
        h(m);
      }),
    onError: (h) => {
      errorHandler = h;
    },
  };
}

export function nodeSpawner(workerPath: string | URL): SpawnWorker {
  return () => adaptNodeWorker(new Worker(workerPath));
}

export function nodeSpawnerFrom(create: () => Worker): SpawnWorker {
  return () => adaptNodeWorker(create());
}

/**
 * Kept simulation workers on worker_threads (workerPool.ts): `pool.spawn` is the SpawnWorker for
 * startRun; idle workers do not keep the process alive and end after options.idleMs or pool.close().
 */
export function nodeWorkerPool(worker: string | URL | (() => Worker), options: WorkerPoolOptions = {}): SimWorkerPool {
  const create = typeof worker === 'function' ? worker : () => new Worker(worker);
  return new SimWorkerPool(() => adaptNodeWorker(create()), options);
}

/**
 * The simulation workers of the CLI and the benches, kept (workerPool.ts): one-worker runs on the lone
 * bundle (loneWorkerPath: .cache/workers/sim-worker-lone.mjs, core/sync/atomicsLone.ts), the others on
 * the general one (workerPath: sim-worker.mjs), each from its own pool.
 */
export function nodeSimWorkerPools(
  workerPath: string,
  loneWorkerPath: string,
  options: WorkerPoolOptions = {},
): { spawn: SpawnWorker; close: () => void } {
  const general = nodeWorkerPool(workerPath, options);
  const lone = nodeWorkerPool(loneWorkerPath, options);
  return {
    spawn: loneAwareSpawner(general.spawn, lone.spawn),
    close: () => {
      general.close();
      lone.close();
    },
  };
}

/** Fresh workers (one per run's worker) from the two bundles, as nodeSimWorkerPools picks them. */
export function nodeSimSpawner(workerPath: string, loneWorkerPath: string): SpawnWorker {
  return loneAwareSpawner(nodeSpawner(workerPath), nodeSpawner(loneWorkerPath));
}

export function nodeCores(): number {
  return availableParallelism();
}
