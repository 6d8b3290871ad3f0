import { describe, expect, it } from 'vitest';
import { createArena, RCU_EPOCH } from '../../engine/core/layout.ts';
import type { ArenaViews } from '../../engine/core/layout.ts';
import {
  callRcu,
  rcuBarrier,
  rcuPendingCallbacks,
  rcuPoll,
  rcuReadLock,
  rcuReadLockHeld,
  rcuReadUnlock,
  rcuRegisterThread,
  rcuStats,
  rcuTryAdvance,
  rcuUnregisterThread,
  synchronizeRcu,
} from '../../engine/core/sync/rcu.ts';
import type { RcuThread } from '../../engine/core/sync/rcu.ts';
import { rng } from '../rng.ts';
import { runWorker } from '../stress/runWorkers.ts';
import { OBJ_WORDS, R, dataWords, type RcuWorkerData, type RcuWorkerResult, type UpdaterMode } from './rcuShared.ts';

const arena = (maxThreads = 8): ArenaViews => createArena({ tablePages: 1, maxThreads, maxLocks: 1 });

describe('rcu, one thread playing several', () => {
  it('a callback waits for a reader that was inside when it was queued', () => {
    const v = arena();
    const reader = rcuRegisterThread(v);
    const updater = rcuRegisterThread(v);
    let ran = 0;
    rcuReadLock(reader);
    callRcu(updater, () => ran++, 'page');
    expect(rcuStats(v)).toMatchObject({ callbacksPending: 1, pagesAwaiting: 1 });
    for (let i = 0; i < 10; i++) rcuPoll(updater);
    expect(ran).toBe(0);
    rcuReadUnlock(reader);
    expect(rcuPoll(updater)).toBe(1);
    expect(ran).toBe(1);
    expect(rcuStats(v)).toMatchObject({ callbacksPending: 0, pagesAwaiting: 0 });
    expect(rcuStats(v).gracePeriods).toBeGreaterThanOrEqual(2);
  });

  it('a reader that entered after callRcu does not hold the callback back for long', () => {
    const v = arena();
    const reader = rcuRegisterThread(v);
    const updater = rcuRegisterThread(v);
    let ran = 0;
    callRcu(updater, () => ran++);
    rcuReadLock(reader); // announces the current epoch, so the epoch may still move once
    rcuPoll(updater);
    expect(ran).toBe(0);
    rcuReadUnlock(reader);
    rcuPoll(updater);
    expect(ran).toBe(1);
  });

  it('the epoch advances only when every active reader has observed it', () => {
    const v = arena();
    const a = rcuRegisterThread(v);
    const b = rcuRegisterThread(v);
    const e0 = v.i32[v.rcu + RCU_EPOCH];
    rcuReadLock(a);
    expect(rcuTryAdvance(v)).toBe(true); // a announced e0
    expect(rcuTryAdvance(v)).toBe(false); // a still announces e0
    rcuReadLock(b); // b announces e0 + 1
    rcuReadUnlock(a);
    expect(rcuTryAdvance(v)).toBe(true);
    expect(rcuTryAdvance(v)).toBe(false);
    rcuReadUnlock(b);
    expect(rcuTryAdvance(v)).toBe(true);
    expect(v.i32[v.rcu + RCU_EPOCH]).toBe(e0 + 3);
    expect(rcuStats(v).gracePeriods).toBe(3);
  });

  it('read-side sections nest', () => {
    const v = arena();
    const t = rcuRegisterThread(v);
    rcuReadLock(t);
    rcuReadLock(t);
    rcuReadUnlock(t);
    expect(rcuReadLockHeld(t)).toBe(true);
    rcuTryAdvance(v);
    expect(rcuTryAdvance(v)).toBe(false);
    rcuReadUnlock(t);
    expect(rcuReadLockHeld(t)).toBe(false);
    expect(() => rcuReadUnlock(t)).toThrow(/without a matching/);
  });

  it('synchronizeRcu and rcuBarrier complete when nobody reads; inside a section they throw', () => {
    const v = arena();
    const t = rcuRegisterThread(v);
    const before = rcuStats(v).gracePeriods;
    synchronizeRcu(t);
    expect(rcuStats(v).gracePeriods - before).toBeGreaterThanOrEqual(2);
    const order: number[] = [];
    for (let i = 0; i < 5; i++) callRcu(t, () => order.push(i), i % 2 ? 'page' : 'other');
    expect(rcuPendingCallbacks(t)).toBe(5);
    expect(rcuStats(v).pagesAwaiting).toBe(2);
    rcuBarrier(t);
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(rcuStats(v)).toMatchObject({ callbacksPending: 0, pagesAwaiting: 0 });
    rcuReadLock(t);
    expect(() => synchronizeRcu(t)).toThrow(/inside a read-side section/);
    expect(() => rcuBarrier(t)).toThrow(/inside a read-side section/);
    rcuReadUnlock(t);
    const main = rcuRegisterThread(v, { mayBlock: false });
    expect(() => synchronizeRcu(main)).toThrow(/must not block/);
  });

  it('unregistering requires quiescence and no callbacks; slots are reused', () => {
    const v = arena(2);
    const a = rcuRegisterThread(v);
    const b = rcuRegisterThread(v);
    expect(() => rcuRegisterThread(v)).toThrow(RangeError);
    rcuReadLock(a);
    expect(() => rcuUnregisterThread(a)).toThrow(/read-side section/);
    rcuReadUnlock(a);
    callRcu(a, () => undefined);
    expect(() => rcuUnregisterThread(a)).toThrow(/rcuBarrier/);
    rcuBarrier(a);
    rcuUnregisterThread(a);
    expect(() => rcuReadLock(a)).toThrow(/not registered/);
    const c = rcuRegisterThread(v);
    expect(c.slotIndex).toBe(a.slotIndex);
    rcuUnregisterThread(b);
    rcuUnregisterThread(c);
  });

  it('random schedules agree with a reference model: no callback runs while a pre-existing reader is inside', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const rand = rng(seed);
      const v = arena(4);
      const threads: RcuThread[] = [0, 1, 2, 3].map(() => rcuRegisterThread(v));
      // Reference: the id of each thread's current outermost section (0 = quiescent).
      const section = [0, 0, 0, 0];
      let nextSection = 1;
      const queued: { blockers: [number, number][]; ran: boolean }[] = [];
      for (let step = 0; step < 2000; step++) {
        const i = Math.floor(rand() * 4);
        const t = threads[i];
        const r = rand();
        if (r < 0.3) {
          if (!rcuReadLockHeld(t)) section[i] = nextSection++;
          rcuReadLock(t);
        } else if (r < 0.6) {
          if (rcuReadLockHeld(t)) {
            rcuReadUnlock(t);
            if (!rcuReadLockHeld(t)) section[i] = 0;
          }
        } else if (r < 0.75) {
          const blockers = section.flatMap((s, k): [number, number][] => (s ? [[k, s]] : []));
          const rec = { blockers, ran: false };
          queued.push(rec);
          callRcu(t, () => {
            for (const [k, s] of rec.blockers) {
              if (section[k] === s) throw new Error(`seed ${seed}: callback ran inside section ${s} of thread ${k}`);
            }
            rec.ran = true;
          });
        } else {
          rcuPoll(t);
        }
      }
      for (let i = 0; i < 4; i++) {
        while (rcuReadLockHeld(threads[i])) rcuReadUnlock(threads[i]);
        section[i] = 0;
      }
      for (const t of threads) rcuBarrier(t);
      expect(queued.every((q) => q.ran)).toBe(true);
      expect(rcuStats(v).callbacksPending).toBe(0);
    }
  });
});

async function runRcuWorkers(
  mode: UpdaterMode,
  seed: number,
  iterations = 1500,
): Promise<{ violations: number; gps: number }> {
  const updaters = 2;
  const readers = 2;
  const pool = 6;
  const v = createArena({ tablePages: 1, maxThreads: 8, maxLocks: 1 });
  const data = new Int32Array(new SharedArrayBuffer(dataWords(updaters, pool) * 4));
  for (let u = 0; u < updaters; u++) {
    data[R.ptr + u] = u * pool;
    data[R.objects + u * pool * OBJ_WORDS] = 0;
    data[R.objects + u * pool * OBJ_WORDS + 1] = 0;
  }
  const base = {
    arena: v.sab,
    data: data.buffer as SharedArrayBuffer,
    updaters,
    pool,
    mode,
    iterations,
    workers: updaters + readers,
  };
  const ups = Array.from({ length: updaters }, (_, u) =>
    runWorker<RcuWorkerResult>('rcu-worker', {
      ...base,
      role: 'updater',
      updater: u,
      seed: seed * 31 + u,
    } satisfies RcuWorkerData),
  );
  const rds = Array.from({ length: readers }, (_, r) =>
    runWorker<RcuWorkerResult>('rcu-worker', {
      ...base,
      role: 'reader',
      updater: 0,
      seed: seed * 31 + 10 + r,
    } satisfies RcuWorkerData),
  );
  const done = await Promise.all(ups);
  Atomics.store(data, R.stop, 1);
  await Promise.all(rds);
  expect(done.every((d) => d.pendingAtEnd === 0)).toBe(true);
  const s = rcuStats(v);
  expect(s.callbacksPending).toBe(0);
  return { violations: data[R.violations], gps: s.gracePeriods };
}

describe('rcu across worker_threads', () => {
  it('callRcu: readers never see a freed object', async () => {
    const r = await runRcuWorkers('callRcu', 1);
    expect(r.violations).toBe(0);
    expect(r.gps).toBeGreaterThan(0);
  });

  it('synchronizeRcu: readers never see a freed object', async () => {
    const r = await runRcuWorkers('synchronizeRcu', 2, 500);
    expect(r.violations).toBe(0);
    expect(r.gps).toBeGreaterThan(0);
  });

  it('negative control: freeing without a grace period is caught', async () => {
    const r = await runRcuWorkers('immediate', 3);
    expect(r.violations).toBeGreaterThan(0);
  });
});
