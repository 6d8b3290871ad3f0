// Diagnostics of seed-debate (not a bench): per-guest evictions and refaults over time, and MGLRU's
// generations at each aging pass (who walks, when it starts and when its inc_max_seq comes, the young pages
// the walk found), and the refaults the policy sees (Mglru.onMap of an evicted page's shadow: lru_gen_refault).
// Hooks go through hookMethod (bench/_util.ts: a hook whose method a refactor moved throws). NOBLOOM=1: every
// PTE table walked (no Bloom filter), to compare. Bundle and run:
//   npx esbuild bench/_seedDiag.ts --bundle --platform=node --format=esm --outfile=/tmp/seed.mjs && node /tmp/seed.mjs <harvest> [durationMs]
import { runInProcess } from '../engine/core/sim/run.ts';
import { Pgdat } from '../engine/core/mm/pgdat.ts';
import { Mglru } from '../engine/core/mm/policy/mglru.ts';
import { FOLIO_SHADOW, lruGenRefault } from '../engine/core/mm/policy/mglruRefault.ts';
import type { HarvestMode } from '../engine/protocol.ts';
import { diagScenario, hookMethod } from './_util.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const harvest = (process.argv[2] ?? 'lockless') as HarvestMode;
const dur = Number(process.argv[3] ?? 1500);
const config = diagScenario('seed-debate', 'ampere-altra', dur, harvest);

const BIN = 100e6;
const ev: number[][] = [];
const P = Pgdat.prototype;
const M = Mglru.prototype;
hookMethod(
  P,
  'shrinkNode',
  (origShrink) =>
    function (this: Any, t: number, ...rest: unknown[]) {
      if (!this.__wrapped) {
        this.__wrapped = true;
        for (const g of this.guests as Any[])
          hookMethod(
            g,
            'evictOne',
            (oe) =>
              function (this: Any, gfn: number, tt: number, ...a: unknown[]) {
                const b = Math.floor(tt / BIN);
                (ev[b] ??= [0, 0, 0, 0])[g.index]++;
                return oe.call(this, gfn, tt, ...a);
              },
          );
      }
      return origShrink.call(this, t, ...rest);
    },
);
const passes: string[] = [];
hookMethod(
  M,
  'beginAging',
  (origBegin) =>
    function (this: Any, t: number) {
      const s = this.state as Float64Array;
      const sizes = [];
      for (let q = s[0]; q <= s[1]; q++) sizes.push(this.nrPages[q % 4]);
      passes.push(`begin t=${(t / 1e6).toFixed(2)}ms min=${s[0]} max=${s[1]} sizes=${sizes.join('/')}`);
      return origBegin.call(this, t);
    },
);
if (process.env.NOBLOOM === '1') hookMethod(M, 'walkPmd', () => () => true);
// The walker of each pass: the reclaimer whose ageStep starts it (Pgdat.kswapd: kswapd's call, else direct).
hookMethod(
  M,
  'ageStep',
  (origStep) =>
    function (this: Any, r: Any) {
      if (this.agingCursor === 0) passes.push(`  walker: ${r.kswapd ? 'kswapd' : 'direct reclaim'}`);
      return origStep.call(this, r);
    },
);
let protects = 0;
let refaults = 0;
let recent = 0;
hookMethod(
  M,
  'protect',
  (origProtect) =>
    function (this: Any, id: number) {
      protects++;
      return origProtect.call(this, id);
    },
);
// A refault the policy sees: onMap of a page this lruvec evicted (its shadow), which calls lru_gen_refault
// (lruGenRefault, mm/policy/mglruRefault.ts: a function, so counted here); recent when it returns flags.
hookMethod(
  M,
  'onMap',
  (origOnMap) =>
    function (this: Any, id: number, ...a: unknown[]) {
      if ((this.folioFlags[id] & FOLIO_SHADOW) !== 0) {
        refaults++;
        if (lruGenRefault(this.tag, this.state, id) !== 0) recent++;
      }
      return origOnMap.call(this, id, ...a);
    },
);
let inWalk = false;
let walkYoung = 0;
hookMethod(
  P,
  'walk',
  (origWalk) =>
    function (this: Any, ...a: unknown[]) {
      inWalk = true;
      try {
        return origWalk.apply(this, a);
      } finally {
        inWalk = false;
      }
    },
);
// A walk's young pages: walk_pte_range promotes each (promoteYoung -> Mglru.promote, folio_update_gen).
hookMethod(
  M,
  'promote',
  (origPromote) =>
    function (this: Any, id: number, ...a: unknown[]) {
      if (inWalk) walkYoung++;
      return origPromote.call(this, id, ...a);
    },
);
hookMethod(
  M,
  'endAging',
  (origEnd) =>
    function (this: Any, t: number) {
      passes.push(`  end (inc_max_seq) t=${(t / 1e6).toFixed(2)}ms: walk found ${walkYoung} young`);
      walkYoung = 0;
      return origEnd.call(this, t);
    },
);
const res = runInProcess(config);
console.log(`refaults seen by the policy ${refaults}, recent ${recent}, protected ${protects}`);
const sm = res.summary as Any;
console.log(
  `${harvest}: hit ${(sm.hitRate * 100).toFixed(2)} % thr ${(sm.throughput / 1e6).toFixed(3)} M evictions ${sm.evictions}`,
);
for (const p of passes) console.log(p);
console.log('evictions per 100 ms (web batch cache vault):');
ev.forEach((e, b) => console.log(`${b * 100}-${b * 100 + 100} ms: ${e.join(' ')}`));
