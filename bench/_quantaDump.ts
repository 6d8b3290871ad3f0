// Diagnostics (not a bench): per-quantum thread CPU of each worker of a spread run (core/sim/probe.ts),
// written as CSV to OUT (default .cache/quanta.csv). Env: GUESTS (4), MS (200), W (2), SEED (1).
import { loadavg } from 'node:os';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startRun } from '../engine/host/engine.ts';
import { nodeSpawner } from '../engine/host/node/spawn.ts';
import { planRun } from '../engine/core/sim/plan.ts';
import * as P from '../engine/core/sim/probe.ts';
import { loadPresetDir } from '../presets/node.ts';
import { vcpus64Scenario } from './_util.ts';

const root = process.cwd();
const workerFile = path.join(root, '.cache', 'workers', 'sim-worker.mjs');
const hw = loadPresetDir(path.join(root, 'presets')).set.hardware.get('ampere-altra')!;
const GUESTS = Number(process.env.GUESTS ?? 4);
const MS = Number(process.env.MS ?? 200);
const W = Number(process.env.W ?? 2);
const config = vcpus64Scenario(hw, GUESTS, W, MS);
config.run.seed = Number(process.env.SEED ?? 1);
const plan = planRun(config, W);
const quanta = P.probeQuanta(plan);
const probe = P.createProbe(plan.workers, quanta);
const r = await startRun(config, { spawnWorker: nodeSpawner(workerFile), onEvent: () => {}, probe }).done;
const rows = Array.from({ length: plan.workers }, (_, i) => P.probeRow(probe, i, quanta));
const cp = P.criticalPath(rows);
// Column prefixes in probe.ts's PQ_* order (stp: scheduler steps, kst / kms: kswapd's steps and wall ms).
const series = ['cpu', 'acc', 'flt', 'evi', 'dir', 'stp', 'kst', 'kms'];
const lines = ['q,' + series.flatMap((s) => rows.map((_, i) => `${s}${i}`)).join(',')];
for (let q = 0; q < quanta; q++)
  lines.push(`${q},` + series.flatMap((_, s) => rows.map((x) => x[P.pqAt(x, s, q)].toFixed(3))).join(','));
writeFileSync(process.env.OUT ?? path.join(root, '.cache', 'quanta.csv'), lines.join('\n') + '\n');
console.log(
  `${GUESTS} guest(s), ${r.workers} worker(s): hit ${(100 * r.summary.hitRate).toFixed(3)} %, accesses ${r.summary.accesses}, critical ${cp.criticalMs.toFixed(0)} of ${cp.workMs.toFixed(0)} ms (${(cp.workMs / cp.criticalMs).toFixed(2)}), load ${loadavg()[0].toFixed(2)}`,
);
for (const [i, x] of rows.entries())
  console.log(
    `worker ${i}: busy ${x[P.P_BUSY_CPU_MS].toFixed(1)} heat ${x[P.P_HEAT_CPU_MS].toFixed(1)} serial ${x[P.P_SERIAL_CPU_MS].toFixed(1)} barrier ${x[P.P_BARRIER_CPU_MS].toFixed(1)} ms CPU, accesses ${x[P.P_ACCESSES]}, vCPUs ${x[P.P_VCPUS]}, actors ${x[P.P_ACTORS]}`,
  );
