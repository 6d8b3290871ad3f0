/**
 * Web Worker entry of the simulation worker. The browser edition creates it with
 * `new Worker(new URL('./simWorker.ts', import.meta.url), { type: 'module' })` (Vite).
 */
import type { HostToWorker, WorkerToHost } from '../messages.ts';
import { serveSimWorker } from '../workerMain.ts';

interface WorkerScope {
  postMessage(m: WorkerToHost): void;
  addEventListener(type: 'message', h: (e: { data: HostToWorker }) => void): void;
}
const scope = globalThis as unknown as WorkerScope;
serveSimWorker({
  post: (m) => scope.postMessage(m),
  onMessage: (h) => scope.addEventListener('message', (e) => h(e.data)),
});
