// Hooks of bench/_mglruWindows.ts (session 16 a) that are not MGLRU's own counters: per-worker direct-reclaim
// time (WORKERS=1), mmu_invalidate retries per guest (GUESTTIME=1), and the what-ifs DVMFREE, BUDGETLIVE and
// SHAREINV (see that file's header). Installed on import; the runner tells them the worker running (setWorker)
// and each 1t run's MmuInvalidate objects per VM (registerInvalidates).
import { hookMethod } from './_util.ts';
import { Pgdat } from '../engine/core/mm/pgdat.ts';
import { Dvm } from '../engine/core/arch/dvm.ts';
import { VLock } from '../engine/core/sync/vlock.ts';
import { MmuInvalidate } from '../engine/core/kvm/mmuInvalidate.ts';
import { SpreadSettlement } from '../engine/core/sim/spreadSettle.ts';
import { splitBudgets } from '../engine/core/mm/hostFrames.ts';
import { controlAtomics } from '../engine/core/sync/atomics.ts';
import { CTL_FREE_FRAMES, GS_WORDS } from '../engine/core/sim/simLayout.ts';

/* eslint-disable @typescript-eslint/no-explicit-any */
/** The worker whose quantum runs now (1t; 0 in d1). */
export function setWorker(w: number): void {
  curW = w;
}

// DVMFREE=1 (every mode): a broadcast never queues (Dvm.broadcast = issue + service): no DVM Sync resource.
if (process.env.DVMFREE)
  hookMethod(
    Dvm.prototype,
    'broadcast',
    () =>
      function (this: any, t: number, ns: number) {
        this.n++;
        return t + ns;
      },
  );

// Per worker (1t; d1: worker 0), the direct-reclaim steps (Pgdat.directReclaimStep) and their evictions, time,
// and within them the MMU-lock write waits (VLock.write: try_to_unmap's and range_end's, any victim's lock),
// the DVM waits (Dvm.broadcast) and folio_referenced's time: where a reclaimer's time per eviction goes, split by
// the worker it runs on. Printed at each window with WORKERS=1.
let curW = 0;
let inStep = false;
const W = [0, 1].map(() => ({ steps: 0, evicted: 0, ns: 0, writeWait: 0, dvmWait: 0, refNs: 0 }));
hookMethod(
  Pgdat.prototype,
  'directReclaimStep',
  (orig) =>
    function (this: any, t: number, ...a: unknown[]) {
      inStep = true;
      const end = orig.call(this, t, ...a) as number;
      inStep = false;
      const w = W[curW];
      w.steps++;
      w.evicted += this.lastEvicted;
      w.ns += end - t;
      return end;
    },
);
hookMethod(
  VLock.prototype,
  'write',
  (orig) =>
    function (this: any, t: number, ...a: unknown[]) {
      const st = orig.call(this, t, ...a) as number;
      if (inStep) W[curW].writeWait += st - t;
      return st;
    },
);
hookMethod(
  Dvm.prototype,
  'broadcast',
  (orig) =>
    function (this: any, t: number, ns: number) {
      const e = orig.call(this, t, ns) as number;
      if (inStep) W[curW].dvmWait += e - t - ns;
      return e;
    },
);
export function workerLine(): string {
  const out = W.map(
    (w, i) =>
      `w${i} steps ${w.steps} ev ${w.evicted} us/ev ${(w.ns / 1e3 / Math.max(1, w.evicted)).toFixed(1)} writeWait ${(w.writeWait / 1e3 / Math.max(1, w.evicted)).toFixed(1)} dvm ${(w.dvmWait / 1e3 / Math.max(1, w.evicted)).toFixed(1)}`,
  ).join(' | ');
  for (const w of W) w.steps = w.evicted = w.ns = w.writeWait = w.dvmWait = w.refNs = 0;
  return out;
}

// BUDGETLIVE=1 (1t; a what-if): the barrier splits the frames above min over the workers by their running vCPUs
// instead of by their frame takes of the quantum (SpreadSettlement.settleBudgets).
if (process.env.BUDGETLIVE)
  hookMethod(
    SpreadSettlement.prototype,
    'settleBudgets',
    (orig) =>
      function (this: any, sv: any) {
        orig.call(this, sv);
        let running = 0;
        for (const l of this.live as Float64Array) running += l;
        if (running === 0) return;
        const above = Math.max(0, controlAtomics.load(sv.control, CTL_FREE_FRAMES) - this.plan.minFrames);
        splitBudgets(above, this.live, this.budgets, this.shares);
      },
    { mustRun: true },
  );

// Every MmuInvalidate seen (one per guest per worker): mmu_invalidate_retry's -EAGAINs per guest per window,
// immediate and settled late (MmuInvalidate.retries counts both), printed with GUESTTIME=1.
const invs = new Set<any>();
hookMethod(
  MmuInvalidate.prototype,
  'retry',
  (orig) =>
    function (this: any, a: number, b: number) {
      invs.add(this);
      return orig.call(this, a, b);
    },
);
const retriesAt = new Map<any, number>();
// SHAREINV=1 (1t; the test of a departure): every kvm_mmu_invalidate_begin/end is recorded in every worker's
// MmuInvalidate of that VM (the kernel's one mmu_invalidate_seq per VM), not only the evicting worker's: a fault's
// mmu_invalidate_retry then sees another worker's invalidations however long ago its mmu_seq was read, not only
// those still in the shared calendar (pruned to the previous quantum's start).
const invByGuest = new Map<number, any[]>();
if (process.env.SHAREINV)
  hookMethod(
    MmuInvalidate.prototype,
    'invalidate',
    (orig) =>
      function (this: any, begin: number, end: number) {
        const all = invByGuest.get(Math.floor(this.sb / GS_WORDS)) ?? [this];
        for (const m of all) orig.call(m, begin, end);
      },
    { mustRun: true },
  );
export function retryLine(guests: number): string {
  const per = new Array<number>(guests).fill(0);
  for (const m of invs) {
    const g = Math.floor(m.sb / GS_WORDS);
    per[g] += m.retries - (retriesAt.get(m) ?? 0);
    retriesAt.set(m, m.retries);
  }
  return ` | retries ${per.join('/')}`;
}

/** A run starts: forget the previous run's MmuInvalidate objects. */
export function resetRetries(): void {
  invs.clear();
  retriesAt.clear();
  invByGuest.clear();
}

/** A 1t run's MmuInvalidate objects, every worker's, by VM (SHAREINV). */
export function registerInvalidates(guests: { index: number; mmuInvalidate: unknown }[]): void {
  if (!process.env.SHAREINV && !process.env.MISSED) return;
  for (const g of guests) {
    const l = invByGuest.get(g.index) ?? [];
    l.push(g.mmuInvalidate);
    invByGuest.set(g.index, l);
  }
}

/** The worker whose quantum runs now (for the hooks of _mglruWindowsLock.ts). */
export function currentWorker(): number {
  return curW;
}

/** The MmuInvalidate objects of guest g, every worker's (registered with SHAREINV or MISSED). */
export function invalidatesOf(g: number): any[] {
  return invByGuest.get(g) ?? [];
}
