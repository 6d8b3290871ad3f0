// Not a bench (leading _): `node --cpu-prof` target for the 64-vCPU synthetic scenario of bench/engine.ts on one worker.
import path from 'node:path';
import { startRun } from '../engine/host/engine.ts';
import { nodeSpawner } from '../engine/host/node/spawn.ts';
import { loadPresetDir } from '../presets/node.ts';

const root = process.cwd();
const hw = loadPresetDir(path.join(root, 'presets')).set.hardware.get('ampere-altra')!;
const guests = Number(process.argv[2] ?? 4);
const per = 64 / guests;
const mib = 1024 / guests;
const c0 = process.cpuUsage();
const r = await startRun(
  {
    name: 'p',
    description: '',
    hardware: hw,
    host: {
      memoryMiB: Math.round(((guests * mib) / 1.5) * 256) / 256,
      watermarks: { minPct: 1, lowPct: 2, highPct: 4 },
      swap: { device: 'zram', sizeMiB: 8192 },
    },
    guests: Array.from({ length: guests }, (_, i) => ({
      name: `g${i}`,
      memoryMiB: mib,
      vcpus: per,
      workload: { kind: 'zipf' as const, pages: mib * 256, theta: 0.99, writeFraction: 0.2, thinkNs: 100 },
      protected: false,
    })),
    reclaim: {
      policy: 'mglru',
      harvest: 'lockless',
      agingIntervalMs: 50,
      lookaround: true,
      mapYoung: true,
      tlb: { enabled: true, entries: 256, flushOnClear: true },
      allowLocklessWithoutHafdbs: false,
    },
    run: {
      durationMs: 200,
      sampleIntervalMs: 50,
      seed: 1,
      deterministic: true,
      workers: 1,
      refaultWindowMs: 100,
      demandOnly: false,
    },
  },
  {
    spawnWorker: nodeSpawner(process.env.SIM_WORKER ?? path.join(root, '.cache', 'workers', 'sim-worker.mjs')),
    onEvent: () => {},
  },
).done;
const c = process.cpuUsage(c0);
console.log('accesses', r.summary.accesses, 'cpu s', ((c.user + c.system) / 1e6).toFixed(2));
