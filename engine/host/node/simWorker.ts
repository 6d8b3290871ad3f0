/** worker_threads entry of the simulation worker (bundled as 'sim-worker' by scripts/workers.mjs). */
import { parentPort } from 'node:worker_threads';
import type { HostToWorker } from '../messages.ts';
import { serveSimWorker } from '../workerMain.ts';

const port = parentPort;
if (!port) throw new Error('simWorker must run in a worker thread');
serveSimWorker({
  post: (m) => port.postMessage(m),
  onMessage: (h) => port.on('message', (m: HostToWorker) => h(m)),
});
