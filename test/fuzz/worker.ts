/**
 * The fuzzer's worker (scripts/fuzz.mjs bundles it): runs the cases, publishing the index of the case
 * in progress in a shared Int32Array so the main thread can call a case that runs over 5 s a hang.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runFuzz } from './cases.ts';
import { loadSeeds } from './seeds.ts';

const { root, seed, cases, progress } = workerData as {
  root: string;
  seed: number;
  cases: number;
  progress: SharedArrayBuffer;
};
const current = new Int32Array(progress);
const stats = runFuzz(loadSeeds(root), seed, cases, (i) => {
  Atomics.store(current, 0, i);
  if (i % 10_000 === 0) parentPort?.postMessage({ type: 'progress', done: i });
});
parentPort?.postMessage({ type: 'done', stats });
