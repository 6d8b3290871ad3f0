/**
 * Negative control of test/host/workerPool.test.ts: the simulation worker with one planted leak of
 * per-worker state into the next run. It counts the runs it has served and adds the count to the next
 * run's seed, as a module-level variable that a run forgets to reset would. A kept worker of this kind
 * gives a different summary for the same config the second time: the pool test must catch it.
 */
import { parentPort } from 'node:worker_threads';
import type { HostToWorker } from '../../engine/host/messages.ts';
import { serveSimWorker } from '../../engine/host/workerMain.ts';

const port = parentPort;
if (!port) throw new Error('leakyWorker must run in a worker thread');
let runsServed = 0; // the planted leak
serveSimWorker({
  post: (m) => port.postMessage(m),
  onMessage: (h) =>
    port.on('message', (m: HostToWorker) => {
      const d = m.data;
      const config = { ...d.config, run: { ...d.config.run, seed: d.config.run.seed + runsServed++ } };
      h({ type: 'init', data: { ...d, config } });
    }),
});
