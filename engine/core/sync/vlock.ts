/**
 * One VM's kvm->mmu_lock in virtual time, with the kernel's qrwlock fairness
 * (include/asm-generic/qrwlock.h, kernel/locking/qrwlock.c: queued_read_lock_slowpath,
 * queued_write_lock_slowpath). On arm64 KVM_HAVE_MMU_RWLOCK is set: stage-2 faults
 * (user_mem_abort, handle_access_fault) take it for read; mmu-notifier handlers that go through
 * kvm_handle_hva_range (unmap, clear_flush_young, clear_young) take it for write (KVM_MMU_LOCK).
 *
 * Actors run one step at a time in real execution but each step spans virtual time, and a step may
 * reach far past other actors' clocks (a direct reclaim of 32 pages). So the lock is a calendar of
 * virtual holds: the write holds (disjoint, sorted) and the union of read holds (disjoint intervals,
 * sorted), kept from the scheduler's floor (the smallest actor clock, `vclock.floor`: nobody can ask
 * about an earlier time) on. An acquisition is one call that knows its hold length: `read(t, hold)` /
 * `write(t, hold)` return the virtual grant time s >= t and record [s, s + hold). The calendar is
 * worker-local (a VM's vCPUs and the node's reclaim run on its owner worker). The real mmuLock.ts is
 * taken too, around the real table update, so concurrent table updates are safe regardless.
 *
 * Rules (every recorded hold is honoured, whichever actor recorded it first in real time):
 * - mutual exclusion: a writer's hold overlaps no other hold; a reader's overlaps no writer's.
 * - queueing: a writer is granted after every writer that arrived before it (arrival <= t) releases.
 * - qrwlock fairness: a reader arriving at t while a writer holds the lock OR waits for it (arrival
 *   <= t < its release) is granted only after that writer's release (a waiting writer blocks new
 *   readers); with only readers holding, a reader is granted at once (the reader fast path).
 * An acquirer whose hold would overlap a hold recorded earlier in real time but later in virtual time
 * yields to it (it is placed after): the recorded one cannot move any more.
 *
 * Every waiter's time is accounted by the caller (grant - t); `agingWaitNs` tells which part of the
 * last wait was behind aging/harvest holds. Hold and wait distributions: log2 histograms per guest
 * (LH_* in simLayout.ts).
 */
import { LH_BUCKETS, LH_READ_HOLD, LH_READ_WAIT, LH_WORDS, LH_WRITE_HOLD, LH_WRITE_WAIT } from '../sim/simLayout.ts';

/** The scheduler's floor: no actor of this worker is at an earlier virtual time (simCore.runUntil). */
export const vclock = { floor: 0 };

/** Words per write hold: arrival, start, end, aging (1/0). */
const W = 4;

export class VLock {
  private readonly hb: number;
  /** Of the last wait computed by read/write: the part caused by aging/harvest holds. */
  agingWaitNs = 0;
  /** Write holds, sorted by start (disjoint, so also by end). */
  private w: number[] = [];
  /** Union of read holds: disjoint [start, end) pairs sorted by start. */
  private r: number[] = [];

  constructor(
    guest: number,
    /** Hold/wait histograms (LH_*), or an empty array to keep none. */
    private readonly hist: Float64Array = new Float64Array(0),
  ) {
    this.hb = guest * LH_WORDS;
  }

  /** queued_read_lock at t for `hold` ns: the grant time (the hold is recorded). */
  read(t: number, hold: number, _aging: boolean): number {
    this.prune();
    const s = this.pastWriters(t, t, hold);
    this.addRead(s, s + hold);
    this.account(LH_READ_WAIT, s - t);
    this.account(LH_READ_HOLD, hold);
    return s;
  }

  /** queued_write_lock at t for `hold` ns: the grant time (the hold is recorded). */
  write(t: number, hold: number, aging: boolean): number {
    this.prune();
    let s = t;
    for (;;) {
      const s0 = s;
      s = this.pastWriters(t, s, hold);
      s = this.pastReaders(s, hold);
      if (s === s0) break;
    }
    this.addWrite(t, s, s + hold, aging);
    this.account(LH_WRITE_WAIT, s - t);
    this.account(LH_WRITE_HOLD, hold);
    return s;
  }

  /** Pending holds (tests). */
  get pending(): { writes: number; reads: number } {
    return { writes: this.w.length / W, reads: this.r.length / 2 };
  }

  /**
   * From s: after every write hold that overlaps [s, s + hold) or that arrived at or before t (a
   * writer queued or holding before us; qrwlock lets no new reader or writer pass it).
   */
  private pastWriters(t: number, s: number, hold: number): number {
    const w = this.w;
    const n = w.length;
    this.agingWaitNs = 0;
    for (let i = this.firstEndAfter(w, W, 2, s); i < n; i += W) {
      const end = w[i + 2];
      if (end <= s) continue;
      // Writers are granted in about their arrival order: the first one that starts after our hold
      // and arrived after us ends the scan.
      if (w[i + 1] >= s + hold && w[i] > t) break;
      if (w[i + 3] === 1) this.agingWaitNs += end - s;
      s = end;
    }
    return s;
  }

  /** From s: after every read hold that overlaps [s, s + hold) (a writer waits for readers to drain). */
  private pastReaders(s: number, hold: number): number {
    const r = this.r;
    for (let i = this.firstEndAfter(r, 2, 1, s); i < r.length; i += 2) {
      if (r[i] >= s + hold) break;
      if (r[i + 1] > s) s = r[i + 1];
    }
    return s;
  }

  /** Index of the first record (stride k, end at offset e) whose end is > s (binary search). */
  private firstEndAfter(a: number[], k: number, e: number, s: number): number {
    let lo = 0;
    let hi = a.length / k;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (a[mid * k + e] <= s) lo = mid + 1;
      else hi = mid;
    }
    return lo * k;
  }

  private addWrite(arrival: number, start: number, end: number, aging: boolean): void {
    const w = this.w;
    const i = this.firstEndAfter(w, W, 2, start);
    w.splice(i, 0, Math.min(arrival, start), start, end, aging ? 1 : 0);
  }

  private addRead(start: number, end: number): void {
    const r = this.r;
    // Merge with every interval it touches.
    const i = this.firstEndAfter(r, 2, 1, start - 1e-9);
    let j = i;
    let lo = start;
    let hi = end;
    while (j < r.length && r[j] <= end) {
      if (r[j] < lo) lo = r[j];
      if (r[j + 1] > hi) hi = r[j + 1];
      j += 2;
    }
    r.splice(i, j - i, lo, hi);
  }

  /** Drop holds that ended before the scheduler's floor: no one can ask about that time any more. */
  private prune(): void {
    const f = vclock.floor;
    const w = this.w;
    if (w.length > 0 && w[2] <= f) {
      const i = this.firstEndAfter(w, W, 2, f);
      w.splice(0, i);
    }
    const r = this.r;
    if (r.length > 0 && r[1] <= f) {
      const i = this.firstEndAfter(r, 2, 1, f);
      r.splice(0, i);
    }
  }

  private account(kind: number, ns: number): void {
    const h = this.hist;
    if (h.length === 0) return;
    h[this.hb + kind * LH_BUCKETS + log2Bucket(ns)]++;
  }
}

/** Histogram bucket of a duration: 0 for < 1 ns, else 1 + floor(log2(ns)), capped. */
export function log2Bucket(ns: number): number {
  if (ns < 1) return 0;
  const b = 1 + Math.floor(Math.log2(ns));
  return b < LH_BUCKETS ? b : LH_BUCKETS - 1;
}
