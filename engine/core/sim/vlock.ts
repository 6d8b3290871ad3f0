/**
 * One VM's kvm->mmu_lock in virtual time, with the kernel's qrwlock fairness
 * (include/asm-generic/qrwlock.h, kernel/locking/qrwlock.c: queued_read_lock_slowpath,
 * queued_write_lock_slowpath). On arm64 KVM_HAVE_MMU_RWLOCK is set: stage-2 faults
 * (user_mem_abort, handle_access_fault) take it for read; mmu-notifier handlers that go through
 * kvm_handle_hva_range (unmap, clear_flush_young, clear_young) take it for write (KVM_MMU_LOCK).
 *
 * Actors run one step at a time in real execution but each step spans virtual time, so the lock
 * is a record of virtual hold intervals (the `vlocks` region, simLayout.ts), not a real spinlock
 * (the real mmuLock.ts is taken too, around the real table update):
 *
 * - Writers are queued: each write hold is kept as { arrival, start, end } in a ring of the last
 *   VL_RING holds. A writer arriving at t is granted after every earlier writer in the queue
 *   (arrival <= t, end > t) and after every reader already holding at its grant time.
 * - qrwlock fairness: a reader arriving at t while a writer holds the lock OR is waiting for it
 *   (a writer whose arrival <= t < its end) queues behind that writer: it is granted at the
 *   writer's release (and again behind the next writer queued before it). A reader arriving
 *   while only readers hold the lock is granted at once (reader fast path).
 * - Readers that hold the lock are kept as the union of overlapping read holds (faults), and
 *   aging readers (the locked-read what-if) as a separate union, for attribution.
 *
 * Every waiter's time is accounted by the caller (start - t); `agingWaitNs` tells which part of
 * the last computed wait was behind aging/harvest holds. Hold and wait distributions: log2
 * histograms per guest (LH_* in simLayout.ts), filled by `release*` and `account*`.
 *
 * An acquirer whose virtual clock is before a recorded hold's arrival arrived first and does not
 * wait for it (the scheduler keeps actors within a few microseconds of each other; such
 * inversions are short and counted nowhere as waits).
 */
import {
  LH_BUCKETS,
  LH_READ_HOLD,
  LH_READ_WAIT,
  LH_WORDS,
  LH_WRITE_HOLD,
  LH_WRITE_WAIT,
  VL_R_END,
  VL_R_START,
  VL_RA_END,
  VL_RA_START,
  VL_RING,
  VL_RING_BASE,
  VL_RING_NEXT,
  VL_WORDS,
} from './simLayout.ts';

/** Words per ring entry: arrival, start, end, aging (1/0). */
const E = 4;

export class VLock {
  readonly base: number;
  private readonly hb: number;
  /** Of the last wait computed by readStart/writeStart: the part caused by aging/harvest holds. */
  agingWaitNs = 0;
  /** Arrival time of the writer whose start was last computed (writeStart -> writeRelease). */
  private pendingArrival = 0;

  constructor(
    readonly v: Float64Array,
    guest: number,
    /** Hold/wait histograms (LH_*), or an empty array to keep none. */
    private readonly hist: Float64Array = new Float64Array(0),
  ) {
    this.base = guest * VL_WORDS;
    this.hb = guest * LH_WORDS;
  }

  /** Read lock requested at t (queued_read_lock): granted after every writer queued before t. */
  readStart(t: number): number {
    const v = this.v;
    const r = this.base + VL_RING_BASE;
    let s = t;
    let aging = 0;
    // Each pass may move s past one writer's release into another writer queued before t.
    for (let pass = 0; pass < VL_RING; pass++) {
      let moved = false;
      for (let i = 0; i < VL_RING; i++) {
        const e = r + i * E;
        const end = v[e + 2];
        if (v[e] <= t && s < end && end > 0) {
          if (v[e + 3] === 1) aging += end - s;
          s = end;
          moved = true;
        }
      }
      if (!moved) break;
    }
    this.agingWaitNs = aging;
    this.account(LH_READ_WAIT, s - t);
    return s;
  }

  /** Write lock requested at t (queued_write_lock): after earlier writers and current readers. */
  writeStart(t: number): number {
    const v = this.v;
    const b = this.base;
    const r = b + VL_RING_BASE;
    let s = t;
    let aging = 0;
    for (let pass = 0; pass < VL_RING + 2; pass++) {
      const s0 = s;
      for (let i = 0; i < VL_RING; i++) {
        const e = r + i * E;
        const end = v[e + 2];
        // An earlier writer (queued before us) still holding or waiting at s.
        if (v[e] <= t && v[e + 1] <= s && s < end) {
          if (v[e + 3] === 1) aging += end - s;
          s = end;
        }
      }
      if (v[b + VL_RA_START] <= s && s < v[b + VL_RA_END]) {
        aging += v[b + VL_RA_END] - s;
        s = v[b + VL_RA_END];
      }
      if (v[b + VL_R_START] <= s && s < v[b + VL_R_END]) s = v[b + VL_R_END];
      if (s === s0) break;
    }
    this.agingWaitNs = aging;
    this.pendingArrival = t;
    this.account(LH_WRITE_WAIT, s - t);
    return s;
  }

  readRelease(start: number, end: number, aging: boolean): void {
    const v = this.v;
    const i = this.base + (aging ? VL_RA_START : VL_R_START);
    // Union of overlapping read holds; a disjoint later hold replaces the record.
    if (start <= v[i + 1] && end >= v[i]) {
      if (start < v[i]) v[i] = start;
      if (end > v[i + 1]) v[i + 1] = end;
    } else if (start >= v[i + 1]) {
      v[i] = start;
      v[i + 1] = end;
    }
    this.account(LH_READ_HOLD, end - start);
  }

  /** Record a write hold [start, end) whose writer arrived at the last writeStart's t. */
  writeRelease(start: number, end: number, aging: boolean): void {
    const v = this.v;
    const b = this.base;
    const k = v[b + VL_RING_NEXT];
    const e = b + VL_RING_BASE + k * E;
    v[e] = Math.min(this.pendingArrival, start);
    v[e + 1] = start;
    v[e + 2] = end;
    v[e + 3] = aging ? 1 : 0;
    v[b + VL_RING_NEXT] = (k + 1) % VL_RING;
    this.account(LH_WRITE_HOLD, end - start);
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
