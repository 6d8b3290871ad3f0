// Not a bench (leading _): process CPU against virtual time through one trace replay, from the run's
// 'progress' events (posted at most every 50 ms of wall time, eventBatch.ts). Runs `runs` replays of
// ×copies in one kept worker (run 0 on a fresh worker) and prints, per run, CPU ms per pass of the
// trace in windows of the run: where a fresh worker's extra CPU goes over the run.
// Usage: bundle, then node .cache/bench/_replayTimeline.mjs [policy] [copies] [runs]
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startRun } from '../engine/host/engine.ts';
import { nodeSpawner, nodeWorkerPool } from '../engine/host/node/spawn.ts';
import type { ReclaimSpec } from '../engine/protocol.ts';
import { repeatTrace, replayScenario, threadCpuSeconds } from './_util.ts';
import { parseTrace } from '../engine/core/trace/index.ts';
import { loadPresetDir } from '../presets/node.ts';

const root = process.cwd();
const policy = (process.argv[2] ?? 'exact-lru') as ReclaimSpec['policy'];
const copies = Number(process.argv[3] ?? 50);
const runs = Number(process.argv[4] ?? 2);
const file = path.resolve(root, '../shared/data/traces/cloudPhysicsIO.oracleGeneral.bin');
const once = parseTrace(file, readFileSync(file)).pageIds;
const t = repeatTrace(once, copies);
const hw = loadPresetDir(path.join(root, 'presets')).set.hardware.get('ampere-altra')!;
const workerFile = process.env.SIM_WORKER ?? path.join(root, '.cache', 'workers', 'sim-worker.mjs');
const pool = nodeWorkerPool(workerFile);
// FRESH=n: the first n runs each on a fresh worker (nodeSpawner, as bench/replay.ts's cold runs), the rest on one kept worker.
const fresh = Number(process.env.FRESH ?? 0);
const spawner = nodeSpawner(workerFile);
/** CPU ms of each thread of this process (bench/_util.ts threadCpuSeconds). */
const threads = (): Map<string, number> =>
  new Map([...(threadCpuSeconds() ?? new Map<string, number>())].map(([tid, sec]) => [tid, sec * 1e3]));
const mainTid = String(process.pid);
const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e3;
};
for (let run = 0; run < runs; run++) {
  const pts: [number, number][] = [];
  const before = threads();
  const th: [number, Map<string, number>][] = [];
  const c0 = cpu();
  const r = await startRun(replayScenario(hw, 10000, policy, 'x'), {
    spawnWorker: run < fresh ? spawner : pool.spawn,
    traces: { x: t },
    onEvent: (e) => {
      if (e.type === 'progress') {
        pts.push([e.virtualMs, cpu() - c0]);
        th.push([e.virtualMs, threads()]);
      }
    },
  }).done;
  const total = cpu() - c0;
  const vEnd = r.summary.virtualMs ?? pts[pts.length - 1][0];
  // CPU at fractions of the run's virtual time (linear between progress points).
  const at = (v: number): number => {
    let prev: [number, number] = [0, 0];
    for (const p of pts) {
      if (p[0] >= v) return prev[1] + ((p[1] - prev[1]) * (v - prev[0])) / (p[0] - prev[0]);
      prev = p;
    }
    return total;
  };
  const marks = [0.02, 0.04, 0.1, 0.2, 0.4, 0.6, 0.8, 1];
  let last = 0;
  let lastF = 0;
  const parts = marks.map((f) => {
    const c = at(f * vEnd);
    const perPass = (c - last) / ((f - lastF) * copies);
    last = c;
    lastF = f;
    return `${f}:${perPass.toFixed(1)}`;
  });
  // Per thread: main, the simulation worker (the busiest thread that is not main), the others (V8's
  // platform threads: concurrent compiles and GC helpers; libuv), CPU ms from the run's start up to
  // the progress point nearest each fraction.
  const after = threads();
  const delta = (m: Map<string, number>): { main: number; worker: number; other: number } => {
    let main = 0;
    let worker = 0;
    let other = 0;
    let wTid = '';
    for (const [tid, c] of after)
      if (
        tid !== mainTid &&
        (wTid === '' || c - (before.get(tid) ?? 0) > (after.get(wTid) ?? 0) - (before.get(wTid) ?? 0))
      )
        wTid = tid;
    for (const [tid, c] of m) {
      const d = c - (before.get(tid) ?? 0);
      if (tid === mainTid) main = d;
      else if (tid === wTid) worker = d;
      else other += d;
    }
    return { main, worker, other };
  };
  const thAt = (v: number): { main: number; worker: number; other: number } => {
    for (const [pv, m] of th) if (pv >= v) return delta(m);
    return delta(after);
  };
  let prevT = { main: 0, worker: 0, other: 0 };
  let prevF = 0;
  const thParts = [0.02, 0.1, 0.4, 1].map((f) => {
    const x = thAt(f * vEnd);
    const s = `${prevF}-${f}: main ${(x.main - prevT.main).toFixed(0)} worker ${(x.worker - prevT.worker).toFixed(0)} other ${(x.other - prevT.other).toFixed(0)}`;
    prevT = x;
    prevF = f;
    return s;
  });
  console.log(`    threads (CPU ms): ${thParts.join('; ')}`);
  console.log(
    `run ${run} ${policy} x${copies} cpu ${total.toFixed(0)} ms, misses ${r.summary.misses}; ms per pass by fraction of run: ${parts.join(' ')}`,
  );
}
pool.close();
