// Not a bench (leading _): `node --cpu-prof` target for the 64-vCPU synthetic scenario on N workers (argv: guests workers ms).
import path from 'node:path';
import { loadavg } from 'node:os';
import { startRun } from '../engine/host/engine.ts';
import { nodeSpawner } from '../engine/host/node/spawn.ts';
import { loadPresetDir } from '../presets/node.ts';
import { vcpus64Scenario } from './_util.ts';
import { setReclaimWorkerVcpuWeight } from '../engine/core/sim/plan.ts';

// SPREAD_W0: plan.ts RECLAIM_WORKER_VCPU_WEIGHT for this run (the plan travels to the workers), e.g. under
// valgrind --tool=callgrind --separate-threads=yes to compare the workers' instructions per split.
if (process.env.SPREAD_W0) setReclaimWorkerVcpuWeight(Number(process.env.SPREAD_W0));

const root = process.cwd();
const hw = loadPresetDir(path.join(root, 'presets')).set.hardware.get('ampere-altra')!;
const guests = Number(process.argv[2] ?? 1);
const workers = Number(process.argv[3] ?? 2);
const ms = Number(process.argv[4] ?? 200);
const w0 = performance.now();
const r = await startRun(vcpus64Scenario(hw, guests, workers, ms), {
  spawnWorker: nodeSpawner(process.env.SIM_WORKER ?? path.join(root, '.cache', 'workers', 'sim-worker.mjs')),
  onEvent: () => {},
}).done;
console.log(
  'workers',
  r.workers,
  'accesses',
  r.summary.accesses,
  'hit',
  r.summary.hitRate,
  'wall s',
  ((performance.now() - w0) / 1000).toFixed(2),
  'load',
  loadavg()[0].toFixed(2),
);
