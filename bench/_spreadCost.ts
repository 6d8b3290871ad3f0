// Diagnostics (not a bench): where a spread run's extra CPU comes from, on ONE thread (no cross-core
// effects), one mode per process (switching atomic ops in a process makes call sites polymorphic):
// MODE=plain1 one worker with plain arena ops (what the sim worker selects), native1 one worker with
// native atomics, interleaved = runInterleaved over W workers (the spread configuration's own work).
// Env: GUESTS (4), MS (100), W (2), SEED (1).
// Session 11 (c), instructions of the main thread (valgrind --tool=callgrind --separate-threads=yes, MS=30;
// the run reaches the same 1,389,479 / 1,423,392 accesses at any MS >= 30): plain1 5.350 G (3,851 per access),
// interleavedPlain 5.587 G (3,925), interleaved on 415226c 5.875 G (4,128), of which
// TypedArray.prototype.copyWithin 196 M (138 per access: the shared MMU-lock calendar's read holds inserted
// in the middle of one union list, ~508 doubles shifted each; plain1: 7.6 M). With a read list per worker
// (sync/vlockShared.ts) copyWithin is 12.0 M; whole-thread totals then moved 5.74-6.07 G between two runs
// of the same tree (TurboFan's tier-up timing: LoadIC alone 111-162 M), so compare a function's own count.
// Atomics builtins (same in both trees): load 253 M, store 149 M, compareExchange 127 M, sub 49 M, add 48 M.
import { loadavg } from 'node:os';
import path from 'node:path';
import { prepareRun, runInterleaved } from '../engine/core/sim/run.ts';
import { SimWorkerCore } from '../engine/core/sim/simCore.ts';
import { GS_ACCESSES, GS_WORDS } from '../engine/core/sim/simLayout.ts';
import { plainArenaOps, setAtomicOps } from '../engine/core/sync/atomics.ts';
import { loadPresetDir } from '../presets/node.ts';
import { vcpus64Scenario } from './_util.ts';

const root = process.cwd();
const hw = loadPresetDir(path.join(root, 'presets')).set.hardware.get('ampere-altra')!;
const GUESTS = Number(process.env.GUESTS ?? 4);
const MS = Number(process.env.MS ?? 100);
const W = Number(process.env.W ?? 2);
const MODE = process.env.MODE ?? 'plain1';
const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e3;
};
const c0 = cpu();
let accesses = 0;
let hit = NaN;
if (MODE === 'interleaved' || MODE === 'interleavedPlain') {
  // One thread: plain operations on every Int32Array are safe (nothing runs concurrently).
  if (MODE === 'interleavedPlain') {
    const any = new Int32Array(1);
    setAtomicOps({ ...plainArenaOps(any, new BigInt64Array(1)), load: (a, i) => a[i], store: (a, i, v) => (a[i] = v) });
  }
  const c = vcpus64Scenario(hw, GUESTS, W, MS);
  c.run.seed = Number(process.env.SEED ?? 1);
  const r = runInterleaved(c, W, [...Array(W).keys()]);
  accesses = r.summary.accesses;
  hit = r.summary.hitRate;
} else {
  const c = vcpus64Scenario(hw, GUESTS, 1, MS);
  c.run.seed = Number(process.env.SEED ?? 1);
  const p = prepareRun(c, {}, 1);
  const core = new SimWorkerCore(p.config, p.plan, p.buffers, 0, { rows: () => {}, progress: () => {} });
  if (MODE === 'plain1') setAtomicOps(plainArenaOps(core.env.arena.i32, core.env.arena.stats64));
  core.loop();
  core.close();
  for (let g = 0; g < GUESTS; g++) accesses += core.sv.stats[g * GS_WORDS + GS_ACCESSES];
}
const ms = cpu() - c0;
console.log(
  `${MODE}: CPU ${ms.toFixed(0)} ms, accesses ${accesses}, ${((1e6 * ms) / accesses).toFixed(0)} ns per access, hit ${(100 * hit).toFixed(3)}, load ${loadavg()[0].toFixed(2)}`,
);
