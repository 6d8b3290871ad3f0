/**
 * The reproductions (`lab reproduce`): wall time of each run and of all of them, and the simulator's
 * memory per guest page (plan.simBytesPerPage) for the reproductions' guests and for a 64 GiB guest.
 * Runs one at a time here (other benches and helpers share the machine: wall times are noisy).
 */
import path from 'node:path';
import { availableParallelism } from 'node:os';
import { reproductionConfigs } from '../engine/cli/reproduce.ts';
import { REPRODUCTIONS } from '../engine/core/repro/reproductions.ts';
import { planRun, simBytesPerPage } from '../engine/core/sim/plan.ts';
import { startRun } from '../engine/host/engine.ts';
import { nodeSpawner } from '../engine/host/node/spawn.ts';

const root = process.cwd();
const workerFile = path.join(root, '.cache', 'workers', 'sim-worker.mjs');
const configs = reproductionConfigs(path.join(root, 'presets'), REPRODUCTIONS);

let total = 0;
for (const [key, config] of configs) {
  const t0 = Date.now();
  const r = await startRun(config, {
    spawnWorker: nodeSpawner(workerFile),
    cores: availableParallelism(),
    onEvent: () => {},
  }).done;
  const wall = (Date.now() - t0) / 1000;
  total += wall;
  const pages = config.guests.reduce((a, g) => a + g.memoryMiB * 256, 0);
  console.log(
    `${key.padEnd(44)} ${wall.toFixed(1).padStart(6)} s wall  ${(config.run.durationMs / 1000).toFixed(1)} s virtual  ` +
      `${(r.summary.accesses / wall / 1e6).toFixed(2)} M accesses/s wall  ${config.guests[0].vcpus} vCPUs  ` +
      `${simBytesPerPage(planRun(config, 1)).toFixed(1)} B/page (${pages} pages)`,
  );
}
console.log(
  `all ${configs.size} reproduction runs: ${total.toFixed(0)} s wall, one after another (lab reproduce runs two at a time)`,
);

const [first] = configs.values();
const big = {
  ...first,
  guests: [{ ...first.guests[0], memoryMiB: 64 * 1024 }],
  host: { ...first.host, memoryMiB: 48 * 1024 },
};
console.log(`simulator memory per guest page, one 64 GiB guest: ${simBytesPerPage(planRun(big, 1)).toFixed(1)} bytes`);
