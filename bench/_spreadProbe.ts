// Diagnostics of spread runs (not a bench): where each worker's time goes on the 64-vCPU scenario
// (core/sim/probe.ts), 1 worker vs N, with the load average, and the idle-machine prediction (critical
// path of per-quantum thread CPU). Env: GUESTS (1), MS (200), W ('1,2'), ROUNDS (1), SEEDS ('1').
import { loadavg } from 'node:os';
import path from 'node:path';
import { startRun } from '../engine/host/engine.ts';
import { nodeSpawner, nodeWorkerPool } from '../engine/host/node/spawn.ts';
import type { SimWorkerPool } from '../engine/host/workerPool.ts';
import { planRun, setReclaimWorkerVcpuWeight } from '../engine/core/sim/plan.ts';
// SPREAD_W0: plan.ts RECLAIM_WORKER_VCPU_WEIGHT for this diagnostic's runs (the plan travels to the workers).
if (process.env.SPREAD_W0) setReclaimWorkerVcpuWeight(Number(process.env.SPREAD_W0));
import * as P from '../engine/core/sim/probe.ts';
import { loadPresetDir } from '../presets/node.ts';
import { attachArena } from '../engine/core/layout.ts';
import { lockStats } from '../engine/core/kvm/mmuLock.ts';
import type { SimBuffers } from '../engine/core/sim/simLayout.ts';
import { vcpus64Scenario } from './_util.ts';

const root = process.cwd();
// SIM_WORKER: another bundle of the sim worker (absolute path), e.g. to compare two builds in interleaved runs.
const workerFile = process.env.SIM_WORKER ?? path.join(root, '.cache', 'workers', 'sim-worker.mjs');
const hw = loadPresetDir(path.join(root, 'presets')).set.hardware.get('ampere-altra')!;
const GUESTS = Number(process.env.GUESTS ?? 1);
const MS = Number(process.env.MS ?? 200);
const ROUNDS = Number(process.env.ROUNDS ?? 1);
const f = (x: number, d = 0): string => (Number.isFinite(x) ? x.toFixed(d) : '-');
const SEEDS = (process.env.SEEDS ?? '1').split(',').map(Number);
// POOL=1: kept workers (workerPool.ts), one pool per worker count, so every run after the first of its
// worker count runs on warm workers (the JIT's code of the runs before): the run without the warm-up.
const pools = new Map<number, SimWorkerPool>();
const spawnFor = (w: number) => {
  if (!process.env.POOL) return nodeSpawner(workerFile);
  if (!pools.has(w)) pools.set(w, nodeWorkerPool(workerFile));
  return (pools.get(w) as SimWorkerPool).spawn;
};
for (let round = 0; round < ROUNDS; round++)
  for (const seed of SEEDS)
    for (const w of (process.env.W ?? '1,2').split(',').map(Number)) {
      const config = vcpus64Scenario(hw, GUESTS, w, MS);
      config.run.seed = seed;
      const plan = planRun(config, w);
      const quanta = P.probeQuanta(plan);
      const probe = P.createProbe(plan.workers, quanta);
      const t0 = performance.now();
      let buffers: SimBuffers | undefined;
      const r = await startRun(config, {
        spawnWorker: spawnFor(w),
        onEvent: () => {},
        // NOPROBE=1: no probe (the run as a user's; the per-worker figures below are then 0).
        probe: process.env.NOPROBE ? undefined : probe,
        onPrepared: (b) => (buffers = b),
      }).done;
      const wall = performance.now() - t0;
      const rows = Array.from({ length: plan.workers }, (_, i) => P.probeRow(probe, i, quanta));
      const cp = P.criticalPath(rows);
      console.log(
        `seed ${seed}, ${GUESTS} guest(s), ${r.workers} worker(s): wall ${f(wall)} ms, hit ${(100 * r.summary.hitRate).toFixed(3)} %, accesses ${r.summary.accesses}, ` +
          `critical path ${f(cp.criticalMs)} ms of ${f(cp.workMs)} ms work (idle-machine speed-up over one core ${(cp.workMs / cp.criticalMs).toFixed(2)}), load ${loadavg()[0].toFixed(2)}`,
      );
      if (buffers) {
        // The real locks: each guest's MMU rwlock, then (spread runs) lru_lock: acquisitions and contended ones.
        const a = attachArena(buffers.arena);
        // lockStats: the shared words plus each worker's own (layout.ts lockCpu, session 16 (i)).
        const locks = Array.from({ length: a.maxLocks }, (_, k) => {
          const s = lockStats(a, k);
          return `${k < GUESTS ? `mmu_lock ${k}` : 'lru_lock'}: read ${s.readAcquires} (${s.readContended} contended), write ${s.writeAcquires} (${s.writeContended} contended)`;
        });
        console.log(`  real locks: ${locks.join('; ')}`);
      }
      if (rows.length === 2) {
        // Per-quantum imbalance: how often worker 0 is the slower one, and the slower one's excess over the mean.
        let w0Slower = 0;
        let excess = 0;
        for (let q = 0; q < quanta; q++) {
          const a = rows[0][P.pqAt(rows[0], P.PQ_CPU_MS, q)];
          const b = rows[1][P.pqAt(rows[1], P.PQ_CPU_MS, q)];
          if (a > b) w0Slower++;
          excess += Math.abs(a - b) / 2;
        }
        console.log(
          `  per quantum: worker 0 the slower in ${w0Slower} of ${quanta}; slower's excess over the mean ${f(excess)} ms in all`,
        );
        // Where the critical path goes on an idle machine: each worker's CPU per quantum and its wait at the
        // barrier (the slower worker's CPU minus its own), by kind of quantum: stall (fewer than 500 accesses
        // on either worker: vCPUs in reclaim, throttled or retrying; kswapd's walk), normal, and q0 (start-up).
        const kinds = new Map<string, { n: number; crit: number; cpu: number[]; idle: number[] }>();
        for (let q = 0; q < quanta; q++) {
          const cpu = rows.map((x) => x[P.pqAt(x, P.PQ_CPU_MS, q)]);
          const acc = rows.map((x) => x[P.pqAt(x, P.PQ_ACCESSES, q)]);
          const kind = q === 0 ? 'q0' : Math.min(...acc) < 500 ? 'stall' : 'normal';
          const k = kinds.get(kind) ?? { n: 0, crit: 0, cpu: [0, 0], idle: [0, 0] };
          const m = Math.max(...cpu);
          k.n++;
          k.crit += m;
          cpu.forEach((c, i) => {
            k.cpu[i] += c;
            k.idle[i] += m - c;
          });
          kinds.set(kind, k);
        }
        console.log(
          `  critical path by quantum kind (CPU ms w0 / w1, idle at the barrier w0 / w1): ` +
            [...kinds.entries()]
              .map(
                ([k, v]) =>
                  `${k} ${v.n} quanta crit ${f(v.crit)} (${v.cpu.map((x) => f(x)).join(' / ')}; idle ${v.idle.map((x) => f(x)).join(' / ')})`,
              )
              .join('; '),
        );
      }
      // WIN=<ms>: thread CPU and accesses per window of virtual time, all workers summed: warm-up (first
      // windows) against steady state, and CPU per access (ns) per window.
      if (process.env.WIN) {
        const per = Math.max(1, Math.round((Number(process.env.WIN) * 1e6) / plan.quantumNs));
        const parts: string[] = [];
        for (let q0 = 0; q0 < quanta; q0 += per) {
          let cpuMs = 0;
          let acc = 0;
          for (const x of rows)
            for (let q = q0; q < Math.min(quanta, q0 + per); q++) {
              cpuMs += x[P.pqAt(x, P.PQ_CPU_MS, q)];
              acc += x[P.pqAt(x, P.PQ_ACCESSES, q)];
            }
          parts.push(`${f(cpuMs)} ms/${(acc / 1e3).toFixed(0)}k=${f((cpuMs * 1e6) / acc)} ns`);
        }
        console.log(`  per ${process.env.WIN} ms window (CPU ms / accesses = ns per access): ${parts.join(' | ')}`);
      }
      // Scheduler steps (load-independent work): all of the run, per worker, and kswapd's of them.
      const stepsOf = (x: Float64Array, series: number): number => {
        let n = 0;
        for (let q = 0; q < quanta; q++) n += x[P.pqAt(x, series, q)];
        return n;
      };
      console.log(
        `  scheduler steps per worker (kswapd's): ${rows.map((x) => `${stepsOf(x, P.PQ_STEPS)} (${stepsOf(x, P.PQ_KSWAPD_STEPS)})`).join(' / ')}`,
      );
      rows.forEach((x, i) =>
        console.log(
          `  w${i}: vcpus ${x[P.P_VCPUS]} actors ${x[P.P_ACTORS]} | wall busy ${f(x[P.P_BUSY_WALL_MS])} barrier ${f(x[P.P_BARRIER_WALL_MS])} serial ${f(x[P.P_SERIAL_WALL_MS])} ms | ` +
            `cpu busy ${f(x[P.P_BUSY_CPU_MS])} heat ${f(x[P.P_HEAT_CPU_MS])} barrier ${f(x[P.P_BARRIER_CPU_MS])} serial ${f(x[P.P_SERIAL_CPU_MS])} ms, run-delay ${f(x[P.P_RUN_DELAY_MS])} ms | ` +
            `accesses ${x[P.P_ACCESSES]} s2faults ${x[P.P_S2_FAULTS]} evictions ${x[P.P_EVICTIONS]} direct ${x[P.P_DIRECT_RECLAIM]}`,
        ),
      );
    }
for (const p of pools.values()) p.close();
