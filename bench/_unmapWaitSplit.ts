// Diagnostics (bench/_parallelDrift.ts UNMAPWAIT=1, in-process modes d1 / 1t): a reclaimer's unmap write wait
// (kvm/unmapGfnRange.ts evictOne's first kvm->mmu_lock write request) split per victim guest by what the
// instants of [arrival, grant) were spent behind, from side logs of every booked hold (not the calendar's
// union: each read hold on its own, with the worker that booked it):
//   wrF     a write hold that arrived by the writer's arrival (other reclaimers' unmaps, range_end holds,
//           aging, DVM extensions): qrwlock's FIFO wait_lock queue puts it first;
//   wrY o/x only write holds that arrived after it, booked first (VLock's yield: placed after them) by the
//           writer's own worker (o) or the other (x);
//   rdH o/x a read hold that had begun by the writer's arrival (start <= t), booked by the writer's own
//           worker (o) or the other (x): qrwlock makes the writer wait for these (queued_write_lock_slowpath
//           waits for the readers' count to drain);
//   rdL o/x only read holds that began after the writer's arrival: readers that, in qrwlock, found
//           _QW_WAITING set and queued behind the writer (queued_read_lock_slowpath), but were booked first
//           in real time, so the calendar makes the writer wait for them;
//   gap     covered by none: a gap between holds shorter than the writer's hold.
// `fair`: the grant a writer would get if only write holds and read holds begun by its arrival counted (the
// qrwlock rule without the calendar's booked-first contract; readers that arrived before t but were admitted
// after it, behind an earlier writer, are not told apart: they count as rdL).
import { VLock } from '../engine/core/sync/vlock.ts';
import { Guest } from '../engine/core/sim/guest.ts';
import { hookMethod } from './_util.ts';

interface Hold {
  a: number; // arrival (reads: = start unless queued)
  s: number;
  e: number;
  w: number; // booking worker
  write: boolean;
}

const KEEP_NS = 4e6; // holds kept behind the latest request (workers are at most a quantum, 1 ms, apart)
const logs = new Map<number, Hold[]>(); // per guest (VLock.hb)
const latest = new Map<number, number>();
const lastWrite = new WeakMap<object, Hold>();
let pending: { guest: number; byVcpu: boolean } | null = null;
// Per guest: [n, wait, wrF, rdHo, rdHx, rdLo, rdLx, gap, fairWait, wrYo, wrYx] for kswapd (0), direct
// reclaim (1), and the guest's stage-2 faults' read requests (2: readReq; rdH/rdL/fair unused).
const COLS = 11;
const KINDS = 3;
const acc = new Map<number, Float64Array>();
let windowFrom = 0;
let windowTo = Infinity;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Lock = any;
const workerOf = (v: Lock): number => (v.tag >= 2 ? v.tag - 2 : 0);

function log(v: Lock, h: Hold): void {
  const g = v.hb as number;
  let l = logs.get(g);
  if (l === undefined) logs.set(g, (l = []));
  l.push(h);
  const m = Math.max(latest.get(g) ?? -Infinity, h.a);
  latest.set(g, m);
  if (l.length > 4096 && l[0].e < m - KEEP_NS) {
    const keep = l.filter((x) => x.e >= m - KEEP_NS);
    logs.set(g, keep);
  }
}

// Which category an instant covered by several is charged to: writes (fair, then yielded), held reads, later reads.
const rank = [0, 0, 0, 3, 4, 5, 6, 7, 0, 1, 2];

/** Split [t, s) of a writer booked by worker `w` against the guest's logged holds (before its own). */
function split(
  g: number,
  t: number,
  s: number,
  hold: number,
  w: number,
  out: Float64Array,
  o: number,
  readOnly = false,
): void {
  const l = logs.get(g) ?? [];
  // Elementary segments: every hold boundary inside (t, s).
  const cuts = [t, s];
  for (const h of l) {
    if (h.e <= t || h.s >= s) continue;
    if (h.s > t) cuts.push(h.s);
    if (h.e < s) cuts.push(h.e);
  }
  cuts.sort((x, y) => x - y);
  for (let i = 0; i + 1 < cuts.length; i++) {
    const x0 = cuts[i];
    const x1 = cuts[i + 1];
    if (x1 <= x0) continue;
    const mid = (x0 + x1) / 2;
    let cat = 7; // gap
    for (const h of l) {
      if (h.s > mid || h.e <= mid) continue;
      if (!h.write && readOnly) continue;
      let c: number;
      if (h.write) c = h.a <= t ? 2 : h.w === w ? 9 : 10;
      else if (h.s <= t) c = h.w === w ? 3 : 4;
      else c = h.w === w ? 5 : 6;
      if (rank[c] < rank[cat]) cat = c;
    }
    out[o + cat] += x1 - x0;
  }
  if (readOnly) return;
  // The fair grant: past write holds overlapping or arrived by t, and read holds begun by t.
  let f = t;
  for (;;) {
    const f0 = f;
    for (const h of l) {
      if (h.e <= f) continue;
      const blocks = h.write ? h.s < f + hold || h.a <= t : h.s <= t && h.s < f + hold;
      if (blocks) f = h.e;
    }
    if (f === f0) break;
  }
  out[o + 8] += f - t;
}

function accOf(g: number): Float64Array {
  let a = acc.get(g);
  if (a === undefined) acc.set(g, (a = new Float64Array(KINDS * COLS)));
  return a;
}

/** Install the hooks (before the runs). Only unmaps arriving in [from, to) ns are counted. */
export function installUnmapWaitSplit(from = 0, to = Infinity): void {
  windowFrom = from;
  windowTo = to;
  const P = VLock.prototype as unknown as object;
  hookMethod(
    Guest.prototype,
    'evictOne',
    (orig) =>
      function (this: Lock, ...a: unknown[]) {
        pending = { guest: this.vlock.hb, byVcpu: a[2] as boolean };
        try {
          return orig.apply(this, a);
        } finally {
          pending = null;
        }
      },
    { mustRun: true },
  );
  hookMethod(
    P,
    'readReq',
    (orig) =>
      function (this: Lock) {
        const t = this.reqT;
        const hold = this.reqHold;
        orig.call(this);
        const s = this.grant;
        if (!this.hasHist) return;
        if (s > t && t >= windowFrom && t < windowTo) {
          const a = accOf(this.hb);
          const o = 2 * COLS;
          a[o]++;
          a[o + 1] += s - t;
          split(this.hb, t, s, hold, workerOf(this), a, o, true);
        }
        log(this, { a: t, s, e: s + hold, w: workerOf(this), write: false });
      },
    { mustRun: true },
  );
  hookMethod(
    P,
    'readFifo',
    (orig) =>
      function (this: Lock, t: number, hold: number) {
        const s = orig.call(this, t, hold);
        if (this.hasHist) log(this, { a: t, s, e: s + hold, w: workerOf(this), write: false });
        return s;
      },
  );
  hookMethod(
    P,
    'writeReq',
    (orig) =>
      function (this: Lock, aging: boolean) {
        const t = this.reqT;
        const hold = this.reqHold;
        const unmap = pending !== null && this.hasHist && pending.guest === this.hb;
        const byVcpu = unmap && pending!.byVcpu;
        if (unmap) pending = null; // the first write of evictOne is the unmap's (range_end's is the second)
        orig.call(this, aging);
        const s = this.grant;
        if (unmap && t >= windowFrom && t < windowTo) {
          const g = this.hb as number;
          const a = accOf(g);
          const o = byVcpu ? COLS : 0;
          a[o]++;
          a[o + 1] += s - t;
          if (s > t) split(g, t, s, hold, workerOf(this), a, o);
        }
        if (!this.hasHist) return;
        // A request at the very end of this copy's last write hold is that hold's continuation (arch/dvm.ts
        // extendHold: the DVM wait inside the hold, booked as a second request): it arrived with the hold.
        const last = lastWrite.get(this);
        const h = {
          a: last !== undefined && last.e === t ? last.a : t,
          s,
          e: s + hold,
          w: workerOf(this),
          write: true,
        };
        lastWrite.set(this, h);
        log(this, h);
      },
    { mustRun: true },
  );
}

/** Print and reset: per victim guest, per reclaimer kind, us per unmap. */
export function reportUnmapWaitSplit(label: string, guestOf: (hb: number) => number): void {
  const us = (x: number, n: number): string => (n > 0 ? (x / n / 1e3).toFixed(1) : '-');
  const keys = [...acc.keys()].sort((x, y) => x - y);
  for (const kind of [0, 1, 2]) {
    const o = kind * COLS;
    const cols = keys.map((k) => {
      const a = acc.get(k)!;
      const n = a[o];
      const wr = `wrF ${us(a[o + 2], n)} wrY ${us(a[o + 9], n)}/${us(a[o + 10], n)}`;
      if (kind === 2) return `g${guestOf(k)} n ${n} wait ${us(a[o + 1], n)} = ${wr} gap ${us(a[o + 7], n)}`;
      return `g${guestOf(k)} n ${n} wait ${us(a[o + 1], n)} = ${wr} rdH ${us(a[o + 3], n)}/${us(a[o + 4], n)} rdL ${us(a[o + 5], n)}/${us(a[o + 6], n)} gap ${us(a[o + 7], n)}; fair ${us(a[o + 8], n)}`;
    });
    const what = [
      'unmap wait us/unmap (kswapd',
      'unmap wait us/unmap (direct',
      'fault read wait us per waiting read (readReq',
    ][kind];
    console.log(`${label} ${what}; o/x: own/other worker): ${cols.join(' | ')}`);
  }
  acc.clear();
  logs.clear();
  latest.clear();
}
