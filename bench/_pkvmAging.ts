// Diagnostics of seed-debate on pkvm (not a bench): what the rmap checks (folio_referenced ->
// clear_flush_young -> kvm_age_gfn, harvest 'hypercall') do before the first eviction. Per 50 ms of virtual
// time: checks, young share, kswapd's share, the mean check (its hold work, MMU-lock wait, DVM wait), and the
// aging time over the bin (the number of reclaimers checking at once); then, for the window up to the first
// eviction, distinct pages checked per guest against the guest's resident pages, and the interval between
// two checks of one page. Hooks go through hookMethod (bench/_util.ts, mustRun). Bundle and run:
//   npx esbuild bench/_pkvmAging.ts --bundle --platform=node --format=esm --outfile=/tmp/pkvmAging.mjs && node /tmp/pkvmAging.mjs [durationMs]
import { runInProcess } from '../engine/core/sim/run.ts';
import { Harvester } from '../engine/core/kvm/mmuNotifier.ts';
import { GS_DVM_WAIT_NS, GS_EVICTIONS, GS_LOCK_WAIT_NS, PG_RESIDENT } from '../engine/core/sim/simLayout.ts';
import { checkHooksRan, diagScenario, hookMethod } from './_util.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const dur = Number(process.argv[2] ?? 1500);
const config = diagScenario('seed-debate', 'pkvm', dur);

const BIN = 50e6;
type Bin = { n: number; young: number; kswapd: number; ns: number; lockWait: number; dvmWait: number };
const bins: Bin[] = [];
let firstEvict = Infinity;
const guestsSeen: Any[] = [];
const lastCheck = new Map<number, number>(); // guest * 2^24 + gfn -> t of its last check
const intervals: number[] = [];
const distinct: Set<number>[] = [];
hookMethod(
  Harvester.prototype,
  'folioReferenced',
  (orig) =>
    function (this: Any, gfn: number) {
      const g = this.g as Any;
      if (!guestsSeen.includes(g)) guestsSeen.push(g);
      const s = g.stats as Float64Array;
      const sb = g.sb as number;
      if (s[sb + GS_EVICTIONS] > 0 && firstEvict === Infinity) firstEvict = this.t;
      const t0 = this.t as number;
      const lw = s[sb + GS_LOCK_WAIT_NS];
      const dw = s[sb + GS_DVM_WAIT_NS];
      const young = orig.call(this, gfn) as boolean;
      const b = (bins[Math.floor(t0 / BIN)] ??= { n: 0, young: 0, kswapd: 0, ns: 0, lockWait: 0, dvmWait: 0 });
      b.n++;
      if (young) b.young++;
      if (this.kswapd) b.kswapd++;
      b.ns += this.t - t0;
      b.lockWait += s[sb + GS_LOCK_WAIT_NS] - lw;
      b.dvmWait += s[sb + GS_DVM_WAIT_NS] - dw;
      const key = g.index * 2 ** 24 + gfn;
      if (t0 < firstEvictAll()) {
        (distinct[g.index] ??= new Set()).add(gfn);
        const last = lastCheck.get(key);
        if (last !== undefined) intervals.push(t0 - last);
      }
      lastCheck.set(key, t0);
      return young;
    },
  { mustRun: true },
);
function firstEvictAll(): number {
  let any = false;
  for (const g of guestsSeen) if ((g.stats as Float64Array)[g.sb + GS_EVICTIONS] > 0) any = true;
  return any ? -Infinity : Infinity;
}
const res = runInProcess(config);
checkHooksRan();
const sm = res.summary as Any;
console.log(
  `pkvm seed-debate ${dur} ms det seed ${config.run.seed}: hit ${(sm.hitRate * 100).toFixed(2)} %, evictions ${sm.evictions}, aging ${(sm.agingNs / 1e6).toFixed(0)} ms, DVM wait ${(sm.dvmWaitNs / 1e6).toFixed(1)} ms, checks ${sm.foliosConsidered}`,
);
console.log('bin(ms)  checks  young%  kswapd  mean-check(ns) lock-wait dvm-wait work  aging/bin(x)');
for (let i = 0; i < bins.length; i++) {
  const b = bins[i];
  if (!b) continue;
  const m = (x: number): string => (x / b.n).toFixed(0).padStart(6);
  console.log(
    `${String(i * 50).padStart(5)}-${String(i * 50 + 50).padEnd(5)} ${String(b.n).padStart(6)} ${((b.young / b.n) * 100).toFixed(1).padStart(6)} ${String(b.kswapd).padStart(6)} ${m(b.ns).padStart(12)} ${m(b.lockWait)} ${m(b.dvmWait)} ${m(b.ns - b.lockWait - b.dvmWait)} ${(b.ns / BIN).toFixed(2).padStart(8)}`,
  );
}
intervals.sort((a, b) => a - b);
const q = (p: number): string =>
  intervals.length ? (intervals[Math.floor(p * (intervals.length - 1))] / 1e6).toFixed(1) : '-';
console.log(
  `before the first eviction (at ${(firstEvict / 1e6).toFixed(1)} ms): re-checks ${intervals.length}, interval p10/p50/p90 ${q(0.1)}/${q(0.5)}/${q(0.9)} ms`,
);
for (const g of guestsSeen) {
  let resident = 0;
  const f = g.flags as Uint8Array;
  for (let i = 0; i < g.pages; i++) if ((f[i] & PG_RESIDENT) !== 0) resident++;
  console.log(
    `  guest ${g.index}: distinct pages checked ${distinct[g.index]?.size ?? 0}, resident at the end ${resident}`,
  );
}
// Session 14: pKVM's EL2 locks (engine/core/kvm/hypLock.ts). host_lock_component is one per worker (the
// deterministic run has one worker: every guest's share / unshare meets there); guest_lock_component per VM.
console.log(
  `summary: accesses ${sm.accesses}, s2 faults ${sm.s2Faults}, MMU lock wait ${(sm.lockWaitNs / 1e6).toFixed(1)} ms, hold ${(sm.lockHoldNs / 1e6).toFixed(1)} ms`,
);
const hosts = new Set(guestsSeen.map((g) => g.hypHostLock).filter((h) => h));
for (const h of hosts)
  console.log(
    `host_lock_component: acquisitions ${h.n}, waited ${h.waited} (${((h.waited / Math.max(1, h.n)) * 100).toFixed(1)} %), wait ${(h.waitNs / 1e6).toFixed(2)} ms (mean per waiter ${(h.waitNs / Math.max(1, h.waited)).toFixed(0)} ns), split holds ${h.splitHolds}, shared by ${guestsSeen.filter((g) => g.hypHostLock === h).length} aged guests`,
  );
for (const g of guestsSeen) {
  const gl = g.hypGuestLock;
  if (gl)
    console.log(
      `  guest ${g.index} guest_lock_component: acquisitions ${gl.n}, waited ${gl.waited}, wait ${(gl.waitNs / 1e6).toFixed(3)} ms`,
    );
}
