/** worker_threads entry of the simulation worker (bundled as 'sim-worker' by scripts/workers.mjs). */
import { readFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import type { HostToWorker } from '../messages.ts';
import { serveSimWorker } from '../workerMain.ts';

const port = parentPort;
if (!port) throw new Error('simWorker must run in a worker thread');
serveSimWorker(
  {
    post: (m) => port.postMessage(m),
    onMessage: (h) => port.on('message', (m: HostToWorker) => h(m)),
  },
  threadClock,
);

/**
 * This thread's CPU time and run delay in ms (Linux /proc/thread-self/schedstat: sum_exec_runtime,
 * run_delay in ns), for a run's probe only (core/sim/probe.ts); null where the file is missing.
 */
function threadClock(): [number, number] | null {
  try {
    const [cpu, delay] = readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ');
    return [Number(cpu) / 1e6, Number(delay) / 1e6];
  } catch {
    return null;
  }
}
