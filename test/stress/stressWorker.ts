/**
 * Stress worker: one of
 * - 'vcpu'     accesses random pages: hardware AF (lockless cmpxchg under RCU), access-flag faults
 *              and write-permission faults (readLock), stage-2 faults in the volatile range (shared
 *              map under readLock). Counts, per stable leaf, every AF and S2AP-W it set.
 * - 'ager'     testClearYoung passes (lockless under rcuReadLock, or under the lock) with random
 *              bitmaps. Counts, per stable leaf, every AF its cmpxchg cleared (hooked at the cmpxchg).
 * - 'unmapper' unmaps and remaps volatile ranges under writeLock; emptied tables go through callRcu.
 *              Between those, write-protects stable ranges under writeLock (as dirty logging does),
 *              clearing S2AP W by cmpxchg (AF updaters still race with it), counted per leaf.
 * Every worker runs with random yields injected between atomics (chaos.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { atomics, setAtomicOps } from '../../engine/core/sync/atomics.ts';
import { S2AP_W, S2_AF, leafAttrs } from '../../engine/core/arch/descriptor.ts';
import { attachArena, PAGE_SIZE, TABLE_WORDS } from '../../engine/core/layout.ts';
import {
  handleAccessFlagFault,
  handlePermissionFault,
  handleStage2Fault,
  mmuAttach,
  mmuPoll,
  mmuTestClearYoung,
  unmapRange,
  type Mmu,
} from '../../engine/core/kvm/mmu.ts';
import { stage2GetLeaf, stage2TrySetPte } from '../../engine/core/arch/pgtable.ts';
import { writeLock, writeUnlock } from '../../engine/core/kvm/mmuLock.ts';
import {
  rcuBarrier,
  rcuReadLock,
  rcuReadUnlock,
  rcuRegisterThread,
  rcuStats,
  rcuUnregisterThread,
} from '../../engine/core/sync/rcu.ts';
import { TX_CAS_FAIL, TX_HW_AF, TX_MISS } from '../../engine/core/sim/vcpu.ts';
import { translate } from '../../engine/core/sim/translate.ts';
import { startBarrier } from '../core/lockShared.ts';
import { installChaos, nap, spin } from './chaos.ts';
import { rng } from '../rng.ts';
import {
  C,
  FRAME_OFFSET,
  MIN_BACKGROUND,
  STABLE_PAGES,
  VOLATILE_END,
  VOLATILE_PAGES,
  VOLATILE_START,
  afClearsAt,
  afSetsAt,
  wClearsAt,
  wSetsAt,
  type StressWorkerData,
  type StressWorkerResult,
} from './stressShared.ts';

const wd = workerData as StressWorkerData;
const views = attachArena(wd.arena);
const counters = new Int32Array(wd.counters);
const rand = rng(wd.seed);
const rcu = rcuRegisterThread(views);
const m: Mmu = mmuAttach(views, rcu, 0, wd.root, {
  now: () => performance.now(),
  unsafeFreeWithoutGracePeriod: wd.unsafeFreeWithoutGracePeriod,
  unsafeAgeWithoutRcu: wd.unsafeAgeWithoutRcu,
});
let firstError: string | null = null;

/** Run one operation; an exception (only expected in negative controls) is counted, not fatal. */
function guarded(op: () => void): void {
  try {
    op();
  } catch (e) {
    Atomics.add(counters, C.errors, 1);
    firstError ??= e instanceof Error ? (e.stack ?? e.message) : String(e);
  }
}

const randInt = (n: number): number => Math.floor(rand() * n);
const stopped = (): boolean => Atomics.load(counters, C.stop) !== 0;

// ---- vCPU ---------------------------------------------------------------------------

function vcpuAccess(): void {
  const stable = wd.focus || rand() < 0.6;
  const hot = wd.focus || rand() < 0.5;
  const gfn = stable ? randInt(hot ? wd.hotPages : STABLE_PAGES) : VOLATILE_START + randInt(VOLATILE_PAGES);
  const addr = gfn * PAGE_SIZE;
  const r = rand();
  if (r < 0.45) {
    // The engine's own access path (vcpu.ts translate: walk + FEAT_HAFDBS cmpxchg), lockless inside
    // an RCU read-side section, as a vCPU's walks run while the unmapper unlinks tables.
    rcuReadLock(rcu);
    let x: number;
    try {
      const awaiting = rcuStats(views).pagesAwaiting;
      if (awaiting > 0) {
        Atomics.add(counters, C.walksOverDeferred, 1);
        for (let seen = Atomics.load(counters, C.maxDeferred); awaiting > seen;) {
          const was = Atomics.compareExchange(counters, C.maxDeferred, seen, awaiting);
          if (was === seen) break;
          seen = was;
        }
      }
      x = translate(m.pgt, gfn, false, true);
    } finally {
      rcuReadUnlock(rcu);
    }
    if ((x & TX_CAS_FAIL) !== 0) Atomics.add(counters, C.casFailures, 1);
    else if ((x & TX_HW_AF) !== 0) {
      if (stable) Atomics.add(counters, afSetsAt(gfn), 1);
    } else if ((x & TX_MISS) !== 0 && !stable && rand() < 0.5) {
      handleStage2Fault(m, addr, PAGE_SIZE, gfn + FRAME_OFFSET, leafAttrs({ write: false }), { shared: true });
    }
  } else if (r < 0.7) {
    if (handleAccessFlagFault(m, addr) && stable) Atomics.add(counters, afSetsAt(gfn), 1);
  } else if (handlePermissionFault(m, addr) && stable) {
    Atomics.add(counters, wSetsAt(gfn), 1);
  }
}

/** Background workers that have not yet made their minimum progress (passes, unmap rounds). */
const backgroundBehind = (): boolean =>
  wd.background &&
  (Atomics.load(counters, C.agerPasses) < MIN_BACKGROUND || Atomics.load(counters, C.unmapperRounds) < MIN_BACKGROUND);

function vcpu(): number {
  // At least `ops`, and until the ager and the unmapper made progress: the roles overlap for sure.
  let i = 0;
  for (; i < wd.ops || backgroundBehind(); i++) {
    guarded(vcpuAccess);
    if ((i & 63) === 0) mmuPoll(m);
  }
  return i;
}

// ---- ager ---------------------------------------------------------------------------

/** Count, per stable leaf, each AF clear our cmpxchg performed; optionally break the cmpxchg. */
function hookAgerCmpxchg(): void {
  const wordGfn = new Int32Array(views.tablePages * TABLE_WORDS); // (word - tables) -> gfn + 1
  for (let g = 0; g < STABLE_PAGES; g++) {
    const w = stage2GetLeaf(m.pgt, g * PAGE_SIZE);
    if (w < 0) throw new Error(`stable gfn ${g} is not mapped at start`);
    wordGfn[w - views.tables] = g + 1;
  }
  const cas = atomics.compareExchange;
  const load = atomics.load;
  const store = atomics.store;
  const arena = views.i32;
  const broken = (a: Int32Array, i: number, e: number, r: number): number => {
    const cur = load(a, i);
    // The window a preemption or a cache miss opens between the read and the store.
    if (rand() < 0.05) nap();
    else spin(randInt(1000));
    if (cur === e) store(a, i, r);
    return cur;
  };
  setAtomicOps({
    compareExchange: (a, i, e, r) => {
      const isPte = a === arena && i >= views.tables;
      const got = isPte && wd.brokenCmpxchg ? broken(a, i, e, r) : cas(a, i, e, r);
      if (isPte && got === e && (e & 1) !== 0 && (e & S2_AF) !== 0 && (r & S2_AF) === 0) {
        const g = wordGfn[i - views.tables];
        if (g > 0) Atomics.add(counters, afClearsAt(g - 1), 1);
      }
      return got;
    },
  });
}

function agePass(): void {
  let start = 0;
  let end = STABLE_PAGES;
  const pick = wd.focus ? 0.6 : rand();
  if (wd.agerVolatile && pick < 0.4) {
    start = VOLATILE_START;
    end = VOLATILE_END;
  } else if (wd.agerVolatile && pick < 0.5) {
    end = VOLATILE_END; // both ranges in one walk (bitmap spans the hole)
  } else if (pick < 0.65) {
    end = wd.hotPages;
  } else if (pick < 0.85) {
    start = randInt(STABLE_PAGES);
    end = Math.min(STABLE_PAGES, start + 1 + randInt(512));
  }
  const bits = end - start;
  const bitmap = new Uint32Array(Math.ceil(bits / 32));
  for (let i = 0; i < bitmap.length; i++) bitmap[i] = rand() < 0.2 ? 0 : ((rand() * 2 ** 32) >>> 0) | 0x11111111;
  const how = wd.agerLocks[randInt(wd.agerLocks.length)];
  mmuTestClearYoung(m, how, start, end, end - 1, bitmap);
}

function ager(): number {
  hookAgerCmpxchg();
  let passes = 0;
  while (!stopped() || passes === 0) {
    guarded(agePass);
    passes++;
    Atomics.add(counters, C.agerPasses, 1);
  }
  return passes;
}

// ---- unmapper -------------------------------------------------------------------------

function unmapRemap(): void {
  let start = VOLATILE_START;
  let n = VOLATILE_PAGES;
  const pick = rand();
  if (pick < 0.5) {
    start = VOLATILE_START + 512 * randInt(VOLATILE_PAGES / 512); // one whole level-3 table
    n = 512;
  } else if (pick < 0.85) {
    start = VOLATILE_START + randInt(VOLATILE_PAGES);
    n = 1 + randInt(Math.min(700, VOLATILE_END - start));
  }
  unmapRange(m, start * PAGE_SIZE, n * PAGE_SIZE);
  Atomics.add(counters, C.unmaps, 1);
  if (rand() < 0.7) {
    const attrs = leafAttrs({ write: rand() < 0.5, young: rand() < 0.5 });
    const ret = handleStage2Fault(m, start * PAGE_SIZE, n * PAGE_SIZE, start + FRAME_OFFSET, attrs, { shared: false });
    if (ret === 0) Atomics.add(counters, C.remaps, 1);
    else Atomics.add(counters, C.enomem, 1);
  }
}

/** Dirty-logging style write protection of a stable range: writeLock, clear W by cmpxchg. */
function writeProtect(): void {
  const start = wd.focus || rand() < 0.5 ? 0 : randInt(STABLE_PAGES);
  const end = Math.min(wd.focus ? wd.hotPages : STABLE_PAGES, start + 1 + randInt(wd.hotPages));
  writeLock(m.lock);
  try {
    for (let g = start; g < end; g++) {
      const w = stage2GetLeaf(m.pgt, g * PAGE_SIZE);
      if (w < 0) throw new Error(`stable gfn ${g} lost its mapping`);
      for (let lo = atomics.load(views.i32, w); (lo & S2AP_W) !== 0; lo = atomics.load(views.i32, w)) {
        if (stage2TrySetPte(views, w, lo, lo & ~S2AP_W)) {
          Atomics.add(counters, wClearsAt(g), 1);
          break;
        }
      }
    }
  } finally {
    writeUnlock(m.lock);
  }
  Atomics.add(counters, C.wrprotects, 1);
}

function unmapper(): number {
  let n = 0;
  while (!stopped() || n === 0) {
    guarded(rand() < (wd.focus ? 0.8 : 0.3) ? writeProtect : unmapRemap);
    mmuPoll(m);
    n++;
    Atomics.add(counters, C.unmapperRounds, 1);
  }
  return n;
}

// ---- main -------------------------------------------------------------------------------

installChaos(wd.seed ^ 0x2545f491);
startBarrier(counters, C.ready, wd.workers);
const ops = wd.role === 'vcpu' ? vcpu() : wd.role === 'ager' ? ager() : unmapper();
if (wd.role === 'vcpu') Atomics.add(counters, C.vcpuOps, ops);
guarded(() => rcuBarrier(rcu));
rcuUnregisterThread(rcu);
const result: StressWorkerResult = { role: wd.role, ops, firstError };
parentPort?.postMessage(result);
