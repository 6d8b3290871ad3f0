/**
 * RCU over the arena's rcu region, usable from any agent sharing the buffer (liburcu vocabulary).
 *
 * Epoch-based grace periods (as in crossbeam-epoch):
 * - RCU_EPOCH is a global counter (wraps modulo 2^31; compared with wrapping differences).
 * - A thread's reader slot word [0] is `epoch << 1 | 1` while it is inside a read-side section
 *   (the epoch it loaded on entry), and 0 while quiescent. Nesting is counted in slot word [1].
 * - The epoch advances from E to E+1 (one CAS, by any thread in rcuPoll/synchronizeRcu/rcuBarrier)
 *   only after a scan found every active slot announcing E. Each advance is a completed grace
 *   period for RCU_GRACE_PERIODS and bumps + notifies the futex word RCU_GP_SEQ.
 * - callRcu reads the epoch g *after* the caller unlinked the object; the callback is ripe when
 *   the epoch is >= g + 2.
 *
 * Proof sketch (all operations are sequentially consistent atomics). Take a reader R whose entry
 * store publishes announcement a at time t0, when the global epoch is G0 (a <= G0: R loaded a
 * earlier). An advance that completes after t0 either scanned R's slot after t0 (it saw a, so it
 * moved the epoch from a to a + 1; possible only while the epoch is a, i.e. when a == G0), or
 * scanned before t0; then it loaded the epoch before t0 and its CAS still found that value after
 * t0, so it moved G0 to G0 + 1, and any later advance scans after t0 and needs a == G0 + 1 > a,
 * impossible. Either way the epoch stays <= G0 + 1 while R is inside. An object R can reach was
 * still linked when R loaded its pointer (after t0), so it was unlinked after t0 and its callRcu
 * read g >= G0; it is freed only at epoch >= g + 2 >= G0 + 2: never while R is inside its
 * section. (A stale announcement a < G0 is safe, it only holds grace periods back.)
 *
 * Callbacks are queued thread-locally (FIFO; the epochs a thread reads are non-decreasing, so the
 * ripe ones are a prefix) and run only by their own thread, in rcuPoll/rcuBarrier. RCU_CB_PENDING
 * counts them over all threads; RCU_PAGES_AWAITING counts those of kind 'page' (an unlinked table).
 *
 * Blocking: synchronizeRcu and rcuBarrier sleep on RCU_GP_SEQ with a timeout slice, after
 * registering in RCU_GP_WAITERS; a reader leaving its outermost section while RCU_GP_WAITERS > 0
 * bumps + notifies RCU_GP_SEQ, so a waiter re-scans promptly. Either way the waiter re-scans at
 * least every slice, so a missed wakeup cannot deadlock. Blocking from inside a read-side section
 * would wait for itself: that is a broken invariant and throws. Threads that must not block (main
 * threads) register with `mayBlock: false` and use rcuReadLock/rcuReadUnlock/callRcu/rcuPoll only.
 */
import { atomics } from './atomics.ts';
import { ownShape } from '../ownShape.ts';
import type { ArenaViews } from '../layout.ts';
import {
  RCU_CB_PENDING,
  RCU_DEFERRED_VS_READERS,
  RCU_EPOCH,
  RCU_EPOCH_MASK as EPOCH_MASK,
  RCU_GP_SEQ,
  RCU_GP_WAITERS,
  RCU_GRACE_PERIODS,
  RCU_NEXT_SLOT,
  RCU_PAGES_AWAITING,
  RCU_SLOT_FREE,
  RCU_SLOT_WORDS,
} from '../layout.ts';

/** 'page': the callback frees an unlinked table page (counted in RCU_PAGES_AWAITING). */
export type RcuKind = 'page' | 'other';

const WAIT_SLICE_MS = 1;

interface Callback {
  epoch: number;
  fn: () => void;
  page: boolean;
}

export interface RcuThreadOptions {
  /** False on a thread that must never block: synchronizeRcu/rcuBarrier then throw. */
  mayBlock?: boolean;
}

/** This thread's RCU state. Owned by one thread; never share it. */
export interface RcuThread {
  readonly views: ArenaViews;
  readonly i32: Int32Array;
  /** Index of the reader slot, and word offsets of its [0] (announcement) and [1] (nesting). */
  readonly slotIndex: number;
  readonly slot: number;
  readonly mayBlock: boolean;
  queue: Callback[];
  head: number;
  registered: boolean;
}

const g = (t: RcuThread, word: number): number => t.views.rcu + word;

/** Wrapping difference of two epochs. */
const epochDiff = (a: number, b: number): number => ((a - b) << 1) >> 1;

/** Take a reader slot: a released one if any, else the next unused. Throws when all are taken. */
export function rcuRegisterThread(views: ArenaViews, options: RcuThreadOptions = {}): RcuThread {
  const a = views.i32;
  const used = Math.min(atomics.load(a, views.rcu + RCU_NEXT_SLOT), views.maxThreads);
  let index = -1;
  for (let i = 0; i < used && index < 0; i++) {
    if (atomics.compareExchange(a, views.rcuSlots + i * RCU_SLOT_WORDS + 1, RCU_SLOT_FREE, 0) === RCU_SLOT_FREE) {
      index = i;
    }
  }
  if (index < 0) {
    index = atomics.add(a, views.rcu + RCU_NEXT_SLOT, 1);
    if (index >= views.maxThreads) {
      atomics.sub(a, views.rcu + RCU_NEXT_SLOT, 1);
      throw new RangeError(`rcuRegisterThread: all ${views.maxThreads} reader slots are taken`);
    }
  }
  const slot = views.rcuSlots + index * RCU_SLOT_WORDS;
  atomics.store(a, slot, 0);
  atomics.store(a, slot + 1, 0);
  return ownShape(RcuThreadShape, {
    views,
    i32: a,
    slotIndex: index,
    slot,
    mayBlock: options.mayBlock ?? true,
    queue: [] as Callback[],
    head: 0,
    registered: true,
  });
}
class RcuThreadShape {}

/** Give the slot back. The thread must be quiescent and have no callbacks left (rcuBarrier first). */
export function rcuUnregisterThread(t: RcuThread): void {
  checkRegistered(t, 'rcuUnregisterThread');
  if (t.i32[t.slot + 1] !== 0) throw new Error('rcuUnregisterThread inside a read-side section');
  if (t.head < t.queue.length) throw new Error('rcuUnregisterThread with callbacks pending: call rcuBarrier first');
  t.registered = false;
  atomics.store(t.i32, t.slot, 0);
  atomics.store(t.i32, t.slot + 1, RCU_SLOT_FREE);
}

function checkRegistered(t: RcuThread, op: string): void {
  if (!t.registered) throw new Error(`${op}: thread is not registered with RCU`);
}

/** Enter a read-side section (nestable, never blocks). Objects seen inside stay alive until exit. */
export function rcuReadLock(t: RcuThread): void {
  const n = t.i32[t.slot + 1];
  if (n === 0) {
    if (!t.registered) throw new Error('rcuReadLock: thread is not registered with RCU');
    const e = atomics.load(t.i32, g(t, RCU_EPOCH));
    atomics.store(t.i32, t.slot, ((e & EPOCH_MASK) << 1) | 1);
  } else if (n < 0) {
    throw new Error('rcuReadLock: thread is not registered with RCU');
  }
  t.i32[t.slot + 1] = n + 1;
}

/** Leave a read-side section; the outermost exit makes the thread quiescent and wakes GP waiters. */
export function rcuReadUnlock(t: RcuThread): void {
  const n = t.i32[t.slot + 1];
  if (n <= 0) throw new Error('rcuReadUnlock without a matching rcuReadLock');
  t.i32[t.slot + 1] = n - 1;
  if (n === 1) {
    atomics.store(t.i32, t.slot, 0);
    if (atomics.load(t.i32, g(t, RCU_GP_WAITERS)) > 0) {
      atomics.add(t.i32, g(t, RCU_GP_SEQ), 1);
      atomics.notify(t.i32, g(t, RCU_GP_SEQ));
    }
  }
}

/** True while the thread is inside a read-side section. */
export function rcuReadLockHeld(t: RcuThread): boolean {
  return t.i32[t.slot + 1] > 0;
}

/**
 * Queue `fn` to run after a grace period, on this thread (in rcuPoll or rcuBarrier). Call it
 * after unlinking the object. Never blocks. `kind: 'page'` marks the freeing of a table page.
 */
export function callRcu(t: RcuThread, fn: () => void, kind: RcuKind = 'other'): void {
  checkRegistered(t, 'callRcu');
  const page = kind === 'page';
  atomics.add(t.i32, g(t, RCU_CB_PENDING), 1);
  if (page) {
    atomics.add(t.i32, g(t, RCU_PAGES_AWAITING), 1);
    if (otherReaderActive(t)) atomics.add(t.i32, g(t, RCU_DEFERRED_VS_READERS), 1);
  }
  // Read after the unlink (the caller's) and after the counters: the grace period starts here.
  t.queue.push({ epoch: atomics.load(t.i32, g(t, RCU_EPOCH)), fn, page });
}

/** Whether a thread other than `t` is inside a read-side section now (a reader the free must wait for). */
function otherReaderActive(t: RcuThread): boolean {
  const v = t.views;
  const used = Math.min(atomics.load(t.i32, v.rcu + RCU_NEXT_SLOT), v.maxThreads);
  for (let i = 0; i < used; i++) {
    if (i === t.slotIndex) continue;
    const s = atomics.load(t.i32, v.rcuSlots + i * RCU_SLOT_WORDS);
    if (s !== 0 && s !== RCU_SLOT_FREE && (s & 1) === 1) return true;
  }
  return false;
}

/**
 * Try once to end the current grace period: advance the epoch if every active reader announces
 * it. Non-blocking; false when a reader lags (or another thread advanced first).
 */
export function rcuTryAdvance(views: ArenaViews): boolean {
  const a = views.i32;
  const e = atomics.load(a, views.rcu + RCU_EPOCH);
  const want = ((e & EPOCH_MASK) << 1) | 1;
  const used = Math.min(atomics.load(a, views.rcu + RCU_NEXT_SLOT), views.maxThreads);
  for (let i = 0; i < used; i++) {
    const s = atomics.load(a, views.rcuSlots + i * RCU_SLOT_WORDS);
    if (s !== 0 && s !== want) return false;
  }
  if (atomics.compareExchange(a, views.rcu + RCU_EPOCH, e, (e + 1) & EPOCH_MASK) !== e) return false;
  atomics.add(a, views.rcu + RCU_GRACE_PERIODS, 1);
  atomics.add(a, views.rcu + RCU_GP_SEQ, 1);
  if (atomics.load(a, views.rcu + RCU_GP_WAITERS) > 0) atomics.notify(a, views.rcu + RCU_GP_SEQ);
  return true;
}

/** Run this thread's ripe callbacks, in queue order. Returns how many ran. */
function runRipe(t: RcuThread): number {
  const now = atomics.load(t.i32, g(t, RCU_EPOCH));
  let ran = 0;
  while (t.head < t.queue.length && epochDiff(now, t.queue[t.head].epoch) >= 2) {
    const cb = t.queue[t.head];
    t.queue[t.head++] = undefined as unknown as Callback; // let the closure be collected
    atomics.sub(t.i32, g(t, RCU_CB_PENDING), 1);
    if (cb.page) atomics.sub(t.i32, g(t, RCU_PAGES_AWAITING), 1);
    ran++;
    cb.fn();
  }
  if (t.head === t.queue.length) {
    t.queue = [];
    t.head = 0;
  } else if (t.head > 1024 && t.head * 2 > t.queue.length) {
    t.queue = t.queue.slice(t.head);
    t.head = 0;
  }
  return ran;
}

/**
 * The cheap, non-blocking step the simulation calls regularly: if this thread has callbacks
 * waiting, try to advance the epoch (up to twice), then run the ripe ones. Returns how many ran.
 * Safe inside a read-side section (ripe callbacks free only objects no reader can still reach).
 */
export function rcuPoll(t: RcuThread): number {
  checkRegistered(t, 'rcuPoll');
  if (t.head === t.queue.length) return 0;
  if (rcuTryAdvance(t.views)) rcuTryAdvance(t.views);
  return runRipe(t);
}

/** Callbacks this thread has queued and not yet run. */
export function rcuPendingCallbacks(t: RcuThread): number {
  return t.queue.length - t.head;
}

function checkMayWait(t: RcuThread, op: string): void {
  checkRegistered(t, op);
  if (t.i32[t.slot + 1] !== 0) throw new Error(`${op} inside a read-side section would wait for itself`);
  if (!t.mayBlock) throw new Error(`${op} on a thread that must not block (main thread): use callRcu + rcuPoll`);
}

/** Sleep on RCU_GP_SEQ until `done()`; `step()` runs before each check (advance, poll). */
function waitGp(t: RcuThread, step: () => void, done: () => boolean): void {
  const a = t.i32;
  atomics.add(a, g(t, RCU_GP_WAITERS), 1);
  try {
    for (;;) {
      const seq = atomics.load(a, g(t, RCU_GP_SEQ));
      step();
      if (done()) return;
      atomics.wait(a, g(t, RCU_GP_SEQ), seq, WAIT_SLICE_MS);
    }
  } finally {
    atomics.sub(a, g(t, RCU_GP_WAITERS), 1);
  }
}

/**
 * Block until a full grace period has elapsed: every read-side section that was running when
 * this was called has ended. Worker threads only; throws inside a read-side section.
 */
export function synchronizeRcu(t: RcuThread): void {
  checkMayWait(t, 'synchronizeRcu');
  const start = atomics.load(t.i32, g(t, RCU_EPOCH));
  const done = (): boolean => epochDiff(atomics.load(t.i32, g(t, RCU_EPOCH)), start) >= 2;
  if (rcuTryAdvance(t.views)) rcuTryAdvance(t.views);
  if (done()) return;
  waitGp(t, () => void rcuTryAdvance(t.views), done);
}

/** Block until every callback this thread queued has run. Worker threads only. */
export function rcuBarrier(t: RcuThread): void {
  checkMayWait(t, 'rcuBarrier');
  rcuPoll(t);
  if (t.head === t.queue.length) return;
  waitGp(
    t,
    () => void rcuPoll(t),
    () => t.head === t.queue.length,
  );
}

export interface RcuStats {
  epoch: number;
  gracePeriods: number;
  callbacksPending: number;
  pagesAwaiting: number;
  threads: number;
  /** Table-page frees deferred while another thread was inside a read-side section (RCU_DEFERRED_VS_READERS). */
  deferredVsReaders: number;
}

export function rcuStats(views: ArenaViews): RcuStats {
  const r = (w: number): number => atomics.load(views.i32, views.rcu + w);
  return {
    epoch: r(RCU_EPOCH),
    gracePeriods: r(RCU_GRACE_PERIODS),
    callbacksPending: r(RCU_CB_PENDING),
    pagesAwaiting: r(RCU_PAGES_AWAITING),
    threads: Math.min(r(RCU_NEXT_SLOT), views.maxThreads),
    deferredVsReaders: r(RCU_DEFERRED_VS_READERS),
  };
}
