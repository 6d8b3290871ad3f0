// The MMU lock's per-thread acquisition counters (layout.ts lockCpu; the kernel's per-CPU lock statistics,
// CONFIG_LOCK_STAT cpu_lock_stats summed by lock_stats(), kernel/locking/lockdep.c): a handle attached with
// a `cpu` counts its acquisitions in that thread's own words with plain adds (atomics.thisCpuAdd), a handle
// without one in the lock's shared words with atomic adds; lockStats sums both. Expectations by hand.
// Negative controls, run by editing the source (session 16 (i)):
// - acquired() with `atomics.add` on the cpu words (not thisCpuAdd) fails test 1 (ops add, add);
// - lockStats without the per-thread words (own() returning 0) fails tests 2 and 3 (read 1, write 0);
// - cpuBase without `cpu * views.lockCpuStride` (every thread on thread 0's words) fails tests 1-3.
import { afterEach, describe, expect, it } from 'vitest';
import {
  LOCK_CPU_READ_ACQUIRES,
  LOCK_CPU_WORDS,
  LOCK_CPU_WRITE_ACQUIRES,
  LOCK_CPU_WRITE_CONTENDED,
  LOCK_READ_ACQUIRES,
  LOCK_STATE,
  LOCK_WORDS,
  createArena,
} from '../../engine/core/layout.ts';
import {
  LOCK_WRITER,
  attachMmuLock,
  lockStats,
  readLock,
  readUnlock,
  tryRead,
  writeLock,
  writeUnlock,
} from '../../engine/core/kvm/mmuLock.ts';
import { setAtomicOps, withHook, type AtomicOps } from '../../engine/core/sync/atomics.ts';

let restore: (() => void) | null = null;
afterEach(() => {
  restore?.();
  restore = null;
});

describe('MMU lock per-thread counters (lockCpu)', () => {
  it('1: an uncontended readLock on a cpu handle: the bias add, then one plain add', () => {
    const v = createArena({ tablePages: 4, maxThreads: 3, maxLocks: 2 });
    const r = attachMmuLock(v, 1, { cpu: 2 });
    const ops: (keyof AtomicOps)[] = [];
    restore = setAtomicOps(withHook((op) => ops.push(op)));
    readLock(r);
    restore();
    restore = null;
    expect(ops).toEqual(['add', 'thisCpuAdd']);
    // Thread 2's block, lock 1's read-acquire word; the lock's shared word untouched.
    expect(v.i32[v.lockCpu + 2 * v.lockCpuStride + 1 * LOCK_CPU_WORDS + LOCK_CPU_READ_ACQUIRES]).toBe(1);
    expect(v.i32[v.locks + 1 * LOCK_WORDS + LOCK_READ_ACQUIRES]).toBe(0);
    readUnlock(r);
  });

  it('2: two threads and a shared handle: each in its own words, lockStats the sum', () => {
    const v = createArena({ tablePages: 4, maxThreads: 3, maxLocks: 2 });
    const a = attachMmuLock(v, 0, { cpu: 0 });
    const b = attachMmuLock(v, 0, { cpu: 1 });
    const shared = attachMmuLock(v, 0);
    for (let k = 0; k < 3; k++) {
      readLock(a);
      readUnlock(a);
    }
    for (let k = 0; k < 2; k++) {
      writeLock(b);
      writeUnlock(b);
    }
    expect(tryRead(shared)).toBe(true);
    readUnlock(shared);
    const w = (t: number, k: number): number => v.i32[v.lockCpu + t * v.lockCpuStride + k];
    expect([w(0, LOCK_CPU_READ_ACQUIRES), w(0, LOCK_CPU_WRITE_ACQUIRES)]).toEqual([3, 0]);
    expect([w(1, LOCK_CPU_READ_ACQUIRES), w(1, LOCK_CPU_WRITE_ACQUIRES)]).toEqual([0, 2]);
    expect(v.i32[v.locks + LOCK_READ_ACQUIRES]).toBe(1); // the handle without a cpu
    const s = lockStats(v, 0);
    expect([s.readAcquires, s.writeAcquires, s.readContended, s.writeContended]).toEqual([4, 2, 0, 0]);
    // Lock 1 saw nothing.
    expect(lockStats(v, 1).readAcquires + lockStats(v, 1).writeAcquires).toBe(0);
  });

  it('3: a contended writeLock on a cpu handle counts acquire and contended in its own words', () => {
    const v = createArena({ tablePages: 4, maxThreads: 2, maxLocks: 1 });
    const wr = attachMmuLock(v, 0, { cpu: 1, spins: 4 });
    const s = v.locks + LOCK_STATE;
    v.i32[s] = 1; // another reader holds the lock
    let n = 0;
    // The other reader leaves after a few of the writer's spins.
    restore = setAtomicOps(
      withHook(() => {
        if (++n === 4) Atomics.sub(v.i32, s, 1);
      }),
    );
    writeLock(wr);
    restore();
    restore = null;
    expect(v.i32[s]).toBe(LOCK_WRITER);
    writeUnlock(wr);
    expect(v.i32[v.lockCpu + v.lockCpuStride + LOCK_CPU_WRITE_ACQUIRES]).toBe(1);
    expect(v.i32[v.lockCpu + v.lockCpuStride + LOCK_CPU_WRITE_CONTENDED]).toBe(1);
    const st = lockStats(v, 0);
    expect([st.readAcquires, st.writeAcquires, st.readContended, st.writeContended]).toEqual([0, 1, 0, 1]);
  });

  it('4: a cpu outside [0, maxThreads) is refused', () => {
    const v = createArena({ tablePages: 4, maxThreads: 2, maxLocks: 1 });
    expect(() => attachMmuLock(v, 0, { cpu: 2 })).toThrow(RangeError);
    expect(() => attachMmuLock(v, 0, { cpu: -1 })).toThrow(RangeError);
  });
});
