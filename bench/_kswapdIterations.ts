// Diagnostic (not a bench): kswapd's balance_pgdat iterations in a reproduction (docs/repro-memcached.md,
// session 17 (e)): per wake-up, its kswapd_shrink_node calls (how each ended: nr_to_reclaim reclaimed, or,
// MGLRU, size >> priority folios scanned), the priorities, and the free frames when it went to sleep.
//   npx esbuild bench/_kswapdIterations.ts --bundle --platform=node --format=esm \
//     --outfile=.cache/bench/_kswapdIterations.mjs && node .cache/bench/_kswapdIterations.mjs [scenario] [--from-ms=501]
import path from 'node:path';
import { resolveScenario } from '../engine/core/config/resolve.ts';
import { BalancePgdat } from '../engine/core/mm/balancePgdat.ts';
import { Kswapd } from '../engine/core/mm/kswapd.ts';
import { loadPresetDir } from '../presets/node.ts';
import { argFlag, checkHooksRan, hookMethod, runInThread } from './_util.ts';

interface B {
  priority: number;
  freed: number;
  scanned: number;
  isolated: number;
}
interface K {
  clock: number;
  balance: B;
  host: { high: number; low: number; wmarkFree(): number };
}
/** Each kswapd's BalancePgdat, to the kswapd (recorded at its wake-ups and sleeps). */
const owner = new WeakMap<B, K>();
const fromNs = Number(argFlag('from-ms') ?? 501) * 1e6;
let wakes = 0;
let calls = 0;
let byReclaim = 0;
let freed = 0;
let scanned = 0;
let isolated = 0;
const prio = new Map<number, number>();
let sleeps = 0;
let sleepFree = 0;
let sleepFreeMax = 0;
let wakeFreed = 0;
const perWake: number[] = [];
function count(k: K): void {
  if (k.clock < fromNs) return;
  const b = k.balance;
  calls++;
  if (b.freed >= Math.max(k.host.high, 32)) byReclaim++;
  freed += b.freed;
  wakeFreed += b.freed;
  scanned += b.scanned;
  isolated += b.isolated;
  prio.set(b.priority, (prio.get(b.priority) ?? 0) + 1);
}
hookMethod(
  BalancePgdat.prototype,
  'next',
  (f) =>
    function (this: B): void {
      const k = owner.get(this);
      if (k !== undefined) count(k);
      f.call(this);
    },
  { mustRun: true },
);
hookMethod(
  Kswapd.prototype,
  'sleep',
  (f) =>
    function (this: K): void {
      owner.set(this.balance, this);
      if (this.clock >= fromNs && this.clock !== Infinity) {
        count(this); // the call that found the node balanced
        sleeps++;
        const free = this.host.wmarkFree();
        sleepFree += free;
        sleepFreeMax = Math.max(sleepFreeMax, free);
        perWake.push(wakeFreed);
      }
      wakeFreed = 0;
      f.call(this);
    },
  { mustRun: true },
);
hookMethod(
  Kswapd.prototype,
  'wake',
  (f) =>
    function (this: K, t: number): boolean {
      owner.set(this.balance, this);
      const woke = f.call(this, t) as boolean;
      if (woke && t >= fromNs) wakes++;
      return woke;
    },
);

const id = process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 'repro-memcached-arm64';
const presets = loadPresetDir(path.join(process.cwd(), 'presets'));
for (const harvest of ['locked-write', 'lockless'] as const) {
  const r = resolveScenario(presets.set, id, { harvest });
  if (!r.ok) throw new Error(r.error.message);
  const config = { ...r.value, run: { ...r.value.run, deterministic: true } };
  wakes = calls = byReclaim = freed = scanned = isolated = sleeps = sleepFree = sleepFreeMax = wakeFreed = 0;
  prio.clear();
  perWake.length = 0;
  runInThread(config);
  const ps = [...prio.entries()].sort((a, b) => b[0] - a[0]).map(([p, n]) => `${p}: ${n}`);
  perWake.sort((a, b) => a - b);
  console.log(
    `== ${id} ${harvest}, from ${fromNs / 1e6} ms: wake-ups ${wakes}, sleeps ${sleeps}; kswapd_shrink_node calls ${calls} (ended by nr_to_reclaim ${byReclaim}, by size >> priority ${calls - byReclaim}); frees per call ${(freed / calls).toFixed(1)}, folios scanned ${(scanned / calls).toFixed(1)}, isolated ${(isolated / calls).toFixed(1)}`,
  );
  console.log(
    `   priorities (calls): ${ps.join(', ')}; frees per wake-up median ${perWake[perWake.length >> 1]}, max ${perWake[perWake.length - 1]}; free frames at sleep mean ${(sleepFree / sleeps).toFixed(1)}, max ${sleepFreeMax}`,
  );
}
checkHooksRan();
