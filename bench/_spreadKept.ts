// Diagnostics (not a bench): two consecutive runs of the bench engine's 64-vCPU scenario (4 guests, 200 ms,
// seed 1) on kept workers (engine/host/workerPool.ts), printing the monotonic clock (s) at each run's start
// and the end, so a profile can be split into the fresh run and the warm one:
//   perf record -e cpu-clock -F 2000 -o k.data node --perf-basic-prof .cache/bench/_spreadKept.mjs <workers>
//   perf script -i k.data -F tid,time,ip,sym,dso   (samples between the marks; worker threads run JS:)
// Session 10 (b): warm, 1 worker 1,940 ms vs 2 workers 2,977 ms of worker-thread samples (x1.53): compiled
// JS 1,649 -> 2,184, Atomics builtins 27 -> 262, kernel 42 -> 106, unoptimised code 26 -> 103 (load ~10).
import path from 'node:path';
import { startRun } from '../engine/host/engine.ts';
import { nodeWorkerPool } from '../engine/host/node/spawn.ts';
import { loadPresetDir } from '../presets/node.ts';
import { vcpus64Scenario } from './_util.ts';

const root = process.cwd();
const hw = loadPresetDir(path.join(root, 'presets')).set.hardware.get('ampere-altra')!;
const workers = Number(process.argv[2] ?? 2);
const pool = nodeWorkerPool(path.join(root, '.cache', 'workers', 'sim-worker.mjs'));
const mono = (): string => (Number(process.hrtime.bigint()) / 1e9).toFixed(6);
for (let i = 0; i < 2; i++) {
  console.log(`mark ${i === 0 ? 'fresh' : 'warm'} ${mono()}`);
  const r = await startRun(vcpus64Scenario(hw, 4, workers, 200, true, 1), {
    spawnWorker: pool.spawn,
    onEvent: () => {},
  }).done;
  console.log(`run ${i}: accesses ${r.summary.accesses}, hit ${(100 * r.summary.hitRate).toFixed(3)} %`);
}
console.log(`mark end ${mono()}`);
pool.close();
