/**
 * The MMU lock: one reader-writer lock per guest, living in the arena's locks region
 * (slots LOCK_* in layout.ts), usable from any agent that shares the arena buffer
 * (Node worker_threads, Web Workers, the main thread with tryRead/tryWrite only).
 *
 * Lock word (LOCK_STATE): WRITER (bit 30) | pending writers (bits 16..29) | readers (bits 0..15).
 *
 * Policy: writer preference. A writer that fails its fast path registers as pending; while any
 * writer is pending or holding, new readers stay out, so the readers inside drain and the writer
 * gets in: writers never starve under a constant stream of readers. The price: a constant stream
 * of writers could starve readers. That matches KVM's use (writers are rare unmap/split paths,
 * readers are faults and aging) and the kernel's qrwlock, which also makes new readers queue
 * behind a waiting writer. Among writers there is no FIFO order (tryWrite may barge).
 *
 * Blocking: acquire spins briefly, then sleeps futex-style with atomics.wait on LOCK_SEQ. A release
 * that may let a waiter in changes the lock word first, then, if LOCK_WAITERS > 0, bumps LOCK_SEQ
 * and notifies all. A waiter registers in LOCK_WAITERS, reads LOCK_SEQ, re-tries the lock, and only
 * then waits for LOCK_SEQ to change: whichever order the two run in, no wakeup is lost. Waits also
 * use a timeout slice, so even a missed wakeup would only cost latency, never a hang.
 *
 * Main threads (browser, Electron) must never block: open their handle with `mayBlock: false` and
 * use tryRead/tryWrite only; readLock/writeLock on such a handle throw, contended or not.
 *
 * Counters: LOCK_{READ,WRITE}_ACQUIRES, LOCK_{READ,WRITE}_CONTENDED (acquisitions whose fast path
 * failed; a handle attached with a `cpu` counts them in that thread's own words instead, layout.ts
 * lockCpu, with plain adds; lockStats sums both), and in stats64 wait and hold nanoseconds per mode, measured with the injected clock
 * `now()` (milliseconds, like performance.now; the core has no performance global). Without a
 * clock the counters still count but the nanosecond sums stay 0.
 *
 * Not recursive: a handle that holds the lock and asks again is a broken invariant and throws
 * (with writer preference a recursive readLock would deadlock behind a pending writer).
 */
import { atomics } from '../sync/atomics.ts';
import { ownShape } from '../ownShape.ts';
import type { ArenaViews } from '../layout.ts';
import {
  LOCK_CPU_READ_ACQUIRES,
  LOCK_CPU_READ_CONTENDED,
  LOCK_CPU_WORDS,
  LOCK_CPU_WRITE_ACQUIRES,
  LOCK_CPU_WRITE_CONTENDED,
  LOCK_READ_ACQUIRES,
  LOCK_READ_CONTENDED,
  LOCK_SEQ,
  LOCK_STATE,
  LOCK_WAITERS,
  LOCK_WORDS,
  LOCK_WRITE_ACQUIRES,
  LOCK_WRITE_CONTENDED,
  STAT64_LOCK_READ_HOLD_NS,
  STAT64_LOCK_READ_WAIT_NS,
  STAT64_LOCK_WRITE_HOLD_NS,
  STAT64_LOCK_WRITE_WAIT_NS,
  STAT64_PER_LOCK,
} from '../layout.ts';

export const LOCK_WRITER = 1 << 30;
export const LOCK_PENDING_ONE = 1 << 16;
export const LOCK_PENDING_MASK = 0x3fff << 16;
export const LOCK_READER_MASK = 0xffff;

/** Spins (lock-word loads) before sleeping. Short: JS agents are often fewer than cores. */
const DEFAULT_SPINS = 64;
/** Upper bound of one atomics.wait; the loop re-checks the lock after it. */
const WAIT_SLICE_MS = 50;

export interface MmuLockOptions {
  /** Clock in milliseconds (e.g. performance.now or the simulation's clock) for wait/hold times. */
  now?: () => number;
  /** False on a thread that must never block (a main thread): readLock/writeLock then throw. */
  mayBlock?: boolean;
  /** Lock-word loads to spin before sleeping. */
  spins?: number;
  /**
   * This thread's index in the arena's per-thread lock counters (layout.ts lockCpu), in [0, maxThreads):
   * the acquisition counters go there with plain adds (atomics.thisCpuAdd) instead of atomic adds on the
   * lock's shared words. Contract: no other agent attaches a handle with the same `cpu` to this arena
   * while this one is in use (a simulation worker passes its worker index). Absent: the shared words.
   */
  cpu?: number;
}

export type LockMode = 'none' | 'read' | 'write';

/** This agent's handle on lock `lockId`. Cheap; build one per thread (it records what it holds). */
export interface MmuLock {
  readonly i32: Int32Array;
  readonly stats64: BigInt64Array;
  readonly lockId: number;
  /** Word offset of the lock in i32, and of its counters in stats64. */
  readonly base: number;
  /** Word in i32 of this thread's counters of this lock (layout.ts lockCpu), or -1: the shared LOCK_* words. */
  readonly cpuBase: number;
  readonly stat: number;
  readonly now: (() => number) | undefined;
  readonly mayBlock: boolean;
  readonly spins: number;
  held: LockMode;
  heldSince: number;
}

export function attachMmuLock(views: ArenaViews, lockId: number, options: MmuLockOptions = {}): MmuLock {
  if (!Number.isInteger(lockId) || lockId < 0 || lockId >= views.maxLocks) {
    throw new RangeError(`lockId ${lockId} outside [0, ${views.maxLocks})`);
  }
  const cpu = options.cpu;
  if (cpu !== undefined && (!Number.isInteger(cpu) || cpu < 0 || cpu >= views.maxThreads)) {
    throw new RangeError(`cpu ${cpu} outside [0, ${views.maxThreads})`);
  }
  // Hot fields first: an empty class keeps about 8 in-object (core/ownShape.ts).
  return ownShape(MmuLockShape, {
    i32: views.i32,
    base: views.locks + lockId * LOCK_WORDS,
    cpuBase: cpu === undefined ? -1 : views.lockCpu + cpu * views.lockCpuStride + lockId * LOCK_CPU_WORDS,
    stats64: views.stats64,
    stat: lockId * STAT64_PER_LOCK,
    held: 'none' as LockMode,
    heldSince: 0,
    spins: options.spins ?? DEFAULT_SPINS,
    mayBlock: options.mayBlock ?? true,
    now: options.now,
    lockId,
  });
}
class MmuLockShape {}

// ---- single attempts (no bookkeeping) ------------------------------------------

/** One reader attempt: succeeds unless a writer holds or waits. Retries only on reader churn. */
function attemptRead(l: MmuLock): boolean {
  const s = l.base + LOCK_STATE;
  for (;;) {
    const cur = atomics.load(l.i32, s);
    if ((cur & (LOCK_WRITER | LOCK_PENDING_MASK)) !== 0) return false;
    if ((cur & LOCK_READER_MASK) === LOCK_READER_MASK) throw new RangeError('MMU lock reader count overflow');
    if (atomics.compareExchange(l.i32, s, cur, cur + 1) === cur) return true;
  }
}

/** One writer attempt; `pending` says this writer is counted in the pending bits (it converts). */
function attemptWrite(l: MmuLock, pending: boolean): boolean {
  const s = l.base + LOCK_STATE;
  for (;;) {
    const cur = atomics.load(l.i32, s);
    if ((cur & (LOCK_WRITER | LOCK_READER_MASK)) !== 0) return false;
    const next = (pending ? cur - LOCK_PENDING_ONE : cur) | LOCK_WRITER;
    if (atomics.compareExchange(l.i32, s, cur, next) === cur) return true;
  }
}

/** One attempt of waitFor: attemptWrite(l, true) for a (pending) writer, else attemptRead(l). */
function attempt(l: MmuLock, write: boolean): boolean {
  return write ? attemptWrite(l, true) : attemptRead(l);
}

/**
 * Spin, then sleep on LOCK_SEQ until an attempt succeeds. The mode is a flag, not a closure: a closure
 * was an allocation per contended acquire (bench/_profileSpread.ts with a sampling allocation profile,
 * 4 guests, 2 workers: ~20 % of the workers' allocated bytes, at a load average of 15).
 */
function waitFor(l: MmuLock, write: boolean): void {
  for (let i = 0; i < l.spins; i++) {
    if (attempt(l, write)) return;
  }
  const a = l.i32;
  atomics.add(a, l.base + LOCK_WAITERS, 1);
  try {
    for (;;) {
      const seq = atomics.load(a, l.base + LOCK_SEQ);
      if (attempt(l, write)) return;
      atomics.wait(a, l.base + LOCK_SEQ, seq, WAIT_SLICE_MS);
    }
  } finally {
    atomics.sub(a, l.base + LOCK_WAITERS, 1);
  }
}

/** After a release: wake sleepers if there are any (the lock word was changed before this). */
function wakeWaiters(l: MmuLock): void {
  if (atomics.load(l.i32, l.base + LOCK_WAITERS) > 0) {
    atomics.add(l.i32, l.base + LOCK_SEQ, 1);
    atomics.notify(l.i32, l.base + LOCK_SEQ);
  }
}

// ---- bookkeeping ----------------------------------------------------------------

const toNs = (ms: number): bigint => BigInt(Math.max(0, Math.round(ms * 1e6)));

function checkFree(l: MmuLock, op: string): void {
  if (l.held !== 'none') throw new Error(`${op}: this handle already holds MMU lock ${l.lockId} (${l.held})`);
}

function checkBlocking(l: MmuLock, op: string): void {
  checkFree(l, op);
  if (!l.mayBlock) throw new Error(`${op} on a handle that must not block (main thread): use tryRead/tryWrite`);
}

function acquired(l: MmuLock, mode: 'read' | 'write', contended: boolean, t0: number): void {
  const read = mode === 'read';
  const c = l.cpuBase;
  if (c >= 0) {
    // This thread's own words (layout.ts lockCpu): the kernel's per-CPU lock_class_stats.
    atomics.thisCpuAdd(l.i32, c + (read ? LOCK_CPU_READ_ACQUIRES : LOCK_CPU_WRITE_ACQUIRES), 1);
    if (contended) atomics.thisCpuAdd(l.i32, c + (read ? LOCK_CPU_READ_CONTENDED : LOCK_CPU_WRITE_CONTENDED), 1);
  } else {
    atomics.add(l.i32, l.base + (read ? LOCK_READ_ACQUIRES : LOCK_WRITE_ACQUIRES), 1);
    if (contended) atomics.add(l.i32, l.base + (read ? LOCK_READ_CONTENDED : LOCK_WRITE_CONTENDED), 1);
  }
  if (l.now) {
    const t = l.now();
    if (contended) {
      atomics.add64(l.stats64, l.stat + (read ? STAT64_LOCK_READ_WAIT_NS : STAT64_LOCK_WRITE_WAIT_NS), toNs(t - t0));
    }
    l.heldSince = t;
  }
  l.held = mode;
}

function released(l: MmuLock, mode: 'read' | 'write', op: string): void {
  if (l.held !== mode) throw new Error(`${op}: this handle holds MMU lock ${l.lockId} as '${l.held}', not '${mode}'`);
  if (l.now) {
    const slot = mode === 'read' ? STAT64_LOCK_READ_HOLD_NS : STAT64_LOCK_WRITE_HOLD_NS;
    atomics.add64(l.stats64, l.stat + slot, toNs(l.now() - l.heldSince));
  }
  l.held = 'none';
}

// ---- the API ----------------------------------------------------------------------

/** Take the lock shared without blocking. False when a writer holds it or is waiting for it. */
export function tryRead(l: MmuLock): boolean {
  checkFree(l, 'tryRead');
  if (!attemptRead(l)) return false;
  acquired(l, 'read', false, 0);
  return true;
}

/** Take the lock exclusive without blocking. False when anyone holds it. */
export function tryWrite(l: MmuLock): boolean {
  checkFree(l, 'tryWrite');
  if (!attemptWrite(l, false)) return false;
  acquired(l, 'write', false, 0);
  return true;
}

/**
 * The reader fast path of queued_read_lock (include/asm-generic/qrwlock.h, 6.1-6.12): one
 * `cnts = atomic_add_return_acquire(_QR_BIAS, &lock->cnts)`; if the writer bits (_QW_WMASK: a writer
 * holding or waiting; here LOCK_WRITER | the pending count) were clear, the reader holds the lock.
 * Else queued_read_lock_slowpath's first step, `atomic_sub(_QR_BIAS, &lock->cnts)`, takes the bias
 * back, and the caller takes the slow path. One atomic read-modify-write where attemptRead's
 * load + compareExchange are two (and a retry on reader churn). The bias in between is seen by a
 * writer's attempt as a reader (it fails and retries, as a queued writer's
 * `atomic_cond_read_relaxed(VAL == _QW_WAITING)` keeps spinning); the back-out wakes sleepers when it
 * took the count to zero, as readUnlock does (this lock's writers may sleep, the kernel's spin).
 */
function readFast(l: MmuLock): boolean {
  const s = l.base + LOCK_STATE;
  const prev = atomics.add(l.i32, s, 1);
  if ((prev & (LOCK_WRITER | LOCK_PENDING_MASK)) === 0 && (prev & LOCK_READER_MASK) !== LOCK_READER_MASK) return true;
  const was = atomics.sub(l.i32, s, 1);
  if ((prev & LOCK_READER_MASK) === LOCK_READER_MASK) throw new RangeError('MMU lock reader count overflow');
  if ((was & LOCK_READER_MASK) === 1) wakeWaiters(l);
  return false;
}

/** Take the lock shared, blocking (worker threads only). Waits behind pending writers. */
export function readLock(l: MmuLock): void {
  checkBlocking(l, 'readLock');
  if (readFast(l)) return acquired(l, 'read', false, 0);
  const t0 = l.now ? l.now() : 0;
  waitFor(l, false);
  acquired(l, 'read', true, t0);
}

/** Take the lock exclusive, blocking (worker threads only). New readers stay out meanwhile. */
export function writeLock(l: MmuLock): void {
  checkBlocking(l, 'writeLock');
  if (atomics.compareExchange(l.i32, l.base + LOCK_STATE, 0, LOCK_WRITER) === 0) {
    return acquired(l, 'write', false, 0);
  }
  const t0 = l.now ? l.now() : 0;
  const prev = atomics.add(l.i32, l.base + LOCK_STATE, LOCK_PENDING_ONE);
  if ((prev & LOCK_PENDING_MASK) === LOCK_PENDING_MASK) throw new RangeError('MMU lock pending-writer overflow');
  waitFor(l, true);
  acquired(l, 'write', true, t0);
}

export function readUnlock(l: MmuLock): void {
  released(l, 'read', 'readUnlock');
  const prev = atomics.sub(l.i32, l.base + LOCK_STATE, 1);
  if ((prev & LOCK_READER_MASK) === 0) throw new Error(`readUnlock: MMU lock ${l.lockId} had no readers`);
  // Only writers wait for readers, and only for the count to reach zero.
  if ((prev & LOCK_READER_MASK) === 1) wakeWaiters(l);
}

export function writeUnlock(l: MmuLock): void {
  released(l, 'write', 'writeUnlock');
  // Atomic and: pending-writer bits may change concurrently.
  const prev = atomics.and(l.i32, l.base + LOCK_STATE, ~LOCK_WRITER);
  if ((prev & LOCK_WRITER) === 0) throw new Error(`writeUnlock: MMU lock ${l.lockId} was not write-locked`);
  wakeWaiters(l);
}

export { lockStats, type LockStats } from './mmuLockStats.ts';
