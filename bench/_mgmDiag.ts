// Diagnostics of the max_guest_memory_test reproductions (not a bench): where run 2's virtual time goes
// for each variant, and what kswapd's write-lock waits are behind. Bundle and run:
//   npx esbuild bench/_mgmDiag.ts --bundle --platform=node --format=esm --outfile=/tmp/mgm.mjs && node /tmp/mgm.mjs [key...]
// Environment: X86=1 runs each on presets/hardware/x86-workstation.json; ZAP=1 / ZAP=0 sets / clears the
// scan workload's resetZapsRoot (x86's MMU context reset between the runs, Guest.zapRoot; the v1 preset sets it).
import path from 'node:path';
import { loadavg } from 'node:os';
import { reproductionConfigs } from '../engine/cli/reproduce.ts';
import { REPRODUCTIONS } from '../engine/core/repro/reproductions.ts';
import { runInProcess } from '../engine/core/sim/run.ts';
import { onPassEnd } from './_passEnd.ts';
import { Guest } from '../engine/core/sim/guest.ts';
import { VLock } from '../engine/core/sync/vlock.ts';
import { Pgdat } from '../engine/core/mm/pgdat.ts';
import type { Promoter } from '../engine/core/mm/policy/policy.ts';
import * as L from '../engine/core/sim/simLayout.ts';
import { checkHooksRan, hookMethod } from './_util.ts';

// X86=1: every run on the x86-workstation profile, as `lab reproduce --profile x86-workstation`.
const configs = reproductionConfigs(
  path.join(process.cwd(), 'presets'),
  REPRODUCTIONS,
  process.env.X86 === '1' ? 'x86-workstation' : undefined,
);
const want = process.argv.slice(2);
if (process.env.ZAP === '1' || process.env.ZAP === '0')
  for (const c of configs.values())
    for (const g of c.guests) if (g.workload.kind === 'scan') g.workload.resetZapsRoot = process.env.ZAP === '1';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const cur: { snap: Float64Array | null; live: Float64Array | null } = { snap: null, live: null };
let liveBase = 0;
let pass1End = Infinity;
// Every hook must run: each prints a count of its own (mustRun: checkHooksRan after the last run). Each of
// the five max-guest keys alone calls every one thousands of times (main 03bbd42, seed 1: slow write
// requests 2,074-493,704, slow reads 17,270-28,320, run-2 folio_referenced 13,325-253,863).
const must = { mustRun: true };
onPassEnd((e) => {
  if (e.before !== 0) return;
  cur.snap = Float64Array.from(e.stats);
  cur.live = e.stats;
  liveBase = e.base;
  pass1End = e.now;
}, must);
// Per-vCPU fault time in run 2, and where it went.
const per = new Map<number, { faults: number; ns: number; lockWait: number; end: number }>();
// mmu_invalidate_retry's -EAGAINs (MmuInvalidate.retries): in all, and by the end of pass 1.
const retries = { guest: null as Any | null, atPass1: -1 };
hookMethod(
  Guest.prototype,
  'fault',
  (origFault) =>
    function (this: Any, gfn: number, write: boolean, t: number, vi = 0, limit = Infinity) {
      const s = this.stats as Float64Array;
      const lw = s[this.sb + L.GS_LOCK_WAIT_NS];
      retries.guest = this;
      if (t >= pass1End && retries.atPass1 < 0) retries.atPass1 = this.mmuInvalidate.retries;
      const r = origFault.call(this, gfn, write, t, vi, limit);
      if (t >= pass1End) {
        let p = per.get(vi);
        if (!p) per.set(vi, (p = { faults: 0, ns: 0, lockWait: 0, end: 0 }));
        p.faults++;
        const e = r >= 0 ? r : this.resumeAt;
        p.ns += e - t;
        p.lockWait += s[this.sb + L.GS_LOCK_WAIT_NS] - lw;
        p.end = Math.max(p.end, e);
      }
      return r;
    },
  must,
);
// kswapd's (and every writer's) waits split by what they wait behind: earlier writers or readers.
const wsplit = {
  futureReaders: 0,
  heldReaders: 0,
  writers: 0,
  readers: 0,
  n: 0,
  waited: 0,
  run2Writers: 0,
  run2Readers: 0,
  run2Waited: 0,
};
// VLock's slow paths are private: hookMethod reaches them by name (and throws if they are renamed).
hookMethod(
  VLock.prototype,
  'writeSlow',
  (origWriteSlow) =>
    function (this: Any, aging: boolean) {
      const t = this.reqT;
      const hold = this.reqHold;
      let s = t;
      let byW = 0;
      let byR = 0;
      for (;;) {
        const s0 = s;
        const a = this.pastWriters(t, s, hold);
        byW += a - s;
        const b = this.pastReaders(a, hold);
        byR += b - a;
        if (b > a) {
          // Which reads pushed it: those already holding at the request time t, or ones starting after t
          // (booked earlier in real time, later in virtual time).
          const r = this.r as Float64Array;
          let x = a;
          for (let i = this.rh; i < this.re; i += 2) {
            if (r[i + 1] <= x) continue;
            if (r[i] >= x + hold) break;
            if (r[i] > t) wsplit.futureReaders += r[i + 1] - x;
            else wsplit.heldReaders += r[i + 1] - x;
            x = r[i + 1];
          }
        }
        s = b;
        if (s === s0) break;
      }
      wsplit.n++;
      if (s > t) wsplit.waited++;
      wsplit.writers += byW;
      wsplit.readers += byR;
      if (t >= pass1End) {
        wsplit.run2Writers += byW;
        wsplit.run2Readers += byR;
        if (s > t) wsplit.run2Waited++;
      }
      origWriteSlow.call(this, aging);
    },
  must,
);

// Readers' waits behind writers: writers that had arrived by the reader's request, or later ones.
const rsplit = { early: 0, late: 0, n: 0 };
hookMethod(
  VLock.prototype,
  'readSlow',
  (origReadSlow) =>
    function (this: Any) {
      const t = this.reqT;
      const hold = this.reqHold;
      const w = this.w as Float64Array;
      let s = t;
      for (let i = this.wh; i < this.we; i += 4) {
        const end = w[i + 2];
        if (end <= s) continue;
        if (w[i + 1] >= s + hold && w[i] > t) break;
        if (w[i] <= t) rsplit.early += end - s;
        else rsplit.late += end - s;
        s = end;
      }
      rsplit.n++;
      origReadSlow.call(this);
    },
  must,
);
const refs = { kswapd: 0, direct: 0, kswapdYoung: 0, directYoung: 0 };
hookMethod(
  Pgdat.prototype,
  'referenced',
  (origRef) =>
    function (this: Any, id: number, p: Promoter | null) {
      const y = origRef.call(this, id, p);
      if (this.t >= pass1End) {
        if (this.kswapd) {
          refs.kswapd++;
          if (y) refs.kswapdYoung++;
        } else {
          refs.direct++;
          if (y) refs.directYoung++;
        }
      }
      return y;
    },
  must,
);
const names = Object.entries(L)
  .filter(([k, v]) => k.startsWith('GS_') && typeof v === 'number' && k !== 'GS_WORDS')
  .sort((a, b) => (a[1] as number) - (b[1] as number)) as [string, number][];

for (const [key, config] of configs) {
  if (!key.includes('max-guest') || (want.length > 0 && !want.some((w) => key.includes(w)))) continue;
  cur.snap = null;
  pass1End = Infinity;
  per.clear();
  for (const k of Object.keys(wsplit)) (wsplit as Any)[k] = 0;
  rsplit.early = rsplit.late = rsplit.n = 0;
  refs.kswapd = refs.direct = refs.kswapdYoung = refs.directYoung = 0;
  retries.guest = null;
  retries.atPass1 = -1;
  const t0 = Date.now();
  const r = runInProcess(config);
  const s = r.summary;
  const g = s.guests[0] as Any;
  console.log(`\n=== ${key}  wall ${((Date.now() - t0) / 1000).toFixed(1)} s  load ${loadavg()[0].toFixed(2)}`);
  console.log(`passEndMs ${JSON.stringify(g.passEndMs)}  kswapdWriteWaitShare ${s.kswapdWriteWaitShare}`);
  const a = cur.snap as Float64Array | null; // set by the PassBarrier hook during the run
  const b = cur.live as Float64Array | null;
  if (a !== null && b !== null) {
    console.log('counters: run 1 (at pass-1 end) | run 2 (end - pass-1 end), guest 0:');
    console.log(
      names
        .map(
          ([k, i]) => `${k.slice(3)}=${+a[liveBase + i].toFixed(0)}|${+(b[liveBase + i] - a[liveBase + i]).toFixed(0)}`,
        )
        .join(' '),
    );
  }
  const list = [...per.entries()].sort((x, y) => y[1].end - x[1].end);
  const ms = (ns: number): string => (ns / 1e6).toFixed(2);
  console.log(`run-2 faults by vCPU (slowest 6 by last fault end; times ms from pass-1 end ${ms(pass1End)}):`);
  for (const [vi, p] of list.slice(0, 6))
    console.log(
      `  vcpu ${vi}: faults ${p.faults} fault time ${ms(p.ns)} lock wait ${ms(p.lockWait)} last end +${ms(p.end - pass1End)}`,
    );
  let tf = 0;
  let tn = 0;
  let tl = 0;
  for (const p of per.values()) {
    tf += p.faults;
    tn += p.ns;
    tl += p.lockWait;
  }
  console.log(`  all vCPUs: faults ${tf} fault time ${ms(tn)} lock wait ${ms(tl)}`);
  console.log(
    `writers' waits: behind writers ${ms(wsplit.writers)} behind readers ${ms(wsplit.readers)} (${wsplit.waited}/${wsplit.n} slow requests waited); run 2: behind writers ${ms(wsplit.run2Writers)} readers ${ms(wsplit.run2Readers)} waited ${wsplit.run2Waited}; behind reads holding at the request ${ms(wsplit.heldReaders)}, behind reads booked to start after it ${ms(wsplit.futureReaders)}`,
  );
  console.log(
    `readers' waits behind writers: arrived by the read request ${ms(rsplit.early)}, arrived after it ${ms(rsplit.late)} (${rsplit.n} slow reads)`,
  );
  console.log('run-2 folio_referenced calls:', JSON.stringify(refs));
  const rg = retries.guest as Any | null; // set by the fault hook during the run
  const rt = rg === null ? 0 : (rg.mmuInvalidate.retries as number);
  console.log(`mmu_invalidate_retry -EAGAINs: run 1 ${retries.atPass1} run 2 ${rt - retries.atPass1}`);
  console.log('summary guest 0:', JSON.stringify(g));
}
checkHooksRan();
