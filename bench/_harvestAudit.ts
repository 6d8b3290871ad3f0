// Diagnostics of seed-debate per harvest mode (not a bench): per guest, hit rate, refaults, evictions,
// eviction precision; the eviction check's outcome (folio_referenced young -> kept, old -> evicted);
// and for each victim the number of generations since it was last placed young (fault, walk promotion,
// activation) and whether an aging walk visited it since; evictions per guest per 50 ms of virtual time; and
// for the batch guest's eviction checks after 300 ms, the time since the page was last found young (its
// accessed flag cleared by a walk, look-around or check), by outcome; the pages the walks and look-arounds
// found young (lockless: with the young checks, the summary's youngFound; seed 1, 1.5 s: 845,123 + 21,732 =
// 866,855). Hooks (hookMethod: a hook whose method a refactor moved throws): Mglru onMap / activate / promote /
// pickVictim / evicted, Pgdat walk / referenced, Harvester.walkBatch (each window a walk reads). SPTEWALK=0 and
// NOBLOOM=1 below. Bundle and run:
//   npx esbuild bench/_harvestAudit.ts --bundle --platform=node --format=esm --outfile=/tmp/audit.mjs && node /tmp/audit.mjs <harvest> [durationMs]
import { runInProcess } from '../engine/core/sim/run.ts';
import { Pgdat } from '../engine/core/mm/pgdat.ts';
import { Mglru } from '../engine/core/mm/policy/mglru.ts';
import type { HarvestMode, ScenarioConfig } from '../engine/protocol.ts';
import type { Promoter } from '../engine/core/mm/policy/policy.ts';
import { Harvester } from '../engine/core/kvm/mmuNotifier.ts';
import { RMAP_WALK_NS } from '../engine/core/mm/folioReferenced.ts';
import { hostMapped } from '../engine/core/mm/hostPte.ts';
import { clearPageFlags } from '../engine/core/mm/pageFlags.ts';
import {
  hostClear,
  lookAroundEnd,
  lookAroundStart,
  PMD_PAGES,
  popcount,
  promoteYoung,
} from '../engine/core/mm/youngBatch.ts';
import { C_CMPXCHG, C_PTE_SCAN } from '../engine/core/sim/costs.ts';
import { GS_AGING_NS, PG_HOST_YOUNG, PG_SWAPCACHE } from '../engine/core/sim/simLayout.ts';
import { diagScenario, hookMethod } from './_util.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const harvest = (process.argv[2] ?? 'lockless') as HarvestMode;
const dur = Number(process.argv[3] ?? 1500);
const config = diagScenario('seed-debate', 'ampere-altra', dur, harvest);
// POLICY=exact-lru|clock|active-inactive: the same scenario under another policy, to compare.
if (process.env.POLICY) config.reclaim.policy = process.env.POLICY as ScenarioConfig['reclaim']['policy'];

const pages = config.guests.map((g) => (g.memoryMiB * 1024) / 4);
const base: number[] = [];
let total = 0;
for (const p of pages) {
  base.push(total);
  total += p;
}
const guestOf = (id: number): number => {
  let k = base.length - 1;
  while (base[k] > id) k--;
  return k;
};
const birth = new Float64Array(total).fill(-1);
const walked = new Uint8Array(total);
const M = Mglru.prototype;
const P = Pgdat.prototype;
const H = Harvester.prototype;
// NOBLOOM=1: every PTE table walked (the lab before the Bloom filters), to compare.
if (process.env.NOBLOOM === '1') hookMethod(M, 'walkPmd', () => () => true);
// SPTEWALK=0 (lockless only): the seed's LRU_GEN_SPTE_WALK capability off (v1 5/5, mm/vmscan.c: a bit of
// /sys/kernel/mm/lru_gen/enabled, on by default). test_spte_young then returns false, so walk_pte_range and
// the look-around window read host PTEs only; should_look_around still test-and-clears the folio's own
// stage-2 flag through the lockless fast path (mmu_notifier_test_clear_young(..., true, &old)) and looks
// around only when the folio's host PTE was young (`return !old && get_cap(LRU_GEN_SPTE_WALK)`). So aging
// walks never clear a stage-2 flag, as in the locked modes, and eviction's per-folio check stays lockless.
if (process.env.SPTEWALK === '0') {
  hookMethod(
    H,
    'walkBatch',
    (origWalkBatch) =>
      function (this: Any, start: number, count: number) {
        const fp = this.fastPath;
        this.fastPath = false; // walkBatch's host-PTE-only branch
        try {
          return origWalkBatch.call(this, start, count);
        } finally {
          this.fastPath = fp;
        }
      },
  );
  // folioReferenced (mm/folioReferenced.ts) with the stage-2 left out of the look-around window.
  hookMethod(
    P,
    'referenced',
    (origReferenced) =>
      function (this: Any, id: number, promoter: Promoter | null): boolean {
        const k = this.guestOf(id);
        const g = this.guests[k];
        const h = g.harvester;
        if (!h.fastPath || promoter === null || !this.lookaround) return origReferenced.call(this, id, promoter);
        this.budget--;
        const gfn = id - this.base[k];
        if ((g.flags[gfn] & PG_SWAPCACHE) !== 0) return false;
        h.t = this.t + RMAP_WALK_NS;
        h.kswapd = this.kswapd;
        const hostYoung = (g.flags[gfn] & PG_HOST_YOUNG) !== 0;
        h.lookAroundBatch(gfn, 1); // should_look_around: the folio's own stage-2, lockless
        const s2Young = (h.young[0] & 1) !== 0;
        if (!hostYoung) {
          this.t = h.t;
          return s2Young;
        }
        // pte_young: clear the folio's host PTE and look around its window, host PTEs only.
        clearPageFlags(g.flags, gfn, PG_HOST_YOUNG);
        h.t += g.costs[C_CMPXCHG];
        const pmd = gfn - (gfn % PMD_PAGES);
        const end = lookAroundEnd(gfn, g.pages);
        const start = lookAroundStart(gfn, end);
        const n = end - start;
        h.young[0] = 0;
        h.young[1] = 0;
        const ns = hostMapped(g.flags, start, n) * g.costs[C_PTE_SCAN];
        h.t += ns;
        g.stats[g.sb + GS_AGING_NS] += ns + g.costs[C_CMPXCHG];
        hostClear(g, start, n);
        promoteYoung(h.young, start, n, this.base[k], gfn, promoter, g.flags, this.kswapd, this.lruFlag);
        const own = gfn - start;
        const ownBit = (h.young[own >>> 5] >>> (own & 31)) & 1;
        promoter.lookedAround?.(
          this.pmdBase[k] + pmd / PMD_PAGES,
          n,
          popcount(h.young[0]) + popcount(h.young[1]) - ownBit + 1,
        );
        this.t = h.t;
        return true;
      },
  );
}
const wrap = (name: string, after: (self: Any, id: number) => void): void =>
  hookMethod(
    M,
    name,
    (orig) =>
      function (this: Any, id: number, ...a: unknown[]) {
        const ret = orig.call(this, id, ...a);
        after(this, id);
        return ret;
      },
  );
wrap('onMap', (s, id) => {
  birth[id] = s.state[1];
  walked[id] = 0;
});
wrap('activate', (s, id) => (birth[id] = s.state[1]));
let inWalk = false;
// Inside Pgdat.walk or Pgdat.referenced: a promote or activate there is a page the walk (walk_pte_range)
// or the look-around (lru_gen_look_around) found young (promoteYoung, mm/youngBatch.ts).
let harvesting = false;
wrap('promote', (s, id) => (birth[id] = s.state[1]));
const ages: number[][] = pages.map(() => []);
const walkedSince: number[] = pages.map(() => 0);
const evicted: number[] = pages.map(() => 0);
let nowT = 0;
let firstPick = -1;
let firstEvict = -1;
process.on('exit', () =>
  console.log(
    `first pickVictim ${(firstPick / 1e6).toFixed(1)} ms, first eviction ${(firstEvict / 1e6).toFixed(1)} ms`,
  ),
);
hookMethod(
  M,
  'pickVictim',
  (origPick) =>
    function (this: Any, r: Any, ...a: unknown[]) {
      nowT = r.t;
      if (firstPick < 0) firstPick = r.t;
      return origPick.call(this, r, ...a);
    },
);
const tl: number[][] = pages.map(() => []);
process.on('exit', () => {
  for (let k = 0; k < pages.length; k++)
    console.log(`evictions per 50 ms, guest ${k}: ` + Array.from(tl[k], (n) => n ?? 0).join(' '));
});
hookMethod(
  M,
  'evicted',
  (origEvicted) =>
    function (this: Any, id: number) {
      const k = guestOf(id);
      const age = this.state[1] - birth[id];
      ages[k][age] = (ages[k][age] ?? 0) + 1;
      if (walked[id]) walkedSince[k]++;
      evicted[k]++;
      if (firstEvict < 0) firstEvict = nowT;
      const bin = Math.floor(nowT / 50e6);
      tl[k][bin] = (tl[k][bin] ?? 0) + 1;
      return origEvicted.call(this, id);
    },
);
// A walk's windows (MmWalk.walk, mm/walkMm.ts): walk_pte_range reads each 64-page window with a resident
// page through Harvester.walkBatch, then test-and-clears its host PTEs (hostClear, a youngBatch.ts function).
hookMethod(
  H,
  'walkBatch',
  (origWalkBatch) =>
    function (this: Any, start: number, count: number) {
      if (inWalk) for (let i = 0; i < count; i++) walked[base[this.g.index] + start + i] = 1;
      return origWalkBatch.call(this, start, count);
    },
);
// Lost accesses: a page the walk or look-around found young (its AF cleared) that does not end in max_seq.
// promoteYoung (mm/youngBatch.ts) promotes each young page of the batch but the checked folio itself:
// Mglru.promote (folio_update_gen) in a walk and kswapd's look-around, Mglru.activate (folio_activate) in
// direct reclaim's.
let lost = 0;
let foundYoung = 0;
for (const name of ['promote', 'activate'])
  hookMethod(
    M,
    name,
    (orig) =>
      function (this: Any, id: number, ...a: unknown[]) {
        const ret = orig.call(this, id, ...a);
        if (harvesting) {
          foundYoung++;
          if (this.seqOf(id) !== this.state[1]) lost++;
        }
        return ret;
      },
  );
process.on('exit', () => console.log(`found young by walk/look-around ${foundYoung}, not in max_seq after ${lost}`));
hookMethod(
  P,
  'walk',
  (origWalk) =>
    function (this: Any, start: number, end: number, ...a: unknown[]) {
      inWalk = true;
      harvesting = true;
      try {
        return origWalk.call(this, start, end, ...a);
      } finally {
        inWalk = false;
        harvesting = false;
      }
    },
);
const checks = pages.map(() => [0, 0]);
const lastYoung = new Float64Array(total).fill(-1);
let curT = 0;
hookMethod(
  P,
  'walk',
  (origWalk2) =>
    function (this: Any, ...a: unknown[]) {
      curT = this.t;
      return origWalk2.apply(this, a);
    },
);
for (const name of ['promote', 'activate'])
  hookMethod(
    M,
    name,
    (orig) =>
      function (this: Any, id: number, ...a: unknown[]) {
        lastYoung[id] = curT;
        return orig.call(this, id, ...a);
      },
  );
const iv: number[][] = [[], []]; // batch checks: [young, old] intervals since last found young (ms)
hookMethod(
  P,
  'referenced',
  (origRef) =>
    function (this: Any, id: number, p: unknown) {
      curT = this.t;
      const t0 = this.t;
      harvesting = true;
      let y: boolean;
      try {
        y = origRef.call(this, id, p) as boolean;
      } finally {
        harvesting = false;
      }
      const k = guestOf(id);
      checks[k][y ? 0 : 1]++;
      if (k === 1 && lastYoung[id] >= 0 && t0 > 300e6) iv[y ? 0 : 1].push((t0 - lastYoung[id]) / 1e6);
      if (y) lastYoung[id] = t0;
      return y;
    },
);
process.on('exit', () => {
  for (const [name, a] of [
    ['young', iv[0]],
    ['old', iv[1]],
  ] as [string, number[]][]) {
    a.sort((x, y) => x - y);
    const q = (f: number) => (a.length ? a[Math.floor(f * (a.length - 1))].toFixed(1) : '-');
    const lt = a.filter((x) => x < 45).length;
    console.log(
      `batch checks found ${name}: ${a.length}, ms since last found young p10 ${q(0.1)} p50 ${q(0.5)} p90 ${q(0.9)}; < 45 ms: ${lt}`,
    );
  }
});
void inWalk;
const res = runInProcess(config);
const sm = res.summary as Any;
console.log(
  `${harvest}: hit ${(sm.hitRate * 100).toFixed(2)} % accesses ${sm.accesses} evictions ${sm.evictions} refaults ${sm.refaults} passes ${sm.agingPasses} youngFound ${sm.youngFound}`,
);
for (let k = 0; k < pages.length; k++) {
  const g = sm.guests[k];
  const a = ages[k].map((n, i) => `${i}:${n ?? 0}`).join(' ');
  console.log(
    `  ${g.name.padEnd(6)} hit ${(g.hitRate * 100).toFixed(2).padStart(6)} % acc ${String(g.accesses).padStart(8)} ` +
      `refaults ${String(g.refaults).padStart(6)} evict ${String(g.evictions).padStart(6)} prec ${(g.evictionPrecision * 100).toFixed(1)} % ` +
      `check young/old ${checks[k][0]}/${checks[k][1]} walked-before-evict ${walkedSince[k]}/${evicted[k]} ` +
      `gens since placed young [${a}] slowdown ${g.slowdown?.toFixed(2)}`,
  );
}
