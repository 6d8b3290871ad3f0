// `npm run fuzz [-- --cases N --seed S]`: the issue-11 fuzzer at scale (default 120,000 cases over
// sessions, presets, scenarios and traces; test/fuzz/cases.ts). Bundles the fuzz worker with esbuild,
// runs it on a worker thread and watches it: a case that runs over 5 s is reported as a hang (with its
// index, reproducible from the seed) and the run fails. Prints the figures; exit 1 on any finding.
import { build } from 'esbuild';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { nodeBundle, root } from './workers.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const cases = arg('cases', 120_000);
const seed = arg('seed', 20261130);
const HANG_MS = 5000;

const outfile = path.join(root, '.cache', 'fuzz', 'fuzz-worker.mjs');
await build({ ...nodeBundle, entryPoints: [path.join(root, 'test', 'fuzz', 'worker.ts')], outfile });

const progress = new SharedArrayBuffer(4);
const current = new Int32Array(progress);
const t0 = Date.now();
const worker = new Worker(outfile, {
  workerData: { root, seed, cases, progress },
  resourceLimits: { maxOldGenerationSizeMb: 4096 },
});
let last = -1;
let since = Date.now();
const watchdog = setInterval(() => {
  const i = Atomics.load(current, 0);
  if (i !== last) {
    last = i;
    since = Date.now();
  } else if (Date.now() - since > HANG_MS) {
    console.error(`fuzz: HANG: case ${i} (seed ${seed}) ran over ${HANG_MS / 1000} s`);
    clearInterval(watchdog);
    void worker.terminate();
    process.exit(1);
  }
}, 250);
worker.on('message', (m) => {
  if (m.type === 'progress') {
    console.log(`fuzz: ${m.done} cases (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    return;
  }
  clearInterval(watchdog);
  const s = m.stats;
  console.log(`fuzz: ${s.cases} cases in ${((Date.now() - t0) / 1000).toFixed(1)} s, seed ${seed}`);
  for (const [t, v] of Object.entries(s.byTarget))
    console.log(`  ${t.padEnd(9)} ${v.cases} cases: ${v.accepted} accepted, ${v.refused} refused`);
  console.log(`  crashes / broken invariants: ${s.findings.length}`);
  console.log(`  hangs over ${HANG_MS / 1000} s: 0 (slowest case ${s.slowestMs.toFixed(0)} ms: ${s.slowestCase})`);
  console.log(`  longest refusal: ${s.longestRefusal} characters (limit 299)`);
  for (const f of s.findings.slice(0, 20)) console.log(`  FINDING ${f.target} #${f.caseIndex}: ${f.problem}`);
  process.exit(s.findings.length > 0 || s.longestRefusal >= 300 ? 1 : 0);
});
worker.on('error', (e) => {
  clearInterval(watchdog);
  console.error(`fuzz: the fuzz worker crashed at case ${Atomics.load(current, 0)}: ${e.stack ?? e}`);
  process.exit(1);
});
