/**
 * Session save/load time for a long run: the seed-debate scenario on all three profiles, run for a
 * long virtual time with a fine sample interval (thousands of rows per run), then encoded, written,
 * read back and decoded (with the full schema check) as the app does. Workloads think 100x longer
 * than the preset so the long virtual run stays quick to simulate; the rows are all real samples.
 */
import { readFileSync, rmSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resolveScenario, scenarioProfiles } from '../engine/core/config/index.ts';
import { runInProcess } from '../engine/core/sim/run.ts';
import { decodeSession, encodeSession } from '../engine/session/index.ts';
import { SESSION_FORMAT, SESSION_VERSION, type RunResult, type SessionData } from '../engine/protocol.ts';
import { loadPresetDir } from '../presets/node.ts';

const VIRTUAL_MS = 60_000;
const SAMPLE_MS = 5;
const THINK_SCALE = 100;

const { set, problems } = loadPresetDir(path.join(process.cwd(), 'presets'));
if (problems.length) throw new Error(problems.join('\n'));

const runs: RunResult[] = [];
let simMs = 0;
for (const hw of scenarioProfiles(set, 'seed-debate')) {
  const r = resolveScenario(set, 'seed-debate', { hardware: hw, durationMs: VIRTUAL_MS, sampleIntervalMs: SAMPLE_MS });
  if (!r.ok) throw new Error(r.error.message);
  const config = r.value;
  for (const g of config.guests) g.workload.thinkNs *= THINK_SCALE;
  const t0 = performance.now();
  runs.push(runInProcess(config));
  simMs += performance.now() - t0;
}

const session: SessionData = {
  format: SESSION_FORMAT,
  version: SESSION_VERSION,
  appVersion: '0.1.0',
  savedAt: new Date().toISOString(),
  draft: runs[0].config,
  runs,
  ui: { view: 'compare', selectedRun: 0, compareRuns: runs.map((_, i) => i), chartMetric: ['hitRate'] },
};

function best<T>(n: number, fn: () => T): { ms: number; value: T } {
  let ms = Infinity;
  let value!: T;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    value = fn();
    ms = Math.min(ms, performance.now() - t0);
  }
  return { ms, value };
}

const dir = mkdtempSync(path.join(tmpdir(), 'ocl-bench-'));
const file = path.join(dir, 'long.msgpack');
const enc = best(5, () => encodeSession(session));
const write = best(5, () => writeFileSync(file, enc.value));
const read = best(5, () => readFileSync(file));
const dec = best(5, () => decodeSession(new Uint8Array(read.value)));
rmSync(dir, { recursive: true, force: true });
if (!dec.value.ok) throw new Error(`decode failed: ${dec.value.error.message}`);

const rows = runs.reduce((n, r) => n + r.samples.tMs.length, 0);
const accesses = runs.reduce((n, r) => n + r.summary.accesses, 0);
const f = (x: number): string => x.toFixed(1).padStart(8);
console.log(
  `long session: ${runs.length} runs x ${VIRTUAL_MS / 1000} s virtual, ${rows} sample rows, ${accesses.toLocaleString('en')} simulated accesses (${(simMs / 1000).toFixed(1)} s to simulate)`,
);
console.log(`  file size                 ${(enc.value.byteLength / 1e6).toFixed(2).padStart(8)} MB`);
console.log(`  encode (msgpack)          ${f(enc.ms)} ms`);
console.log(`  write file                ${f(write.ms)} ms`);
console.log(`  read file                 ${f(read.ms)} ms`);
console.log(`  decode + schema check     ${f(dec.ms)} ms`);
console.log(`  save total / load total   ${f(enc.ms + write.ms)} ms / ${f(read.ms + dec.ms).trim()} ms`);
