// Diagnostics (not a bench): where in virtual time a 2-worker spread run's extra thread CPU falls. The
// bench engine's 64-vCPU scenario (argv: guests (4), ms (200), rounds (2), window ms (25)), 1 worker and 2
// workers alternating, seed 1; per window of virtual time the summed thread CPU of all workers' quanta
// (probe.ts PQ_CPU_MS), the ratio, and the run's evictions; then the whole-run work, critical path and
// predicted idle speed-up (bench/engine.ts's figures for one seed). Load average printed: thread CPU is
// still noisy on a loaded machine.
import path from 'node:path';
import { loadavg } from 'node:os';
import { startRun } from '../engine/host/engine.ts';
import { nodeSpawner } from '../engine/host/node/spawn.ts';
import { planRun } from '../engine/core/sim/plan.ts';
import {
  createProbe,
  criticalPath,
  P_QUANTA,
  PQ_CPU_MS,
  PQ_EVICTIONS,
  pqAt,
  probeQuanta,
  probeRow,
} from '../engine/core/sim/probe.ts';
import { loadPresetDir } from '../presets/node.ts';
import { vcpus64Scenario } from './_util.ts';

const root = process.cwd();
const hw = loadPresetDir(path.join(root, 'presets')).set.hardware.get('ampere-altra')!;
const guests = Number(process.argv[2] ?? 4);
const ms = Number(process.argv[3] ?? 200);
const rounds = Number(process.argv[4] ?? 2);
const winMs = Number(process.argv[5] ?? 25);

async function one(workers: number): Promise<{ cpu: number[]; ev: number[]; crit: number; work: number; hit: number }> {
  const c = vcpus64Scenario(hw, guests, workers, ms, true, 1);
  const plan = planRun(c, workers);
  const quanta = probeQuanta(plan);
  const probe = createProbe(plan.workers, quanta);
  const r = await startRun(c, {
    spawnWorker: nodeSpawner(path.join(root, '.cache', 'workers', 'sim-worker.mjs')),
    onEvent: () => {},
    probe,
  }).done;
  const rows = Array.from({ length: plan.workers }, (_, w) => probeRow(probe, w, quanta));
  const perWin = Math.round((winMs * 1e6) / plan.quantumNs);
  const n = Math.ceil(rows[0][P_QUANTA] / perWin);
  const cpu = new Array<number>(n).fill(0);
  const ev = new Array<number>(n).fill(0);
  for (const row of rows)
    for (let q = 0; q < row[P_QUANTA]; q++) {
      cpu[Math.floor(q / perWin)] += row[pqAt(row, PQ_CPU_MS, q)];
      ev[Math.floor(q / perWin)] += row[pqAt(row, PQ_EVICTIONS, q)];
    }
  const { criticalMs, workMs } = criticalPath(rows);
  return { cpu, ev, crit: criticalMs, work: workMs, hit: r.summary.hitRate };
}

for (let round = 0; round < rounds; round++) {
  const a = await one(1);
  const b = await one(2);
  console.log(
    `round ${round}: work 1w ${a.work.toFixed(0)} ms, 2w ${b.work.toFixed(0)} ms (x${(b.work / a.work).toFixed(2)}), ` +
      `critical ${b.crit.toFixed(0)} ms, predicted ${(a.work / b.crit).toFixed(2)}; hit ${(100 * a.hit).toFixed(2)} / ${(100 * b.hit).toFixed(2)} %; load ${loadavg()[0].toFixed(2)}`,
  );
  console.log(
    '  per window (ms virtual: 1w / 2w CPU ms, ratio, evictions 1w/2w): ' +
      a.cpu
        .map(
          (x, i) =>
            `${i * winMs}: ${x.toFixed(0)}/${b.cpu[i].toFixed(0)} x${(b.cpu[i] / x).toFixed(2)} ev ${a.ev[i]}/${b.ev[i]}`,
        )
        .join('; '),
  );
}
