// Not a bench (leading _): `node --cpu-prof` target for one trace replay through the full
// pipeline (host + worker). Usage: bundle, then node --cpu-prof .cache/bench/_profileReplay.mjs [policy] [copies]
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startRun } from '../engine/host/engine.ts';
import { nodeSpawner } from '../engine/host/node/spawn.ts';
import type { ReclaimSpec } from '../engine/protocol.ts';
import { parseTrace } from '../engine/core/trace/index.ts';
import { loadPresetDir } from '../presets/node.ts';

const root = process.cwd();
const policy = (process.argv[2] ?? 'exact-lru') as ReclaimSpec['policy'];
const copies = Number(process.argv[3] ?? 50);
const file = path.resolve(root, '../shared/data/traces/cloudPhysicsIO.oracleGeneral.bin');
const once = parseTrace(file, readFileSync(file)).pageIds;
const t = new Uint32Array(once.length * copies);
for (let i = 0; i < copies; i++) t.set(once, i * once.length);
const hw = loadPresetDir(path.join(root, 'presets')).set.hardware.get('ampere-altra')!;
const c0 = process.cpuUsage();
const r = await startRun(
  {
    name: 'p',
    description: '',
    hardware: hw,
    host: {
      memoryMiB: 10000 / 256,
      watermarks: { minPct: 0, lowPct: 0, highPct: 0 },
      swap: { device: 'zram', sizeMiB: 1024 },
    },
    guests: [
      {
        name: 'g0',
        memoryMiB: 192,
        vcpus: 1,
        workload: { kind: 'trace', trace: 'x', writeFraction: 0, thinkNs: 0 },
        protected: false,
      },
    ],
    reclaim: {
      policy,
      harvest: 'lockless',
      agingIntervalMs: 1000,
      lookaround: false,
      mapYoung: false,
      tlb: { enabled: false, entries: 64, flushOnClear: true },
      allowLocklessWithoutHafdbs: false,
    },
    run: {
      durationMs: 3_600_000,
      sampleIntervalMs: 1000,
      seed: 1,
      deterministic: true,
      workers: 1,
      refaultWindowMs: 1000,
      demandOnly: true,
    },
  },
  {
    spawnWorker: nodeSpawner(process.env.SIM_WORKER ?? path.join(root, '.cache', 'workers', 'sim-worker.mjs')),
    traces: { x: t },
    onEvent: () => {},
  },
).done;
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
