/**
 * The MMU locks' counters (mmuLock.ts, re-exported there): a snapshot of one lock's acquisition counts
 * and wait / hold nanoseconds, from any thread.
 */
import { atomics } from '../sync/atomics.ts';
import {
  LOCK_CPU_READ_ACQUIRES,
  LOCK_CPU_READ_CONTENDED,
  LOCK_CPU_WORDS,
  LOCK_CPU_WRITE_ACQUIRES,
  LOCK_CPU_WRITE_CONTENDED,
  LOCK_READ_ACQUIRES,
  LOCK_READ_CONTENDED,
  LOCK_WORDS,
  LOCK_WRITE_ACQUIRES,
  LOCK_WRITE_CONTENDED,
  STAT64_LOCK_READ_HOLD_NS,
  STAT64_LOCK_READ_WAIT_NS,
  STAT64_LOCK_WRITE_HOLD_NS,
  STAT64_LOCK_WRITE_WAIT_NS,
  STAT64_PER_LOCK,
  type ArenaViews,
} from '../layout.ts';

/** The lockCpu word of each shared counter slot (LOCK_*_ACQUIRES / _CONTENDED). */
const CPU_SLOT: Record<number, number> = {
  [LOCK_READ_ACQUIRES]: LOCK_CPU_READ_ACQUIRES,
  [LOCK_WRITE_ACQUIRES]: LOCK_CPU_WRITE_ACQUIRES,
  [LOCK_READ_CONTENDED]: LOCK_CPU_READ_CONTENDED,
  [LOCK_WRITE_CONTENDED]: LOCK_CPU_WRITE_CONTENDED,
};

export interface LockStats {
  readAcquires: number;
  writeAcquires: number;
  readContended: number;
  writeContended: number;
  readWaitNs: bigint;
  writeWaitNs: bigint;
  readHoldNs: bigint;
  writeHoldNs: bigint;
}

/**
 * A snapshot of the counters of lock `lockId` (any thread): the shared words plus every thread's own
 * (layout.ts lockCpu), as the kernel's lock_stats() sums cpu_lock_stats over the CPUs
 * (kernel/locking/lockdep.c). Another thread's words are read plain: a count a little stale while it runs.
 */
export function lockStats(views: ArenaViews, lockId: number): LockStats {
  const b = views.locks + lockId * LOCK_WORDS;
  const s = lockId * STAT64_PER_LOCK;
  const own = (k: number): number => {
    let sum = 0;
    for (let t = 0; t < views.maxThreads; t++)
      sum += atomics.readOnce(views.i32, views.lockCpu + t * views.lockCpuStride + lockId * LOCK_CPU_WORDS + k);
    return sum;
  };
  const i = (slot: number): number => atomics.load(views.i32, b + slot) + own(CPU_SLOT[slot]);
  const n = (slot: number): bigint => atomics.load64(views.stats64, s + slot);
  return {
    readAcquires: i(LOCK_READ_ACQUIRES),
    writeAcquires: i(LOCK_WRITE_ACQUIRES),
    readContended: i(LOCK_READ_CONTENDED),
    writeContended: i(LOCK_WRITE_CONTENDED),
    readWaitNs: n(STAT64_LOCK_READ_WAIT_NS),
    writeWaitNs: n(STAT64_LOCK_WRITE_WAIT_NS),
    readHoldNs: n(STAT64_LOCK_READ_HOLD_NS),
    writeHoldNs: n(STAT64_LOCK_WRITE_HOLD_NS),
  };
}
