/**
 * Simulation throughput: simulated guest accesses per wall-clock second through the full model,
 * for trace replay (cloudPhysicsIO, exact-LRU and MGLRU, demand eviction) and a synthetic zipf
 * scenario (three guests, 150% overcommit, MGLRU, lockless), on 1 worker and on all workers.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { startRun } from '../engine/host/engine.ts';
import { nodeSpawner } from '../engine/host/node/spawn.ts';
import type { HardwareProfile, RunResult, ScenarioConfig } from '../engine/protocol.ts';
import { parseTrace } from '../engine/core/trace/index.ts';
import { loadPresetDir } from '../presets/node.ts';

const root = process.cwd();
const workerFile = path.join(root, '.cache', 'workers', 'sim-worker.mjs');

// The presets loader (as the CLI uses it); the directory is explicit because this file runs bundled.
const presets = loadPresetDir(path.join(root, 'presets'));
function hardware(id: string): HardwareProfile {
  const hw = presets.set.hardware.get(id);
  if (!hw) throw new Error(`no hardware preset '${id}': ${presets.problems.join('; ')}`);
  return hw;
}

function trace(): Uint32Array {
  const file = path.resolve(root, '../shared/data/traces/cloudPhysicsIO.txt');
  return parseTrace(file, readFileSync(file)).pageIds;
}

function traceScenario(
  policy: 'exact-lru' | 'mglru',
  capacity: number,
  copies: number,
  traceName = 'cloudPhysicsIO',
): ScenarioConfig {
  return {
    name: `trace ${policy}`,
    description: '',
    hardware: hardware('ampere-altra'),
    host: {
      memoryMiB: (capacity * copies) / 256,
      watermarks: { minPct: 0, lowPct: 0, highPct: 0 },
      swap: { device: 'zram', sizeMiB: 4096 },
    },
    guests: Array.from({ length: copies }, (_, i) => ({
      name: `g${i}`,
      memoryMiB: 192,
      vcpus: 1,
      workload: { kind: 'trace' as const, trace: traceName, writeFraction: 0, thinkNs: 0 },
      protected: false,
    })),
    reclaim: {
      policy,
      harvest: 'lockless',
      agingIntervalMs: 1000,
      lookaround: true,
      mapYoung: false,
      tlb: { enabled: false, entries: 64, flushOnClear: true },
      allowLocklessWithoutHafdbs: false,
    },
    run: {
      durationMs: 3_600_000,
      sampleIntervalMs: 1000,
      seed: 1,
      deterministic: copies === 1,
      workers: copies,
      refaultWindowMs: 1000,
      demandOnly: true,
    },
  };
}

function zipfScenario(guests: number, workers: number): ScenarioConfig {
  return {
    name: 'zipf',
    description: '',
    hardware: hardware('ampere-altra'),
    host: {
      memoryMiB: guests * 64,
      watermarks: { minPct: 1, lowPct: 2, highPct: 4 },
      swap: { device: 'zram', sizeMiB: 8192 },
    },
    guests: Array.from({ length: guests }, (_, i) => ({
      name: `g${i}`,
      memoryMiB: 96,
      vcpus: 2,
      workload: { kind: 'zipf' as const, pages: 24576, theta: 0.99, writeFraction: 0.2, thinkNs: 100 },
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
      durationMs: 1000,
      sampleIntervalMs: 100,
      seed: 1,
      deterministic: workers === 1,
      workers,
      refaultWindowMs: 100,
      demandOnly: false,
    },
  };
}

async function measure(
  label: string,
  config: ScenarioConfig,
  traces: Record<string, Uint32Array> = {},
): Promise<RunResult> {
  const t0 = performance.now();
  const r = await startRun(config, {
    spawnWorker: nodeSpawner(workerFile),
    traces,
    cores: availableParallelism(),
    onEvent: () => {},
  }).done;
  const wall = (performance.now() - t0) / 1000;
  const rate = r.summary.accesses / wall;
  console.log(
    `${label.padEnd(44)} ${String(r.workers).padStart(2)} worker(s)  ${(r.summary.accesses / 1e6).toFixed(2).padStart(7)} M accesses  ${wall.toFixed(2).padStart(6)} s  ${(rate / 1e6).toFixed(2).padStart(6)} M accesses/s  hit ${(r.summary.hitRate * 100).toFixed(1)}%`,
  );
  return r;
}

const all = Math.max(1, availableParallelism());
const t = trace();
// The trace is short (113,872 requests): one replay is mostly worker start-up and JIT warm-up. The
// trace played ten times over is the same model at steady state.
const x10 = new Uint32Array(t.length * 10);
for (let i = 0; i < 10; i++) x10.set(t, i * t.length);
const traces = { cloudPhysicsIO: t, cloudPhysicsIOx10: x10 };
await measure('trace replay, exact-LRU C=10000', traceScenario('exact-lru', 10000, 1), traces);
await measure('trace replay x10, exact-LRU C=10000', traceScenario('exact-lru', 10000, 1, 'cloudPhysicsIOx10'), traces);
await measure('trace replay, MGLRU C=10000', traceScenario('mglru', 10000, 1), traces);
await measure('trace replay x10, MGLRU C=10000', traceScenario('mglru', 10000, 1, 'cloudPhysicsIOx10'), traces);
await measure(`trace replay, MGLRU C=10000, ${all} guests`, traceScenario('mglru', 10000, all), traces);
await measure('zipf, 3 guests, MGLRU lockless, TLB', zipfScenario(3, 1));
await measure('zipf, 3 guests, MGLRU lockless, TLB', zipfScenario(3, all));
