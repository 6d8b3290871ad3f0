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
 * worker-local where a VM's vCPUs and the node's reclaim run on one worker; a spread run shares one
 * calendar per VM between its workers (vlockShared.ts, a subclass). The real mmuLock.ts is taken too,
 * around the real table update, so concurrent table updates are safe regardless.
 *
 * Rules (every recorded hold is honoured, whichever actor recorded it first in real time):
 * - mutual exclusion: a writer's hold overlaps no other hold; a reader's overlaps no writer's.
 * - queueing: a writer is granted after every writer that arrived before it (arrival <= t) releases.
 * - qrwlock fairness: a reader arriving at t while a writer holds the lock OR waits for it (arrival
 *   <= t < its release) is granted only after that writer's release (a waiting writer blocks new
 *   readers); with only readers holding, a reader is granted at once (the reader fast path).
 * - reader admission (admitNs, queued_read_lock_slowpath's wait_lock): the readers queued behind one
 *   writer are granted one after another from its release, admitNs apart, in booking order; a reader
 *   arriving after the release takes the fast path. readFifo (late-booked re-faults) does not queue so.
 * An acquirer whose hold would overlap a hold recorded earlier in real time but later in virtual time
 * yields to it (it is placed after): the recorded one cannot move any more.
 *
 * Booking order (the contract that makes this qrwlock): fed in arrival order, the grants are exactly
 * those of an event-ordered qrwlock (test/sim/qrwlockRef.ts: wait_lock FIFO, _QW_WAITING, the fast
 * paths; at admitNs 0, the reference having no admission cost: test/sim/qrwlockAdmission.test.ts pins
 * the admission). The scheduler books in about arrival order: it runs the actor with the smallest clock, and an
 * actor whose next request lies past its scheduling limit stops before booking it (Guest.fault's
 * PHASE_MAP_LOCK after a swap-in, direct reclaim between folios). What is left (an actor's step runs
 * up to SCHED_SLACK_NS past the next clock, and a step's own requests span its length) is measured:
 * `late*` count the requests booked after one that arrives later, and by how much.
 *
 * Every waiter's time is accounted by the caller (grant - t); `agingWaitNs` tells which part of the
 * last wait was behind aging/harvest write holds: the instants of [t, grant) at which the next write
 * hold to release ahead of the waiter is an aging one, summed over every pass of writeSlow (read
 * holds are one union without the flag, so a wait behind an aging READ hold, locked-read harvest, is
 * not attributed). Hold and wait distributions: log2 histograms per guest
 * (LH_* in simLayout.ts).
 *
 * Representation (a fault or an eviction asks twice per miss, so this is on the replay's hot path):
 * each calendar is a Float64Array window [head, end) of fixed-stride records, sorted; pruning moves
 * the head, the common request (after every recorded hold) appends, an insertion in the middle shifts
 * with copyWithin; the array is compacted or doubled only when the window reaches its end. No
 * allocation per request. The results are bit-identical to the first implementation (plain arrays
 * and Array.splice, kept as the reference model in test/sim/vlockRef.ts): the same comparisons and
 * the same double arithmetic on the same values.
 */
import { LH_BUCKETS, LH_READ_HOLD, LH_READ_WAIT, LH_WORDS, LH_WRITE_HOLD, LH_WRITE_WAIT } from '../sim/simLayout.ts';
import { DOUBLE_ZERO } from '../ownShape.ts';

/**
 * The scheduler's view (simCore.runUntil): `floor`, no actor of this worker is at an earlier virtual
 * time; `others`, the smallest clock among the other actors of this worker than the one stepping
 * (+Infinity when it is alone or the others sleep): a request at or before it cannot be preceded by
 * anyone's later booking, so the stepping actor need not stop before booking it (Guest.fault).
 */
export const vclock = { floor: DOUBLE_ZERO, others: Infinity };

/** Doubles per write hold: arrival, start, end, aging (1; else the booker's tag, `tag`, negated: spanFromArrival). */
const W = 4;
/** Doubles per read interval: start, end. */
const R = 2;
/** Initial records per calendar (grown by doubling when a quantum holds more). */
const INITIAL = 64;

export class VLock {
  /** This guest's first word in `hist` (read by the trace replay's lone-agent path, sim/replay.ts). */
  readonly hb: number;
  /** Of the last wait computed by read/write: the part caused by aging/harvest holds. */
  agingWaitNs = DOUBLE_ZERO;
  /** Write holds in w[wh, we), stride W, sorted by start (disjoint, so also by end). */
  protected w: Float64Array<ArrayBufferLike> = new Float64Array(INITIAL * W);
  protected wh = 0;
  protected we = 0;
  /**
   * The last word of a non-aging write record (aging ones hold 1): 0 here; a shared calendar's
   * (SharedVLock) names the worker that booked it, so writeMeets can tell the other workers' holds.
   */
  protected tag = 0;
  /**
   * Set by the caller around one write request: its record counts for writeMeets from its arrival, not
   * its start (stored as -tag). mmu_notifier_invalidate_range_end's hold (Guest.invalidateEnd): the
   * invalidation stays in progress from the unmap's hold, which ended at its arrival, to its end
   * (kvm_mmu_invalidate_end runs under it).
   */
  spanFromArrival = false;
  /**
   * An upper bound on start − arrival (w[i + 1] − w[i]) over the spanFromArrival write records of the
   * window, kept since the window last emptied (prune): writeMeets skips, by a binary search on start,
   * the records that start at or after `to` plus it, none of which can meet (a simulator bound, no
   * kernel counterpart; the answers are those of the full scan, test/sim/vlockWriteMeets.test.ts).
   */
  protected gapMax = DOUBLE_ZERO;
  /** Union of read holds in r[rh, re): disjoint [start, end) pairs sorted by start. */
  protected r: Float64Array<ArrayBufferLike> = new Float64Array(INITIAL * R);
  protected rh = 0;
  protected re = 0;
  /**
   * An upper bound on the ends of the read holds recorded elsewhere than r (a shared calendar's other
   * workers' read lists, SharedVLock: +Infinity when they hold any; -Infinity here): writeReq's fast path
   * is taken only when it is <= t as well.
   */
  protected othersReadEnd = -Infinity;
  private readonly hasHist: boolean;
  /** Booking-order diagnostics: the latest arrival booked so far, and the requests booked after it. */
  private latest = -Infinity;
  lateN = 0;
  lateNs = DOUBLE_ZERO;
  lateMaxNs = DOUBLE_ZERO;
  /** Of the late requests: how many were moved past a write hold that arrived after them, and by how much. */
  yieldedN = 0;
  yieldedNs = DOUBLE_ZERO;

  constructor(
    guest: number,
    /** Hold/wait histograms (LH_*), or an empty array to keep none. */
    readonly hist: Float64Array = new Float64Array(0),
  ) {
    this.hb = guest * LH_WORDS;
    this.hasHist = hist.length > 0;
  }

  /**
   * The grant time of the last request (readReq / writeReq leave it here: a double returned from a
   * call that is not inlined is a heap number, an allocation per call on the fault path).
   */
  grant = DOUBLE_ZERO;
  /**
   * The request of readReq / writeReq: its time and hold length, set by the caller (in fields for
   * the same reason: each double argument of a call that is not inlined is a heap number).
   */
  reqT = DOUBLE_ZERO;
  reqHold = DOUBLE_ZERO;
  /**
   * Histogram bucket of the last read / write hold length (one cost each, so nearly always a hit); NaN
   * until the first (equal to no length), a double field from the start (DOUBLE_ZERO says why).
   */
  private readHold = NaN;
  private readHoldBucket = 0;
  private writeHold = NaN;
  private writeHoldBucket = 0;

  /** queued_read_lock at t for `hold` ns: the grant time (the hold is recorded). */
  read(t: number, hold: number, _aging: boolean): number {
    this.reqT = t;
    this.reqHold = hold;
    this.readReq();
    return this.grant;
  }

  /**
   * Open / close one section over several requests of this calendar (SharedVLock: one hold of its
   * mutex instead of one per request; readReq, writeReq and writeMeets inside it take none). Here, one
   * worker's own calendar: nothing to do. A simulator section, not a model one: the requests inside
   * it give what they give one by one when no other worker books between them (an order that real
   * time could always have given).
   */
  enterSection(): void {}
  exitSection(): void {}

  /** queued_write_lock at t for `hold` ns: the grant time (the hold is recorded). */
  write(t: number, hold: number, aging: boolean): number {
    this.reqT = t;
    this.reqHold = hold;
    this.writeReq(aging);
    return this.grant;
  }

  /** read(reqT, reqHold), the grant time left in `grant`. */
  readReq(): void {
    this.prune();
    const t = this.reqT;
    if (t < this.latest) this.late(t);
    else this.latest = t;
    const n = this.we;
    // A write hold not ended by t: the general path.
    if (n !== this.wh && this.w[n - W + 2] > t) {
      this.readSlow();
      return;
    }
    // The reader fast path: granted at t. addRead(t, t + hold) appends unless it touches the last read.
    this.agingWaitNs = 0;
    const hold = this.reqHold;
    const r = this.r;
    const m = this.re;
    if ((m === this.rh || r[m - 1] <= t - 1e-9) && m + R <= r.length) {
      r[m] = t;
      r[m + 1] = t + hold;
      this.re = m + R;
    } else {
      this.addRead(t, t + hold);
    }
    if (this.hasHist) {
      const h = this.hist;
      const base = this.hb;
      h[base + LH_READ_WAIT * LH_BUCKETS]++; // a wait of 0: bucket 0
      if (hold !== this.readHold) {
        this.readHold = hold;
        this.readHoldBucket = log2Bucket(hold);
      }
      h[base + LH_READ_HOLD * LH_BUCKETS + this.readHoldBucket]++;
    }
    this.grant = t;
  }

  /**
   * Per reader queued behind a writer: the time queued_read_lock_slowpath (kernel/locking/qrwlock.c, 6.1-6.12)
   * takes to admit it after the one before. A reader that finds a writer holding or waiting (_QW_WMASK)
   * queues on lock->wait_lock (an arch_spinlock, FIFO), adds its bias to lock->cnts once it owns wait_lock,
   * spins until the writer has released, and only then unlocks wait_lock for the next. So the readers queued
   * behind one writer are admitted one after another after its release, not all at its release. The caller
   * sets it (buildGuest: the profile's lockAcquire, the atomics of one handoff; line transfers are not
   * charged, as nowhere in the lab); 0 admits them all at the release.
   */
  admitNs = DOUBLE_ZERO;
  /** The release of the writer whose queue is being admitted (its end), and the next admission's time. */
  protected admitEnd = -1;
  protected admitNext = DOUBLE_ZERO;

  /** readReq behind a write hold. */
  private readSlow(): void {
    const t = this.reqT;
    const hold = this.reqHold;
    this.agingWaitNs = 0;
    let s = this.pastWriters(t, t, hold);
    if (s > t && this.admitNs > 0) {
      // Queued behind the writer released at s: admitted after the readers queued behind it before us. A
      // grant moved past s may meet a write hold booked there (one that arrived after us but was booked
      // first, a rare order): then we queue behind that one instead.
      if (s === this.admitEnd && this.admitNext > s) {
        const g = this.admitNext;
        s = this.pastWriters(t, g, hold);
        if (s !== g) this.admitEnd = s;
      } else this.admitEnd = s;
      this.admitNext = s + this.admitNs;
    }
    this.addRead(s, s + hold);
    if (this.hasHist) {
      this.account(LH_READ_WAIT, s - t);
      this.account(LH_READ_HOLD, hold);
    }
    this.grant = s;
  }

  /**
   * queued_read_lock at t for `hold` ns, booked late (a quantum after t, by MmuInvalidate.settle): granted
   * once the write holds that arrived at or before t are over (queued ahead of it: qrwlock's wait queue
   * is FIFO), not behind those that arrived after t, which qrwlock would have queued behind it. read()
   * yields to those too (a hold booked first in real time is honoured), right for requests a few
   * microseconds late; a quantum late, the other workers have booked the whole quantum's write holds by
   * then and the re-fault waited behind write convoys it preceded (measured: 6-14 us per settled re-fault
   * against 0.7-1.0 us for mapLocked's re-faults in the deterministic run). The hold is recorded.
   */
  readFifo(t: number, hold: number): number {
    this.prune();
    if (t < this.latest) this.late(t);
    else this.latest = t;
    this.agingWaitNs = 0;
    const w = this.w;
    const n = this.we;
    let s = t;
    if (n !== this.wh && w[n - W + 2] > t) {
      for (let i = firstEndAfter(w, this.wh, n, W, 2, t); i < n; i += W) {
        const end = w[i + 2];
        if (end <= s) continue;
        if (w[i] > t) {
          // Arrived after us: behind us in the queue. The first that starts after our hold ends the scan.
          if (w[i + 1] >= s + hold) break;
          continue;
        }
        if (w[i + 3] === 1) this.agingWaitNs += end - s;
        s = end;
      }
    }
    this.addRead(s, s + hold);
    if (this.hasHist) {
      this.account(LH_READ_WAIT, s - t);
      this.account(LH_READ_HOLD, hold);
    }
    return s;
  }

  /** write(reqT, reqHold, aging), the grant time left in `grant`. */
  writeReq(aging: boolean): void {
    this.prune();
    const t = this.reqT;
    if (t < this.latest) this.late(t);
    else this.latest = t;
    const n = this.we;
    const m = this.re;
    // A hold not ended by t: the general path.
    if ((n !== this.wh && this.w[n - W + 2] > t) || (m !== this.rh && this.r[m - 1] > t) || this.othersReadEnd > t) {
      this.writeSlow(aging);
      return;
    }
    // Every recorded hold ended by t: granted at once; addWrite(t, t, t + hold) appends.
    this.agingWaitNs = 0;
    const hold = this.reqHold;
    const w = this.w;
    if (n + W <= w.length) {
      w[n] = t; // Math.min(arrival, start) with both t
      w[n + 1] = t;
      w[n + 2] = t + hold;
      w[n + 3] = aging ? 1 : this.spanFromArrival ? -this.tag : this.tag;
      this.we = n + W;
    } else {
      this.addWrite(t, t, t + hold, aging);
    }
    if (this.hasHist) {
      const h = this.hist;
      const base = this.hb;
      h[base + LH_WRITE_WAIT * LH_BUCKETS]++; // a wait of 0: bucket 0
      if (hold !== this.writeHold) {
        this.writeHold = hold;
        this.writeHoldBucket = log2Bucket(hold);
      }
      h[base + LH_WRITE_HOLD * LH_BUCKETS + this.writeHoldBucket]++;
    }
    this.grant = t;
  }

  /** writeReq behind other holds. */
  private writeSlow(aging: boolean): void {
    const t = this.reqT;
    const hold = this.reqHold;
    let s = t;
    // Summed over every pass: a pass that moved past readers may meet further writers (one booked
    // ahead of us although it arrived later); each passed writer adds [s, its end) once, s only grows.
    this.agingWaitNs = 0;
    for (;;) {
      const s0 = s;
      s = this.pastWriters(t, s, hold);
      s = this.pastReaders(s, hold);
      if (s === s0) break;
    }
    this.addWrite(t, s, s + hold, aging);
    if (this.hasHist) {
      this.account(LH_WRITE_WAIT, s - t);
      this.account(LH_WRITE_HOLD, hold);
    }
    this.grant = s;
  }

  private late(t: number): void {
    const d = this.latest - t;
    this.lateN++;
    this.lateNs += d;
    if (d > this.lateMaxNs) this.lateMaxNs = d;
  }

  /**
   * Whether a non-aging write hold recorded here (an mmu-notifier invalidation's: Guest.evictOne's unmap
   * and range_end holds) meets (from, to): ends after `from` and starts before `to`. Spread runs read
   * mmu_invalidate_retry's answer here (MmuInvalidate.retry), the one record every worker's reclaim
   * writes; `othersOnly`: only holds another worker booked (a tag other than this one's, SharedVLock). A
   * range_end hold (spanFromArrival) counts from its arrival, the unmap's end.
   * Holds pruned before the floor are not seen.
   */
  writeMeets(from: number, to: number, othersOnly = false): boolean {
    const w = this.w;
    let i = this.we - W;
    // Most records start after the window (booked ahead in virtual time: measured ~14 scanned per call
    // on the 64-vCPU spread scenario, 99 % of them after `to`). A record meets only if its start, or for
    // a spanFromArrival one its arrival (>= start − gapMax), is before `to`: skip those starting at or
    // after to + gapMax (plus a margin of 1 ns and 2^-40 relative, far above the sums' rounding).
    if (i >= this.wh && w[i + 1] >= to) {
      const lim = to + this.gapMax;
      const skip = lim + 1 + Math.abs(lim) * 2 ** -40;
      if (w[i + 1] >= skip) i = firstStartAtOrAfter(w, this.wh, this.we, skip) - W;
    }
    // Sorted by start and disjoint, so by end too: walk back until one ends by `from`.
    for (; i >= this.wh; i -= W) {
      if (w[i + 2] <= from) break;
      const k = w[i + 3];
      if (k === 1) continue; // aging
      if ((k < 0 ? w[i] : w[i + 1]) < to && !(othersOnly && (k < 0 ? -k : k) === this.tag)) return true;
    }
    return false;
  }

  /** Pending holds (tests). */
  get pending(): { writes: number; reads: number } {
    return { writes: (this.we - this.wh) / W, reads: (this.re - this.rh) / R };
  }

  /**
   * From s: after every write hold that overlaps [s, s + hold) or that arrived at or before t (a
   * writer queued or holding before us; qrwlock lets no new reader or writer pass it). Adds to
   * agingWaitNs, for each aging hold passed, [s, its end): the time the next writer to release ahead
   * of us was an aging one (the caller zeroes agingWaitNs once per request).
   */
  private pastWriters(t: number, s: number, hold: number): number {
    const w = this.w;
    const n = this.we;
    // Every recorded write hold ended by s (the common case): nothing to pass.
    if (n === this.wh || w[n - W + 2] <= s) return s;
    for (let i = firstEndAfter(w, this.wh, n, W, 2, s); i < n; i += W) {
      const end = w[i + 2];
      if (end <= s) continue;
      // Writers are granted in about their arrival order: the first one that starts after our hold
      // and arrived after us ends the scan.
      if (w[i + 1] >= s + hold && w[i] > t) break;
      if (w[i + 3] === 1) this.agingWaitNs += end - s;
      if (w[i] > t) {
        // A writer that arrived after us, booked first: qrwlock would have queued it behind us.
        this.yieldedN++;
        this.yieldedNs += end - s;
      }
      s = end;
    }
    return s;
  }

  /**
   * From s: after every read hold that overlaps [s, s + hold) (a writer waits for readers to drain). A
   * shared calendar (SharedVLock) overrides it to pass the other workers' read lists too.
   */
  protected pastReaders(s: number, hold: number): number {
    return pastIntervals(this.r, this.rh, this.re, s, hold);
  }

  private addWrite(arrival: number, start: number, end: number, aging: boolean): void {
    let n = this.we;
    let i = n === this.wh || this.w[n - W + 2] <= start ? n : firstEndAfter(this.w, this.wh, n, W, 2, start);
    if (n + W > this.w.length) {
      i -= this.wh;
      this.w = this.room(this.w, this.wh, n, W);
      n -= this.wh;
      this.wh = 0;
    }
    const w = this.w;
    if (i < n) w.copyWithin(i + W, i, n);
    w[i] = Math.min(arrival, start);
    w[i + 1] = start;
    w[i + 2] = end;
    w[i + 3] = aging ? 1 : this.spanFromArrival ? -this.tag : this.tag;
    this.we = n + W;
    if (!aging && this.spanFromArrival && start - w[i] > this.gapMax) this.gapMax = start - w[i];
  }

  private addRead(start: number, end: number): void {
    let r = this.r;
    let n = this.re;
    // Merge with every interval it touches: those from the first that ends after start - 1e-9 on
    // while they start at or before end.
    const from = start - 1e-9;
    let i = n === this.rh || r[n - 1] <= from ? n : firstEndAfter(r, this.rh, n, R, 1, from);
    let j = i;
    let lo = start;
    let hi = end;
    while (j < n && r[j] <= end) {
      if (r[j] < lo) lo = r[j];
      if (r[j + 1] > hi) hi = r[j + 1];
      j += R;
    }
    if (j === i) {
      // Nothing merged: insert a record at i.
      if (n + R > r.length) {
        i -= this.rh;
        this.r = r = this.room(r, this.rh, n, R);
        n -= this.rh;
        this.rh = 0;
      }
      if (i < n) r.copyWithin(i + R, i, n);
      n += R;
    } else if (j > i + R) {
      // Several merged into one: close the gap.
      r.copyWithin(i + R, j, n);
      n -= j - i - R;
    }
    r[i] = lo;
    r[i + 1] = hi;
    this.re = n;
  }

  /** Drop holds that ended before the scheduler's floor: no one can ask about that time any more. */
  private prune(): void {
    const f = vclock.floor;
    const w = this.w;
    if (this.we > this.wh && w[this.wh + 2] <= f) {
      // All of them (the usual case with one actor), else from the first that ends after f on.
      if (w[this.we - W + 2] <= f) {
        this.wh = this.we = 0;
        this.gapMax = 0;
      } else this.wh = firstEndAfter(w, this.wh, this.we, W, 2, f);
    }
    const r = this.r;
    if (this.re > this.rh && r[this.rh + 1] <= f) {
      if (r[this.re - 1] <= f) this.rh = this.re = 0;
      else this.rh = firstEndAfter(r, this.rh, this.re, R, 1, f);
    }
  }

  /** Room for one more record (see the module function room); a shared calendar overrides it (vlockShared.ts). */
  protected room(
    a: Float64Array<ArrayBufferLike>,
    head: number,
    end: number,
    k: number,
  ): Float64Array<ArrayBufferLike> {
    return room(a, head, end, k);
  }

  private account(kind: number, ns: number): void {
    this.hist[this.hb + kind * LH_BUCKETS + log2Bucket(ns)]++;
  }
}

/** Index of the first record in a[head, end) (stride k, end time at offset e) whose end is > s. */
function firstEndAfter(
  a: Float64Array<ArrayBufferLike>,
  head: number,
  end: number,
  k: number,
  e: number,
  s: number,
): number {
  let lo = 0;
  let hi = (end - head) / k;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[head + mid * k + e] <= s) lo = mid + 1;
    else hi = mid;
  }
  return head + lo * k;
}

/**
 * From s: after every interval of the disjoint sorted read intervals r[head, end) (stride R) that overlaps
 * [s, s + hold): the first s' >= s, s or an interval's end, with [s', s' + hold) free of them.
 */
export function pastIntervals(
  r: Float64Array<ArrayBufferLike>,
  head: number,
  end: number,
  s: number,
  hold: number,
): number {
  if (end === head || r[end - 1] <= s) return s;
  for (let i = firstEndAfter(r, head, end, R, 1, s); i < end; i += R) {
    if (r[i] >= s + hold) break;
    if (r[i + 1] > s) s = r[i + 1];
  }
  return s;
}

/** Index of the first write record in w[head, end) (stride W) whose start is >= s (end if none). */
function firstStartAtOrAfter(w: Float64Array<ArrayBufferLike>, head: number, end: number, s: number): number {
  let lo = 0;
  let hi = (end - head) / W;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (w[head + mid * W + 1] < s) lo = mid + 1;
    else hi = mid;
  }
  return head + lo * W;
}

/**
 * Room for one more record of stride k in the window a[head, end) at the array's end: the window
 * moved to the front, in a doubled array when it fills more than half.
 */
function room(a: Float64Array<ArrayBufferLike>, head: number, end: number, k: number): Float64Array<ArrayBufferLike> {
  const live = end - head;
  if (live + k <= a.length >> 1) {
    a.copyWithin(0, head, end);
    return a;
  }
  const b = new Float64Array(a.length * 2);
  b.set(a.subarray(head, end));
  return b;
}

/** 2^31: below it a duration's integer part fits Math.clz32. */
const CLZ_LIMIT = 2 ** 31;

/**
 * Histogram bucket of a duration: 0 for < 1 ns, else 1 + floor(log2(ns)), capped, where log2 is
 * Math.log2 (the first implementation). The integer form (Math.clz32 of the integer part) equals it
 * except where Math.log2 may round a value just below a power of two up to it: when the integer part
 * is 2^k - 1 (all ones), and beyond 2^31 (and NaN); those take Math.log2 itself.
 */
export function log2Bucket(ns: number): number {
  if (ns < 1) return 0;
  if (ns < CLZ_LIMIT) {
    const x = ns | 0;
    if (((x + 1) & x) !== 0) return 32 - Math.clz32(x); // < 32 < LH_BUCKETS
  }
  const b = 1 + Math.floor(Math.log2(ns));
  return b < LH_BUCKETS ? b : LH_BUCKETS - 1;
}
