// Diagnostic (session 13, j): what the memcached reproduction's kvm->mmu_lock write holds are, who takes
// them, what the vCPUs' read requests wait behind, and how many remote TLB flushes run, per harvest mode
// over the measured window, plus a per-100-ms series (to tell a standing convoy from one that forms).
// Hooks VLock's request methods, Harvester.folioReferenced, Guest.evictOne and IpiKick.flush in this
// process only (sync/vlock.ts, kvm/mmuNotifier.ts, kvm/unmapGfnRange.ts, kvm/remoteTlbFlush.ts).
//   --profile=<hardware-id>  the reproduce command's what-if (e.g. x86-workstation)
//   --harvest=<mode>         only that variant (locked-write | lockless)
//   --backing=private-anon   diagnostic only: read faults map read-only, as the lab did before session 13
//                            (kvm/faultinWritable.ts), to compare with the shmem memfd the presets model
//   --seed=<n>
//   --duration=<ms>          a longer run than the preset's (the window is warm-up + 1 ms to the end)
//   npx esbuild bench/_memcachedConvoy.ts --bundle --platform=node --format=esm \
//     --outfile=.cache/bench/_memcachedConvoy.mjs && node .cache/bench/_memcachedConvoy.mjs [scenario] [flags]
import { loadavg } from 'node:os';
import * as L from '../engine/core/sim/simLayout.ts';
import { VLock } from '../engine/core/sync/vlock.ts';
import { Harvester } from '../engine/core/kvm/mmuNotifier.ts';
import { Guest } from '../engine/core/sim/guest.ts';
import { IpiKick } from '../engine/core/kvm/remoteTlbFlush.ts';
import { memcachedVariants } from './_memcachedVariants.ts';
import { hookMethod, runInThread } from './_util.ts';

const flag = (name: string): string | undefined =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const seed = flag('seed') === undefined ? undefined : Number(flag('seed'));
const onlyHarvest = flag('harvest');
const backing = flag('backing');
if (backing !== undefined && backing !== 'private-anon') throw new Error(`--backing must be private-anon`);

/** The workload's hot pages (gfns below it), set per run. */
let hotPages = 0;
let w0 = 0;
let w1 = 0;
const inWin = (t: number): boolean => t >= w0 && t < w1;
const BIN = 100e6;
interface Bin {
  /** Sampled at the first eviction of the bin: resident pages, free frames, swap slots in use, refaults so far. */
  sample: string;
  held: number;
  readWait: number;
  reads: number;
  directEv: number;
  kswapdEv: number;
}
let bins: Bin[] = [];
const bin = (t: number): Bin => {
  const k = Math.floor(t / BIN);
  for (let i = bins.length; i <= k; i++)
    bins.push({ sample: '', held: 0, readWait: 0, reads: 0, directEv: 0, kswapdEv: 0 });
  return bins[k];
};

// Window counters.
let c = fresh();
function fresh() {
  return {
    reads: 0,
    readWaited: 0,
    readWait: 0,
    readWaitAging: 0,
    readWaitLong: 0, // reads that waited > 10 us
    readYield: 0, // of the read wait: passing write holds that arrived after the reader (booked first)
    writeYield: 0,
    writes: { aging: [0, 0], flushUnmap: [0, 0], unmapNoFlush: [0, 0], end: [0, 0], other: [0, 0] },
    writeWait: 0,
    agingKswapd: 0,
    agingDirect: 0,
    evKswapd: 0,
    evDirect: 0,
    flushes: 0,
    kicked: 0,
    flushNs: 0,
  };
}
/** The VM's lock's booking-order counters (vlockStats.ts), copied at each read request. */
const order = { seen: false, lateN: 0, lateNs: 0, lateMaxNs: 0, yieldedN: 0, yieldedNs: 0 };
let curBacking = false;
let inUnmap = false;

hookMethod(
  VLock.prototype,
  'readReq',
  (readReq0) =>
    function (this: VLock): void {
      const y0 = this.yieldedNs;
      readReq0.call(this);
      order.seen = true;
      order.lateN = this.lateN;
      order.lateNs = this.lateNs;
      order.lateMaxNs = this.lateMaxNs;
      order.yieldedN = this.yieldedN;
      order.yieldedNs = this.yieldedNs;
      const t = this.reqT;
      if (!inWin(t)) return;
      const wait = this.grant - t;
      c.reads++;
      bin(t).reads++;
      if (wait > 0) {
        c.readWaited++;
        c.readWait += wait;
        c.readWaitAging += this.agingWaitNs;
        c.readYield += this.yieldedNs - y0;
        if (wait > 10e3) c.readWaitLong++;
        bin(t).readWait += wait;
      }
    },
);
hookMethod(
  VLock.prototype,
  'writeReq',
  (writeReq0) =>
    function (this: VLock, aging: boolean): void {
      const y0 = this.yieldedNs;
      writeReq0.call(this, aging);
      const t = this.reqT;
      if (inWin(t)) c.writeYield += this.yieldedNs - y0;
      if (!inWin(t)) return;
      const hold = this.reqHold;
      const w = c.writes;
      const k = aging
        ? w.aging
        : inUnmap
          ? hold > 1000
            ? w.flushUnmap
            : w.unmapNoFlush
          : hold <= 40
            ? w.end
            : w.other;
      k[0]++;
      k[1] += hold;
      c.writeWait += this.grant - t;
      bin(this.grant).held += hold;
    },
);
hookMethod(
  Harvester.prototype,
  'folioReferenced',
  (fr0) =>
    function (this: Harvester, gfn: number): boolean {
      if (inWin(this.t)) {
        if (this.kswapd) c.agingKswapd++;
        else c.agingDirect++;
      }
      return fr0.call(this, gfn) as boolean;
    },
);
hookMethod(
  Guest.prototype,
  'evictOne',
  (ev0) =>
    function (this: Guest, gfn: number, t: number, byVcpu: boolean, cpu?: number): number {
      const b0 = inWin(t) ? bin(t) : null;
      if (b0 !== null && b0.sample === '') {
        const st = this.stats;
        const sb = this.sb;
        // Guest pages by flag, split at the workload's hot pages (gfns below it: memcached's slab + hash).
        const hot = hotPages;
        const n = [0, 0, 0, 0]; // resident hot, resident cold (PG_HOST or guest-touched), swap cache, host-only
        for (let i = 0; i < this.flags.length; i++) {
          const f = this.flags[i];
          if ((f & L.PG_RESIDENT) !== 0) n[i < hot ? 0 : 1]++;
          if ((f & L.PG_SWAPCACHE) !== 0) n[2]++;
          if ((f & L.PG_HOST) !== 0) n[3]++;
        }
        b0.sample = `res ${st[sb + L.GS_RESIDENT]} (hot ${n[0]}, cold ${n[1]}, host-only ${n[3]}), swapcache ${n[2]}, free ${this.host.free()}, swap ${this.swapArea?.slots.inusePages() ?? 0}, under writeback ${this.swapArea?.writeback.size ?? 0}, readahead pages ${st[sb + L.GS_RA_PAGES]} (hits ${st[sb + L.GS_RA_HITS]}), refaults ${st[sb + L.GS_REFAULTS]}`;
      }
      if (inWin(t)) {
        if (byVcpu) {
          c.evDirect++;
          bin(t).directEv++;
        } else {
          c.evKswapd++;
          bin(t).kswapdEv++;
        }
      }
      // The unmap's first write hold is the one booked while inUnmap is set and no invalidate_end yet.
      inUnmap = true;
      try {
        return ev0.call(this, gfn, t, byVcpu, cpu) as number;
      } finally {
        inUnmap = false;
      }
    },
);
hookMethod(
  Guest.prototype,
  'fault',
  (f0) =>
    function (this: Guest, ...a: unknown[]): unknown {
      if (backing === 'private-anon' && !curBacking) {
        this.backing = 'private-anon';
        curBacking = true;
      }
      return f0.apply(this, a);
    },
);
hookMethod(
  IpiKick.prototype,
  'flush',
  (fl0) =>
    function (this: IpiKick, t: number, kswapd: boolean): number {
      const ns = fl0.call(this, t, kswapd) as number;
      if (inWin(t)) {
        c.flushes++;
        c.kicked += this.lastKicked;
        c.flushNs += ns;
      }
      return ns;
    },
);
const durationMs = flag('duration') === undefined ? undefined : Number(flag('duration'));
for (const v of memcachedVariants(seed)) {
  const { scenario, harvest, warmupMs } = v;
  if (onlyHarvest !== undefined && harvest !== onlyHarvest) continue;
  // --duration=<ms>: a longer run (diagnostic: does a convoy that forms late stand?).
  const config = durationMs === undefined ? v.config : { ...v.config, run: { ...v.config.run, durationMs } };
  w0 = (warmupMs > 0 ? warmupMs + 1 : 0) * 1e6;
  w1 = config.run.durationMs * 1e6;
  c = fresh();
  bins = [];
  const wl0 = config.guests[0].workload;
  hotPages = 'pages' in wl0 && typeof wl0.pages === 'number' ? wl0.pages : Infinity;
  order.seen = false;
  curBacking = false;
  const t0 = performance.now();
  const sv = runInThread(config);
  const ops = sv.stats[L.GS_OPS];
  const win = (w1 - w0) / 1e9;
  const per = (n: number): string => (n / win).toFixed(0);
  console.log(
    `== ${scenario} ${harvest} on ${config.hardware.id}${backing ? ` (backing ${backing})` : ''}: window ${w0 / 1e6}-${w1 / 1e6} ms; wall ${((performance.now() - t0) / 1000).toFixed(1)} s, load ${loadavg()[0].toFixed(2)}; whole-run ops/s ${(ops / (w1 / 1e9)).toFixed(0)}`,
  );
  let held = 0;
  for (const [name, [n, ns]] of Object.entries(c.writes)) {
    held += ns;
    if (n > 0)
      console.log(
        `  write ${name.padEnd(13)} ${per(n).padStart(9)}/s, mean hold ${(ns / n).toFixed(0).padStart(6)} ns, held ${((100 * ns) / (w1 - w0)).toFixed(1)} % of the window`,
      );
  }
  console.log(
    `  write lock held ${((100 * held) / (w1 - w0)).toFixed(1)} %; writers' wait ${(c.writeWait / 1e6).toFixed(1)} ms (passing later-arriving writers ${((100 * c.writeYield) / Math.max(1, c.writeWait)).toFixed(1)} %); locked checks kswapd ${per(c.agingKswapd)}/s, direct reclaim ${per(c.agingDirect)}/s; evictions kswapd ${per(c.evKswapd)}/s, direct ${per(c.evDirect)}/s`,
  );
  console.log(
    `  reads ${per(c.reads)}/s, waited ${((100 * c.readWaited) / Math.max(1, c.reads)).toFixed(1)} %, mean wait per waiting read ${(c.readWait / Math.max(1, c.readWaited)).toFixed(0)} ns (behind aging holds ${((100 * c.readWaitAging) / Math.max(1, c.readWait)).toFixed(1)} %, passing writers that arrived after the reader ${((100 * c.readYield) / Math.max(1, c.readWait)).toFixed(1)} %), > 10 us ${per(c.readWaitLong)}/s; total ${(c.readWait / 1e9).toFixed(2)} vCPU-s`,
  );
  console.log(
    `  remote TLB flushes (IPI) ${per(c.flushes)}/s, kicked ${(c.kicked / Math.max(1, c.flushes)).toFixed(1)} vCPUs each, ${(c.flushNs / Math.max(1, c.flushes)).toFixed(0)} ns each; kvm_flush_remote_tlbs whole run ${sv.stats[L.GS_TLB_FLUSH_VM]}`,
  );
  if (order.seen) {
    const v = order;
    console.log(
      `  booking order (whole run): late ${v.lateN} (mean ${(v.lateNs / Math.max(1, v.lateN) / 1e3).toFixed(2)} us, max ${(v.lateMaxNs / 1e3).toFixed(1)} us), moved past a later-arriving writer ${v.yieldedN} (${(v.yieldedNs / 1e6).toFixed(2)} ms)`,
    );
  }
  console.log(
    `  per 100 ms [from ms: write held %, read wait ms, direct / kswapd evictions]: ${bins
      .map(
        (b, i) =>
          `${i * 100}: ${((100 * b.held) / BIN).toFixed(0)}, ${(b.readWait / 1e6).toFixed(0)}, ${b.directEv}/${b.kswapdEv}`,
      )
      .slice(5)
      .join('; ')}`,
  );
  console.log(
    `  samples per 100 ms: ${bins
      .map((b, i) => `${i * 100}: ${b.sample}`)
      .slice(5)
      .join('; ')}`,
  );
  console.log(
    `  whole run: stage-2 faults per op ${(sv.stats[L.GS_S2_FAULTS] / ops).toFixed(4)}, direct-reclaim evictions ${sv.stats[L.GS_DIRECT_RECLAIM]}, kswapd busy ${(sv.stats[L.GS_KSWAPD_NS] / 1e6).toFixed(0)} ms`,
  );
}
