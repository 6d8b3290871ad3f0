// FRAMES=1 hooks of bench/_mglruWindows.ts (session 17 a, issue 8): per stage-2 fault, whether its frame take
// (HostFrames.tryTake at the min watermark) succeeded, and from whose frees the frame it took came: the direct
// reclaim of which guest's vCPU on which worker, or kswapd. Frames are counted, not named, so provenance is a
// composition: each pool of free frames above min (d1: the node's one count; 1t: each worker's budget,
// mm/hostFrames.ts useBudgets) carries a vector of frames by source; a free adds to the pool it reached (the
// budget words it raised), a take removes one frame in proportion to the pool's composition, and the barrier's
// re-split (SpreadSettlement.settleBudgets) merges every pool and hands the mix out by the new budgets. A take
// from an empty composition (frames that were there before any free of the run) is "init".
// Printed per window: per guest, takes ok / failed (the fault went to direct reclaim), and the share of its takes
// whose frames came from its own vCPUs' reclaim, from other guests' vCPUs on its worker, from another worker's
// vCPUs, from kswapd; and per guest, the frames its vCPUs' reclaim freed and how many of them its own vCPUs took.
import { hookMethod } from './_util.ts';
import { HostFrames } from '../engine/core/mm/hostFrames.ts';
import { VCpu } from '../engine/core/sim/vcpu.ts';
import { Kswapd } from '../engine/core/mm/kswapd.ts';
import { SpreadSettlement } from '../engine/core/sim/spreadSettle.ts';
import { BUDGET_STRIDE } from '../engine/core/sim/layout/spreadBuffers.ts';
import { CTL_FREE_FRAMES, GS_S2_FAULTS, GS_WORDS } from '../engine/core/sim/simLayout.ts';
import { PHASE_NONE, SUS_PHASE, SUS_WORDS } from '../engine/core/sim/faultSuspend.ts';

/* eslint-disable @typescript-eslint/no-explicit-any */
const WORKERS = 2;
const GUESTS = Number(process.env.GUESTS ?? 4);
/** Sources: direct reclaim by (worker w, guest g) at w * GUESTS + g; kswapd; other (no actor); init. */
const NSRC = WORKERS * GUESTS + 3;
const KSWAPD = WORKERS * GUESTS;
const OTHER = KSWAPD + 1;
const INIT = KSWAPD + 2;
let curW = 0;
/** The actor running: a vCPU's guest, or -1 (kswapd: actorK). */
let actorG = -1;
let actorK = false;
const pools = Array.from({ length: WORKERS }, () => new Float64Array(NSRC));
/** Per taking guest: takes ok, fails, and frames by source. */
const ok = new Float64Array(GUESTS);
const fail = new Float64Array(GUESTS);
/** Fails while the other worker's budget held frames (1t). */
const failOther = new Float64Array(GUESTS);
/** Fails by the other worker's budget then: 0, 1, 2-4, 5-16, 17-64, 65+. */
const hist = new Float64Array(6);
/** Per worker: frames left in its budget at the barriers (before the re-split), and the budgets handed out. */
const left = new Float64Array(WORKERS);
const given = new Float64Array(WORKERS);
const from = Array.from({ length: GUESTS }, () => new Float64Array(NSRC));
/** Per source: frames freed. */
const freed = new Float64Array(NSRC);

export function framesWorker(w: number): void {
  curW = w;
}
export function framesReset(): void {
  for (const p of pools) p.fill(0);
  ok.fill(0);
  fail.fill(0);
  for (const f of from) f.fill(0);
  freed.fill(0);
}

function source(): number {
  if (actorK) return KSWAPD;
  if (actorG < 0) return OTHER;
  return curW * GUESTS + actorG;
}

function takeFrom(pool: Float64Array, g: number): void {
  let tot = 0;
  for (let s = 0; s < NSRC; s++) tot += pool[s];
  const f = from[g];
  if (tot < 1) {
    f[INIT] += 1 - tot;
    for (let s = 0; s < NSRC; s++) {
      f[s] += pool[s];
      pool[s] = 0;
    }
    return;
  }
  for (let s = 0; s < NSRC; s++) {
    const x = pool[s] / tot;
    f[s] += x;
    pool[s] -= x;
  }
}

if (process.env.FRAMES) {
  hookMethod(
    VCpu.prototype,
    'run',
    (orig) =>
      function (this: any, limit: number) {
        actorG = this.g.index;
        orig.call(this, limit);
        actorG = -1;
      },
  );
  hookMethod(
    Kswapd.prototype,
    'run',
    (orig) =>
      function (this: any, limit: number) {
        actorK = true;
        orig.call(this, limit);
        actorK = false;
      },
  );
  hookMethod(
    HostFrames.prototype,
    'tryTake',
    (orig) =>
      function (this: any, reserve: number) {
        let r = orig.call(this, reserve) as boolean;
        if (!r && process.env.STEAL && this.budgets !== null && reserve >= this.min) {
          // STEAL=1 (what-if): an empty budget takes from the other worker's (the zone's one count above min).
          const b: Int32Array = this.budgets;
          const o = (1 - this.worker / BUDGET_STRIDE) * BUDGET_STRIDE;
          if (b[o] > 0) {
            b[o]--;
            Atomics.sub(this.control, CTL_FREE_FRAMES, 1);
            r = true;
            if (actorG >= 0) takeFrom(pools[o / BUDGET_STRIDE], actorG);
            if (actorG >= 0) ok[actorG]++;
            return r;
          }
        }
        if (actorG < 0 || reserve < this.min) return r;
        if (!r) {
          fail[actorG]++;
          // 1t: the other worker's budget holds frames now (end of its quantum or start of it, whichever ran).
          const b: Int32Array | null = this.budgets;
          const ob = b === null ? 0 : b[(1 - this.worker / BUDGET_STRIDE) * BUDGET_STRIDE];
          if (ob > 0) failOther[actorG]++;
          if (b !== null) hist[ob <= 0 ? 0 : ob === 1 ? 1 : ob <= 4 ? 2 : ob <= 16 ? 3 : ob <= 64 ? 4 : 5]++;
          return r;
        }
        ok[actorG]++;
        takeFrom(pools[this.budgets !== null ? this.worker / BUDGET_STRIDE : 0], actorG);
        return r;
      },
  );
  hookMethod(
    HostFrames.prototype,
    'put',
    (orig) =>
      function (this: any, n: number) {
        if (n <= 0) return orig.call(this, n);
        const s = source();
        freed[s] += n;
        const b: Int32Array | null = this.budgets;
        if (b === null) {
          orig.call(this, n);
          // The node's one count: frames above min only (below it they refill the reserve nobody takes from).
          const above = Math.max(0, this.free() - this.min);
          pools[0][s] += Math.min(n, above);
          return;
        }
        const before = [0, 1].map((w) => b[w * BUDGET_STRIDE]);
        orig.call(this, n);
        for (let w = 0; w < WORKERS; w++) pools[w][s] += b[w * BUDGET_STRIDE] - before[w];
      },
  );
  hookMethod(
    SpreadSettlement.prototype,
    'settleBudgets',
    (orig) =>
      function (this: any, sv: any) {
        const b: Int32Array = this.budgets;
        for (let w = 0; w < WORKERS; w++) left[w] += b[w * BUDGET_STRIDE];
        orig.call(this, sv);
        for (let w = 0; w < WORKERS; w++) given[w] += b[w * BUDGET_STRIDE];
        const mix = new Float64Array(NSRC);
        let tot = 0;
        for (const p of pools) for (let s = 0; s < NSRC; s++) mix[s] += p[s];
        for (let s = 0; s < NSRC; s++) tot += mix[s];
        let bt = 0;
        for (let w = 0; w < WORKERS; w++) bt += b[w * BUDGET_STRIDE];
        // The budgets hold bt frames; the tracked mix is scaled to them (frames nobody freed this run: init).
        for (let w = 0; w < WORKERS; w++) {
          const share = bt > 0 ? b[w * BUDGET_STRIDE] / bt : 0;
          const scale = tot > 0 ? Math.min(1, bt / tot) : 0;
          for (let s = 0; s < NSRC; s++) pools[w][s] = mix[s] * share * scale;
        }
      },
  );
}

/** The window's line (and reset of the window's counters; the pools carry over). */
export function framesLine(mode: string): string {
  const parts: string[] = [];
  for (let g = 0; g < GUESTS; g++) {
    const f = from[g];
    // The taker's worker: the worker whose pool it took from is not kept per take; in 1t with MAP every
    // vCPU of a guest is on one worker, so "own" is any worker's reclaim by g, "same worker" and "other
    // worker" are read against the worker that guest's frees came from most.
    let own = 0;
    const byW = new Float64Array(WORKERS);
    for (let w = 0; w < WORKERS; w++) {
      own += f[w * GUESTS + g];
      for (let h = 0; h < GUESTS; h++) if (h !== g) byW[w] += f[w * GUESTS + h];
    }
    const t = ok[g];
    const pc = (x: number): string => (t > 0 ? ((100 * x) / t).toFixed(0) : '-');
    parts.push(
      `g${g} ok ${t} fail ${fail[g]} (other worker had frames ${failOther[g]}) own ${pc(own)}% othersW0 ${pc(byW[0])}% othersW1 ${mode === 'd1' ? '-' : pc(byW[1])}% k ${pc(f[KSWAPD])}% init ${pc(f[INIT] + f[OTHER])}%`,
    );
  }
  const fr: string[] = [];
  for (let w = 0; w < (mode === 'd1' ? 1 : WORKERS); w++)
    for (let g = 0; g < GUESTS; g++) if (freed[w * GUESTS + g] > 0) fr.push(`w${w}g${g} ${freed[w * GUESTS + g]}`);
  fr.push(`k ${freed[KSWAPD]}`);
  if (mode !== 'd1') fr.push(`| left at barriers w0/w1 ${left.join('/')} given ${given.join('/')}`);
  if (mode !== 'd1') fr.push(`fails by other budget 0/1/2-4/5-16/17-64/65+ ${hist.join('/')}`);
  hist.fill(0);
  left.fill(0);
  given.fill(0);
  failOther.fill(0);
  ok.fill(0);
  fail.fill(0);
  for (const f of from) f.fill(0);
  freed.fill(0);
  return ` | frames ${parts.join('; ')} | freed ${fr.join(' ')}`;
}

// TRACE=t0,t1 (ns; 1t): per quantum ending in (t0, t1], the budgets (w0/w1, before the barrier's re-split), each
// guest's vCPUs suspended in a stage-2 fault by phase (faultSuspend.ts PHASE_*: 2 a reclaim cluster, 4 the map's
// read hold to book, 6 / 7 an unmap / a range_end to book) and its stage-2 faults in the quantum (worker 0's counters; the
// others' private copies are folded at each barrier: read them as a rough count). d1: budgets -1/-1.
export const trace = process.env.TRACE?.split(',').map(Number);
const prevF = [0, 0, 0, 0];
export function traceLine(cores: unknown[], buffers: { spread?: { budgets: SharedArrayBuffer } }, end: number): void {
  const b = buffers.spread ? new Int32Array(buffers.spread.budgets) : new Int32Array(BUDGET_STRIDE + 1).fill(-1);
  const sus: number[] = [];
  const f: number[] = [];
  const phases = new Map<number, number>();
  for (let g = 0; g < GUESTS; g++) {
    let n = 0;
    let faults = 0;
    for (const core of cores) {
      const sg = (
        core as unknown as { spreadGuests: { index: number; suspended: Float64Array; vcpus?: unknown }[] }
      ).spreadGuests.find((x) => x.index === g);
      if (sg === undefined) continue;
      for (let o = 0; o < sg.suspended.length; o += SUS_WORDS)
        if (sg.suspended[o + SUS_PHASE] !== PHASE_NONE) {
          n++;
          phases.set(sg.suspended[o + SUS_PHASE], (phases.get(sg.suspended[o + SUS_PHASE]) ?? 0) + 1);
        }
      faults += (core as unknown as { sv: { stats: Float64Array } }).sv.stats[g * GS_WORDS + GS_S2_FAULTS];
    }
    sus.push(n);
    f.push(faults - prevF[g]);
    prevF[g] = faults;
  }
  console.log(
    `q ${(end / 1e3).toFixed(0)} us budgets ${b[0]}/${b[BUDGET_STRIDE]} suspended ${sus.join('/')} faults ${f.join('/')} phases ${[...phases].map(([k, v]) => `${k}:${v}`).join(' ')}`,
  );
}
