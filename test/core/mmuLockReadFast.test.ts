// The MMU lock's reader fast path is qrwlock's (include/asm-generic/qrwlock.h, queued_read_lock): one
// atomic add of the reader bias; with a writer holding or waiting, queued_read_lock_slowpath's first step
// takes the bias back (atomic_sub) before the reader queues. Each case is a constructed lock word with the
// operations expected by hand; the atomics are recorded through withHook (op names only, in order).
// Negative controls, run by editing mmuLock.ts's readFast (session 13):
// - the old fast path (attemptRead: load + compareExchange) fails all three (ops load, compareExchange, ...);
// - a back-out without the sub fails cases 2 and 3 (the word keeps the bias: one reader too many);
// - a fast path that ignores the writer bits fails cases 2 and 3 (the reader holds with a writer there);
// - a back-out without wakeWaiters fails case 3 (LOCK_SEQ not bumped).
import { afterEach, describe, expect, it } from 'vitest';
import { createArena, LOCK_SEQ, LOCK_STATE, LOCK_WAITERS } from '../../engine/core/layout.ts';
import { LOCK_PENDING_ONE, LOCK_WRITER, attachMmuLock, readLock, readUnlock } from '../../engine/core/kvm/mmuLock.ts';
import { setAtomicOps, withHook, type AtomicOps } from '../../engine/core/sync/atomics.ts';

let restore: (() => void) | null = null;
afterEach(() => {
  restore?.();
  restore = null;
});

/** Record every atomic op; `before(op, n)` runs before the n-th (from 0), e.g. to play another thread. */
function record(before: (op: keyof AtomicOps, n: number) => void = () => {}): (keyof AtomicOps)[] {
  const ops: (keyof AtomicOps)[] = [];
  restore = setAtomicOps(
    withHook((op) => {
      before(op, ops.length);
      ops.push(op);
    }),
  );
  return ops;
}

describe('MMU lock reader fast path (queued_read_lock)', () => {
  it('1: uncontended, one atomic add takes the lock (then the acquisition counter)', () => {
    const v = createArena({ tablePages: 4, maxThreads: 4, maxLocks: 1 });
    const r = attachMmuLock(v, 0);
    const ops = record();
    readLock(r);
    restore?.();
    restore = null;
    // add: the bias on LOCK_STATE; add: LOCK_READ_ACQUIRES. No load, no compareExchange.
    expect(ops).toEqual(['add', 'add']);
    expect(v.i32[v.locks + LOCK_STATE]).toBe(1);
    readUnlock(r);
    expect(v.i32[v.locks + LOCK_STATE]).toBe(0);
  });

  it('2: a writer waiting: the add is taken back at once, the reader queues and gets in after the writer', () => {
    const v = createArena({ tablePages: 4, maxThreads: 4, maxLocks: 1 });
    const s = v.locks + LOCK_STATE;
    const r = attachMmuLock(v, 0, { spins: 4 });
    // Another reader holds the lock and a writer waits for it (writeLock's pending count).
    v.i32[s] = 1 + LOCK_PENDING_ONE;
    let afterBackOut = -1;
    const ops = record((op, n) => {
      // Before the first op after the fast path's two (add, sub): the word as the back-out left it. Then the
      // other thread plays the writer: the reader leaves, the writer takes the lock and releases it.
      if (n === 2) {
        afterBackOut = v.i32[s];
        v.i32[s] = 0;
      }
    });
    readLock(r);
    restore?.();
    restore = null;
    expect(ops.slice(0, 2)).toEqual(['add', 'sub']);
    expect(afterBackOut).toBe(1 + LOCK_PENDING_ONE); // the bias is gone: one reader, the writer pending
    expect(v.i32[s]).toBe(1); // the slow path took it once the writer was through
    readUnlock(r);
    expect(v.i32[s]).toBe(0);
  });

  it('3: a back-out that leaves no reader wakes the sleeping writer (LOCK_SEQ bumped)', () => {
    const v = createArena({ tablePages: 4, maxThreads: 4, maxLocks: 1 });
    const s = v.locks + LOCK_STATE;
    const r = attachMmuLock(v, 0, { spins: 4 });
    // A writer holds the lock, and one thread sleeps on LOCK_SEQ (a second writer, pending).
    v.i32[s] = LOCK_WRITER | LOCK_PENDING_ONE;
    v.i32[v.locks + LOCK_WAITERS] = 1;
    record((_op, n) => {
      // After the fast path's add and sub: both writers are through (the sleeper stays registered).
      if (n === 2) v.i32[s] = 0;
    });
    readLock(r);
    restore?.();
    restore = null;
    // Bumped once, by the back-out (the reader's slow path itself releases nothing).
    expect(v.i32[v.locks + LOCK_SEQ]).toBe(1);
    expect(v.i32[s]).toBe(1);
    readUnlock(r);
  });
});
