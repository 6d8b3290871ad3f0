// Hooks of bench/_mglruWindows.ts (session 17 a, issue 8) on the MMU lock and mmu_invalidate_retry, per VM and per
// worker: MISSED=1 (checks and retries answered, by the worker run first in the quantum; checks another worker's
// busy periods would have answered yes; at each settle, the windows another worker's periods meet and those the
// shared calendar's write holds meet), BUSY=1 (invalidations booked per VM, by worker, and their mean length),
// LOCKW=1 (write and read requests on each VM's MMU lock by worker, mean wait), DUMP=t0,t1 (guest 0's checks and
// invalidations, one line each), and the what-if ARRIVE=1 (qrwlock arrival order for another worker's readers).
import { hookMethod } from './_util.ts';
import { VLock } from '../engine/core/sync/vlock.ts';
import { SharedVLock } from '../engine/core/sync/vlockShared.ts';
import { pastIntervals, VLockCalendar } from '../engine/core/sync/vlockCalendar.ts';
import { MmuInvalidate } from '../engine/core/kvm/mmuInvalidate.ts';
import { GS_WORDS } from '../engine/core/sim/simLayout.ts';
import { LH_WORDS } from '../engine/core/sim/layout/guestRecords.ts';
import { currentWorker, invalidatesOf } from './_mglruWindowsHooks.ts';

/* eslint-disable @typescript-eslint/no-explicit-any */
// MISSED=1 (1t): mmu_invalidate_retry checks that answered "no" while another worker's MmuInvalidate of the same
// VM holds a busy period meeting the window (ended after the mmu_seq read, began before the check) that ended
// before the current quantum's start (booked in an earlier quantum, so not one settle re-checks later): the
// kernel's one mmu_invalidate_seq would have moved. Per guest: checks, retries answered, such misses.
let qStart = -Infinity;
/** The worker that runs first in this quantum (1t alternates). */
let firstW = 0;
export function setQuantumStart(t: number, first = 0): void {
  qStart = t;
  firstW = first;
}
/** Per guest and first worker: checks and retries answered. */
const byFirst = [0, 1].map(() => ({ chk: [0, 0, 0, 0], yes: [0, 0, 0, 0] }));
const chk = [0, 0, 0, 0];
const yes = [0, 0, 0, 0];
const missed = [0, 0, 0, 0];
const missedAny = [0, 0, 0, 0];
if (process.env.MISSED)
  hookMethod(
    MmuInvalidate.prototype,
    'retry',
    (orig) =>
      function (this: any, sample: number, check: number) {
        const r = orig.call(this, sample, check) as boolean;
        const g = Math.floor(this.sb / GS_WORDS);
        chk[g]++;
        byFirst[firstW].chk[g]++;
        if (r) byFirst[firstW].yes[g]++;
        if (r) {
          yes[g]++;
          return r;
        }
        for (const m of invalidatesOf(g)) {
          if (m === this) continue;
          const p: Float64Array = m.p;
          for (let i = m.pe - 2; i >= m.ph; i -= 2) {
            if (p[i + 1] <= sample) break;
            if (p[i] < check) {
              missedAny[g]++;
              if (p[i + 1] <= qStart) missed[g]++;
              break;
            }
          }
        }
        return r;
      },
  );
export function missedLine(): string {
  const s0 = ` | checks/yes/missed(other worker, earlier quantum)/missedAny ${chk.map((c, g) => `${c}/${yes[g]}/${missed[g]}/${missedAny[g]}`).join(' ')}`;
  const f = byFirst.map((b, w) => `w${w} first: ${b.chk.map((c, g) => `${b.yes[g]}/${c}`).join(' ')}`).join('; ');
  for (const b of byFirst) {
    b.chk.fill(0);
    b.yes.fill(0);
  }
  chk.fill(0);
  yes.fill(0);
  missed.fill(0);
  missedAny.fill(0);
  return `${s0} | retries answered/checks by the worker run first ${f}`;
}

// ARRIVE=1 (1t; the test of a departure, session 17 a): a write request on a VM's shared MMU-lock calendar waits for
// another worker's read holds only if they began by the time it is queued (max of its arrival and the end of the
// writers ahead of it), and for those only until they can have drained (that time + the longest read hold seen):
// qrwlock queues a reader that arrives while a writer waits behind that writer. The own worker's list as before.
let readMax = 0;
if (process.env.ARRIVE) {
  hookMethod(
    SharedVLock.prototype,
    'readReq',
    (orig) =>
      function (this: any) {
        if (this.reqHold > readMax) readMax = this.reqHold;
        return orig.call(this);
      },
    { mustRun: true },
  );
  hookMethod(
    SharedVLock.prototype,
    'readFifo',
    (orig) =>
      function (this: any, t: number, hold: number) {
        if (hold > readMax) readMax = hold;
        return orig.call(this, t, hold);
      },
  );
  hookMethod(
    SharedVLock.prototype,
    'pastReaders',
    () =>
      function (this: any, s: number, hold: number) {
        const present = Math.max(this.reqT, s);
        const drained = present + readMax;
        for (;;) {
          const s0 = s;
          s = pastIntervals(this.r, this.rh, this.re, s, hold);
          for (let j = 0; j < this.others.length; j++) {
            const r: Float64Array = this.oViews[j];
            for (let i = this.oHead[j]; i < this.oEnd[j]; i += 2) {
              if (r[i + 1] <= s) continue;
              if (r[i] >= s + hold || r[i] > present) break;
              const e = Math.min(r[i + 1], drained);
              if (e > s) s = e;
            }
          }
          if (s === s0) return s;
        }
      },
    { mustRun: true },
  );
}

// BUSY=1: per VM, the invalidations booked (kvm_mmu_invalidate_begin..end, every worker's MmuInvalidate) and
// their summed length (us), i.e. how long mmu_invalidate_in_progress was held per invalidation, per window.
const busyN = [0, 0, 0, 0];
const busyNs = [0, 0, 0, 0];
const busyW = [0, 1].map(() => [0, 0, 0, 0]);
if (process.env.BUSY)
  hookMethod(
    MmuInvalidate.prototype,
    'invalidate',
    (orig) =>
      function (this: any, begin: number, end: number) {
        const g = Math.floor(this.sb / GS_WORDS);
        busyN[g]++;
        busyNs[g] += end - begin;
        busyW[currentWorker()][g]++;
        return orig.call(this, begin, end);
      },
  );
export function busyLine(): string {
  const s = ` | invalidations n/us each ${busyN.map((n, g) => `${n}/${(busyNs[g] / 1e3 / Math.max(1, n)).toFixed(1)}`).join(' ')}`;
  const byW = busyW.map((b, w) => `w${w} ${b.join('/')}`).join(' ');
  for (const b of busyW) b.fill(0);
  busyN.fill(0);
  busyNs.fill(0);
  return `${s} (booked by ${byW})`;
}

// MISSED=1 also: at each quantum's settle (MmuInvalidate.settle), the windows of the faults this worker mapped in
// the quantum before that another worker's busy periods of the VM meet (the kernel's check would have retried) and
// how many of them the shared calendar's write holds (what settle reads, VLock.writeMeets othersOnly) also meet.
const setW = [0, 0, 0, 0];
const setPer = [0, 0, 0, 0];
const setCal = [0, 0, 0, 0];
const setOwn = [0, 0, 0, 0];
function periodsMeet(m: any, from: number, to: number): boolean {
  const p: Float64Array = m.p;
  for (let i = m.pe - 2; i >= m.ph; i -= 2) {
    if (p[i + 1] <= from) return false;
    if (p[i] < to) return true;
  }
  return false;
}
if (process.env.MISSED)
  hookMethod(
    MmuInvalidate.prototype,
    'settle',
    (orig) =>
      function (this: any) {
        const g = Math.floor(this.sb / GS_WORDS);
        const w: Float64Array = this.win;
        for (let k = 0; k < this.winN; k++) {
          const sample = w[k * 3 + 1];
          const grant = w[k * 3 + 2];
          setW[g]++;
          let per = false;
          const all = invalidatesOf(g);
          if (all.length !== 2) throw new Error(`guest ${g}: ${all.length} MmuInvalidate objects registered`);
          if (periodsMeet(this, sample, grant)) setOwn[g]++;
          for (const m of all) if (m !== this && periodsMeet(m, sample, grant)) per = true;
          if (!per) continue;
          setPer[g]++;
          if (this.vlock.writeMeets(sample, grant, true)) setCal[g]++;
        }
        return orig.call(this);
      },
  );
export function settleLine(): string {
  const s = ` | settle windows/other periods meet/calendar meets/own periods meet ${setW.map((n, g) => `${n}/${setPer[g]}/${setCal[g]}/${setOwn[g]}`).join(' ')}`;
  setOwn.fill(0);
  setW.fill(0);
  setPer.fill(0);
  setCal.fill(0);
  return s;
}

// DUMP=t0,t1 (ns; 1t and d1): every mmu_invalidate_retry check of guest 0 with its window in [t0, t1), and every
// invalidation of guest 0 booked there, with the worker running, to stdout (one line each, "chk" / "inv").
const dump = process.env.DUMP?.split(',').map(Number);
if (dump) {
  hookMethod(
    MmuInvalidate.prototype,
    'retry',
    (orig) =>
      function (this: any, sample: number, check: number) {
        const r = orig.call(this, sample, check) as boolean;
        if (Math.floor(this.sb / GS_WORDS) === 0 && check >= dump[0] && sample < dump[1])
          console.log(`chk w${currentWorker()} ${sample.toFixed(0)} ${check.toFixed(0)} ${r ? 1 : 0}`);
        return r;
      },
  );
  hookMethod(
    MmuInvalidate.prototype,
    'invalidate',
    (orig) =>
      function (this: any, begin: number, end: number) {
        if (Math.floor(this.sb / GS_WORDS) === 0 && end >= dump[0] && begin < dump[1])
          console.log(`inv w${currentWorker()} ${begin.toFixed(0)} ${end.toFixed(0)}`);
        return orig.call(this, begin, end);
      },
  );
}

// LOCKW=1: per VM, the non-aging write requests on its MMU lock (evictions' unmap and range_end holds) by the
// worker booking them: count and mean wait (us) from arrival to grant; and its read requests' count and mean wait.
let readHoldMax = 0;
/** Read requests and their wait by hold: [0] mmu_invalidate_retry's check-only hold (< 100 ns), [1] the map's. */
const byHold = [0, 1].map(() => ({ n: [0, 0, 0, 0], ns: [0, 0, 0, 0] }));
/** Read requests and their wait by the worker run first in the quantum (1t alternates; d1: 0). */
const rf = [0, 1].map(() => ({ n: [0, 0, 0, 0], ns: [0, 0, 0, 0] }));
const lw = [0, 1].map(() => ({ n: [0, 0, 0, 0], ns: [0, 0, 0, 0], rn: [0, 0, 0, 0], rns: [0, 0, 0, 0] }));
if (process.env.LOCKW) {
  hookMethod(
    VLock.prototype,
    'write',
    (orig) =>
      function (this: any, t: number, hold: number, aging: boolean) {
        const s = orig.call(this, t, hold, aging) as number;
        // The VMs' calendars only (a DVM or EL2-lock calendar is a VLock(0) without histograms).
        if (aging || this.hist.length === 0) return s;
        const g = this.hb / LH_WORDS;
        if (g < 4) {
          lw[currentWorker()].n[g]++;
          lw[currentWorker()].ns[g] += s - t;
        }
        return s;
      },
  );
  hookMethod(
    VLock.prototype,
    'read',
    (orig) =>
      function (this: any, t: number, hold: number, aging: boolean) {
        const s = orig.call(this, t, hold, aging) as number;
        if (this.hist.length === 0) return s;
        const g = this.hb / LH_WORDS;
        if (hold > readHoldMax) readHoldMax = hold;
        if (g < 4) {
          const k = hold < 100 ? 0 : 1;
          byHold[k].n[g]++;
          byHold[k].ns[g] += s - t;
          rf[firstW].n[g]++;
          rf[firstW].ns[g] += s - t;
          lw[currentWorker()].rn[g]++;
          lw[currentWorker()].rns[g] += s - t;
        }
        return s;
      },
  );
}
export function lockLine(): string {
  const f = (n: number[], ns: number[]): string =>
    n.map((x, g) => `${x}/${(ns[g] / 1e3 / Math.max(1, x)).toFixed(1)}`).join(' ');
  const s = lw.map((l, w) => `w${w} writes ${f(l.n, l.ns)} reads ${f(l.rn, l.rns)}`).join(' | ');
  for (const l of lw) for (const a of [l.n, l.ns, l.rn, l.rns]) a.fill(0);
  const byFirst = rf.map((l, w) => `w${w} first ${f(l.n, l.ns)}`).join('; ');
  for (const l of rf) for (const a of [l.n, l.ns]) a.fill(0);
  const hs = byHold.map((l, k) => `${k === 0 ? 'check' : 'map'} ${f(l.n, l.ns)}`).join('; ');
  for (const l of byHold) for (const a of [l.n, l.ns]) a.fill(0);
  const m = readHoldMax;
  readHoldMax = 0;
  return ` | MMU lock per VM n/mean wait us: ${s} | reads n/mean wait by the worker run first: ${byFirst} | reads by hold ${hs} | longest read hold ${(m / 1e3).toFixed(2)} us, ARRIVE's bound ${(readMax / 1e3).toFixed(2)} us`;
}

// SETTLEARR=1 (1t; the test of a departure, session 17 a): MmuInvalidate.settle's re-check of last quantum's fault
// windows (VLock.writeMeets with othersOnly) counts another worker's write request from its arrival, not its
// start: a reader that requested the lock while that writer was queued (qrwlock: _QW_WAITING) queued behind it,
// waited for its release and then found the invalidation (mmu_invalidate_retry), even if the calendar, booked in
// real-time order, let the reader in first. The other checks are unchanged.
if (process.env.SETTLEARR)
  hookMethod(
    VLockCalendar.prototype,
    'writeMeets',
    (orig) =>
      function (this: any, from: number, to: number, othersOnly = false) {
        if (!othersOnly) return orig.call(this, from, to, othersOnly);
        const w: Float64Array = this.w;
        for (let i = this.we - 4; i >= this.wh; i -= 4) {
          if (w[i + 2] <= from) break;
          const k = w[i + 3];
          if (k === 1 || (k < 0 ? -k : k) === this.tag) continue;
          if (w[i] < to) return true;
        }
        return false;
      },
    { mustRun: true },
  );
