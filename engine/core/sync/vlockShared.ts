/**
 * One VM's kvm->mmu_lock in virtual time, shared by every worker of a spread run (sim/spread.ts): the
 * same calendar of holds and the same rules as vlock.ts, in a SharedArrayBuffer, so a vCPU on any worker
 * waits, in virtual time, behind the write holds of reclaim on any worker (kswapd's unmaps and aging on
 * worker 0, direct reclaim by a vCPU on its own worker), as every CPU of the host contends for the one
 * kvm->mmu_lock of the VM.
 *
 * Virtual-time contract (as vlock.ts, across workers): every recorded hold is honoured, whichever actor
 * recorded it first in real time; an acquirer whose hold would overlap a hold recorded earlier in real
 * time but later in virtual time yields to it. Workers run the same quantum (they meet at the quantum
 * barrier), each at its own virtual time inside it, so the grant an acquirer gets can depend on which
 * worker booked first in real time (like the host's free-frame count): parallel runs agree with the
 * deterministic run statistically, within the stated tolerance, not bit for bit.
 *
 * Pruning: a hold may be forgotten once it ends before the current quantum's start: every actor of every
 * worker is at or past it (a worker's runUntil ends a quantum only once all its actors reached the end, and
 * a wake-up never moves an actor before its waker). The calendar keeps one quantum more, to the previous
 * quantum's start: each worker reads the other workers' invalidations of the quantum before at the start of
 * its next one (MmuInvalidate.settle, mmu_invalidate_retry), possibly after another worker's first request. Coarser than vlock.ts's per-worker scheduler floor
 * (a calendar holds up to a quantum of holds) but read from a word only the serial section writes, where a
 * floor published by each worker at every scheduler step was a cache line both cores wrote and read.
 *
 * Each request is one critical section under a futex mutex (`meta[M_LOCK]`, Drepper's three-state
 * mutex: 0 free, 1 held, 2 held with waiters) covering the calendar's window indices and records. The
 * records have a fixed capacity (sharedVLockRecords): a calendar that outgrows it throws (never silently
 * drops a hold).
 *
 * Layout of one guest's buffer (sharedVLockBytes): Int32 meta[META_WORDS] (lock, write window head/end,
 * read window head/end, the records the views span (word 5, M_LIM), gapMax as a Float64 in words 6-7,
 * admitEnd and admitNext as Float64s in words 8-11), then the write records (stride 4 doubles), then the
 * read intervals (stride 2).
 *
 * The views span a prefix of the capacity (M_LIM records, from SHARED_INITIAL_RECORDS on), grown by the
 * private calendar's rule (vlock.ts room: the window moved to the front, the span doubled when the window
 * fills more than half of it): the window stays in the first pages of the buffer. With views over the whole
 * capacity the window walked through it between compactions, first-touching a new page every 4 KiB (a
 * 2-worker run, 4 guests, 200 ms: windows reached record 46,334 of 97,792, up to ~2 MB per guest; ~1,700
 * of the two workers' ~13,000 page faults, perf record -e page-faults on bench/_profileSpread.ts; now
 * ~200). Where the window lies in the buffer changes no grant: every operation indexes from the window's
 * head (runInterleaved's spread runs give identical results).
 */
import { atomics } from './atomics.ts';
import { VLock, vclock } from './vlock.ts';
import { DOUBLE_ZERO } from '../ownShape.ts';
import { TIME_QUANTUM_END } from '../sim/simLayout.ts';

const M_LOCK = 0;
const M_WH = 1;
const M_WE = 2;
const M_RH = 3;
const M_RE = 4;
/** Records the views span (0: SHARED_INITIAL_RECORDS, capped at the capacity); written under the mutex. */
const M_LIM = 5;
/** A Float64 (words 6-7): the window's gapMax (VLock.writeMeets). */
const M_GAP = 6;
/** Two Float64s (words 8-11): VLock.admitEnd and admitNext, the reader queue being admitted. */
const M_ADMIT = 8;
const META_WORDS = 12;
/** Byte offset of the write records in a guest's buffer (after the meta words; tests read the calendar). */
export const SHARED_VLOCK_RECORDS_AT = META_WORDS * 4;
const W = 4;
const R = 2;
/** Records the views span at first (the private calendar starts at 64 and doubles likewise). */
export const SHARED_INITIAL_RECORDS = 256;
/** Loads of the mutex word a request spins before it sleeps (enter). */
export const VLOCK_MUTEX_SPINS = 200;

/** Bytes of one guest's shared calendar with `records` write records and as many read intervals. */
export function sharedVLockBytes(records: number): number {
  return META_WORDS * 4 + records * (W + R) * 8;
}

/**
 * Records a calendar holds: the holds of two quanta (kept from the previous quantum's start), and of one
 * more as margin (workers are at most a quantum apart): at most one per stage-2 fault and one per
 * eviction of every vCPU, per `faultNs` of virtual time (the fault's trap cost, the cheapest miss),
 * capped at 2^20.
 */
export function sharedVLockRecords(vcpus: number, quantumNs: number, faultNs: number): number {
  return Math.min(1 << 20, Math.ceil(6 * vcpus * (quantumNs / Math.max(1, faultNs) + 2)) + 1024);
}

export class SharedVLock extends VLock {
  private readonly meta: Int32Array;
  /** VLock.gapMax of the shared calendar (meta words 6-7), under the mutex like the window indices. */
  private readonly gap: Float64Array;
  /** VLock.admitEnd, admitNext of the shared calendar (meta words 8-11), under the mutex too. */
  private readonly admit: Float64Array;
  /** This worker's own floor while a request runs with the run-wide one. */
  private ownFloor = DOUBLE_ZERO;
  /** Open sections (enterSection and the requests' own): the mutex is held while > 0. */
  private depth = 0;
  /** Records of the buffer (capacity), and those the views w and r span now (meta M_LIM). */
  private readonly cap: number;
  private lim: number;

  constructor(
    guest: number,
    hist: Float64Array,
    sab: SharedArrayBuffer,
    /** The run's time words (simLayout.ts): TIME_QUANTUM_END, written by the serial section only. */
    private readonly time: Float64Array,
    private readonly quantumNs: number,
    /** The worker this copy books for: its non-aging holds carry tag 2 + worker (VLock.tag). */
    worker = 0,
  ) {
    super(guest, hist);
    this.tag = 2 + worker;
    this.meta = new Int32Array(sab, 0, META_WORDS);
    this.gap = new Float64Array(sab, M_GAP * 4, 1);
    this.admit = new Float64Array(sab, M_ADMIT * 4, 2);
    this.cap = (sab.byteLength - META_WORDS * 4) / ((W + R) * 8);
    this.lim = Math.min(this.cap, SHARED_INITIAL_RECORDS);
    this.span(this.lim);
  }

  /** Views w and r over the first `lim` records of their regions (the regions' offsets stay: capacity). */
  private span(lim: number): void {
    const sab = this.meta.buffer;
    this.lim = lim;
    this.w = new Float64Array(sab, META_WORDS * 4, lim * W);
    this.r = new Float64Array(sab, META_WORDS * 4 + this.cap * W * 8, lim * R);
  }

  override readReq(): void {
    this.enter();
    try {
      super.readReq();
    } finally {
      this.exit();
    }
  }

  override writeReq(aging: boolean): void {
    this.enter();
    try {
      super.writeReq(aging);
    } finally {
      this.exit();
    }
  }

  override readFifo(t: number, hold: number): number {
    this.enter();
    try {
      return super.readFifo(t, hold);
    } finally {
      this.exit();
    }
  }

  override writeMeets(from: number, to: number, othersOnly = false): boolean {
    this.enter();
    try {
      return super.writeMeets(from, to, othersOnly);
    } finally {
      this.exit();
    }
  }

  /**
   * One mutex hold over several requests (Guest.mapLocked: mmu_invalidate_retry's two checks and the
   * map's read hold; Guest.settleRetries: a quantum's checks): per stage-2 fault one acquire and one
   * release of the calendar's mutex instead of three of each (bench/_spreadAtomicsCount.ts). Must not
   * span anything that waits on another lock or on a barrier.
   */
  override enterSection(): void {
    this.enter();
  }

  override exitSection(): void {
    this.exit();
  }

  /**
   * Room for one more record at the view's end (called under the mutex): the window moved to the front of
   * its view, the views first doubled (up to the capacity; every worker's at its next enter, M_LIM) when
   * the window fills more than half of the view, as vlock.ts room doubles its array; or the calendar is full.
   * Views another caller still holds stay valid: the other region's window does not move, and a longer view
   * has the same prefix.
   */
  protected override room(
    a: Float64Array<ArrayBufferLike>,
    head: number,
    end: number,
    k: number,
  ): Float64Array<ArrayBufferLike> {
    const live = end - head;
    if (live + k > (this.lim * k) >> 1 && this.lim < this.cap) {
      this.meta[M_LIM] = Math.min(this.cap, this.lim * 2);
      this.span(this.meta[M_LIM]);
      a = k === W ? this.w : this.r;
    }
    if (live + k > a.length)
      throw new Error(`shared MMU-lock calendar full (${this.cap} records): sharedVLockRecords too small`);
    a.copyWithin(0, head, end);
    return a;
  }

  private enter(): void {
    if (this.depth++ > 0) return; // inside a section: the mutex is held, wh..re are current
    const m = this.meta;
    // Drepper's futex mutex: 0 -> 1 uncontended; else mark contended (2) and sleep until released.
    let c = atomics.compareExchange(m, M_LOCK, 0, 1);
    // Spin first (adaptive mutex: the holder is running on the other core and its critical section is
    // one calendar operation, well under a microsecond): a futex sleep costs the waiter a wait and the
    // releaser a notify, microseconds each. Measured (bench 64-vCPU scenario, 1 guest, 2 workers): the
    // sleeps and notifies of this mutex were ~4 % of both workers' profiles.
    for (let i = 0; c !== 0 && i < VLOCK_MUTEX_SPINS; i++)
      if (atomics.load(m, M_LOCK) === 0) c = atomics.compareExchange(m, M_LOCK, 0, 1);
    if (c !== 0) {
      do {
        if (c === 2 || atomics.compareExchange(m, M_LOCK, 1, 2) !== 0) atomics.wait(m, M_LOCK, 2, 1);
        c = atomics.compareExchange(m, M_LOCK, 0, 2);
      } while (c !== 0);
    }
    this.wh = m[M_WH];
    this.we = m[M_WE];
    this.rh = m[M_RH];
    this.re = m[M_RE];
    // Another worker doubled the views (room): span as many records (the window may lie beyond ours).
    if (m[M_LIM] !== 0 && m[M_LIM] !== this.lim) this.span(m[M_LIM]);
    this.gapMax = this.gap[0];
    this.admitEnd = this.admit[0];
    this.admitNext = this.admit[1];
    // Prune against the run-wide floor: the previous quantum's start (see the file comment).
    this.ownFloor = vclock.floor;
    vclock.floor = this.time[TIME_QUANTUM_END] - 2 * this.quantumNs;
  }

  private exit(): void {
    if (--this.depth > 0) return;
    vclock.floor = this.ownFloor;
    const m = this.meta;
    m[M_WH] = this.wh;
    m[M_WE] = this.we;
    m[M_RH] = this.rh;
    m[M_RE] = this.re;
    this.gap[0] = this.gapMax;
    this.admit[0] = this.admitEnd;
    this.admit[1] = this.admitNext;
    if (atomics.sub(m, M_LOCK, 1) !== 1) {
      atomics.store(m, M_LOCK, 0);
      atomics.notify(m, M_LOCK, 1);
    }
  }
}
