// Not a bench (leading _): is a fresh worker's replay slower than a kept worker's once both are past
// warm-up? Load on a shared machine moves CPU time from minute to minute, so the two runs go at the
// same time: a kept worker (one earlier ×copies run of the same policy) and a fresh one replay the same
// trace concurrently, and each worker thread's own CPU (/proc/self/task/<tid>/schedstat) is read at
// every 'progress' event of either run. Printed per run: its worker thread's CPU over windows of its
// virtual time; both runs are deterministic, so a window holds the same requests in both.
// Also printed: each thread's CPU per virtual second over the wall interval in which both ran their later
// passes. Session 9 (r), load 11-14, exact LRU ×50, five pairs: fresh ÷ kept 1.04, 1.59, 0.62, 0.57, 1.07,
// with the same per-function profile shares in slow and fast runs (--cpu-prof): on this VM a thread's CPU
// time for the same work moves by up to ~1.6x with where and when it runs, either worker can be the
// slower, and a fresh worker's code is not slower once past its first pass.
// Usage: bundle, then node .cache/bench/_replayPair.mjs [policy] [copies] [pairs]
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { startRun } from '../engine/host/engine.ts';
import { nodeSpawner, nodeWorkerPool } from '../engine/host/node/spawn.ts';
import type { ReclaimSpec } from '../engine/protocol.ts';
import { repeatTrace, replayScenario } from './_util.ts';
import { parseTrace } from '../engine/core/trace/index.ts';
import { loadPresetDir } from '../presets/node.ts';

const root = process.cwd();
const policy = (process.argv[2] ?? 'exact-lru') as ReclaimSpec['policy'];
const copies = Number(process.argv[3] ?? 50);
const pairs = Number(process.argv[4] ?? 3);
const file = path.resolve(root, '../shared/data/traces/cloudPhysicsIO.oracleGeneral.bin');
const once = parseTrace(file, readFileSync(file)).pageIds;
const t = repeatTrace(once, copies);
const hw = loadPresetDir(path.join(root, 'presets')).set.hardware.get('ampere-altra')!;
const workerFile = path.join(root, '.cache', 'workers', 'sim-worker.mjs');
const pool = nodeWorkerPool(workerFile);
const spawner = nodeSpawner(workerFile);

const tids = (): Set<string> => new Set(readdirSync('/proc/self/task'));
const cpuOf = (tid: string): number => {
  try {
    return Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'latin1').split(' ')[0]) / 1e6;
  } catch {
    return NaN;
  }
};
const scenario = replayScenario(hw, 10000, policy, 'x');

// The kept worker: its thread is the one that appears during its first run.
const before = tids();
await startRun(scenario, { spawnWorker: pool.spawn, traces: { x: t }, onEvent: () => {} }).done;
const keptTid = [...tids()].filter((x) => !before.has(x)).sort((a, b) => cpuOf(b) - cpuOf(a))[0];
const windows = [0.02, 0.1, 0.4, 1];

for (let p = 0; p < pairs; p++) {
  const pre = tids();
  let freshTid = '';
  const pts: Record<'fresh' | 'kept', [number, number][]> = { fresh: [[0, 0]], kept: [[0, cpuOf(keptTid)]] };
  // (wall ms, virtual ms, thread CPU ms) at each progress event, for the common-wall-interval comparison.
  const wall: Record<'fresh' | 'kept', [number, number, number][]> = { fresh: [], kept: [] };
  const freshFind = (): void => {
    if (freshTid !== '') return;
    const added = [...tids()].filter((x) => !pre.has(x)).sort((a, b) => cpuOf(b) - cpuOf(a));
    if (added.length > 0) freshTid = added[0];
  };
  const on = (which: 'fresh' | 'kept') => (e: { type: string; virtualMs?: number }) => {
    if (e.type !== 'progress') return;
    freshFind();
    const tid = which === 'fresh' ? freshTid : keptTid;
    const c = cpuOf(tid);
    pts[which].push([e.virtualMs as number, c]);
    wall[which].push([performance.now(), e.virtualMs as number, c]);
  };
  const [rf, rk] = await Promise.all([
    startRun(scenario, { spawnWorker: spawner, traces: { x: t }, onEvent: on('fresh') }).done,
    startRun(scenario, { spawnWorker: pool.spawn, traces: { x: t }, onEvent: on('kept') }).done,
  ]);
  const end = rf.summary.virtualMs as number;
  if (rf.summary.misses !== rk.summary.misses) throw new Error('misses differ');
  const at = (ps: [number, number][], v: number): number => {
    for (let i = 1; i < ps.length; i++)
      if (ps[i][0] >= v)
        return ps[i - 1][1] + ((ps[i][1] - ps[i - 1][1]) * (v - ps[i - 1][0])) / (ps[i][0] - ps[i - 1][0]);
    return ps[ps.length - 1][1];
  };
  const line = (which: 'fresh' | 'kept'): string => {
    const ps = pts[which];
    let prev = 0;
    let prevC = which === 'fresh' ? 0 : ps[0][1];
    return windows
      .map((f) => {
        const c = at(ps, f * end);
        const s = `${prev}-${f}: ${(c - prevC).toFixed(0)}`;
        prev = f;
        prevC = c;
        return s;
      })
      .join(', ');
  };
  // The fresh worker's CPU before its first progress event (start-up) is in its first window (from 0).
  // While both ran in their later passes (from the fresh run's 10 % of virtual time to the first of the
  // two runs' last progress), under the same load: each thread's CPU per virtual second.
  const w0 = wall.fresh.find((x) => x[1] >= 0.1 * end)?.[0] ?? NaN;
  const w1 = Math.min(wall.fresh[wall.fresh.length - 1][0], wall.kept[wall.kept.length - 1][0]);
  const rate = (ws: [number, number, number][]): number => {
    const a = ws.find((x) => x[0] >= w0);
    const b = [...ws].reverse().find((x) => x[0] <= w1);
    return a && b && b[1] > a[1] ? ((b[2] - a[2]) / (b[1] - a[1])) * 1000 : NaN;
  };
  const rf2 = rate(wall.fresh);
  const rk2 = rate(wall.kept);
  console.log(
    `pair ${p} ${policy} x${copies}: worker-thread CPU ms by window of virtual time\n  fresh ${line('fresh')}\n  kept  ${line('kept')}\n  both running (${(w1 - w0).toFixed(0)} ms of wall): CPU ms per virtual s fresh ${rf2.toFixed(2)}, kept ${rk2.toFixed(2)}, fresh ÷ kept ${(rf2 / rk2).toFixed(3)}`,
  );
}
pool.close();
