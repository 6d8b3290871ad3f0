/**
 * One VM's kvm->mmu_lock in virtual time, with the kernel's qrwlock fairness
 * (include/asm-generic/qrwlock.h, kernel/locking/qrwlock.c: queued_read_lock_slowpath,
 * queued_write_lock_slowpath). On arm64 KVM_HAVE_MMU_RWLOCK is set: stage-2 faults
 * (user_mem_abort, handle_access_fault) take it for read; mmu-notifier handlers that go through
 * kvm_handle_hva_range (unmap, clear_flush_young, clear_young) take it for write (KVM_MMU_LOCK).
 *
 * Actors run one step at a time in real execution but each step spans virtual time, and a step may
 * reach far past other actors' clocks (a direct reclaim of 32 pages). So the lock is a calendar of
 * virtual holds (vlockCalendar.ts: the write holds and the union of read holds, kept from the
 * scheduler's floor on). An acquisition is one call that knows its hold length: `read(t, hold)` /
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
 * PHASE_MAP_LOCK after a swap-in, direct reclaim between folios, a reclaimer's unmap after a folio
 * check that ended past its limit: mm/shrinkNode.ts unmapLimit, and its range_end after an unmap that
 * ended past it: kvm/unmapGfnRange.ts evictOne's endLimit). What is left (an actor's step runs
 * up to SCHED_SLACK_NS past the next clock, and a step's own requests span its length) is measured:
 * `late*` count the requests booked after one that arrives later, and by how much.
 *
 * Every waiter's time is accounted by the caller (grant - t); `agingWaitNs` tells which part of the
 * last wait was behind aging/harvest write holds: the instants of [t, grant) at which the next write
 * hold to release ahead of the waiter is an aging one, summed over every pass of writeSlow (read
 * holds are one union without the flag, so a wait behind an aging READ hold, locked-read harvest, is
 * not attributed).
 *
 * The lock is cut in three, one concept each, a class chain: vlockCalendar.ts (VLockCalendar, the
 * calendar of holds: its records, insertion, pruning, writeMeets), vlockStats.ts (VLockStats, the hold
 * and wait histograms and the booking-order counts), and this file (VLock, qrwlock's rules: when each
 * request is granted). The request paths stay whole here, their fast paths' histogram counts included
 * (not a call into vlockStats.ts): they are the replay's hot path, kept as V8 compiled them before the cut.
 */
import { LH_BUCKETS, LH_READ_HOLD, LH_READ_WAIT, LH_WRITE_HOLD, LH_WRITE_WAIT } from '../sim/simLayout.ts';
import { DOUBLE_ZERO } from '../ownShape.ts';
import { firstEndAfter, WRITE_DOUBLES as W, READ_DOUBLES as R } from './vlockCalendar.ts';
import { log2Bucket, VLockStats } from './vlockStats.ts';

/** The calendar's and the statistics' names its importers take from here (the lock's one entry point). */
export { pastIntervals, vclock } from './vlockCalendar.ts';
export { log2Bucket } from './vlockStats.ts';

export class VLock extends VLockStats {
  /** Of the last wait computed by read/write: the part caused by aging/harvest holds. */
  agingWaitNs = DOUBLE_ZERO;

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
}
