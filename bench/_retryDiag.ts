// Diagnostics (not a bench): mmu_invalidate_retry in the bench's 64-vCPU scenario, 1 worker (deterministic)
// against a spread run of 2 workers on ONE thread (each quantum's runUntil in turn, order alternating):
// hit rate, and per guest accesses, stage-2 faults, refaults, evictions, retries (MmuInvalidate.retries), and the
// process CPU of each. Env: GUESTS (4), MS (200), SEEDS (1), MODES (one,spread), WAITS (lock waits by
// caller), NORETRY (mmu_invalidate_retry never fires: attribution only).
import path from 'node:path';
import { loadavg } from 'node:os';
import { prepareRun, buildResult, RowStore } from '../engine/core/sim/run.ts';
import { SimWorkerCore } from '../engine/core/sim/simCore.ts';
import { CTL_DONE, TIME_QUANTUM_END } from '../engine/core/sim/simLayout.ts';
import * as L from '../engine/core/sim/simLayout.ts';
import type { Guest } from '../engine/core/sim/guest.ts';
import { loadPresetDir } from '../presets/node.ts';
import { hookMethod, loneCore, vcpus64Scenario } from './_util.ts';

const hw = loadPresetDir(path.join(process.cwd(), 'presets')).set.hardware.get('ampere-altra')!;
const GUESTS = Number(process.env.GUESTS ?? 4);
const MS = Number(process.env.MS ?? 200);
const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e3;
};
const guestsOf = (core: SimWorkerCore): Guest[] => {
  const s = new Set<Guest>();
  for (const a of core.actorList) {
    const g = (a as unknown as { g?: Guest }).g;
    if (g && g.mmuInvalidate !== undefined) s.add(g);
  }
  return [...s].sort((a, b) => a.index - b.index);
};
// Lock waits by where the request came from (the wrapped Guest methods set the context).
const waits = new Map<string, number>();
const counts = new Map<string, number>();
let ctx = 'other';
const entry = new Map<Guest, number>();
// Per-object hooks (this guest and its lock only), through hookMethod: a renamed method throws.
function instrument(g: Guest): void {
  for (const m of ['evictOne', 'mapLocked', 'afFault', 'permFault', 'fault'])
    hookMethod(
      g,
      m,
      (f) =>
        function (this: Guest, ...args: unknown[]): unknown {
          if (m === 'mapLocked') entry.set(g, g.mmuInvalidate.retries);
          const prev = ctx;
          ctx =
            m === 'fault' && prev !== 'other' ? prev : m === 'evictOne' ? (args[2] ? 'evictDirect' : 'evictKswapd') : m;
          try {
            return f.apply(this, args);
          } finally {
            ctx = prev;
          }
        },
    );
  for (const m of ['read', 'write', 'readFifo'])
    hookMethod(
      g.vlock,
      m,
      (f) =>
        function (this: unknown, t: number, hold: number, aging: boolean): number {
          const s = f.call(this, t, hold, aging) as number;
          const re = ctx === 'mapLocked' && g.mmuInvalidate.retries > (entry.get(g) ?? 0) ? '.retry' : '';
          const k = `g${g.index} ${ctx}${re}.${m}${aging ? '.aging' : ''}`;
          waits.set(k, (waits.get(k) ?? 0) + s - t);
          counts.set(k, (counts.get(k) ?? 0) + 1);
          return s;
        },
    );
}
function dumpWaits(): void {
  for (const k of [...waits.keys()].sort())
    console.log(`     ${k}: n ${counts.get(k)} wait ${(waits.get(k)! / 1e6).toFixed(1)} ms`);
  waits.clear();
  counts.clear();
}
const paid = Array.from({ length: GUESTS }, () => 0);
function report(label: string, ms: number, stats: Float64Array, retries: number[], hit: number): void {
  const row = (g: number, k: number): number => stats[g * L.GS_WORDS + k];
  let tf = 0;
  let tr = 0;
  const per: string[] = [];
  for (let g = 0; g < GUESTS; g++) {
    const f = row(g, L.GS_S2_FAULTS);
    tf += f;
    tr += retries[g];
    per.push(
      `g${g} acc ${row(g, L.GS_ACCESSES)} hit ${((100 * row(g, L.GS_HITS)) / row(g, L.GS_ACCESSES)).toFixed(2)} s2 ${f} ref ${row(g, L.GS_REFAULTS)} ev ${row(g, L.GS_EVICTIONS)} retry ${retries[g]} (${(retries[g] / f).toFixed(3)}/f) stall ${(row(g, L.GS_STALL_NS) / 1e6).toFixed(1)}ms wait ${(row(g, L.GS_LOCK_WAIT_NS) / 1e6).toFixed(1)} dr ${row(g, L.GS_DIRECT_RECLAIM)} thr ${(row(g, L.GS_THROTTLE_NS) / 1e6).toFixed(1)} kswW ${(row(g, L.GS_KSWAPD_WRITE_WAIT_NS) / 1e6).toFixed(1)} paid ${(paid[g] / 1e6).toFixed(1)}`,
    );
  }
  console.log(
    `${label}: CPU ${ms.toFixed(0)} ms hit ${(100 * hit).toFixed(3)} % retries/fault ${(tr / tf).toFixed(3)} load ${loadavg()[0].toFixed(2)}`,
  );
  for (const p of per) console.log('   ' + p);
}
for (const seed of (process.env.SEEDS ?? '1').split(',').map(Number))
  for (const mode of (process.env.MODES ?? 'one,spread').split(',')) {
    const c = vcpus64Scenario(hw, GUESTS, mode === 'one' ? 1 : 2, MS);
    c.run.seed = seed;
    if (mode === 'one') {
      const { p, store, core } = loneCore(c);
      if (process.env.WAITS) for (const g of guestsOf(core)) instrument(g);
      // NORETRY=1: a what-if for attribution, mmu_invalidate_retry never fires (the lab before s6-f).
      if (process.env.NORETRY) for (const g of guestsOf(core)) hookMethod(g.mmuInvalidate, 'retry', () => () => false);
      const c0 = cpu();
      core.loop();
      const ms = cpu() - c0;
      const gs = guestsOf(core);
      const r = buildResult(p, store.data, store.count, 0);
      report(
        `one    s${seed}`,
        ms,
        core.sv.stats,
        gs.map((g) => g.mmuInvalidate.retries),
        r.summary.hitRate,
      );
      dumpWaits();
      core.close();
    } else {
      const p = prepareRun({ ...c, run: { ...c.run, deterministic: false, workers: 2 } }, {}, 2);
      const store = new RowStore();
      const sink = { rows: (s: number, r: Float64Array[]) => store.put(s, r), progress: () => {} };
      const cores = [0, 1].map((i) => new SimWorkerCore(p.config, p.plan, p.buffers, i, sink));
      for (const core of cores)
        for (const g of guestsOf(core)) {
          if (process.env.WAITS) instrument(g);
          if (process.env.NORETRY) {
            hookMethod(g.mmuInvalidate, 'retry', () => () => false);
            hookMethod(g.mmuInvalidate, 'settle', () => () => {});
          }
          hookMethod(
            g.mmuInvalidate,
            'pay',
            (pay) =>
              function (this: unknown, vi: number, t: number): number {
                const e = pay.call(this, vi, t) as number;
                paid[g.index] += e - t;
                return e;
              },
          );
        }
      const sv = cores[0].sv;
      const c0 = cpu();
      let q = 0;
      do {
        const end = sv.time[TIME_QUANTUM_END];
        for (const w of q % 2 === 0 ? [0, 1] : [1, 0]) cores[w].runUntil(end);
        cores[0].serial();
        q++;
      } while (sv.control[CTL_DONE] !== 1);
      const ms = cpu() - c0;
      const retries = Array.from({ length: GUESTS }, () => 0);
      for (const core of cores) for (const g of guestsOf(core)) retries[g.index] += g.mmuInvalidate.retries;
      const r = buildResult(p, store.data, store.count, 0);
      // Summed counters: the result's per-guest rows are the last row's cumulative values.
      const stats = new Float64Array(GUESTS * L.GS_WORDS);
      for (let w = 0; w < 2; w++) {
        const ws = L.workerStats(p.buffers, w);
        for (let i = 0; i < stats.length; i++) stats[i] += ws[i];
      }
      report(`spread s${seed}`, ms, stats, retries, r.summary.hitRate);
      paid.fill(0);
      dumpWaits();
      for (const core of cores) core.close();
    }
  }
