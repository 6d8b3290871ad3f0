// Not a bench (leading _): a digest of deterministic runs, to show that a performance change leaves
// every result bit-identical. Runs the shipped scenarios in-process (deterministic mode) on each
// hardware profile and harvest mode, short, plus the trace replay (fast path and general path) for
// each policy, and prints one SHA-256 per run over its summary, sample rows and lock histograms.
// Usage: bundle, then node .cache/bench/_digest.mjs (compare the output before and after a change).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { resolveScenario } from '../engine/core/config/index.ts';
import { parseTrace } from '../engine/core/trace/index.ts';
import { runInProcess } from '../engine/core/sim/run.ts';
import type { ReclaimSpec, RunResult, ScenarioConfig } from '../engine/protocol.ts';
import { loadPresetDir } from '../presets/node.ts';
import { replayScenario } from './_util.ts';

const root = process.cwd();
const presets = loadPresetDir(path.join(root, 'presets'));

function scenario(id: string, hardware: string): ScenarioConfig {
  const r = resolveScenario(presets.set, id, { hardware });
  if (!r.ok) throw new Error(r.error.message);
  return JSON.parse(JSON.stringify(r.value)) as ScenarioConfig;
}

function digest(r: RunResult): string {
  const h = createHash('sha256');
  h.update(
    JSON.stringify(r.summary, (k, v: unknown) =>
      /wall/i.test(k) ? undefined : typeof v === 'number' && !Number.isFinite(v) ? String(v) : v,
    ),
  );
  h.update(JSON.stringify(r.samples));
  return h.digest('hex').slice(0, 16);
}

const only = process.argv[2] ?? '';
const runs: [string, () => RunResult][] = [];
for (const hw of ['ampere-altra', 'phone-prev82', 'pkvm'])
  for (const harvest of ['lockless', 'locked-write', 'locked-read', 'hypercall', 'none'] as const)
    for (const policy of ['mglru', 'active-inactive', 'clock', 'exact-lru'] as const) {
      runs.push([
        `seed-debate ${hw} ${harvest} ${policy}`,
        () => {
          const c = scenario('seed-debate', hw);
          c.run.durationMs = Number(process.env.DIGEST_MS ?? 400);
          c.reclaim.harvest = harvest;
          c.reclaim.policy = policy;
          c.reclaim.allowLocklessWithoutHafdbs = true;
          return runInProcess(c);
        },
      ]);
    }
const file = path.resolve(root, '../shared/data/traces/cloudPhysicsIO.oracleGeneral.bin');
const trace = parseTrace(file, readFileSync(file)).pageIds;
const hw = presets.set.hardware.get('ampere-altra')!;
for (const policy of ['exact-lru', 'clock', 'mglru', 'active-inactive'] as ReclaimSpec['policy'][])
  for (const replay of [true, false])
    for (const harvest of ['lockless', 'locked-write'] as const)
      runs.push([
        `replay ${policy} ${harvest} fast=${replay}`,
        () => {
          const c = replayScenario(hw, 10_000, policy, 't');
          c.reclaim.harvest = harvest;
          return runInProcess(c, { t: trace }, { replay });
        },
      ]);
for (const [name, fn] of runs) {
  if (!name.includes(only)) continue;
  let r: RunResult;
  try {
    r = fn();
  } catch (e) {
    if ((e as Error).name !== 'ConfigError') throw e;
    continue; // a combination the validator refuses (hypercall aging off pKVM, ...)
  }
  console.log(`${digest(r)}  ${name}  misses ${r.summary.misses}`);
}
