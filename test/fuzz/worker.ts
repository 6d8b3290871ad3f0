/**
 * The fuzzer's worker (scripts/fuzz.mjs bundles it): runs the cases, publishing the index of the case
 * in progress in a shared Int32Array so the main thread can time each case from outside. With `only`
 * it runs just those case indices (re-timing cases that stalled, in isolation) and reports each one's ms.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { decodeSession } from '../../engine/session/index.ts';
import { runCase, runFuzz, TARGETS } from './cases.ts';
import { loadSeeds } from './seeds.ts';

const { root, seed, cases, progress, only } = workerData as {
  root: string;
  seed: number;
  cases: number;
  progress: SharedArrayBuffer;
  only?: number[];
};
const seeds = loadSeeds(root);
if (only) {
  const base = decodeSession(seeds.session);
  if (!base.ok) throw new Error(base.error.message);
  const timings = only.map((i) => {
    const t0 = performance.now();
    const out = runCase(TARGETS[i % TARGETS.length], i, seed, seeds, base.value);
    return { index: i, ms: performance.now() - t0, problem: out.problem };
  });
  parentPort?.postMessage({ type: 'timings', timings });
} else {
  const current = new Int32Array(progress);
  const stats = runFuzz(seeds, seed, cases, (i) => {
    Atomics.store(current, 0, i);
    if (i % 10_000 === 0) parentPort?.postMessage({ type: 'progress', done: i });
  });
  parentPort?.postMessage({ type: 'done', stats });
}
