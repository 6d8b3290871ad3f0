/**
 * Engine figures of issue 8, measured in CPU time where the machine is shared:
 *
 * 1. Synthetic accesses per second on a 64-vCPU scenario, 1 worker (deterministic) vs 2 workers (a
 *    spread run, sim/spread.ts: the vCPUs over both workers, the host's reclaim on worker 0, one
 *    shared stage-2), and the speed-up. Two shapes: 64 vCPUs over 4 guests (16 each) and 64 vCPUs in
 *    ONE guest. Rate = accesses / wall seconds of the run (a parallel run's point is wall time); CPU
 *    seconds and the load average are printed next to it, since other processes compete for the two
 *    cores. Also the hit rate of each (parallel − 1 worker, in pp, round i on seed i + 1 against the
 *    deterministic run of the same seed, and the mean over rounds; the acceptance: within 0.5 pp) and
 *    the races the parallel run had for real: lost cmpxchg, table frees deferred by a reader.
 * 2. Start-up of a 64 GiB guest: CPU time of prepareRun (validate, plan, arena + shared buffers)
 *    and of building the worker's core (stage-2 root, policy, actors), and the simulator's shared
 *    bytes per guest page (arena + per-guest page metadata; tables for a fully mapped guest).
 *    Load-independent figure (the machine is shared): each worker's thread CPU per quantum (core/sim/probe.ts,
 *    /proc/thread-self/schedstat), summed over quanta as the slowest worker's: the critical path of an idle
 *    machine with a core per worker. Predicted idle speed-up = the 1-worker run's thread CPU ÷ the 2-worker
 *    run's critical path (barrier waits excluded: they cost no CPU when the peer runs on its own core).
 *    The same over the second half of virtual time only (lateHalf): most of each worker isolate's warm-up
 *    excluded. Background threads (V8's TurboFan compiles, GC helpers) are in neither: thread CPU is the
 *    worker's own.
 * 3. Agreement over a longer run (ENGINE_LONG_MS, 4 guests, seeds 1..ROUNDS): session 9 found that the
 *    2-worker spread run trails the deterministic run beyond ~350 ms of virtual time (sim/spread.ts,
 *    "Measured bias"), which the 200 ms runs above do not reach. Printed so the bias stays visible.
 *    With ENGINE_WARM=1, the same on kept, warm workers (a run of seed 1 first on the same isolates), as the app runs them.
 * Env: ENGINE_WARM (1: the warm line), ENGINE_ROUNDS (default 3), ENGINE_MS (virtual ms per synthetic run, default 200), ENGINE_LONG_MS
 * (default 600; 0 skips 3).
 */
import { loadavg } from 'node:os';
import path from 'node:path';
import { startRun } from '../engine/host/engine.ts';
import { nodeSpawner, nodeWorkerPool } from '../engine/host/node/spawn.ts';
import type { SpawnWorker } from '../engine/host/messages.ts';
import type { RunResult, ScenarioConfig } from '../engine/protocol.ts';
import { prepareRun } from '../engine/core/sim/run.ts';
import { SimWorkerCore } from '../engine/core/sim/simCore.ts';
import { loadPresetDir } from '../presets/node.ts';
import { median, vcpus64Scenario } from './_util.ts';
import { planRun } from '../engine/core/sim/plan.ts';
import {
  createProbe,
  criticalPath,
  P_BUSY_CPU_MS,
  P_QUANTA,
  PQ_CPU_MS,
  pqAt,
  probeQuanta,
  probeRow,
} from '../engine/core/sim/probe.ts';

const root = process.cwd();
const workerFile = path.join(root, '.cache', 'workers', 'sim-worker.mjs');
const ROUNDS = Number(process.env.ENGINE_ROUNDS ?? 3);
const MS = Number(process.env.ENGINE_MS ?? 200);
const presets = loadPresetDir(path.join(root, 'presets'));
const hw = presets.set.hardware.get('ampere-altra');
if (!hw) throw new Error(`no hardware preset 'ampere-altra': ${presets.problems.join('; ')}`);
const cpuNow = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const load = (): string =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

const vcpus64 = (guests: number, workers: number, seed = 1): ScenarioConfig =>
  vcpus64Scenario(hw as NonNullable<typeof hw>, guests, workers, MS, true, seed);

interface Measured {
  rate: number;
  cpuS: number;
  wallS: number;
  hit: number;
  workers: number;
  casFailures: number;
  deferredFrees: number;
  /** Thread CPU ms: the sum over quanta of the slowest worker's (critical path), and of all workers'. */
  criticalMs: number;
  workMs: number;
  /** Each worker's thread CPU in its actors' steps (ms). */
  busyMs: number[];
  /** criticalMs and workMs over the second half of the quanta only (virtual time from MS / 2 on). */
  lateCriticalMs: number;
  lateWorkMs: number;
}

/**
 * The critical path and the work of the quanta from the run's middle on: most of each worker isolate's
 * warm-up (interpreter, baseline code, first TurboFan compiles, the first-fault code paths) falls in the
 * first half, so this is nearer the per-access cost. Not a steady state: the scenario's phases differ
 * (fault-in first, reclaim later), so it is compared only with the same half of the other run.
 */
function lateHalf(rows: Float64Array[]): { lateCriticalMs: number; lateWorkMs: number } {
  const quanta = rows.length > 0 ? rows[0][P_QUANTA] : 0;
  let lateCriticalMs = 0;
  let lateWorkMs = 0;
  for (let q = Math.floor(quanta / 2); q < quanta; q++) {
    let max = 0;
    for (const r of rows) {
      const x = r[pqAt(r, PQ_CPU_MS, q)] ?? 0;
      lateWorkMs += x;
      if (x > max) max = x;
    }
    lateCriticalMs += max;
  }
  return { lateCriticalMs, lateWorkMs };
}

async function run(config: ScenarioConfig, spawnWorker: SpawnWorker = nodeSpawner(workerFile)): Promise<Measured> {
  const plan = planRun(config, config.run.workers);
  const quanta = probeQuanta(plan);
  const probe = createProbe(plan.workers, quanta);
  const c0 = cpuNow();
  const w0 = performance.now();
  const r: RunResult = await startRun(config, {
    spawnWorker,
    onEvent: () => {},
    probe,
  }).done;
  const wallS = (performance.now() - w0) / 1000;
  const rows = Array.from({ length: plan.workers }, (_, w) => probeRow(probe, w, quanta));
  return {
    ...criticalPath(rows),
    ...lateHalf(rows),
    busyMs: rows.map((x) => x[P_BUSY_CPU_MS]),
    rate: r.summary.accesses / wallS,
    cpuS: cpuNow() - c0,
    wallS,
    hit: r.summary.hitRate,
    workers: r.workers,
    casFailures: r.summary.cmpxchgFailures,
    deferredFrees: r.summary.rcuDeferredFrees ?? 0,
  };
}

console.log(`64-vCPU synthetic scenario, ${MS} ms virtual, ${ROUNDS} rounds, load average at start ${load()}`);
for (const guests of [4, 1]) {
  const one: Measured[] = [];
  const two: Measured[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Round i runs seed i + 1 on both: a parallel run is one realisation of its seed, and one
    // deterministic seed can sit apart from the others (session 7: seed 1 of the 4-guest scenario is
    // 0.4-0.5 pp above seeds 2-6), so agreement is read per seed and as the mean over the rounds.
    one.push(await run(vcpus64(guests, 1, round + 1)));
    two.push(await run(vcpus64(guests, 2, round + 1)));
  }
  const r1 = median(one.map((m) => m.rate));
  const r2 = median(two.map((m) => m.rate));
  const line = (label: string, ms: Measured[]): string =>
    `  ${label}: ${(median(ms.map((m) => m.rate)) / 1e6).toFixed(2)} M accesses/s (wall), ${(median(ms.map((m) => (m.rate * m.wallS) / m.cpuS)) / 1e6).toFixed(2)} M per CPU second, CPU ${median(ms.map((m) => m.cpuS)).toFixed(2)} s, wall ${median(ms.map((m) => m.wallS)).toFixed(2)} s, hit ${ms.map((m) => (100 * m.hit).toFixed(2)).join(' / ')} %, plan ${ms[0].workers} worker(s)`;
  console.log(`64 vCPUs in ${guests} guest(s):`);
  console.log(line('1 worker ', one));
  console.log(line('2 workers', two));
  const hitDiff = two.map((m, i) => 100 * (m.hit - one[i].hit));
  const meanDiff = hitDiff.reduce((a, d) => a + d, 0) / hitDiff.length;
  console.log(
    `  speed-up 2 ÷ 1 workers = ${(r2 / r1).toFixed(2)} (wall), ${(median(two.map((m) => (m.rate * m.wallS) / m.cpuS)) / median(one.map((m) => (m.rate * m.wallS) / m.cpuS))).toFixed(2)} (per CPU second); ` +
      `hit rate parallel − 1 worker = ${hitDiff.map((d) => d.toFixed(2)).join(', ')} pp (seeds 1..${ROUNDS}, each against the deterministic run of its seed; mean ${meanDiff.toFixed(2)} pp); ` +
      `parallel races: cmpxchg failures ${two.map((m) => m.casFailures).join(', ')}, RCU-deferred table frees ${two.map((m) => m.deferredFrees).join(', ')}; load ${load()}`,
  );
  // Load-independent: thread CPU (probe.ts). Round i's 2-worker critical path against round i's 1-worker CPU.
  const predicted = two.map((m, i) => one[i].workMs / m.criticalMs);
  console.log(
    `  idle-machine prediction (thread CPU): 1 worker ${median(one.map((m) => m.workMs)).toFixed(0)} ms; 2 workers ${median(two.map((m) => m.workMs)).toFixed(0)} ms in all, ` +
      `critical path ${median(two.map((m) => m.criticalMs)).toFixed(0)} ms (workers' busy CPU ${two.map((m) => m.busyMs.map((x) => x.toFixed(0)).join(' / ')).join(', ')}); ` +
      `speed-up 2 ÷ 1 = ${median(predicted).toFixed(2)} (rounds ${predicted.map((x) => x.toFixed(2)).join(', ')})`,
  );
  // The same from the run's middle on (lateHalf): the warm-up of each worker isolate mostly excluded.
  const late = two.map((m, i) => one[i].lateWorkMs / m.lateCriticalMs);
  const lateWork = two.map((m, i) => m.lateWorkMs / one[i].lateWorkMs);
  console.log(
    `  second half of virtual time only (${MS / 2}-${MS} ms; most of the warm-up excluded, same thread CPU): 1 worker ${median(one.map((m) => m.lateWorkMs)).toFixed(0)} ms; ` +
      `2 workers ${median(two.map((m) => m.lateWorkMs)).toFixed(0)} ms in all (x${median(lateWork).toFixed(2)} the work; whole run x${median(two.map((m, i) => m.workMs / one[i].workMs)).toFixed(2)}), ` +
      `critical path ${median(two.map((m) => m.lateCriticalMs)).toFixed(0)} ms; speed-up 2 ÷ 1 = ${median(late).toFixed(2)} (rounds ${late.map((x) => x.toFixed(2)).join(', ')})`,
  );
  // Kept workers (engine/host/workerPool.ts), as the app runs them (main/engine.ts keeps a pool): a run of
  // seed 1 on each pool first, then the measured run of seed 1 on the same, now warm, isolates. Session 16
  // (b): a fresh isolate's start-up and warm-up (ICs, baseline code, heap growth) are paid once per worker,
  // so a cold 2-worker run pays them twice for half the work each (docs/ARCHITECTURE.md). ENGINE_WARM=1 runs it.
  if (process.env.ENGINE_WARM === '1') {
    const warm: Measured[] = [];
    for (const workers of [1, 2]) {
      const pool = nodeWorkerPool(workerFile);
      await run(vcpus64(guests, workers, 1), pool.spawn);
      warm.push(await run(vcpus64(guests, workers, 1), pool.spawn));
      pool.close();
    }
    console.log(
      `  kept, warm workers (seed 1, second run on the same isolates): 1 worker ${warm[0].workMs.toFixed(0)} ms; 2 workers ${warm[1].workMs.toFixed(0)} ms in all ` +
        `(x${(warm[1].workMs / warm[0].workMs).toFixed(2)} the work), critical path ${warm[1].criticalMs.toFixed(0)} ms; speed-up 2 ÷ 1 = ${(warm[0].workMs / warm[1].criticalMs).toFixed(2)}; load ${load()}`,
    );
  }
}
console.log(`load average after the synthetic runs ${load()}`);

const LONG_MS = Number(process.env.ENGINE_LONG_MS ?? 600);
if (LONG_MS > 0) {
  const diffs: number[] = [];
  const hits: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const det = await run(vcpus64Scenario(hw as NonNullable<typeof hw>, 4, 1, LONG_MS, true, round + 1));
    const par = await run(vcpus64Scenario(hw as NonNullable<typeof hw>, 4, 2, LONG_MS, true, round + 1));
    diffs.push(100 * (par.hit - det.hit));
    hits.push(`${(100 * det.hit).toFixed(2)} / ${(100 * par.hit).toFixed(2)}`);
  }
  const mean = diffs.reduce((a, d) => a + d, 0) / diffs.length;
  console.log(
    `agreement over ${LONG_MS} ms virtual, 64 vCPUs in 4 guests: hit rate deterministic / 2 workers ${hits.join(', ')} %; ` +
      `parallel − 1 worker = ${diffs.map((d) => d.toFixed(2)).join(', ')} pp (seeds 1..${ROUNDS}; mean ${mean.toFixed(2)} pp; the acceptance: within 0.5 pp); load ${load()}`,
  );
}

// ---- start-up and memory of a 64 GiB guest --------------------------------------------------
function bigGuest(): ScenarioConfig {
  const c = vcpus64(1, 1);
  c.name = '64 GiB guest';
  c.guests[0].memoryMiB = 64 * 1024;
  c.guests[0].workload = { kind: 'uniform', pages: 64 * 1024 * 256, writeFraction: 0, thinkNs: 0 };
  c.host.memoryMiB = 64 * 1024;
  return c;
}
const prepS: number[] = [];
const coreS: number[] = [];
let bytes = 0;
let pages = 0;
let tableBytes = 0;
for (let round = 0; round < ROUNDS; round++) {
  const c0 = cpuNow();
  const p = prepareRun(bigGuest(), {}, 1);
  const c1 = cpuNow();
  const core = new SimWorkerCore(p.config, p.plan, p.buffers, 0, { rows: () => {}, progress: () => {} });
  const c2 = cpuNow();
  core.close();
  prepS.push(c1 - c0);
  coreS.push(c2 - c1);
  const b = p.buffers;
  tableBytes = b.arena.byteLength;
  bytes =
    b.arena.byteLength +
    b.control.byteLength +
    b.time.byteLength +
    b.stats.byteLength +
    b.vlocks.byteLength +
    b.pagesI32.reduce((n, s) => n + s.byteLength, 0) +
    b.pagesF64.reduce((n, s) => n + s.byteLength, 0);
  pages = p.plan.guestPages[0];
}
console.log(
  `64 GiB guest (${pages} pages): start-up CPU ${(median(prepS) * 1000).toFixed(0)} ms prepareRun + ${(median(coreS) * 1000).toFixed(0)} ms worker core; shared memory ${(bytes / 2 ** 20).toFixed(0)} MiB = ${(bytes / pages).toFixed(1)} B per guest page (arena, sized for every page mapped: ${(tableBytes / pages).toFixed(1)} B/page)`,
);

// The whole start of a run on a worker: startRun of the 64 GiB guest for 1 ms of virtual time.
const startCpu: number[] = [];
const startWall: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const c = bigGuest();
  c.run.durationMs = 1;
  c.run.sampleIntervalMs = 1;
  const m = await run(c);
  startCpu.push(m.cpuS);
  startWall.push(m.wallS);
}
console.log(
  `64 GiB guest, whole run of 1 ms virtual on a worker (spawn, buffers, build, run, result): CPU ${(median(startCpu) * 1000).toFixed(0)} ms, wall ${(median(startWall) * 1000).toFixed(0)} ms; load average ${load()}`,
);
