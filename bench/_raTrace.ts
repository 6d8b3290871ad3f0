// Diagnostic of swap-in readahead in the max_guest_memory_test reproductions (not a bench): per run (pass),
// what swapin_nr_pages decided at each swap-in (the window, the hits it consumed, whether the previous
// swap-in's slot was adjacent), what became of each read-ahead page (hit by a fault, dropped unused by
// reclaim, still cached at the run's end) and why a window read fewer pages than its size (a free slot, a
// page cached already, or no frame above min). Bundle and run:
//   npx esbuild bench/_raTrace.ts --bundle --platform=node --format=esm --outfile=/tmp/ra.mjs && node /tmp/ra.mjs [key...]
// Environment: RA_LOG=1 prints each window opened by adjacency (hits 0) with the pages it read and when the
// other vCPUs that swapped in within 2 ms last did (start, end relative to the event); SEED=n the
// run's seed; RA_RESERVE0=1 a what-if bound (below); X86=1 the x86 workstation profile.
// key: a substring of the reproduction run's key (e.g. 'max-guest-memory/locked-write/mglru').
import path from 'node:path';
import { reproductionConfigs } from '../engine/cli/reproduce.ts';
import { REPRODUCTIONS } from '../engine/core/repro/reproductions.ts';
import { runInProcess } from '../engine/core/sim/run.ts';
import { Guest } from '../engine/core/sim/guest.ts';
import { SwapArea, swapinNrPages } from '../engine/core/mm/swapReadahead.ts';
import { HostFrames } from '../engine/core/mm/hostFrames.ts';
import { onPassEnd } from './_passEnd.ts';
import { checkHooksRan, hookMethod } from './_util.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
// X86=1: every run on the x86-workstation profile, as `lab reproduce --profile x86-workstation`.
const configs = reproductionConfigs(
  path.join(process.cwd(), 'presets'),
  REPRODUCTIONS,
  process.env.X86 === '1' ? 'x86-workstation' : undefined,
);
const want = process.argv.slice(2);
const must = { mustRun: true };

interface PassStats {
  swapins: number;
  win: Map<number, number>;
  /** window decided by hits (> 0), by adjacency (hits 0, |offset - prev| = 1), by the half-last floor. */
  byHits: number;
  byAdjacent: number;
  byFloor: number;
  isolated: number;
  /** the previous swap-in was another vCPU's. */
  prevOtherVcpu: number;
  /** a window-1 swap-in whose slot is adjacent to this vCPU's own previous swap-in. */
  ownAdjacentLost: number;
  read: number;
  hits: number;
  dropped: number;
  dropAgeNs: number[];
  hitAgeNs: number[];
  allocFail: number;
  freeAtSwapin: number[];
  /** window pages not read: free slot / cached already / no frame */
  skipped: number;
}
function newPass(): PassStats {
  return {
    swapins: 0,
    win: new Map(),
    byHits: 0,
    byAdjacent: 0,
    byFloor: 0,
    isolated: 0,
    prevOtherVcpu: 0,
    ownAdjacentLost: 0,
    read: 0,
    hits: 0,
    dropped: 0,
    dropAgeNs: [],
    hitAgeNs: [],
    allocFail: 0,
    freeAtSwapin: [],
    skipped: 0,
  };
}
let passes: PassStats[] = [newPass(), newPass()];
let pass = 0;
let now = 0;
let vi = -1;
let guest: Any | null = null;
let inRa = false;
/** A window opened by adjacency (hits 0) in this fault: logged with the pages it read (RA_LOG=1). */
let adjEvent: string | null = null;
let readThisFault = 0;
const log = process.env.RA_LOG === '1';
const whatIfReserve0 = process.env.RA_RESERVE0 === '1';
/**
 * SSD_NS=n (a sensitivity probe, not a model input): the SSD's 4 KiB read latency (SwapArea.readNs, the
 * 90 us estimate of mm/swap.ts) set to n ns on the first fault, to see how far the readahead regime moves
 * with the timing of the swap-ins.
 */
const ssdNs = process.env.SSD_NS === undefined ? undefined : Number(process.env.SSD_NS);
/** SEED=n: the run's seed (the swap allocator's random draws, mm/swapSlots.ts; the workload has none). */
const seed = process.env.SEED === undefined ? undefined : Number(process.env.SEED);
let lastVi = -1;
const ownPrev = new Map<number, number>();
/** Each vCPU's last fault: its start, its end, whether it swapped in (RA_LOG: the others at an adjacency event). */
const lastFault = new Map<number, { t: number; e: number; swapin: boolean }>();
let swapinThisFault = false;
const readAt = new Map<number, number>();

onPassEnd((e) => {
  if (e.before === 0) pass = 1;
}, must);
hookMethod(
  Guest.prototype,
  'fault',
  (orig) =>
    function (this: Any, gfn: number, write: boolean, t: number, v = 0, limit = Infinity) {
      now = t;
      vi = v;
      guest = this; // eslint-disable-line @typescript-eslint/no-this-alias
      if (ssdNs !== undefined && this.swapArea !== null && this.swapArea.readNs !== ssdNs) this.swapArea.readNs = ssdNs;
      inRa = false;
      adjEvent = null;
      readThisFault = 0;
      swapinThisFault = false;
      const r = orig.call(this, gfn, write, t, v, limit);
      if (adjEvent !== null && log) {
        const others = [...lastFault.entries()]
          .filter(([k, f]) => k !== v && f.swapin && t - f.t < 2e6)
          .map(
            ([k, f]) =>
              `v${k} last swap-in ${((t - f.t) / 1e3).toFixed(0)} us ago, ended ${((f.e - t) / 1e3).toFixed(0)} us from now`,
          );
        console.log(`${adjEvent} read ahead ${readThisFault}; ${others.join('; ')}`);
      }
      const e = r >= 0 ? r : (this.resumeAt as number);
      if (swapinThisFault || !lastFault.has(v)) lastFault.set(v, { t, e, swapin: swapinThisFault });
      inRa = false;
      return r;
    },
  must,
);
hookMethod(
  SwapArea.prototype,
  'nrPages',
  (orig) =>
    function (this: Any, offset: number) {
      const p = passes[pass];
      const hits = this.hits as number;
      const prev = this.prevOffset as number;
      const w = orig.call(this, offset) as number;
      p.swapins++;
      swapinThisFault = true;
      p.win.set(w, (p.win.get(w) ?? 0) + 1);
      const adj = offset === prev + 1 || offset === prev - 1;
      const raw = swapinNrPages(prev, offset, hits, this.maxPages as number, 0);
      if (w > raw) p.byFloor++;
      else if (hits > 0) p.byHits++;
      else if (adj) {
        p.byAdjacent++;
        adjEvent = `run ${pass + 1} t ${(now / 1e6).toFixed(3)} ms vCPU ${vi} gfn-slot ${offset} prev ${prev} (vCPU ${lastVi}) window ${w}`;
      } else p.isolated++;
      if (lastVi !== vi && lastVi >= 0) p.prevOtherVcpu++;
      const op = ownPrev.get(vi);
      if (w === 1 && op !== undefined && Math.abs(op - offset) === 1) p.ownAdjacentLost++;
      ownPrev.set(vi, offset);
      lastVi = vi;
      if (guest !== null) p.freeAtSwapin.push(guest.host.free());
      p.skipped += w - 1;
      inRa = true;
      return w;
    },
  must,
);
hookMethod(
  SwapArea.prototype,
  'toCache',
  (orig) =>
    function (this: Any, id: number) {
      if (inRa) {
        passes[pass].read++;
        readThisFault++;
        passes[pass].skipped--;
        readAt.set(id, now);
      }
      return orig.call(this, id);
    },
  must,
);
hookMethod(
  SwapArea.prototype,
  'fromCache',
  (orig) =>
    function (this: Any, id: number) {
      const p = passes[pass];
      p.dropped++;
      const t0 = readAt.get(id);
      if (t0 !== undefined) p.dropAgeNs.push(now - t0);
      readAt.delete(id);
      return orig.call(this, id);
    },
  { mustRun: false },
);
hookMethod(
  SwapArea.prototype,
  'free',
  (orig) =>
    function (this: Any, id: number, cpu: number) {
      if (this.cached.has(id)) {
        const p = passes[pass];
        p.hits++;
        const t0 = readAt.get(id);
        if (t0 !== undefined) p.hitAgeNs.push(now - t0);
        readAt.delete(id);
      }
      return orig.call(this, id, cpu);
    },
  must,
);
hookMethod(
  HostFrames.prototype,
  'tryTake',
  (orig) =>
    function (this: Any, reserve: number) {
      // RA_RESERVE0=1 (what-if, an upper bound): read-ahead folios take frames down to 0 free, at no reclaim
      // cost, instead of stopping at min (the kernel would direct-reclaim for each; the lab stops).
      const ok = orig.call(this, inRa && whatIfReserve0 ? 0 : reserve) as boolean;
      if (inRa && !ok) passes[pass].allocFail++;
      return ok;
    },
  must,
);

function q(xs: number[], f: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(f * s.length))];
}
for (const [key, config] of configs) {
  if (!key.includes('max-guest') || (want.length > 0 && !want.some((w) => key.includes(w)))) continue;
  passes = [newPass(), newPass()];
  pass = 0;
  lastVi = -1;
  ownPrev.clear();
  readAt.clear();
  lastFault.clear();
  if (seed !== undefined) config.run.seed = seed;
  const r = runInProcess(config);
  const g = r.summary.guests[0] as Any;
  const pe = g.passEndMs as number[];
  console.log(`\n=== ${key}  passEndMs ${JSON.stringify(pe)}  run 2 ${(pe[1] - pe[0]).toFixed(1)} ms`);
  passes.forEach((p, i) => {
    const wins = [...p.win.entries()].sort((a, b) => a[0] - b[0]).map(([w, n]) => `${w}:${n}`);
    console.log(
      `run ${i + 1}: swap-ins ${p.swapins} windows {${wins.join(' ')}}; window from hits ${p.byHits}, adjacency ${p.byAdjacent}, ` +
        `half-last floor ${p.byFloor}, isolated ${p.isolated}; previous swap-in another vCPU's ${p.prevOtherVcpu}; ` +
        `window 1 though adjacent to own previous ${p.ownAdjacentLost}`,
    );
    console.log(
      `       read ahead ${p.read}, hit ${p.hits}, dropped unused ${p.dropped} (age ms p10/p50/p90 ` +
        `${[0.1, 0.5, 0.9].map((f) => (q(p.dropAgeNs, f) / 1e6).toFixed(2)).join('/')}), hit age ms p50/p90 ` +
        `${[0.5, 0.9].map((f) => (q(p.hitAgeNs, f) / 1e6).toFixed(2)).join('/')}; window pages not read ${p.skipped} ` +
        `(no frame above min: ${p.allocFail} reads stopped); free at swap-in p10/p50/p90 ` +
        `${[0.1, 0.5, 0.9].map((f) => q(p.freeAtSwapin, f)).join('/')}`,
    );
  });
  console.log(`still cached at the end ${readAt.size}`);
}
checkHooksRan();
