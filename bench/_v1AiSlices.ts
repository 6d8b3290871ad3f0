// Diagnostic (not a bench): which of the 64 vCPUs' slices thrash in the v1 max_guest_memory_test
// reproduction, for the classic active/inactive LRU against MGLRU lockless and locked-write. Per run and
// per slice: evictions (kswapd / direct reclaim) and refaults; for each run-2 eviction, whether the page
// was still ahead of its vCPU's cursor (to be written later in run 2: it will refault) or behind it; and
// run 2 in ten time buckets; why run 2 refaults whole slices: docs/repro-max-guest-memory.md, session 11 (d2). Deterministic, the preset's seed; virtual time.
//   npx esbuild bench/_v1AiSlices.ts --bundle --platform=node --format=esm \
//     --outfile=.cache/bench/_v1AiSlices.mjs && node .cache/bench/_v1AiSlices.mjs [altra|x86 ...]
import path from 'node:path';
import { reproductionConfigs } from '../engine/cli/reproduce.ts';
import { REPRODUCTIONS } from '../engine/core/repro/reproductions.ts';
import { runInProcess } from '../engine/core/sim/run.ts';
import { WorkloadGen } from '../engine/core/sim/workload.ts';
import { onPassEnd } from './_passEnd.ts';
import { Guest } from '../engine/core/sim/guest.ts';
import { ActiveInactive } from '../engine/core/mm/policy/activeInactive.ts';
import type { ScenarioConfig } from '../engine/protocol.ts';
import * as L from '../engine/core/sim/simLayout.ts';
import { hardwarePreset } from './_hardwarePreset.ts';
import { checkHooksRan, hookMethod } from './_util.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const SLICES = 64;
const SLICE = 4096;
const BUCKETS = 10;
const st = {
  pass: 0,
  passEnd: [0, 0] as number[],
  cursor: new Int32Array(SLICES).fill(-1), // each vCPU's last gfn handed out in the current pass
  ev: [0, 1, 2].map(() => ({ k: new Int32Array(SLICES), d: new Int32Array(SLICES), rf: new Int32Array(SLICES) })),
  ahead: { k: 0, d: 0 },
  behind: { k: 0, d: 0 },
  times2: [] as [number, number][], // run-2 events: [t, 0 kswapd eviction | 1 direct eviction | 2 refault]
  // run-2 deactivations (shrink_active_list) by cause: owed (shrink_lruvec's lockstep with DEACTIVATE_ANON)
  // or inactive_is_low alone, and by reclaimer
  deact: { owedK: 0, owedD: 0, lowK: 0, lowD: 0 },
  seen: [0, 1, 2].map(() => new Set<number>()),
  snap: null as Float64Array | null,
  live: null as Float64Array | null,
  base: 0,
};

// Every hook must run (mustRun, checked after the last profile): the variants hold MGLRU and the
// active/inactive LRU, and each hook's count is printed as a finding.
const must = { mustRun: true };
onPassEnd((e) => {
  if (e.before < 2) st.passEnd[e.before] = e.now;
  if (e.before === 0) {
    st.snap = Float64Array.from(e.stats);
    st.live = e.stats;
    st.base = e.base;
  }
  st.pass = e.before + 1;
}, must);
hookMethod(
  WorkloadGen.prototype,
  'next',
  (origNext) =>
    function (this: Any, now: number): number {
      const g = origNext.call(this, now) as number;
      if (g >= 0 && this.sliceEnd - this.sliceStart === SLICE) st.cursor[Math.floor(g / SLICE)] = g % SLICE;
      return g;
    },
  must,
);
hookMethod(
  Guest.prototype,
  'evictOne',
  (origEvict) =>
    function (this: Any, gfn: number, t: number, byVcpu: boolean, cpu?: number): number {
      const s = Math.floor(gfn / SLICE);
      const e = st.ev[Math.min(st.pass, 2)];
      (byVcpu ? e.d : e.k)[s]++;
      if (st.pass === 1) {
        st.times2.push([t, byVcpu ? 1 : 0]);
        const side = gfn % SLICE > st.cursor[s] ? st.ahead : st.behind;
        side[byVcpu ? 'd' : 'k']++;
      }
      return origEvict.call(this, gfn, t, byVcpu, cpu) as number;
    },
  must,
);
// ActiveInactive's deactivateTail is private: hookMethod reaches it by name (and throws if it is renamed).
hookMethod(
  ActiveInactive.prototype,
  'deactivateTail',
  (origDeact) =>
    function (this: Any, r: Any) {
      if (st.pass === 1) {
        const owed = (this.state[5] as number) > 0; // DEACTIVATE_OWED
        st.deact[`${owed ? 'owed' : 'low'}${r.kswapd ? 'K' : 'D'}` as 'owedK']++;
      }
      origDeact.call(this, r);
    },
  must,
);
type MapArgs = Parameters<Guest['mapLocked']>;
hookMethod(
  Guest.prototype,
  'mapLocked',
  (origMap) =>
    function (this: Guest, ...a: MapArgs): number {
      const [gfn, , , , , t0, , refault] = a;
      // Distinct pages per run: a fault whose map is retried (mmu_invalidate_retry) calls mapLocked again.
      const seen = st.seen[Math.min(st.pass, 2)];
      if (refault && !seen.has(gfn)) {
        seen.add(gfn);
        st.ev[Math.min(st.pass, 2)].rf[Math.floor(gfn / SLICE)]++;
        if (st.pass === 1) st.times2.push([t0, 2]);
      }
      return origMap.apply(this, a) as number;
    },
  must,
);

const configs = reproductionConfigs(path.join(process.cwd(), 'presets'), REPRODUCTIONS);
const variants: [string, string][] = [
  ['MGLRU locked (before)', 'repro-max-guest-memory/locked-write/mglru'],
  ['MGLRU lockless (after)', 'repro-max-guest-memory/lockless/mglru'],
  ['active/inactive (off)', 'repro-max-guest-memory/lockless/active-inactive'],
];
const sum = (a: Int32Array): number => a.reduce((x, y) => x + y, 0);
/** The slices with any count, as `slice:count` (or a summary when most have one). */
const spread = (a: Int32Array): string => {
  const nz = [...a].map((v, i) => [i, v]).filter(([, v]) => v > 0);
  if (nz.length > 12) {
    const vs = nz.map(([, v]) => v).sort((x, y) => x - y);
    return `${nz.length} slices, min ${vs[0]}, median ${vs[vs.length >> 1]}, max ${vs[vs.length - 1]}`;
  }
  return nz.map(([i, v]) => `${i}:${v}`).join(' ') || '-';
};
const want = process.argv.slice(2);
for (const prof of want.length > 0 ? want : ['altra']) {
  const hw = hardwarePreset(prof === 'x86' ? 'x86-workstation' : 'ampere-altra');
  console.log(`\n##### profile ${prof}`);
  for (const [name, key] of variants) {
    const base = configs.get(key);
    if (!base) throw new Error(`no config ${key}`);
    const cfg = structuredClone(base) as ScenarioConfig;
    cfg.hardware = hw;
    Object.assign(st, {
      pass: 0,
      passEnd: [0, 0],
      cursor: new Int32Array(SLICES).fill(-1),
      ev: [0, 1, 2].map(() => ({ k: new Int32Array(SLICES), d: new Int32Array(SLICES), rf: new Int32Array(SLICES) })),
      ahead: { k: 0, d: 0 },
      behind: { k: 0, d: 0 },
      times2: [],
      deact: { owedK: 0, owedD: 0, lowK: 0, lowD: 0 },
      seen: [0, 1, 2].map(() => new Set<number>()),
      snap: null,
      live: null,
    });
    runInProcess(cfg);
    const [e1, e2] = st.passEnd;
    console.log(`\n=== ${name}: run 1 ends ${(e1 / 1e6).toFixed(1)} ms, run 2 ${((e2 - e1) / 1e6).toFixed(1)} ms`);
    for (const r of [0, 1]) {
      const e = st.ev[r];
      console.log(
        `  run ${r + 1}: evictions kswapd ${sum(e.k)} [${spread(e.k)}]; direct ${sum(e.d)} [${spread(e.d)}]; ` +
          `pages refaulted ${sum(e.rf)} [${spread(e.rf)}]`,
      );
    }
    console.log(
      `  run-2 evictions of pages still ahead of their vCPU (refault later in run 2): kswapd ${st.ahead.k}, direct ${st.ahead.d}; ` +
        `behind it: kswapd ${st.behind.k}, direct ${st.behind.d}`,
    );
    if (st.snap !== null && st.live !== null) {
      const d = (i: number): number => (st.live as Float64Array)[st.base + i] - (st.snap as Float64Array)[st.base + i];
      const ms = (i: number): string => (d(i) / 1e6).toFixed(1);
      console.log(
        `  run 2 counters: swap reads ${d(L.GS_SWAP_READS)}, readahead pages ${d(L.GS_RA_PAGES)} (hits ${d(L.GS_RA_HITS)}), ` +
          `kswapd busy ${ms(L.GS_KSWAPD_NS)} ms, wake-ups ${d(L.GS_KSWAPD_WAKEUPS)}, vCPU stall ${ms(L.GS_STALL_NS)} ms ` +
          `(free-memory pressure ${ms(L.GS_PRESSURE_NS)}, pfmemalloc ${ms(L.GS_PFMEMALLOC_NS)}, lock wait ${ms(L.GS_LOCK_WAIT_NS)}), flushes ${d(L.GS_TLB_FLUSH_VM)}`,
      );
    }
    const dc = st.deact;
    if (dc.owedK + dc.owedD + dc.lowK + dc.lowD > 0)
      console.log(
        `  run-2 deactivations: lockstep (DEACTIVATE_ANON) kswapd ${dc.owedK}, direct ${dc.owedD}; inactive_is_low alone kswapd ${dc.lowK}, direct ${dc.lowD}`,
      );
    const b = Array.from({ length: BUCKETS }, () => [0, 0, 0]);
    for (const [t, w] of st.times2)
      b[Math.max(0, Math.min(BUCKETS - 1, Math.floor(((t - e1) / (e2 - e1)) * BUCKETS)))][w]++;
    console.log(`  run 2 by tenth (kswapd ev / direct ev / refaults): ${b.map((x) => x.join('/')).join('  ')}`);
  }
}
checkHooksRan();
