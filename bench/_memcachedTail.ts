// Diagnostic (not a bench; session 12): the memcached reproduction's latency TAIL, op by op. For each
// harvest mode (locked-write = the published before, lockless = after), every op completed in the
// measured window (the client's warm-up to the run's end) is recorded with what its service met:
// stage-2 faults (user_mem_abort: the trap, direct reclaim in the vCPU's context, the swap-in or
// readahead / writeback wait, the read hold of kvm->mmu_lock and mmu_invalidate_retry), the faults
// that found no frame (retried after FRAME_RETRY_NS), permission and access-flag faults. Prints exact
// p50 / avg / p90 / p99 / p99.9 (from the recorded latencies, not the histogram's buckets), the published
// style avg - p50, and for the ops above p90 / p99 / p99.9 / p99.99 and the ten slowest what each of them spent where; then direct
// reclaim in the window: clusters, their length, the folio checks under the write lock each made and
// what they waited for, and how many vCPUs were in direct reclaim at once.
// Hooks (this process only): Guest.fault / mapLocked / permFault / afFault, VCpu.endOp,
// ClosedLoop.complete, Pgdat.directReclaimStep and VLock.writeReq (bench/_reclaimSteps.ts). No cost or setting changes.
//   npx esbuild bench/_memcachedTail.ts --bundle --platform=node --format=esm \
//     --outfile=.cache/bench/_memcachedTail.mjs && node .cache/bench/_memcachedTail.mjs [scenario] [--seed=n]
//     [--kswapd-share=s]
import { loadavg } from 'node:os';
import * as L from '../engine/core/sim/simLayout.ts';
import { memcachedVariants } from './_memcachedVariants.ts';
import { Guest } from '../engine/core/sim/guest.ts';
import { VCpu } from '../engine/core/sim/vcpu.ts';
import { ClosedLoop } from '../engine/core/sim/closedLoop.ts';
import { opPercentile } from '../engine/core/sim/opHist.ts';
import { C_S2_FAULT } from '../engine/core/sim/costs.ts';
import { SwapArea } from '../engine/core/mm/swapReadahead.ts';
import { PG_RESIDENT, PG_SWAPCACHE, PG_SWAPPED } from '../engine/core/sim/layout/guestPages.ts';
import { argFlag, hookMethod, kswapdShareWhatIf, runInThread } from './_util.ts';
import { HostStalls } from './_hostStalls.ts';
import { hookReclaimSteps } from './_reclaimSteps.ts';

const flag = argFlag;
const seed = flag('seed') === undefined ? undefined : Number(flag('seed'));
// --kswapd-share=<s>: the what-if of bench/_reproBreakdown.ts (kswapd gets s of a host CPU, as when it
// shares one with a vCPU thread): a diagnostic that makes direct reclaim happen, never a setting.
kswapdShareWhatIf(true);

/** What the op in service on a vCPU has met so far (reset at each op's end). */
interface OpAcc {
  faults: number; // stage-2 faults completed
  faultNs: number; // from each fault's first entry to its completion (suspensions and retries included)
  reclaimNs: number; // direct reclaim (and its throttles) inside those faults
  ioNs: number; // the frame ready -> after reclaim: trap, swap read / readahead or writeback wait
  reads: number; // faults whose wait was >= one SSD read (a swap read of its own)
  lockNs: number; // the map's read_lock wait + hold + mmu_invalidate_retry re-faults
  noFrame: number; // fault calls that returned -1 (no frame: retried after FRAME_RETRY_NS)
  permNs: number; // permission + access-flag faults
  retries: number; // mmu_invalidate_retry -EAGAINs (each a re-fault: trap, read_lock, check)
  inFault: number; // virtual time of the current fault's first entry (-1: none)
  lockAt: number; // the current fault's first read-lock request (mapLocked's `now`; -1: not yet)
  t0: number; // the fault's start as mapLocked first saw it
  reclaim0: number; // the reclaim time allocFrame handed to the first mapLocked call
  depth: number; // Guest.fault nesting (mapLocked re-enters it when the gfn was reclaimed meanwhile)
}
const fresh = (): OpAcc => ({
  faults: 0,
  faultNs: 0,
  reclaimNs: 0,
  ioNs: 0,
  reads: 0,
  lockNs: 0,
  noFrame: 0,
  permNs: 0,
  retries: 0,
  inFault: -1,
  lockAt: -1,
  t0: 0,
  reclaim0: 0,
  depth: 0,
});

// --no-readahead: the what-if vm.page-cluster = 0 (swapin_nr_pages always 1: each refault reads its page
// alone). A diagnostic bound for swap_vma_readahead (anon memory), which reads only the swap PTEs of a
// window of <= 8 around the fault: never a setting.
if (process.argv.includes('--no-readahead')) {
  hookMethod(SwapArea.prototype, 'nrPages', () => () => 1);
  console.log('what-if: no swap-in readahead (page-cluster 0; diagnostic)');
}

// swap_vma_readahead's window at each refault that reads (session 15 c): swap PTEs (swapped out, not in
// the swap cache, not resident) among the other 7 pages of the 8-page window centred as the kernel's
// (left = (win - 1) / 2 = 3: fpfn - 3 .. fpfn + 4), clamped to the fault's PMD (512 pages).
let vmaRaFaults = 0;
let vmaRaPages = 0;

// Per op in the window: latency and its parts (columns of one growing record list).
type Field =
  'lat' | 'faults' | 'faultNs' | 'reclaimNs' | 'ioNs' | 'reads' | 'lockNs' | 'noFrame' | 'permNs' | 'retries';
type Rec = Record<Field, number>;
let recs: Rec[] = [];
// Host stalls per vCPU and op completions, for the guest-thread coupling estimate (bench/_hostStalls.ts).
let stalls = new HostStalls();
let accs = new Map<number, OpAcc>(); // by vCPU index (one guest)
let measuring: { v: VCpu; a: OpAcc } | null = null;
let trapNs = 0;
let swapReadNs = 90_000;

const acc = (vi: number): OpAcc => {
  let a = accs.get(vi);
  if (a === undefined) {
    a = fresh();
    accs.set(vi, a);
  }
  return a;
};

const gp = Guest.prototype;
let curVi = 0;
hookMethod(
  gp,
  'fault',
  (fault0) =>
    function (this: Guest, gfn: number, write: boolean, t: number, vi = 0, limit = Infinity): number {
      const a = acc(vi);
      if (a.inFault < 0) {
        a.inFault = t;
        const f = this.flags;
        if (t >= winFrom && (f[gfn] & (PG_RESIDENT | PG_SWAPCACHE)) === 0 && (f[gfn] & PG_SWAPPED) !== 0) {
          vmaRaFaults++;
          const lo = Math.max(gfn - 3, gfn & ~511);
          const hi = Math.min(gfn + 4, (gfn & ~511) + 511, f.length - 1);
          for (let x = lo; x <= hi; x++)
            if (x !== gfn && (f[x] & (PG_RESIDENT | PG_SWAPCACHE)) === 0 && (f[x] & PG_SWAPPED) !== 0) vmaRaPages++;
        }
      }
      curVi = vi;
      trapNs = this.costs[C_S2_FAULT];
      swapReadNs = this.swapInNs;
      const r0 = this.mmuInvalidate.retries;
      a.depth++;
      const e = fault0.call(this, gfn, write, t, vi, limit);
      a.depth--;
      if (a.depth > 0) return e; // a re-fault inside mapLocked: counted with its outer fault
      a.retries += this.mmuInvalidate.retries - r0;
      if (e === -1) a.noFrame++;
      else if (e >= 0) {
        a.faults++;
        a.faultNs += e - a.inFault;
        stalls.stall(vi, a.inFault, e);
        a.inFault = -1;
        a.lockAt = -1;
      }
      return e;
    },
);
hookMethod(
  gp,
  'mapLocked',
  (mapLocked0) =>
    function (
      this: Guest,
      gfn: number,
      write: boolean,
      vi: number,
      limit: number,
      now: number,
      t0: number,
      reclaimNs: number,
      refault: boolean,
      sample: number,
    ): number {
      const a = acc(vi);
      if (a.lockAt < 0) {
        // The first read-lock request of this fault: reclaimNs is allocFrame's (later calls carry
        // mmu_invalidate_retry's re-faults added to it).
        a.lockAt = now;
        a.reclaim0 = reclaimNs;
        a.t0 = t0;
      }
      const r = mapLocked0.call(this, gfn, write, vi, limit, now, t0, reclaimNs, refault, sample);
      if (r >= 0 && a.depth <= 1) {
        // The fault is done: its parts from its start (the trap) to the first read-lock request, then the
        // lock, the map and any re-faults.
        a.reclaimNs += a.reclaim0;
        const io = a.lockAt - a.t0 - a.reclaim0;
        a.ioNs += io;
        if (io - trapNs >= swapReadNs) a.reads++;
        a.lockNs += r - a.lockAt;
      }
      return r;
    },
);
for (const name of ['permFault', 'afFault'])
  hookMethod(
    gp,
    name,
    (orig) =>
      function (this: Guest, gfn: number, t: number): number {
        const r = orig.call(this, gfn, t);
        acc(curVi).permNs += r - t;
        if (r > t) stalls.stall(curVi, t, r);
        return r;
      },
  );
// VCpu.run sets curVi for perm/af faults through fault's wrapper only; set it per access instead.
hookMethod(
  VCpu.prototype,
  'run',
  (run0) =>
    function (this: VCpu, limit: number): void {
      curVi = this.vi;
      run0.call(this, limit);
    },
);
hookMethod(
  VCpu.prototype,
  'endOp',
  (endOp0) =>
    function (this: VCpu, t: number): number {
      const wl = this.wl;
      const a = acc(this.vi);
      measuring = t >= wl.measureFromNs && !wl.inLoadPass() ? { v: this, a } : null;
      const r = endOp0.call(this, t);
      measuring = null;
      accs.set(this.vi, fresh());
      return r;
    },
);
hookMethod(
  ClosedLoop.prototype,
  'complete',
  (complete0) =>
    function (this: ClosedLoop, t: number): number {
      const lat = complete0.call(this, t) as number;
      const m = measuring;
      if (m !== null) {
        stalls.done(m.v.vi, t);
        const a = m.a;
        recs.push({
          lat,
          faults: a.faults,
          faultNs: a.faultNs,
          reclaimNs: a.reclaimNs,
          ioNs: a.ioNs,
          reads: a.reads,
          lockNs: a.lockNs,
          noFrame: a.noFrame,
          permNs: a.permNs,
          retries: a.retries,
        });
      }
      return lat;
    },
);

// Direct reclaim's folio steps in the window and the write-lock requests made in them (bench/_reclaimSteps.ts).
const steps = hookReclaimSteps();
let winFrom = 0;

const us = (ns: number): string => (ns / 1e3).toFixed(1);
for (const { scenario, harvest, config, warmupMs } of memcachedVariants(seed)) {
  winFrom = warmupMs * 1e6;
  recs = [];
  accs = new Map();
  steps.reset(winFrom);
  stalls = new HostStalls();
  vmaRaFaults = 0;
  vmaRaPages = 0;
  const t0 = performance.now();
  const sv = runInThread(config);
  const winS = (config.run.durationMs - warmupMs) / 1000;
  const n = recs.length;
  const lat = Float64Array.from(recs, (x) => x.lat).sort();
  const q = (p: number): number => lat[Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1))];
  const avg = lat.reduce((a, b) => a + b, 0) / n;
  console.log(
    `== ${scenario} ${harvest}, seed ${config.run.seed}: window ${warmupMs}-${config.run.durationMs} ms; wall ${((performance.now() - t0) / 1000).toFixed(1)} s, load ${loadavg()[0].toFixed(2)}`,
  );
  console.log(
    `ops ${n} (${(n / winS).toFixed(0)}/s); exact latency (us): p50 ${us(q(0.5))}, avg ${us(avg)}, p90 ${us(q(0.9))}, p99 ${us(q(0.99))}, p99.9 ${us(q(0.999))}, p99.99 ${us(q(0.9999))}, max ${us(lat[n - 1])}; avg - p50 ${us(avg - q(0.5))}`,
  );
  const oh = sv.opHist.slice(0, L.OH_WORDS);
  console.log(
    `the lab's histogram (whole run after warm-up, bucket upper bounds): p50 / p99 / p99.9 ${[0.5, 0.99, 0.999].map((x) => us(opPercentile(oh, [0], x))).join(' / ')} us`,
  );
  // The tail above each threshold: what its ops met, on average, and the share of the excess over p50
  // each part carries.
  for (const [name, p] of [
    ['all', 0],
    ['> p50', 0.5],
    ['> p90', 0.9],
    ['> p99', 0.99],
    ['> p99.9', 0.999],
    ['> p99.99', 0.9999],
    // The ten slowest ops of the window (p = -1: the threshold is the 11th-slowest latency).
    ['top 10', -1],
  ] as const) {
    const thr = p === 0 ? -Infinity : p < 0 ? lat[Math.max(0, n - 11)] : q(p);
    const sel = recs.filter((x) => x.lat > thr);
    const k = sel.length;
    if (k === 0) continue;
    const m = (f: Field): number => sel.reduce((a, x) => a + x[f], 0) / k;
    const shares = new Map<string, number>();
    for (const x of sel) {
      const key =
        x.reclaimNs > 0
          ? 'direct reclaim'
          : x.noFrame > 0
            ? 'no frame (retry)'
            : x.reads > 1
              ? '2+ swap reads'
              : x.reads === 1
                ? '1 swap read'
                : x.faults > 0
                  ? x.retries > 0
                    ? 'fault, no read, -EAGAIN'
                    : 'fault, no read'
                  : x.permNs > 0
                    ? 'perm/AF fault only'
                    : 'nothing';
      shares.set(key, (shares.get(key) ?? 0) + 1);
    }
    console.log(
      `  ${name.padEnd(7)} ${String(k).padStart(8)} ops (${((100 * k) / n).toFixed(2)} %), latency ${us(m('lat'))}: faults ${m('faults').toFixed(3)} (${us(m('faultNs'))} us: reclaim ${us(m('reclaimNs'))}, trap + swap/readahead wait ${us(m('ioNs'))} [swap reads ${m('reads').toFixed(3)}], read lock + map + re-faults ${(m('lockNs') / 1e3).toFixed(3)} [-EAGAINs ${m('retries').toFixed(3)}]), no-frame retries ${m('noFrame').toFixed(4)}, perm/AF ${(m('permNs') / 1e3).toFixed(3)} us; kinds: ${[
        ...shares,
      ]
        .sort((a, b) => b[1] - a[1])
        .map(([s, c]) => `${s} ${((100 * c) / k).toFixed(1)} %`)
        .join(', ')}`,
    );
  }
  stalls.couplingReport(winFrom, n, avg, lat, (i) => recs[i].lat, winS);
  console.log(
    `swap_vma_readahead's window at the window's ${vmaRaFaults} swap-in faults: ${(vmaRaPages / Math.max(1, vmaRaFaults)).toFixed(3)} other swap PTEs in the 8-page window (the most it would read besides the fault's page)`,
  );
  steps.report(recs.filter((x) => x.reclaimNs > 0).map((x) => x.reclaimNs));
  console.log(
    `counters (whole run): direct-reclaim evictions ${sv.stats[L.GS_DIRECT_RECLAIM]}, throttled (isolated) ${sv.stats[L.GS_THROTTLED]}, pfmemalloc ${sv.stats[L.GS_PFMEMALLOC_THROTTLED]}, swap reads ${sv.stats[L.GS_SWAP_READS]} (readahead pages ${sv.stats[L.GS_RA_PAGES]}), readahead hits ${sv.stats[L.GS_RA_HITS]}, writeback waits ${sv.stats[L.GS_WB_FAULTS]}, kswapd busy ${(sv.stats[L.GS_KSWAPD_NS] / 1e6).toFixed(0)} ms`,
  );
}
