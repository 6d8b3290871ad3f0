// Diagnostic (not a bench): the host reclaim driver's events in a reproduction (docs/repro-memcached.md,
// session 18 (e)): kswapd's wake-ups and sleeps (balanced, or after a balance_pgdat that freed nothing),
// and direct reclaim's clusters (evictions, frames freed, folios isolated per cluster).
//   npx esbuild bench/_reclaimDriver.ts --bundle --platform=node --format=esm \
//     --outfile=.cache/bench/_reclaimDriver.mjs && node .cache/bench/_reclaimDriver.mjs [scenario] [--policy=mglru]
import path from 'node:path';
import { resolveScenario } from '../engine/core/config/resolve.ts';
import { Kswapd } from '../engine/core/mm/kswapd.ts';
import { Pgdat } from '../engine/core/mm/pgdat.ts';
import { loadPresetDir } from '../presets/node.ts';
import { argFlag, hookMethod, runInThread } from './_util.ts';

interface K {
  clock: number;
  highWmarkHitQuickly?: number;
  host: { high: number; low: number; wmarkFree(): number };
}
interface P {
  lastEvicted: number;
  lastFreed: number;
  kswapd: boolean;
}
const kswapds = new Set<K>();
const c = { wakes: 0, sleepsBalanced: 0, sleepsUnbalanced: 0, naps: 0, clusters: 0, evicted: 0, freed: 0, steps: 0 };
let clusterFreed = 0;
const freedPerCluster: number[] = [];
hookMethod(
  Kswapd.prototype,
  'sleep',
  (f) =>
    function (this: K): void {
      kswapds.add(this);
      if (this.clock !== Infinity) {
        if (this.host.wmarkFree() > this.host.high) c.sleepsBalanced++;
        else c.sleepsUnbalanced++;
      }
      f.call(this);
    },
);
hookMethod(
  Kswapd.prototype,
  'wake',
  (f) =>
    function (this: K, t: number): boolean {
      const woke = f.call(this, t) as boolean;
      if (woke) c.wakes++;
      return woke;
    },
);
hookMethod(
  Pgdat.prototype,
  'directReclaimStep',
  (f) =>
    function (this: P, ...a: unknown[]): number {
      const r = f.apply(this, a) as number;
      c.steps++;
      c.evicted += this.lastEvicted;
      c.freed += this.lastFreed;
      clusterFreed += this.lastFreed;
      return r;
    },
);
hookMethod(
  Pgdat.prototype,
  'putback',
  (f) =>
    function (this: P): void {
      c.clusters++;
      freedPerCluster.push(clusterFreed);
      clusterFreed = 0;
      f.call(this);
    },
);

const id = process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 'repro-memcached-arm64';
const policy = argFlag('policy');
const presets = loadPresetDir(path.join(process.cwd(), 'presets'));
for (const harvest of (argFlag('harvest') ?? 'locked-write,lockless').split(',')) {
  const hardware = argFlag('hardware');
  const r = resolveScenario(presets.set, id, { harvest: harvest as 'lockless', ...(hardware ? { hardware } : {}) });
  if (!r.ok) throw new Error(r.error.message);
  const ms = argFlag('ms');
  const config = {
    ...r.value,
    run: { ...r.value.run, deterministic: true, ...(ms ? { durationMs: Number(ms) } : {}) },
  };
  if (policy !== undefined) config.reclaim = { ...config.reclaim, policy: policy as 'mglru' };
  for (const k of Object.keys(c)) c[k as keyof typeof c] = 0;
  freedPerCluster.length = 0;
  clusterFreed = 0;
  kswapds.clear();
  runInThread(config);
  let hit = 0;
  for (const k of kswapds) hit += k.highWmarkHitQuickly ?? 0;
  freedPerCluster.sort((a, b) => a - b);
  const lt32 = freedPerCluster.filter((x) => x < 32).length;
  console.log(
    `== ${id} ${harvest} ${config.reclaim.policy}: kswapd wake-ups ${c.wakes}, sleeps balanced ${c.sleepsBalanced}, unbalanced ${c.sleepsUnbalanced}, naps ending in balance_pgdat ${hit}; direct reclaim clusters ${c.clusters}, steps ${c.steps}, evicted ${c.evicted}, freed ${c.freed}; clusters freeing < 32: ${lt32}, median frees ${freedPerCluster[freedPerCluster.length >> 1] ?? '-'}`,
  );
}
