// Diagnostics of spread runs (not a bench): summaries of 1 vs N workers on the 64-vCPU scenario.
if (process.env.WATCHDOG) setTimeout(() => process.exit(3), Number(process.env.WATCHDOG)).unref();
import { loadavg } from 'node:os';
import path from 'node:path';
import { startRun } from '../engine/host/engine.ts';
import { nodeSpawner } from '../engine/host/node/spawn.ts';
import type { RunResult, ScenarioConfig } from '../engine/protocol.ts';
import { loadPresetDir } from '../presets/node.ts';
import { setReclaimWorkerVcpuWeight } from '../engine/core/sim/plan.ts';
import { vcpus64Scenario } from './_util.ts';
if (process.env.SPREAD_W0) setReclaimWorkerVcpuWeight(Number(process.env.SPREAD_W0));

const root = process.cwd();
const workerFile = path.join(root, '.cache', 'workers', 'sim-worker.mjs');
const presets = loadPresetDir(path.join(root, 'presets'));
const hw = presets.set.hardware.get('ampere-altra')!;
const GUESTS = Number(process.env.GUESTS ?? 1);
const MS = Number(process.env.MS ?? 100);
const cfg = (guests: number, workers: number): ScenarioConfig =>
  vcpus64Scenario(hw, guests, workers, MS, process.env.NOTLB !== '1');
for (const w of (process.env.W ?? '1,2').split(',').map(Number)) {
  const t0 = performance.now();
  const r: RunResult = await startRun(cfg(GUESTS, w), { spawnWorker: nodeSpawner(workerFile), onEvent: () => {} }).done;
  const s = r.summary;
  console.log(
    `workers ${r.workers} wall ${((performance.now() - t0) / 1000).toFixed(2)} s load ${loadavg()[0].toFixed(2)}`,
  );
  const keys = [
    'accesses',
    'hitRate',
    'coldMisses',
    'refaults',
    'evictions',
    's2Faults',
    'afFaults',
    'vcpuStallNs',
    'lockWaitNs',
    'lockHoldNs',
    'agingPasses',
    'ptesScanned',
    'youngFound',
    'cmpxchgFailures',
    'tlbInvalidates',
    'rcuGracePeriods',
    'tlbHits',
    'foliosConsidered',
    'tlbFlushesVm',
  ] as const;
  console.log(keys.map((k) => `${k}=${typeof s[k] === 'number' ? +(s[k] as number).toPrecision(5) : s[k]}`).join(' '));
}
