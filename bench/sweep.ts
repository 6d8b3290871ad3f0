/**
 * Sweep throughput (runs per minute) of the cloudPhysicsIO capacity sweep (exact LRU and CLOCK ×
 * 4 capacities = 8 deterministic runs): on 1 local worker, on 2 local workers, and on 2 BullMQ queue
 * workers (`lab worker` processes) against a real redis-server on a free port. Worker start-up is
 * outside the timed part for the queue (workers wait for jobs); the local pool spawns one simulation
 * worker thread per run, inside the timed part, as `lab sweep` does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { planSweep, type SweepPlan } from '../engine/core/sweep/plan.ts';
import { loadTraces, defaultTraceDir } from '../engine/cli/traces.ts';
import { submitAndCollect } from '../engine/cli/queue.ts';
import { startRun } from '../engine/host/engine.ts';
import { nodeSpawner } from '../engine/host/node/spawn.ts';
import { runLocalSweep, SweepCollector } from '../engine/host/sweep.ts';
import { loadPresetDir } from '../presets/node.ts';
import { startRedis } from '../test/queue/redis.ts';

const root = process.cwd();
const { set, problems } = loadPresetDir(path.join(root, 'presets'));
if (problems.length) throw new Error(problems.join('\n'));
const trace = loadTraces(['cloudPhysicsIO'], [], defaultTraceDir(root)).get('cloudPhysicsIO')!;
const spec = {
  scenario: 'trace-oracle',
  axes: { 'reclaim.policy': ['exact-lru', 'clock'], 'host.memoryMiB': [3.90625, 39.0625, 97.65625, 191.3046875] },
  seeds: [1],
};
const planned = planSweep(spec, { set, traces: { cloudPhysicsIO: { distinct: trace.distinct } } });
if (!planned.ok) throw new Error(planned.error.message);
const plan: SweepPlan = planned.value;
const runs = plan.configs.length;
const spawnWorker = nodeSpawner(path.join(root, '.cache', 'workers', 'sim-worker.mjs'));

function line(what: string, ms: number, note = ''): void {
  console.log(
    `${what.padEnd(24)} ${((runs / ms) * 60_000).toFixed(1).padStart(7)} runs/min  (${runs} runs in ${(ms / 1000).toFixed(2)} s)${note}`,
  );
}

async function local(concurrency: number): Promise<number> {
  const t0 = performance.now();
  const h = runLocalSweep(plan, {
    sweepId: `bench-${concurrency}`,
    concurrency,
    runOne: (i) =>
      startRun(plan.configs[i], { spawnWorker, traces: { cloudPhysicsIO: trace.pageIds }, onEvent: () => {} }),
    onEvent: () => {},
  });
  await h.done;
  if (h.collector.done !== runs) throw new Error('local sweep incomplete');
  return performance.now() - t0;
}

function labWorker(url: string): { child: ChildProcess; ready: Promise<void> } {
  const child = spawn(process.execPath, ['scripts/lab.mjs', 'worker', '--queue', url], {
    cwd: root,
    env: { ...process.env, LAB_NO_WORKER_BUILD: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ready = new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('worker ready')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`lab worker exited (${code}) before it was ready`)));
  });
  return { child, ready };
}

async function queue(): Promise<number | string> {
  let redis;
  try {
    redis = await startRedis();
  } catch (e) {
    return `skipped: ${(e as Error).message}`;
  }
  const workers = [labWorker(redis.url), labWorker(redis.url)];
  try {
    await Promise.all(workers.map((w) => w.ready));
    const t0 = performance.now();
    const collector = new SweepCollector(plan);
    await submitAndCollect({ url: redis.url, sweepId: `bench-${Date.now()}`, collector, onRun: () => {} });
    if (collector.done !== runs) throw new Error('queue sweep incomplete');
    return performance.now() - t0;
  } finally {
    for (const w of workers) w.child.kill('SIGTERM');
    await Promise.all(
      workers.map((w) => new Promise((r) => (w.child.exitCode !== null ? r(0) : w.child.once('exit', r)))),
    );
    await redis.stop();
  }
}

console.log(`capacity sweep of cloudPhysicsIO: ${runs} runs (exact LRU, CLOCK × 4 capacities), deterministic`);
await local(1); // warm-up (bundle loading, JIT)
line('1 local worker', await local(1));
line('2 local workers', await local(2));
const q = await queue();
if (typeof q === 'string') console.log(`2 queue workers          ${q}`);
else line('2 queue workers (BullMQ)', q, ', redis-server on 127.0.0.1');
