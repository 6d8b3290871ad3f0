// Not a bench (leading _): `node --cpu-prof` target for one trace replay through the full
// pipeline (host + worker). Usage: bundle, then node --cpu-prof .cache/bench/_profileReplay.mjs [policy] [copies]
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startRun } from '../engine/host/engine.ts';
import { nodeSpawner } from '../engine/host/node/spawn.ts';
import type { ReclaimSpec } from '../engine/protocol.ts';
import { replayScenario } from './_util.ts';
import { parseTrace } from '../engine/core/trace/index.ts';
import { loadPresetDir } from '../presets/node.ts';

const root = process.cwd();
const policy = (process.argv[2] ?? 'exact-lru') as ReclaimSpec['policy'];
const copies = Number(process.argv[3] ?? 50);
const file = path.resolve(root, '../shared/data/traces/cloudPhysicsIO.oracleGeneral.bin');
const once = parseTrace(file, readFileSync(file)).pageIds;
const t = new Uint32Array(new SharedArrayBuffer(once.byteLength * copies)); // as TraceLibrary keeps it (sharedIds.ts)
for (let i = 0; i < copies; i++) t.set(once, i * once.length);
const hw = loadPresetDir(path.join(root, 'presets')).set.hardware.get('ampere-altra')!;
const c0 = process.cpuUsage();
const r = await startRun(replayScenario(hw, 10000, policy, 'x'), {
  spawnWorker: nodeSpawner(process.env.SIM_WORKER ?? path.join(root, '.cache', 'workers', 'sim-worker.mjs')),
  traces: { x: t },
  onEvent: () => {},
}).done;
const c = process.cpuUsage(c0);
console.log(
  policy,
  copies,
  'misses',
  r.summary.misses,
  'cpu s',
  ((c.user + c.system) / 1e6).toFixed(2),
  'virtual ms',
  r.summary.virtualMs ?? '',
);
