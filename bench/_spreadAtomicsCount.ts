// Diagnostics (not a bench): atomics per access of a spread run (runInterleaved, one thread), by operation
// and, sampled 1 in 997, by call site (two stack frames). Env: GUESTS (4), MS (50).
// Session 13 (s13-k; defaults, 1,389,212 accesses either way): native operations per access 4.65 -> 3.91 (of them
// byte-wide 0.28): takeBudget's first read and wmarkFree's reads plain (load 2.14 -> 1.46), the stop check per 8
// actor runs (0.151 -> 0.090); recheckTlb's store + load (0.677 + 0.647, per TLB insert) kept (vcpu.ts).
// callgrind, _spreadCost.ts MODE=interleaved MS=30, main thread: Builtins_AtomicsLoad 253.9 -> 182.3 M instructions.
import path from 'node:path';
import { runInterleaved } from '../engine/core/sim/run.ts';
import { nativeAtomicOps, setAtomicOps, type AtomicOps } from '../engine/core/sync/atomics.ts';
import { loadPresetDir } from '../presets/node.ts';
import { vcpus64Scenario } from './_util.ts';
const hw = loadPresetDir(path.join(process.cwd(), 'presets')).set.hardware.get('ampere-altra')!;
const counts = new Map<string, number>();
const sites = new Map<string, number>();
let n = 0;
const base = nativeAtomicOps();
const ops: Partial<AtomicOps> = {};
for (const k of Object.keys(base) as (keyof AtomicOps)[]) {
  const f = base[k] as (...a: unknown[]) => unknown;
  (ops as Record<string, unknown>)[k] = (...a: unknown[]) => {
    counts.set(k, (counts.get(k) ?? 0) + 1);
    if (++n % 997 === 0) {
      const st = (new Error().stack ?? '')
        .split('\n')
        .slice(2, 4)
        .map((s) => s.trim().split(' ')[1])
        .join(' <- ');
      sites.set(k + ' ' + st, (sites.get(k + ' ' + st) ?? 0) + 997);
    }
    return f(...a);
  };
}
setAtomicOps(ops);
const c = vcpus64Scenario(hw, Number(process.env.GUESTS ?? 4), 2, Number(process.env.MS ?? 50));
const r = runInterleaved(c, 2, [0, 1]);
console.log('accesses', r.summary.accesses);
console.log(
  [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${(v / r.summary.accesses).toFixed(2)}/acc`)
    .join(', '),
);
for (const [k, v] of [...sites.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.TOP ?? 30)))
  console.log((v / r.summary.accesses).toFixed(3), k);
