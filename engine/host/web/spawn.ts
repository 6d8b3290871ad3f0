/**
 * Browser spawner for engine.ts: wraps a factory of module Web Workers, e.g.
 *   webSpawner(() => new Worker(new URL('./simWorker.ts', import.meta.url), { type: 'module' }))
 * Web Workers have no exit event: load failures and uncaught exceptions arrive as 'error'.
 */
import type { SpawnWorker, WorkerLike, WorkerToHost } from '../messages.ts';
import { SimWorkerPool, type WorkerPoolOptions } from '../workerPool.ts';

interface WebWorker {
  postMessage(m: unknown): void;
  terminate(): void;
  addEventListener(type: 'message', h: (e: { data: WorkerToHost }) => void): void;
  addEventListener(type: 'error' | 'messageerror', h: (e: { message?: string }) => void): void;
}

export function adaptWebWorker(w: WebWorker): WorkerLike {
  return {
    postMessage: (m) => w.postMessage(m),
    terminate: () => w.terminate(),
    onMessage: (h) => w.addEventListener('message', (e) => h(e.data)),
    onError: (h) => {
      const report = (e: { message?: string }): void =>
        h({ name: 'WorkerError', message: e.message || 'simulation worker failed' });
      w.addEventListener('error', report);
      w.addEventListener('messageerror', report);
    },
  };
}

export function webSpawner(create: () => WebWorker): SpawnWorker {
  return () => adaptWebWorker(create());
}

/** Kept simulation Web Workers (workerPool.ts): `pool.spawn` is the SpawnWorker for startRun. */
export function webWorkerPool(create: () => WebWorker, options: WorkerPoolOptions = {}): SimWorkerPool {
  return new SimWorkerPool(() => adaptWebWorker(create()), options);
}

export function webCores(): number {
  const n = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return n && n > 0 ? n : 2;
}
