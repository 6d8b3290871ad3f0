/**
 * Runs the MMU stress scenario (stressWorker.ts) on real worker_threads and returns its
 * invariant counters. Every counter in `Violations` must be 0 in a correct run.
 */
import { arenaStats } from '../../engine/core/arch/arena.ts';
import { leafAttrs, pteWritable, pteYoung } from '../../engine/core/arch/descriptor.ts';
import { createArena, LOCK_STATE, PAGE_SIZE } from '../../engine/core/layout.ts';
import { mmuAttach, mmuInit, unmapRange, type AgingLock } from '../../engine/core/kvm/mmu.ts';
import { stage2GetLeaf, stage2Map } from '../../engine/core/arch/pgtable.ts';
import {
  rcuBarrier,
  rcuRegisterThread,
  rcuStats,
  rcuUnregisterThread,
  synchronizeRcu,
} from '../../engine/core/sync/rcu.ts';
import { runWorker } from './runWorkers.ts';
import {
  C,
  COUNTER_WORDS,
  FRAME_OFFSET,
  HOT_PAGES,
  STABLE_PAGES,
  STRESS_SCALE,
  TABLE_PAGES,
  VOLATILE_PAGES,
  VOLATILE_START,
  afClearsAt,
  afSetsAt,
  wClearsAt,
  wSetsAt,
  type StressWorkerData,
  type StressWorkerResult,
} from './stressShared.ts';

export interface StressOptions {
  seed: number;
  vcpus?: number;
  /** vCPU accesses each, before STRESS_SCALE. */
  ops?: number;
  agerLocks?: AgingLock[];
  agerVolatile?: boolean;
  unsafeFreeWithoutGracePeriod?: boolean;
  unsafeAgeWithoutRcu?: boolean;
  brokenCmpxchg?: boolean;
  /** Hot stable pages (default HOT_PAGES); `focus` puts every vCPU access and aging pass there. */
  hotPages?: number;
  focus?: boolean;
  /** False: vCPUs only, no ager and no unmapper (control of the race counters). Default true. */
  background?: boolean;
}

export interface StressReport {
  /** ALLOC_UAF + ALLOC_POISON_READS. */
  useAfterFree: number;
  /** Stable leaves whose AF sets - clears differ from their final AF bit. */
  lostAf: number;
  /** Stable leaves whose S2AP-W sets - clears differ from their final W bit (a lost W update). */
  lostWritable: number;
  /** Exceptions inside worker operations (broken invariants thrown). */
  errors: number;
  firstError: string | null;
  /** Arena after unmapping everything and waiting for callbacks (correct runs only). */
  accounting: { inUse: number; allocsMinusFrees: number; cbPending: number; pagesAwaiting: number } | null;
  activity: {
    vcpuOps: number;
    agerPasses: number;
    unmaps: number;
    remaps: number;
    afSets: number;
    afClears: number;
    wSets: number;
    wrprotects: number;
    gracePeriods: number;
    /** vCPU hardware AF cmpxchg (vcpu.ts translate) that lost a race. */
    casFailures: number;
    /** vCPU walks made while unlinked table pages awaited their grace period; the most awaiting at once. */
    walksOverDeferred: number;
    maxDeferred: number;
  };
}

export async function runStress(o: StressOptions): Promise<StressReport> {
  const views = createArena({ tablePages: TABLE_PAGES, maxThreads: 16, maxLocks: 1, debugPoison: true });
  const counters = new Int32Array(new SharedArrayBuffer(COUNTER_WORDS * 4));
  const mainRcu = rcuRegisterThread(views);
  const setup = mmuInit(views, mainRcu, 0);
  // Stable range: read-only and old, so every AF and W seen at the end was set by a vCPU.
  if (
    stage2Map(setup.pgt, 0, STABLE_PAGES * PAGE_SIZE, FRAME_OFFSET, leafAttrs({ write: false, young: false })) !== 0
  ) {
    throw new Error('stress setup: cannot map the stable range');
  }
  stage2Map(
    setup.pgt,
    VOLATILE_START * PAGE_SIZE,
    VOLATILE_PAGES * PAGE_SIZE,
    VOLATILE_START + FRAME_OFFSET,
    leafAttrs(),
  );

  const vcpus = o.vcpus ?? 2;
  const base: Omit<StressWorkerData, 'role' | 'seed'> = {
    arena: views.sab,
    counters: counters.buffer as SharedArrayBuffer,
    root: setup.pgt.root,
    ops: Math.max(1, Math.round((o.ops ?? 20000) * STRESS_SCALE)),
    workers: vcpus + (o.background === false ? 0 : 2),
    agerLocks: o.agerLocks ?? ['lockless'],
    agerVolatile: o.agerVolatile ?? true,
    unsafeFreeWithoutGracePeriod: o.unsafeFreeWithoutGracePeriod ?? false,
    unsafeAgeWithoutRcu: o.unsafeAgeWithoutRcu ?? false,
    brokenCmpxchg: o.brokenCmpxchg ?? false,
    hotPages: o.hotPages ?? HOT_PAGES,
    focus: o.focus ?? false,
    background: o.background ?? true,
  };
  const start = (role: StressWorkerData['role'], i: number): Promise<StressWorkerResult> =>
    runWorker<StressWorkerResult>('stress-worker', {
      ...base,
      role,
      seed: o.seed * 7919 + i,
    } satisfies StressWorkerData);
  const background = o.background === false ? [] : [start('ager', 100), start('unmapper', 200)];
  const vcpuResults = await Promise.all(Array.from({ length: vcpus }, (_, i) => start('vcpu', i)));
  Atomics.store(counters, C.stop, 1);
  const results = [...vcpuResults, ...(await Promise.all(background))];

  let lostAf = 0;
  let lostWritable = 0;
  let afSets = 0;
  let afClears = 0;
  let wSets = 0;
  for (let g = 0; g < STABLE_PAGES; g++) {
    const w = stage2GetLeaf(setup.pgt, g * PAGE_SIZE);
    const lo = w >= 0 ? views.i32[w] : 0;
    const sets = counters[afSetsAt(g)];
    const clears = counters[afClearsAt(g)];
    const ws = counters[wSetsAt(g)];
    const wc = counters[wClearsAt(g)];
    afSets += sets;
    afClears += clears;
    wSets += ws;
    if (w < 0 || sets - clears !== (pteYoung(lo) ? 1 : 0)) lostAf++;
    if (w < 0 || ws - wc !== (pteWritable(lo) ? 1 : 0)) lostWritable++;
  }
  const a = arenaStats(views);
  const errors = counters[C.errors];
  const correctRun = !(o.unsafeFreeWithoutGracePeriod || o.unsafeAgeWithoutRcu || o.brokenCmpxchg);
  let accounting: StressReport['accounting'] = null;
  if (correctRun && errors === 0) {
    // Tear down as a last thread would: unmap everything under the lock, wait for the callbacks.
    const m = mmuAttach(views, mainRcu, 0, setup.pgt.root);
    unmapRange(m, 0, m.pgt.ipaSize);
    rcuBarrier(mainRcu);
    synchronizeRcu(mainRcu);
    const after = arenaStats(views);
    const r = rcuStats(views);
    if (views.i32[views.locks + LOCK_STATE] !== 0) throw new Error('MMU lock still held after the run');
    accounting = {
      inUse: after.inUse,
      allocsMinusFrees: after.allocs - after.frees,
      cbPending: r.callbacksPending,
      pagesAwaiting: r.pagesAwaiting,
    };
  }
  rcuUnregisterThread(mainRcu);
  return {
    useAfterFree: a.uaf + a.poisonReads,
    lostAf,
    lostWritable,
    errors,
    firstError: results.find((r) => r.firstError)?.firstError ?? null,
    accounting,
    activity: {
      vcpuOps: counters[C.vcpuOps],
      agerPasses: counters[C.agerPasses],
      unmaps: counters[C.unmaps],
      remaps: counters[C.remaps],
      afSets,
      afClears,
      wSets,
      wrprotects: counters[C.wrprotects],
      gracePeriods: rcuStats(views).gracePeriods,
      casFailures: counters[C.casFailures],
      walksOverDeferred: counters[C.walksOverDeferred],
      maxDeferred: counters[C.maxDeferred],
    },
  };
}
