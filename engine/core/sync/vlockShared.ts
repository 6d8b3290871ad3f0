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
 * Read holds: one list per worker (`lists`, the run's workers), each the union of that worker's read holds
 * (disjoint intervals sorted by start, as vlock.ts keeps them), in its own region. A writer passes the
 * union of all the lists (pastReaders: every list in turn until none moves it), which gives the grants of
 * one union list: the first s >= t, t or a read hold's end, with [s, s + hold) free of every read hold
 * (the one list merged holds that touched, within 1e-9 ns, into one interval; both give the same s for a
 * write hold longer than 1e-9 ns, whose gap a touch never opens). Why: with one list, a worker booking a
 * read hold at a virtual time before the other worker's latest ones (the worker behind in the quantum)
 * inserted it in the middle and shifted the rest: measured on the spread plan on one thread (4 guests,
 * 50 ms, bench/_spreadHash.ts's scenario): 0.12 read holds per access, all but 0.01 % in the middle,
 * ~508 doubles (4 KiB) moved each, in a region the other worker reads and writes. Per worker, a worker's
 * own holds arrive in about its scheduler's order and append.
 *
 * The mutex's request reads the other lists' windows (head, end: meta words, on the mutex's line), not their
 * records: a writer's fast path is taken only when the other lists are empty, else writeSlow, whose
 * pastReaders scans them (the same grant: writeSlow past nothing books what the fast path books).
 *
 * Layout of one guest's buffer (sharedVLockBytes): Int32 meta[metaWords(lists)] (lock, write window
 * head/end, read list 0's window head/end (words 3-4), the records the views span (word 5, M_LIM), gapMax
 * as a Float64 in words 6-7, admitEnd and admitNext as Float64s in words 8-11, then list k >= 1's window
 * head/end in words 12 + 2 (k - 1)), then the write records (stride 4 doubles), then each list's read
 * intervals (stride 2). With two lists the meta words are 56 bytes: one cache line.
 *
 * The views span a prefix of the capacity (M_LIM records, from SHARED_INITIAL_RECORDS on), grown by the
 * private calendar's rule (vlockCalendar.ts room: the window moved to the front, the span doubled when the window
 * fills more than half of it): the window stays in the first pages of the buffer. With views over the whole
 * capacity the window walked through it between compactions, first-touching a new page every 4 KiB (a
 * 2-worker run, 4 guests, 200 ms: windows reached record 46,334 of 97,792, up to ~2 MB per guest; ~1,700
 * of the two workers' ~13,000 page faults, perf record -e page-faults on bench/_profileSpread.ts; now
 * ~200). Where the window lies in the buffer changes no grant: every operation indexes from the window's
 * head (runInterleaved's spread runs give identical results).
 */
import { atomics } from './atomics.ts';
import { pastIntervals, VLock, vclock } from './vlock.ts';
import { DOUBLE_ZERO } from '../ownShape.ts';
import { TIME_QUANTUM_END } from '../sim/simLayout.ts';

const M_LOCK = 0;
const M_WH = 1;
const M_WE = 2;
/** Records the views span (0: SHARED_INITIAL_RECORDS, capped at the capacity); written under the mutex. */
const M_LIM = 5;
/** A Float64 (words 6-7): the window's gapMax (VLock.writeMeets). */
const M_GAP = 6;
/** Two Float64s (words 8-11): VLock.admitEnd and admitNext, the reader queue being admitted. */
const M_ADMIT = 8;
const META_WORDS = 12;
/** Read list 0's window head (its end follows); list k >= 1's at M_LISTS + 2 (k - 1). */
const M_RH = 3;
const M_LISTS = META_WORDS;
/** Meta words of a calendar with `lists` read lists (an even count: the records are Float64s). */
const metaWords = (lists: number): number => META_WORDS + 2 * (lists - 1);
/** Meta word of read list k's window head (its end is the next word). */
const headWord = (k: number): number => (k === 0 ? M_RH : M_LISTS + 2 * (k - 1));
/** Read lists of a calendar when the caller names none (two workers). */
const DEFAULT_LISTS = 2;
/** Byte offset of the write records in a guest's buffer with `lists` read lists (tests read the calendar). */
export const sharedVLockRecordsAt = (lists = DEFAULT_LISTS): number => metaWords(lists) * 4;
/** The same for the default two lists. */
export const SHARED_VLOCK_RECORDS_AT = sharedVLockRecordsAt();
const W = 4;
const R = 2;
/** Records the views span at first (the private calendar starts at 64 and doubles likewise). */
export const SHARED_INITIAL_RECORDS = 256;
/** Loads of the mutex word a request spins before it sleeps (enter). */
export const VLOCK_MUTEX_SPINS = 200;

/** Bytes of one guest's shared calendar with `records` write records and as many read intervals per list. */
export function sharedVLockBytes(records: number, lists = DEFAULT_LISTS): number {
  return metaWords(lists) * 4 + records * (W + R * lists) * 8;
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
  /** Byte offset of the records (after the meta words). */
  private readonly at: number;
  /** This worker's read list (this.r, rh, re are its window) and its head's meta word; the others' views and windows. */
  private readonly own: number;
  private readonly ownHead: number;
  private readonly oWord: Int32Array;
  private readonly others: number[];
  private readonly oViews: Float64Array[];
  private readonly oHead: Int32Array;
  private readonly oEnd: Int32Array;

  constructor(
    guest: number,
    hist: Float64Array,
    sab: SharedArrayBuffer,
    /** The run's time words (simLayout.ts): TIME_QUANTUM_END, written by the serial section only. */
    private readonly time: Float64Array,
    private readonly quantumNs: number,
    /** The worker this copy books for: its non-aging holds carry tag 2 + worker (VLock.tag); its read list. */
    worker = 0,
    /** Read lists in the buffer (sharedVLockBytes): one per worker of the run. */
    lists = DEFAULT_LISTS,
  ) {
    super(guest, hist);
    if (!(worker >= 0 && worker < lists)) throw new RangeError(`worker ${worker} has no read list (${lists} lists)`);
    this.tag = 2 + worker;
    this.at = metaWords(lists) * 4;
    this.meta = new Int32Array(sab, 0, metaWords(lists));
    this.gap = new Float64Array(sab, M_GAP * 4, 1);
    this.admit = new Float64Array(sab, M_ADMIT * 4, 2);
    this.cap = (sab.byteLength - this.at) / ((W + R * lists) * 8);
    if (!Number.isInteger(this.cap))
      throw new RangeError(`calendar buffer of ${sab.byteLength} bytes fits no ${lists} lists`);
    this.own = worker;
    this.ownHead = headWord(worker);
    this.others = [];
    for (let k = 0; k < lists; k++) if (k !== worker) this.others.push(k);
    this.oWord = Int32Array.from(this.others, headWord);
    this.oViews = this.others.map(() => new Float64Array(0));
    this.oHead = new Int32Array(this.others.length);
    this.oEnd = new Int32Array(this.others.length);
    this.lim = Math.min(this.cap, SHARED_INITIAL_RECORDS);
    this.span(this.lim);
  }

  /** Views w and each list's over the first `lim` records of their regions (the regions' offsets stay: capacity). */
  private span(lim: number): void {
    const sab = this.meta.buffer;
    this.lim = lim;
    this.w = new Float64Array(sab, this.at, lim * W);
    this.r = this.listView(this.own);
    for (let j = 0; j < this.others.length; j++) this.oViews[j] = this.listView(this.others[j]);
  }

  private listView(k: number): Float64Array {
    return new Float64Array(this.meta.buffer, this.at + this.cap * (W + k * R) * 8, this.lim * R);
  }

  /** After every read hold of every worker's list that overlaps [s, s + hold) (see the file comment). */
  protected override pastReaders(s: number, hold: number): number {
    const n = this.others.length;
    for (;;) {
      const s0 = s;
      s = pastIntervals(this.r, this.rh, this.re, s, hold);
      for (let j = 0; j < n; j++) s = pastIntervals(this.oViews[j], this.oHead[j], this.oEnd[j], s, hold);
      if (s === s0) return s;
    }
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
   * VLockCalendar.prune, then gapMax recomputed over the write records left in the window when the head
   * moved. Why: the base keeps gapMax as the largest start − arrival of a range_end record since the
   * window last emptied, and a shared calendar's window (pruned at the previous quantum's start, two
   * workers booking) nearly never empties, so one range_end hold that once waited long behind a convoy
   * kept the bound high for the rest of the run: measured (bench/_spreadHash.ts's scenario, 4 guests,
   * 200 ms, one thread) gapMax averaged 240 us where the window's own largest gap averaged 33 us, and
   * writeMeets scanned 36.8 records per mmu_invalidate_retry call, 35 of them starting after the query.
   * With the bound over the live window: 7.2. The answers cannot change: gapMax is only writeMeets' skip
   * bound, and the recomputed value is still >= start − arrival of every spanFromArrival record in the
   * window (here each holds -tag <= -2: tag is 2 + worker), the one property the skip needs
   * (test/sim/vlockWriteMeets.test.ts). The head moves about once per quantum here (the floor is the
   * previous quantum's start, a word the serial section writes), so the O(window) pass is rare; the
   * one-worker VLock (the replay's hot path, a floor that moves every step) keeps the base rule.
   */
  protected override prune(): void {
    const head = this.wh;
    super.prune();
    if (this.wh === head || this.we === this.wh) return;
    const w = this.w;
    let g = 0;
    for (let i = this.wh; i < this.we; i += W) if (w[i + 3] < 0 && w[i + 1] - w[i] > g) g = w[i + 1] - w[i];
    this.gapMax = g;
  }

  /**
   * Room for one more record at the view's end (called under the mutex): the window moved to the front of
   * its view, the views first doubled (up to the capacity; every worker's at its next enter, M_LIM) when
   * the window fills more than half of the view, as vlockCalendar.ts room doubles its array; or the calendar is full.
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
      // this.r is this worker's read list: another list's window never moves here (only its own worker's room).
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
    this.rh = m[this.ownHead];
    this.re = m[this.ownHead + 1];
    // Another worker doubled the views (room): span as many records (the window may lie beyond ours).
    if (m[M_LIM] !== 0 && m[M_LIM] !== this.lim) this.span(m[M_LIM]);
    // The other lists do not change while the mutex is held: their windows, once. Not their latest end
    // (a line the other worker writes): any hold in them sends a writer to writeSlow (file comment).
    let any = false;
    for (let j = 0; j < this.oWord.length; j++) {
      const head = m[this.oWord[j]];
      const end = m[this.oWord[j] + 1];
      this.oHead[j] = head;
      this.oEnd[j] = end;
      if (end !== head) any = true;
    }
    this.othersReadEnd = any ? Infinity : -Infinity;
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
    m[this.ownHead] = this.rh;
    m[this.ownHead + 1] = this.re;
    this.gap[0] = this.gapMax;
    this.admit[0] = this.admitEnd;
    this.admit[1] = this.admitNext;
    if (atomics.sub(m, M_LOCK, 1) !== 1) {
      atomics.store(m, M_LOCK, 0);
      atomics.notify(m, M_LOCK, 1);
    }
  }
}
