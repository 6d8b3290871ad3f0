// Diagnostics (not a bench): a spread run's work measured on ONE thread (no cross-core effects, no lock waits):
// the two workers' runUntil of each quantum in turn (order 0,1 then 1,0, alternating per quantum), process
// CPU around each; MODE=one: the one-worker run (plain arena ops, as the sim worker selects). ACTORS=1 adds
// each worker's CPU in its vCPUs' and kswapd's run() calls (how the plan's vCPU split balances kswapd);
// PERW=1 gives each worker its own MMU-lock calendar (SimCoreHooks.perWorkerVLock, the spread test's
// control). The critical path here reflects the one-thread order, not real threads. Env: GUESTS (4), MS
// (200), SEED (1), THREAD, ROUNDS.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { prepareRun, buildResult, RowStore } from '../engine/core/sim/run.ts';
import { SimWorkerCore } from '../engine/core/sim/simCore.ts';
import { CTL_DONE, TIME_QUANTUM_END, GS_ACCESSES, GS_WORDS } from '../engine/core/sim/simLayout.ts';
import { plainArenaOps, setAtomicOps } from '../engine/core/sync/atomics.ts';
import { loadPresetDir } from '../presets/node.ts';
import { vcpus64Scenario } from './_util.ts';

const hw = loadPresetDir(path.join(process.cwd(), 'presets')).set.hardware.get('ampere-altra')!;
const GUESTS = Number(process.env.GUESTS ?? 4);
const MS = Number(process.env.MS ?? 200);
const MODE = process.env.MODE ?? 'spread';
// THREAD=1: this thread's CPU (/proc/thread-self/schedstat) instead of the process's (which adds V8's helpers).
const cpu = (): number => {
  if (process.env.THREAD) return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e3;
};
const c = vcpus64Scenario(hw, GUESTS, MODE === 'one' ? 1 : 2, MS);
c.run.seed = Number(process.env.SEED ?? 1);
// ROUNDS (1): runs in this process one after another; those after the first run on warm code.
for (let round = 0; round < Number(process.env.ROUNDS ?? 1); round++) {
  if (MODE === 'one') {
    const p = prepareRun(c, {}, 1);
    const core = new SimWorkerCore(p.config, p.plan, p.buffers, 0, { rows: () => {}, progress: () => {} });
    // NATIVE=1: keep the native Atomics (the general routing a spread run's workers use) on the one-worker run.
    if (!process.env.NATIVE) setAtomicOps(plainArenaOps(core.env.arena.i32, core.env.arena.stats64));
    const c0 = cpu();
    core.loop();
    const ms = cpu() - c0;
    core.close();
    let acc = 0;
    for (let g = 0; g < GUESTS; g++) acc += core.sv.stats[g * GS_WORDS + GS_ACCESSES];
    console.log(
      `one: CPU ${ms.toFixed(0)} ms accesses ${acc} scheduler steps ${core.steps} load ${loadavg()[0].toFixed(2)}`,
    );
  } else {
    const p = prepareRun({ ...c, run: { ...c.run, deterministic: false, workers: 2 } }, {}, 2);
    const store = new RowStore();
    const sink = { rows: (s: number, r: Float64Array[]) => store.put(s, r), progress: () => {} };
    const cores = [0, 1].map(
      (i) => new SimWorkerCore(p.config, p.plan, p.buffers, i, sink, { perWorkerVLock: !!process.env.PERW }),
    );
    // PLAIN=1: plain arena operations (plainArenaOps) for both cores, as a one-worker run selects: one thread, so valid.
    if (process.env.PLAIN) setAtomicOps(plainArenaOps(cores[0].env.arena.i32, cores[0].env.arena.stats64));
    const sv = cores[0].sv;
    const actorMs = new Map<string, number>();
    if (process.env.ACTORS) {
      for (const [w, core] of cores.entries())
        for (const a of core.actorList) {
          const run = a.run.bind(a);
          const k = `w${w} ${a.constructor.name}`;
          a.run = (limit: number) => {
            const t0 = performance.now();
            run(limit);
            actorMs.set(k, (actorMs.get(k) ?? 0) + performance.now() - t0);
          };
        }
    }
    const busy = [0, 0];
    let crit = 0;
    let serial = 0;
    let q = 0;
    do {
      const end = sv.time[TIME_QUANTUM_END];
      const t = [0, 0];
      for (const w of q % 2 === 0 ? [0, 1] : [1, 0]) {
        const c0 = cpu();
        cores[w].runUntil(end);
        t[w] = cpu() - c0;
        busy[w] += t[w];
      }
      crit += Math.max(t[0], t[1]);
      const s0 = cpu();
      cores[0].serial();
      serial += cpu() - s0;
      q++;
    } while (sv.control[CTL_DONE] !== 1);
    for (const x of cores) x.close();
    if (process.env.ACTORS) console.log([...actorMs.entries()].map(([k, v]) => `${k} ${v.toFixed(0)} ms`).join(', '));
    const r = buildResult(p, store.data, store.count, 0);
    console.log(
      `spread: work ${(busy[0] + busy[1]).toFixed(0)} ms (w0 ${busy[0].toFixed(0)} w1 ${busy[1].toFixed(0)}), critical ${crit.toFixed(0)} ms, serial ${serial.toFixed(0)} ms, accesses ${r.summary.accesses}, hit ${(100 * r.summary.hitRate).toFixed(3)}, scheduler steps ${cores.map((x) => x.steps).join(' + ')}, cas ${r.summary.cmpxchgFailures}, load ${loadavg()[0].toFixed(2)}`,
    );
  }
}
