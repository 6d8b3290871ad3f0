// Diagnostics (not a bench), session 16 (b): is a 2-worker spread run's extra thread CPU the spread run's, or
// any two isolates' in one process? MODE=one: one 1-worker run of the 64-vCPU scenario; MODE=pair: two
// independent 1-worker runs at once in this process (each its own buffers and worker thread); MODE=spread:
// one 2-worker run. Each worker's thread CPU from the probe (core/sim/probe.ts: busy + heat + serial, the
// barrier's excluded), plus every thread of the process from /proc/self/task/*/stat (sampled every 50 ms,
// the last value kept per thread: worker threads exit at the run's end). Env: GUESTS (4), MS (200), SEED (1),
// ROUNDS (1), POOL, HEAT (0: no heat map), WORKER (bundle path; default .cache/workers/sim-worker.mjs, the general bundle).
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { startRun } from '../engine/host/engine.ts';
import { nodeSpawner, nodeWorkerPool } from '../engine/host/node/spawn.ts';
import { planRun } from '../engine/core/sim/plan.ts';
import * as P from '../engine/core/sim/probe.ts';
import { loadPresetDir } from '../presets/node.ts';
import { vcpus64Scenario } from './_util.ts';

const root = process.cwd();
const workerFile = process.env.WORKER ?? path.join(root, '.cache', 'workers', 'sim-worker.mjs');
const hw = loadPresetDir(path.join(root, 'presets')).set.hardware.get('ampere-altra')!;
const GUESTS = Number(process.env.GUESTS ?? 4);
const MS = Number(process.env.MS ?? 200);
const SEED = Number(process.env.SEED ?? 1);
const MODE = process.env.MODE ?? 'pair';
const TICK = 1000 / 100; // USER_HZ
// POOL=1: kept workers (engine/host/workerPool.ts), so rounds after the first run on warm isolates.
const pool = process.env.POOL ? nodeWorkerPool(workerFile) : undefined;

/** Per-thread CPU (ms) of this process: tid -> [comm, utime + stime]. */
const threads = new Map<string, [string, number]>();
function sampleThreads(): void {
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const s = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const comm = s.slice(s.indexOf('(') + 1, s.lastIndexOf(')'));
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      threads.set(tid, [comm, (Number(f[11]) + Number(f[12])) * TICK]);
    } catch {
      /* the thread exited between readdir and read */
    }
  }
}

async function oneRun(workers: number): Promise<{ cpu: number[]; heat: number[]; hit: number; wall: number }> {
  const config = vcpus64Scenario(hw, GUESTS, workers, MS);
  config.run.seed = SEED;
  const plan = planRun(config, workers);
  const quanta = P.probeQuanta(plan);
  const probe = P.createProbe(plan.workers, quanta);
  const t0 = performance.now();
  const r = await startRun(config, {
    spawnWorker: pool?.spawn ?? nodeSpawner(workerFile),
    onEvent: () => {},
    probe,
    heatmap: process.env.HEAT !== '0',
  }).done;
  const wall = performance.now() - t0;
  const cpu = Array.from({ length: plan.workers }, (_, i) => {
    const x = P.probeRow(probe, i, quanta);
    return x[P.P_BUSY_CPU_MS] + x[P.P_HEAT_CPU_MS] + x[P.P_SERIAL_CPU_MS];
  });
  const heat = Array.from({ length: plan.workers }, (_, i) => P.probeRow(probe, i, quanta)[P.P_HEAT_CPU_MS]);
  return { cpu, heat, hit: r.summary.hitRate, wall };
}

for (let round = 0; round < Number(process.env.ROUNDS ?? 1); round++) {
  threads.clear();
  // The monotonic clock (s) at the round's start: splits a `perf record -k CLOCK_MONOTONIC` profile by round.
  if (process.env.MARKS) console.log(`mark ${round} ${(Number(process.hrtime.bigint()) / 1e9).toFixed(6)}`);
  const timer = setInterval(sampleThreads, 50);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const runs = MODE === 'pair' ? await Promise.all([oneRun(1), oneRun(1)]) : [await oneRun(MODE === 'spread' ? 2 : 1)];
  const wall = performance.now() - t0;
  clearInterval(timer);
  sampleThreads();
  const u = process.cpuUsage(c0);
  // Every thread (all are named 'node' here), largest first: tid's CPU; the first is the main thread's tid.
  const byName = new Map<string, number>();
  for (const [tid, [, ms]] of threads) if (ms > 0) byName.set(tid === String(process.pid) ? 'main' : tid, ms);
  console.log(
    `${MODE} ${GUESTS}g seed ${SEED}: worker thread CPU ${runs.map((r) => r.cpu.map((c) => c.toFixed(0)).join('+')).join(' | ')} ms (heat ${runs.map((r) => r.heat.map((c) => c.toFixed(0)).join('+')).join(' | ')}), ` +
      `hit ${runs.map((r) => (100 * r.hit).toFixed(3)).join(' | ')}, wall ${wall.toFixed(0)} ms, process CPU ${((u.user + u.system) / 1e3).toFixed(0)} ms, load ${loadavg()[0].toFixed(2)}`,
  );
  console.log(
    `  threads: ${[...byName.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v.toFixed(0)}`)
      .join(', ')}`,
  );
}
// The end of the last round: samples after it (the kept workers' isolate teardown at pool.close) belong to no round.
if (process.env.MARKS) console.log(`mark end ${(Number(process.hrtime.bigint()) / 1e9).toFixed(6)}`);
pool?.close();
