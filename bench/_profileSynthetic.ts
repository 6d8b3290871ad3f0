// Not a bench (leading _): `node --cpu-prof` target for the 64-vCPU synthetic scenario of bench/engine.ts on one worker.
import path from 'node:path';
import { startRun } from '../engine/host/engine.ts';
import { nodeSpawner } from '../engine/host/node/spawn.ts';
import { loadPresetDir } from '../presets/node.ts';
import { vcpus64Scenario } from './_util.ts';

const root = process.cwd();
const hw = loadPresetDir(path.join(root, 'presets')).set.hardware.get('ampere-altra')!;
const guests = Number(process.argv[2] ?? 4);
const c0 = process.cpuUsage();
const r = await startRun(vcpus64Scenario(hw, guests, 1, 200), {
  spawnWorker: nodeSpawner(process.env.SIM_WORKER ?? path.join(root, '.cache', 'workers', 'sim-worker.mjs')),
  onEvent: () => {},
}).done;
const c = process.cpuUsage(c0);
console.log('accesses', r.summary.accesses, 'cpu s', ((c.user + c.system) / 1e6).toFixed(2));
