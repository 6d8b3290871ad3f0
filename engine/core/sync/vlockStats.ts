/**
 * What one VM's virtual-time kvm->mmu_lock counts (vlock.ts's VLock extends it): hold and wait
 * distributions, log2 histograms per guest (LH_* in simLayout.ts), and the booking-order
 * diagnostics (`late*`, `yielded*`: vlock.ts's "Booking order" says what they measure). Simulator
 * measurements, no kernel counterpart; they change no grant.
 */
import { LH_BUCKETS, LH_WORDS } from '../sim/simLayout.ts';
import { DOUBLE_ZERO } from '../ownShape.ts';
import { VLockCalendar } from './vlockCalendar.ts';

export abstract class VLockStats extends VLockCalendar {
  /** This guest's first word in `hist` (read by the trace replay's lone-agent path, sim/replay.ts). */
  readonly hb: number;
  protected readonly hasHist: boolean;
  /** Booking-order diagnostics: the latest arrival booked so far, and the requests booked after it. */
  protected latest = -Infinity;
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
    super();
    this.hb = guest * LH_WORDS;
    this.hasHist = hist.length > 0;
  }

  /**
   * Histogram bucket of the last read / write hold length (one cost each, so nearly always a hit); NaN
   * until the first (equal to no length), a double field from the start (DOUBLE_ZERO says why). The
   * request fast paths (VLock.readReq, writeReq) count their holds themselves, with these.
   */
  protected readHold = NaN;
  protected readHoldBucket = 0;
  protected writeHold = NaN;
  protected writeHoldBucket = 0;

  /** A request arriving at t booked after one that arrived later (at `latest`): counted, by how much. */
  protected late(t: number): void {
    const d = this.latest - t;
    this.lateN++;
    this.lateNs += d;
    if (d > this.lateMaxNs) this.lateMaxNs = d;
  }

  /** One `ns` into histogram `kind` (LH_READ_WAIT, ...) of this guest. */
  protected account(kind: number, ns: number): void {
    this.hist[this.hb + kind * LH_BUCKETS + log2Bucket(ns)]++;
  }
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
