// Hooks of bench/_mglruWindows.ts (session 18 a, issue 8) on MmuInvalidate.settle: qrwlock's writer fairness for the
// reads a spread-run worker booked before the other worker's earlier-arriving writers (_writerQueue.ts).
// LOCKW=1: at each settle, per VM, the kept reads (the faults mapped in the quantum before, their last read-lock
// request): the wait from request to grant on the calendar, the wait to the later of that grant and the reader grant of
// the writer queue rebuilt in arrival order, and the share of them that queue delays (a diagnostic: nothing charged).
// QUEUE=1 (what-if, measured in docs/ARCHITECTURE.md "Session 18 (a)"; it was engine code in s18-a's commit 1590165,
// then reverted: it widened the 600 ms gap): settle charges that wait, then mmu_invalidate_retry at the new grant (the
// invalidation waited behind), and the retries as before. RECEND=1 (with QUEUE: the upper bound): each writer released
// at its recorded end on the calendar (prefix maximum in arrival order) instead of its writers-only chain release.
import { hookMethod } from './_util.ts';
import { WriterQueue } from './_writerQueue.ts';
import { FAULTIN_FAST_NS, MmuInvalidate } from '../engine/core/kvm/mmuInvalidate.ts';
import { C_LOCK_ACQUIRE } from '../engine/core/sim/costs.ts';
import { GS_LOCK_HOLD_NS, GS_LOCK_WAIT_AGING_NS, GS_LOCK_WAIT_NS, GS_WORDS } from '../engine/core/sim/simLayout.ts';

/* eslint-disable @typescript-eslint/no-explicit-any */
const QUEUE = process.env.QUEUE === '1';
/** Per MmuInvalidate: its kept windows' read-lock request times (parallel to its win), and its writer queue. */
const reqs = new WeakMap<object, Float64Array>();
const queues = new WeakMap<object, WriterQueue>();
const sq = { n: [0, 0, 0, 0], cal: [0, 0, 0, 0], q: [0, 0, 0, 0], late: [0, 0, 0, 0] };

if (process.env.RECEND)
  hookMethod(
    WriterQueue.prototype,
    'build',
    () =>
      function (this: any, w: Float64Array, head: number, end: number) {
        const recs: [number, number, number][] = [];
        for (let i = head; i < end; i += 4) recs.push([w[i], w[i + 2], w[i + 3] === 1 ? 0 : 1]);
        recs.sort((x, y) => x[0] - y[0]);
        const n = recs.length;
        if (n > this.arrival.length) {
          this.arrival = new Float64Array(2 * n);
          this.release = new Float64Array(2 * n);
          this.inval = new Uint8Array(2 * n);
        }
        let rel = -Infinity;
        recs.forEach(([a, e, v], k) => {
          rel = Math.max(rel, e);
          this.arrival[k] = a;
          this.release[k] = rel;
          this.inval[k] = v;
        });
        this.n = n;
      },
    { mustRun: true },
  );

if (process.env.LOCKW || QUEUE) {
  // mapLocked calls keep right after the mapping pass's read (faultLock -> VLock.read), which left its request in reqT.
  hookMethod(
    MmuInvalidate.prototype,
    'keep',
    (orig) =>
      function (this: any, vi: number, sample: number, grant: number) {
        let r = reqs.get(this);
        const k = this.winN;
        if (r === undefined || k >= r.length) {
          const b = new Float64Array(Math.max(256, 2 * k + 2));
          if (r !== undefined) b.set(r);
          reqs.set(this, b);
          r = b;
        }
        r[k] = this.vlock.reqT;
        return orig.call(this, vi, sample, grant);
      },
  );
  hookMethod(
    MmuInvalidate.prototype,
    'settle',
    (orig) =>
      function (this: any) {
        const n = this.winN;
        if (!this.shared || n === 0) return orig.call(this);
        const v = this.vlock;
        let q = queues.get(this);
        if (q === undefined) queues.set(this, (q = new WriterQueue()));
        const r = reqs.get(this) as Float64Array;
        v.enterSection();
        q.build(v.w, v.wh, v.we);
        const g = Math.floor(this.sb / GS_WORDS);
        if (g < 4)
          for (let k = 0; k < n; k++) {
            const grant = this.win[k * 3 + 2];
            const qg = q.readerGrant(r[k]);
            sq.n[g]++;
            sq.cal[g] += grant - r[k];
            sq.q[g] += Math.max(qg, grant) - r[k];
            if (qg > grant) sq.late[g]++;
          }
        if (!QUEUE) {
          v.exitSection();
          return orig.call(this);
        }
        this.winN = 0;
        settleQueued(this, q, r, n);
        v.exitSection();
      },
    { mustRun: true },
  );
}

/** MmuInvalidate.settleWindows with the queue rule (as s18-a's commit 1590165 had it in the engine). */
function settleQueued(m: any, q: WriterQueue, req: Float64Array, n: number): void {
  const w: Float64Array = m.win;
  const s: Float64Array = m.stats;
  const sb: number = m.sb;
  const c: Float64Array = m.costs;
  const mapHold: number = m.mapHold;
  for (let k = 0; k < n; k++) {
    const o = k * 3;
    const seq = w[o + 1];
    const grant = w[o + 2];
    const queued = q.readerGrant(req[k]);
    if (queued > grant) {
      s[sb + GS_LOCK_WAIT_NS] += queued - grant;
      if (!q.invalidatedAfter(req[k], seq) && !m.retry(seq, queued)) {
        m.owedNs[w[o]] += queued - grant;
        continue;
      }
    } else if (!m.vlock.writeMeets(seq, grant, true)) continue;
    const ended = grant + mapHold;
    let now = Math.max(queued, grant) + mapHold;
    for (;;) {
      m.retries++;
      now += m.refaultNs;
      const sample = now - FAULTIN_FAST_NS;
      const early = m.retry(sample, now) as boolean;
      const hold = early ? c[C_LOCK_ACQUIRE] : mapHold;
      const start = m.vlock.readFifo(now, hold) as number;
      s[sb + GS_LOCK_WAIT_NS] += start - now;
      s[sb + GS_LOCK_WAIT_AGING_NS] += m.vlock.agingWaitNs;
      s[sb + GS_LOCK_HOLD_NS] += hold;
      now = start + hold;
      if (!early && !m.retry(sample, start)) break;
    }
    m.owedNs[w[o]] += now - ended;
  }
}

export function settledLine(): string {
  const s = sq.n
    .map(
      (x, g) =>
        `${x}/${(sq.cal[g] / 1e3 / Math.max(1, x)).toFixed(1)}/${(sq.q[g] / 1e3 / Math.max(1, x)).toFixed(1)}/${((100 * sq.late[g]) / Math.max(1, x)).toFixed(0)}%`,
    )
    .join(' ');
  for (const a of [sq.n, sq.cal, sq.q, sq.late]) a.fill(0);
  return ` | settled reads n/calendar wait/queue wait us/delayed ${s}`;
}
