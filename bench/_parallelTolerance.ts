// Diagnostics (not a bench): parallel (2 real worker threads) minus deterministic hit rate, in pp, on the
// 64-vCPU scenario of bench/engine.ts, seeds 1..SEEDS. Env: GUESTS (1), MS (200), SEEDS (5).
import { loadavg } from 'node:os';
import path from 'node:path';
import { startRun } from '../engine/host/engine.ts';
import { nodeSpawner } from '../engine/host/node/spawn.ts';
import { loadPresetDir } from '../presets/node.ts';
import { vcpus64Scenario } from './_util.ts';

const root = process.cwd();
const workerFile = path.join(root, '.cache', 'workers', 'sim-worker.mjs');
const hw = loadPresetDir(path.join(root, 'presets')).set.hardware.get('ampere-altra')!;
const GUESTS = Number(process.env.GUESTS ?? 1);
const MS = Number(process.env.MS ?? 200);
const SEEDS = Number(process.env.SEEDS ?? 5);
let worst = 0;
for (let seed = 1; seed <= SEEDS; seed++) {
  const hit = async (workers: number): Promise<number> => {
    const config = vcpus64Scenario(hw, GUESTS, workers, MS);
    config.run.seed = seed;
    const r = await startRun(config, { spawnWorker: nodeSpawner(workerFile), onEvent: () => {} }).done;
    return 100 * r.summary.hitRate;
  };
  const d = (await hit(2)) - (await hit(1));
  if (Math.abs(d) > Math.abs(worst)) worst = d;
  console.log(
    `${GUESTS} guest(s), seed ${seed}: parallel - deterministic ${d.toFixed(3)} pp, load ${loadavg()[0].toFixed(2)}`,
  );
}
console.log(`worst ${worst.toFixed(3)} pp`);
