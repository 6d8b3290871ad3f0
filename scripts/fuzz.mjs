// `npm run fuzz [-- --cases N --seed S]`: the issue-11 fuzzer at scale (default 120,000 cases over
// sessions, presets, scenarios and traces; test/fuzz/cases.ts). Bundles the fuzz worker with esbuild
// and runs it on a worker thread, timing every case from this thread. On a busy machine a case can be
// descheduled, so a case seen running over 5 s is re-run alone afterwards: it is a hang if it takes over
// 5 s there too (or if it never finishes: over 60 s the run is stopped). Prints the figures; exit 1 on
// any crash, broken invariant, hang, or refusal of 300 characters or more.
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
const HANG_MS = Number(process.env.FUZZ_HANG_MS ?? 5000);
const GIVE_UP_MS = 60_000;

const outfile = path.join(root, '.cache', 'fuzz', 'fuzz-worker.mjs');
await build({ ...nodeBundle, entryPoints: [path.join(root, 'test', 'fuzz', 'worker.ts')], outfile });

const progress = new SharedArrayBuffer(4);
const current = new Int32Array(progress);
const t0 = Date.now();
const start = (extra = {}) =>
  new Worker(outfile, {
    workerData: { root, seed, cases, progress, ...extra },
    resourceLimits: { maxOldGenerationSizeMb: 4096 },
  });

/** Cases seen running over HANG_MS (index -> longest wall ms seen). */
const stalled = new Map();
const worker = start();
let last = -1;
let since = Date.now();
const watchdog = setInterval(() => {
  const i = Atomics.load(current, 0);
  const now = Date.now();
  if (i !== last) {
    last = i;
    since = now;
    return;
  }
  const ms = now - since;
  if (ms > HANG_MS) stalled.set(i, ms);
  if (ms > GIVE_UP_MS) {
    console.error(`fuzz: HANG: case ${i} (seed ${seed}) has run for ${ms / 1000} s`);
    process.exit(1);
  }
}, 250);

function retime(indices) {
  if (indices.length === 0) return Promise.resolve([]);
  return new Promise((resolve, reject) => {
    const w = start({ only: indices });
    w.on('message', (m) => resolve(m.timings));
    w.on('error', reject);
  });
}

worker.on('message', async (m) => {
  if (m.type === 'progress') {
    console.log(`fuzz: ${m.done} cases (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    return;
  }
  clearInterval(watchdog);
  await worker.terminate();
  const s = m.stats;
  const timings = await retime([...stalled.keys()]);
  const hangs = timings.filter((t) => t.ms > HANG_MS);
  console.log(`fuzz: ${s.cases} cases in ${((Date.now() - t0) / 1000).toFixed(1)} s, seed ${seed}`);
  for (const [t, v] of Object.entries(s.byTarget))
    console.log(`  ${t.padEnd(9)} ${v.cases} cases: ${v.accepted} accepted, ${v.refused} refused`);
  console.log(`  crashes / broken invariants: ${s.findings.length}`);
  console.log(`  slowest case in the run: ${s.slowestMs.toFixed(0)} ms (${s.slowestCase})`);
  for (const t of timings)
    console.log(
      `  case ${t.index} was seen running ${stalled.get(t.index)} ms (machine busy); alone: ${t.ms.toFixed(0)} ms`,
    );
  console.log(`  hangs over ${HANG_MS / 1000} s: ${hangs.length}`);
  console.log(`  longest refusal: ${s.longestRefusal} characters (limit 299)`);
  for (const f of s.findings.slice(0, 20)) console.log(`  FINDING ${f.target} #${f.caseIndex}: ${f.problem}`);
  process.exit(s.findings.length > 0 || hangs.length > 0 || s.longestRefusal >= 300 ? 1 : 0);
});
worker.on('error', (e) => {
  clearInterval(watchdog);
  console.error(`fuzz: the fuzz worker crashed at case ${Atomics.load(current, 0)}: ${e.stack ?? e}`);
  process.exit(1);
});
