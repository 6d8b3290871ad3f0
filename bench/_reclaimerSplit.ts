// Diagnostics (bench/_parallelDrift.ts RECLAIMERS=from-to, in-process modes d1 / 1t): direct reclaim split by the
// reclaiming vCPU's guest (r) and the evicted page's guest (v), over steps that begin in [from, to) ms: per (r, v)
// the evictions and the mean virtual time of the steps that made them (Pgdat.directReclaimStep: one folio of
// shrink_folio_list, its folio_referenced, try_to_unmap's write wait and hold, swap-out), plus per r the steps that
// evicted nothing (young folios rotated, walk waits) and their time. Tells whether a reclaimer's cost per page
// depends on whose pages it reclaims, and whether the victims a guest's vCPUs reclaim are its own more often.
import { Pgdat } from '../engine/core/mm/pgdat.ts';
import { Mglru } from '../engine/core/mm/policy/mglru.ts';
import { MAX_VCPUS } from '../engine/core/config/limits.ts';
import { Guest } from '../engine/core/sim/guest.ts';
import { MmuInvalidate } from '../engine/core/kvm/mmuInvalidate.ts';
import { hookMethod } from './_util.ts';

let from = 0;
let to = Infinity;
let G = 4;
let P = 65536;
let cur = -1; // reclaimer guest of the step under way, -1 outside a direct-reclaim step
let victim = -1;
// [r][v] evictions, ns; [r][G] empty steps, ns
let n: number[][] = [];
let ns: number[][] = [];
// Guest.evictOne by a vCPU (try_to_unmap's kvm_unmap_gfn_range and the swap-out): [r][v] count, ns; and how many
// of them ran outside a directReclaimStep (M's deferred unmap, PHASE_UNMAP: evictDeferred).
let un: number[][] = [];
let uns: number[][] = [];
let udef: number[] = [];

export function installReclaimerSplit(fromNs: number, toNs: number, guests: number, pagesPerGuest: number): void {
  from = fromNs;
  to = toNs;
  G = guests;
  P = pagesPerGuest;
  reset();
  hookMethod(
    Pgdat.prototype,
    'directReclaimStep',
    (orig) =>
      function (this: unknown, t: number, own: unknown, cpu: number, limit?: number) {
        cur = Math.floor((cpu - 1) / MAX_VCPUS);
        victim = -1;
        const end = orig.call(this, t, own, cpu, limit) as number;
        if (t >= from && t < to) {
          const v = victim >= 0 ? victim : G;
          n[cur][v]++;
          ns[cur][v] += end - t;
        }
        cur = -1;
        return end;
      },
    { mustRun: true },
  );
  hookMethod(
    Guest.prototype,
    'evictOne',
    (orig) =>
      function (this: { index: number }, gfn: number, t: number, byVcpu: boolean, cpu?: number) {
        const end = orig.call(this, gfn, t, byVcpu, cpu) as number;
        if (byVcpu && t >= from && t < to && cpu !== undefined) {
          const r = Math.floor((cpu - 1) / MAX_VCPUS);
          un[r][this.index]++;
          uns[r][this.index] += end - t;
          if (cur < 0) udef[r]++;
        }
        return end;
      },
    { mustRun: true },
  );
  hookMethod(
    Mglru.prototype,
    'evicted',
    (orig) =>
      function (this: unknown, id: number, ...a: unknown[]) {
        if (cur >= 0) victim = Math.floor(id / P);
        return orig.call(this, id, ...a);
      },
    { mustRun: true },
  );
}

function reset(): void {
  n = Array.from({ length: G }, () => new Array<number>(G + 1).fill(0));
  ns = Array.from({ length: G }, () => new Array<number>(G + 1).fill(0));
  un = Array.from({ length: G }, () => new Array<number>(G).fill(0));
  uns = Array.from({ length: G }, () => new Array<number>(G).fill(0));
  udef = new Array<number>(G).fill(0);
}

export function reportReclaimerSplit(label: string): void {
  for (let r = 0; r < G; r++) {
    const cols = Array.from({ length: G + 1 }, (_, v) => {
      const name = v < G ? `v${v}` : 'none';
      return `${name} ${n[r][v]} ${n[r][v] > 0 ? (ns[r][v] / n[r][v] / 1e3).toFixed(1) : '-'}us`;
    });
    const ev = n[r].slice(0, G).reduce((a, b) => a + b, 0);
    const tot = ns[r].reduce((a, b) => a + b, 0);
    console.log(
      `${label} direct reclaim by g${r} (${from / 1e6}-${to / 1e6} ms): evicted ${ev}, step time ${(tot / 1e6).toFixed(1)} ms (${ev > 0 ? (tot / ev / 1e3).toFixed(1) : '-'} us/eviction) | ${cols.join(' | ')}`,
    );
    const ucols = Array.from(
      { length: G },
      (_, v) => `v${v} ${un[r][v]} ${un[r][v] > 0 ? (uns[r][v] / un[r][v] / 1e3).toFixed(1) : '-'}us`,
    );
    const ut = uns[r].reduce((a, b) => a + b, 0);
    console.log(
      `${label}   evictOne by g${r}: ${un[r].reduce((a, b) => a + b, 0)} (deferred ${udef[r]}), ${(ut / 1e6).toFixed(1)} ms | ${ucols.join(' | ')}`,
    );
  }
  reset();
}

// RETRIES (with RECLAIMERS): per guest, mmu_invalidate_retry's retries (MmuInvalidate.retries) over the run, and of
// them those the spread run's settle charged a quantum late (settleWindows), plus the time settle made vCPUs owe.
const insts = new Set<{ retries: number; sb: number }>();
const settled = new Map<number, number>();
const owed = new Map<number, number>();
export function installRetrySplit(gsWords: number): void {
  hookMethod(
    MmuInvalidate.prototype,
    'retry',
    (orig) =>
      function (this: { retries: number; sb: number }, a: number, b: number) {
        insts.add(this);
        return orig.call(this, a, b);
      },
    { mustRun: true },
  );
  hookMethod(
    MmuInvalidate.prototype,
    'settleWindows',
    (orig) =>
      function (this: { retries: number; sb: number; owedNs: Float64Array }, w: unknown, k: number) {
        const r0 = this.retries;
        const o0 = this.owedNs.reduce((a, b) => a + b, 0);
        orig.call(this, w, k);
        const g = this.sb / gsWords;
        settled.set(g, (settled.get(g) ?? 0) + this.retries - r0);
        owed.set(g, (owed.get(g) ?? 0) + this.owedNs.reduce((a, b) => a + b, 0) - o0);
      },
  );
}
export function reportRetrySplit(label: string, gsWords: number): void {
  const per = new Map<number, number>();
  for (const m of insts) per.set(m.sb / gsWords, (per.get(m.sb / gsWords) ?? 0) + m.retries);
  const gs = [...per.keys()].sort((a, b) => a - b);
  console.log(
    `${label} mmu_invalidate retries per guest (of them settled a quantum late, owed ms): ${gs.map((g) => `g${g} ${per.get(g)} (${settled.get(g) ?? 0}, ${((owed.get(g) ?? 0) / 1e6).toFixed(1)})`).join(' | ')}`,
  );
  insts.clear();
  settled.clear();
  owed.clear();
}
