// Diagnostics (not a bench): a spread run's atomics (every `atomics.*` / `controlAtomics.*` call) by the
// SharedArrayBuffer region they touch, by the worker that made them and by phase (a worker's quantum, or
// the serial section while the other workers wait), for the issue-8 audit (docs/ARCHITECTURE.md, session
// 16 (i)). The two workers' quanta run on this one thread in turn (as runInterleaved), so the counts are a
// spread run's calls, not their cost. Arena words are split by layout.ts region; each spread buffer by its
// name in SpreadBuffers / SimBuffers. Env: GUESTS (4), MS (50), SEED (1).
import path from 'node:path';
import { prepareRun, buildResult, RowStore } from '../engine/core/sim/run.ts';
import { SimWorkerCore } from '../engine/core/sim/simCore.ts';
import { CTL_DONE, TIME_QUANTUM_END } from '../engine/core/sim/simLayout.ts';
import { attachArena } from '../engine/core/layout.ts';
import { nativeAtomicOps, setAtomicOps, type AtomicOps } from '../engine/core/sync/atomics.ts';
import { loadPresetDir } from '../presets/node.ts';
import { vcpus64Scenario } from './_util.ts';

const hw = loadPresetDir(path.join(process.cwd(), 'presets')).set.hardware.get('ampere-altra')!;
const c = vcpus64Scenario(hw, Number(process.env.GUESTS ?? 4), 2, Number(process.env.MS ?? 50));
c.run.seed = Number(process.env.SEED ?? 1);
const p = prepareRun({ ...c, run: { ...c.run, deterministic: false, workers: 2 } }, {}, 2);

// Name every shared buffer of the run by its path in SimBuffers (arrays: one name for all elements).
const names = new Map<ArrayBufferLike, string>();
const walk = (o: unknown, name: string): void => {
  if (o instanceof SharedArrayBuffer) names.set(o, name);
  else if (Array.isArray(o)) o.forEach((x) => walk(x, `${name}[]`));
  else if (o !== null && typeof o === 'object')
    for (const [k, v] of Object.entries(o)) walk(v, name === '' ? k : `${name}.${k}`);
};
walk(p.buffers, '');
const arena = attachArena(p.buffers.arena);
const arenaRegion = (i: number): string => {
  const v = arena;
  if (i < v.alloc) return 'arena.header';
  if (i < v.rcu) return 'arena.alloc';
  if (i < v.rcuSlots) return 'arena.rcu';
  if (i < v.locks) return 'arena.rcuSlots';
  if (i < v.lockCpu) {
    const lock = Math.floor((i - v.locks) / 16);
    return `arena.locks(${lock < c.guests.length ? 'mmu_lock' : 'lru_lock'}) word ${(i - v.locks) % 16}`;
  }
  if (i < v.pageState) return `arena.lockCpu (thread ${Math.floor((i - v.lockCpu) / v.lockCpuStride)})`;
  if (i < v.pageLive) return 'arena.pageState';
  if (i < v.sim) return 'arena.pageLive';
  if (i < v.tables) return 'arena.sim';
  return 'arena.tables';
};

let who = 'w0';
const counts = new Map<string, number>();
const base = nativeAtomicOps();
const ops: Partial<AtomicOps> = {};
for (const k of Object.keys(base) as (keyof AtomicOps)[]) {
  const f = base[k] as (...a: unknown[]) => unknown;
  (ops as Record<string, unknown>)[k] = (...a: unknown[]) => {
    const arr = a[0] as Int32Array;
    const i = a[1] as number;
    let region = names.get(arr.buffer) ?? `? ${arr.constructor.name}(${arr.length})`;
    if (arr.buffer === p.buffers.arena) region = arr instanceof BigInt64Array ? 'arena.stats64' : arenaRegion(i);
    else if (region === 'control') region = `control word ${i}`;
    const key = `${region}\t${k}\t${who}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    return f(...a);
  };
}
setAtomicOps(ops);

const store = new RowStore();
const sink = { rows: (s: number, r: Float64Array[]) => store.put(s, r), progress: () => {} };
const cores = [0, 1].map((i) => new SimWorkerCore(p.config, p.plan, p.buffers, i, sink));
const sv = cores[0].sv;
do {
  const end = sv.time[TIME_QUANTUM_END];
  for (const w of [0, 1]) {
    who = `w${w}`;
    cores[w].runUntilCounted(end);
  }
  who = 'serial';
  cores[0].serial();
} while (sv.control[CTL_DONE] !== 1);
for (const x of cores) x.close();
const r = buildResult(p, store.data, store.count, 0);
const acc = r.summary.accesses;
console.log('accesses', acc, 'calls per 1,000 accesses; the total excludes the plain ones (readOnce, thisCpuAdd)');
const byRegion = new Map<string, Map<string, number>>();
for (const [key, n] of counts) {
  const [region, op, w] = key.split('\t');
  const m = byRegion.get(region) ?? new Map<string, number>();
  m.set(`${op} ${w}`, (m.get(`${op} ${w}`) ?? 0) + n);
  byRegion.set(region, m);
}
const total = (m: Map<string, number>): number =>
  [...m.entries()]
    .filter(([k]) => !k.startsWith('readOnce') && !k.startsWith('thisCpuAdd'))
    .reduce((s, [, v]) => s + v, 0);
for (const [region, m] of [...byRegion.entries()].sort((a, b) => total(b[1]) - total(a[1])))
  console.log(
    `${region}: ${((1000 * total(m)) / acc).toFixed(1)} |`,
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${((1000 * v) / acc).toFixed(1)}`)
      .join(', '),
  );
