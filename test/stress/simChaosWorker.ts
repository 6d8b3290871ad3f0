/**
 * The engine's own simulation worker (engine/host/workerMain.ts serveSimWorker, as node/simWorker.ts
 * runs it) with random yields injected between its atomics (chaos.ts): the stress tests run real
 * parallel engine runs on it (bundled as 'sim-chaos-worker' by scripts/workers.mjs).
 * workerData: { seed } (each worker its own seed).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { HostToWorker } from '../../engine/host/messages.ts';
import { serveSimWorker } from '../../engine/host/workerMain.ts';
import { installChaos } from './chaos.ts';

const port = parentPort;
if (!port) throw new Error('simChaosWorker must run in a worker thread');
const { seed } = workerData as { seed: number };
// More spins than the stand-alone stress (chaos.ts defaults: 0.2, 0.002): a vCPU's window between
// reading a leaf and its AF cmpxchg is a few instructions, and the run is small.
installChaos(seed, { spinP: 0.3, sleepP: 0.003 });
serveSimWorker({
  post: (m) => port.postMessage(m),
  onMessage: (h) => port.on('message', (m: HostToWorker) => h(m)),
});
