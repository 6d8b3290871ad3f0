// Diagnostics (not a bench): where a run's JS heap allocation comes from (the young-generation GC's
// input), by a sampling heap profile (node:inspector HeapProfiler, objects collected by minor and major GC
// included) of the 64-vCPU scenario on ONE thread: MODE=one, the one-worker run; MODE=spread, a 2-worker
// spread run's two cores stepped in turn (as _spreadOneThread.ts). Prints the top allocation sites (self
// bytes, with their caller chain). Env: GUESTS (4), MS (200), SEED (1), TOP (25), INTERVAL (bytes, 512).
import { Session } from 'node:inspector';
import path from 'node:path';
import { prepareRun, RowStore } from '../engine/core/sim/run.ts';
import { SimWorkerCore } from '../engine/core/sim/simCore.ts';
import { CTL_DONE, TIME_QUANTUM_END } from '../engine/core/sim/simLayout.ts';
import { plainArenaOps, setAtomicOps } from '../engine/core/sync/atomics.ts';
import { loadPresetDir } from '../presets/node.ts';
import { vcpus64Scenario } from './_util.ts';

const hw = loadPresetDir(path.join(process.cwd(), 'presets')).set.hardware.get('ampere-altra')!;
const GUESTS = Number(process.env.GUESTS ?? 4);
const MS = Number(process.env.MS ?? 200);
const MODE = process.env.MODE ?? 'spread';
const TOP = Number(process.env.TOP ?? 25);
const c = vcpus64Scenario(hw, GUESTS, MODE === 'one' ? 1 : 2, MS);
c.run.seed = Number(process.env.SEED ?? 1);

interface Node {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: Node[];
}
const session = new Session();
session.connect();
const post = (method: string, params?: object): Promise<unknown> =>
  new Promise((res, rej) => session.post(method, params ?? {}, (e, r) => (e ? rej(e) : res(r))));

const store = new RowStore();
const sink = { rows: (s: number, r: Float64Array[]) => store.put(s, r), progress: () => {} };
let cores: SimWorkerCore[];
if (MODE === 'one') {
  const p = prepareRun(c, {}, 1);
  cores = [new SimWorkerCore(p.config, p.plan, p.buffers, 0, sink)];
  setAtomicOps(plainArenaOps(cores[0].env.arena.i32, cores[0].env.arena.stats64));
} else {
  const p = prepareRun({ ...c, run: { ...c.run, deterministic: false, workers: 2 } }, {}, 2);
  cores = [0, 1].map((i) => new SimWorkerCore(p.config, p.plan, p.buffers, i, sink));
}
await post('HeapProfiler.startSampling', {
  samplingInterval: Number(process.env.INTERVAL ?? 512),
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: true,
});
const sv = cores[0].sv;
let q = 0;
do {
  const end = sv.time[TIME_QUANTUM_END];
  for (const w of q % 2 === 0 ? cores.keys() : [...cores.keys()].reverse()) cores[w].runUntil(end);
  cores[0].serial();
  q++;
} while (sv.control[CTL_DONE] !== 1);
const { profile } = (await post('HeapProfiler.stopSampling')) as { profile: { head: Node } };
for (const x of cores) x.close();
const sites = new Map<string, number>();
let total = 0;
const walk = (n: Node, chain: string[]): void => {
  const name = `${n.callFrame.functionName || '(anon)'}:${n.callFrame.lineNumber + 1}`;
  const here = [name, ...chain].slice(0, 4);
  if (n.selfSize > 0) {
    total += n.selfSize;
    const k = here.join(' < ');
    sites.set(k, (sites.get(k) ?? 0) + n.selfSize);
  }
  for (const ch of n.children) walk(ch, here);
};
walk(profile.head, []);
console.log(
  `${MODE}, ${GUESTS} guest(s), ${MS} ms: sampled allocation ${(total / 2 ** 20).toFixed(1)} MB in ${q} quanta`,
);
for (const [k, v] of [...sites.entries()].sort((a, b) => b[1] - a[1]).slice(0, TOP))
  console.log(`  ${(v / 2 ** 20).toFixed(2).padStart(7)} MB  ${k}`);
