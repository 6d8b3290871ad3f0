// Not a bench (leading _): CPU of successive trace replays in one kept worker (engine/host/workerPool.ts).
// Usage: bundle, then node .cache/bench/_warmReplay.mjs <policy> <copies> <runs> [prime]
// SIM_WORKER=<bundle>: every run on that worker bundle (default: sim-worker-lone.mjs, as the CLI for one worker).
// prime: before the runs, one tiny replay (capacity 64 pages, 4,000 requests over 256 pages) in the same worker.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startRun } from '../engine/host/engine.ts';
import { nodeSimWorkerPools, nodeWorkerPool } from '../engine/host/node/spawn.ts';
import type { ReclaimSpec } from '../engine/protocol.ts';
import { repeatTrace, replayScenario } from './_util.ts';
import { parseTrace } from '../engine/core/trace/index.ts';
import { loadPresetDir } from '../presets/node.ts';

const root = process.cwd();
const policy = (process.argv[2] ?? 'exact-lru') as ReclaimSpec['policy'];
const copies = Number(process.argv[3] ?? 10);
const runs = Number(process.argv[4] ?? 4);
const prime = process.argv[5] === 'prime';
const file = path.resolve(root, '../shared/data/traces/cloudPhysicsIO.oracleGeneral.bin');
const once = parseTrace(file, readFileSync(file)).pageIds;
const t = repeatTrace(once, copies);
const small = new Uint32Array(new SharedArrayBuffer(4000 * 4));
let x = 1;
for (let i = 0; i < small.length; i++) {
  x = (Math.imul(x, 1103515245) + 12345) >>> 0;
  small[i] = (x >>> 8) % 256;
}
const hw = loadPresetDir(path.join(root, 'presets')).set.hardware.get('ampere-altra')!;
// SIM_WORKER: that bundle for every run; else as the CLI picks (one-worker runs: the lone bundle).
const workers = path.join(root, '.cache', 'workers');
const pool = process.env.SIM_WORKER
  ? nodeWorkerPool(process.env.SIM_WORKER)
  : nodeSimWorkerPools(path.join(workers, 'sim-worker.mjs'), path.join(workers, 'sim-worker-lone.mjs'));
const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const out: string[] = [];
const c00 = cpu();
if (prime) {
  const c0 = cpu();
  await startRun(replayScenario(hw, 64, policy, 's'), {
    spawnWorker: pool.spawn,
    traces: { s: small },
    onEvent: () => {},
  }).done;
  out.push(`prime ${(cpu() - c0).toFixed(3)}`);
}
for (let i = 0; i < runs; i++) {
  const c0 = cpu();
  const r = await startRun(replayScenario(hw, 10000, policy, 'x'), {
    spawnWorker: pool.spawn,
    traces: { x: t },
    onEvent: () => {},
  }).done;
  const s = cpu() - c0;
  if (process.env.MARK) console.log(`=== run ${i} done`);
  out.push(`${((s * 1e9) / r.summary.accesses).toFixed(0)}ns/req(${s.toFixed(3)}s,m${r.summary.misses})`);
}
pool.close();
console.log(policy, `x${copies}`, prime ? 'prime' : 'noprime', out.join(' '), `total ${(cpu() - c00).toFixed(3)}`);
