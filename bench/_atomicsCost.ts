// Diagnostics (not a bench): the CPU cost of routing the arena's accesses through real Atomics, which a
// spread run must do (workers share the arena) and a one-worker run does not (atomics.ts plainArenaOps).
// Same deterministic run of the 64-vCPU scenario in this thread, both ways, alternating; thread CPU.
import path from 'node:path';
import { loadavg } from 'node:os';
import { prepareRun, buildResult, RowStore } from '../engine/core/sim/run.ts';
import { SimWorkerCore } from '../engine/core/sim/simCore.ts';
import { plainArenaOps, setAtomicOps } from '../engine/core/sync/atomics.ts';
import { loadPresetDir } from '../presets/node.ts';
import { vcpus64Scenario } from './_util.ts';

const hw = loadPresetDir(path.join(process.cwd(), 'presets')).set.hardware.get('ampere-altra')!;
const GUESTS = Number(process.env.GUESTS ?? 1);
for (let round = 0; round < Number(process.env.ROUNDS ?? 2); round++)
  for (const plain of [true, false]) {
    const p = prepareRun(vcpus64Scenario(hw, GUESTS, 1, Number(process.env.MS ?? 100)), {}, 1);
    const store = new RowStore();
    const core = new SimWorkerCore(p.config, p.plan, p.buffers, 0, {
      rows: (s, r) => store.put(s, r),
      progress: () => {},
    });
    const restore = plain ? setAtomicOps(plainArenaOps(core.env.arena.i32, core.env.arena.stats64)) : () => {};
    const c0 = process.cpuUsage();
    core.loop();
    const c = process.cpuUsage(c0);
    core.close();
    restore();
    const r = buildResult(p, store.data, store.count, 0);
    console.log(
      `${plain ? 'plain arena ops' : 'real Atomics   '}: CPU ${((c.user + c.system) / 1000).toFixed(0)} ms, accesses ${r.summary.accesses}, hit ${(100 * r.summary.hitRate).toFixed(3)} %, load ${loadavg()[0].toFixed(2)}`,
    );
  }
