/**
 * The MMU lock of a lone trace replay (replay.ts) without the virtual lock's calendar (vlock.ts).
 *
 * Why it may be skipped: in a replay (replaySelect.ts: one worker, one guest, one vCPU, no other actor
 * running) the lock's only users are that vCPU (Guest.fault's map under the read lock, the unmap under
 * the write lock) and the mmu notifier it calls from direct reclaim (kvm_age_gfn under the lock,
 * mmuNotifier.ts end()). Both run on the vCPU's one virtual timeline, one request after another: each
 * asks at or after the end of the previous hold. VLock then grants every request at once (its reader
 * and writer fast paths), so the calendar it keeps decides nothing. This class grants the same way,
 * counts the same histograms (LH_*, as VLock.readReq / writeReq's fast paths) and checks the premise:
 * a request before the previous hold's end throws instead of silently differing from VLock.
 *
 * Requests are passed in fields (reqT, reqHold), as to VLock: a double passed to a call that is not
 * inlined is a heap number.
 */
import { LH_BUCKETS, LH_READ_HOLD, LH_READ_WAIT, LH_WRITE_HOLD, LH_WRITE_WAIT } from './simLayout.ts';
import { log2Bucket, type VLock } from '../sync/vlock.ts';
import { DOUBLE_ZERO } from '../ownShape.ts';

export class LoneLock {
  reqT = DOUBLE_ZERO;
  reqHold = DOUBLE_ZERO;
  /** End of the last hold granted. */
  private end = DOUBLE_ZERO;
  private readonly hist: Float64Array;
  private readonly readWait: number;
  private readonly writeWait: number;
  private readonly readHold0: number;
  private readonly writeHold0: number;
  /**
   * Histogram bucket of the last read / write hold length (VLock's cache: a few distinct lengths); NaN
   * (no length yet, equal to none) rather than -1, a double field from the start (DOUBLE_ZERO says why).
   */
  private readHold = NaN;
  private readHoldAt = 0;
  private writeHold = NaN;
  private writeHoldAt = 0;
  /**
   * The write length before writeHold and its bucket: the rmap's one-folio aging holds (Harvester.end)
   * alternate between a few lengths (the leaf's line cached or not, the folio young or not), which
   * made the one-entry cache miss on ~43 % of them (CLOCK trace replay, session 14 (a)).
   */
  private writeHoldB = NaN;
  private writeHoldAtB = 0;
  private readonly hasHist: boolean;
  /**
   * read() / write() calls whose wait (0: bucket 0) is not yet in the histogram: added by flushWaits, which
   * the replay calls at each flush (before any reader), as it counts its own holds (countReads / countWrites).
   * Whole numbers, exact in any order; one typed-array add less per notifier hold (session 17 (c)).
   */
  private readsN = 0;
  private writesN = 0;
  /**
   * The guest's GS_LOCK_HOLD_NS while the replay's steps run (openHoldSum .. closeHoldSum): every hold
   * granted here (the replay's own and the notifier's) is added to this field instead of the counters
   * view, in the same order, so the double sum is the same bit for bit; a field's add is ~4
   * instructions where the typed array's is ~13 (map, bounds and base-pointer checks; callgrind,
   * session 18 (c)). `closedNs`: its value at the last close, to catch a hold granted outside steps.
   */
  holdNs = DOUBLE_ZERO;
  private closedNs = DOUBLE_ZERO;

  constructor(vlock: VLock) {
    this.hist = vlock.hist;
    this.hasHist = vlock.hist.length > 0;
    this.readWait = vlock.hb + LH_READ_WAIT * LH_BUCKETS;
    this.writeWait = vlock.hb + LH_WRITE_WAIT * LH_BUCKETS;
    this.readHold0 = vlock.hb + LH_READ_HOLD * LH_BUCKETS;
    this.writeHold0 = vlock.hb + LH_WRITE_HOLD * LH_BUCKETS;
  }

  /** VLock.readReq of a lone agent: granted at reqT (wait 0, agingWaitNs 0). */
  read(): void {
    this.grant();
    if (this.hasHist === false) return; // `=== false`: one compare, not a ToBoolean (sim/replay.ts)
    const hold = this.reqHold;
    if (hold !== this.readHold) {
      this.readHold = hold;
      this.readHoldAt = this.readHold0 + log2Bucket(hold);
    }
    this.readsN++; // a wait of 0: bucket 0 (flushWaits)
    this.hist[this.readHoldAt]++;
  }

  /** VLock.writeReq of a lone agent: granted at reqT. */
  write(): void {
    this.grant();
    if (this.hasHist === false) return;
    const hold = this.reqHold;
    if (hold !== this.writeHold) {
      const b = hold === this.writeHoldB ? this.writeHoldAtB : this.writeHold0 + log2Bucket(hold);
      this.writeHoldB = this.writeHold;
      this.writeHoldAtB = this.writeHoldAt;
      this.writeHold = hold;
      this.writeHoldAt = b;
    }
    this.writesN++; // a wait of 0: bucket 0 (flushWaits)
    this.hist[this.writeHoldAt]++;
  }

  /**
   * The premise check of read() / write() without their histogram counts, for a caller that counts
   * its requests itself and adds them with countReads / countWrites before anyone reads the
   * histograms (the replay's fault and eviction, at its flush: replay.ts).
   */
  grantOnly(): void {
    this.grant();
  }

  /** The histogram counts of `n` read() calls of `hold` ns each (a wait of 0: bucket 0). */
  countReads(n: number, hold: number): void {
    if (!this.hasHist || n === 0) return;
    this.hist[this.readWait] += n;
    this.hist[this.readHold0 + log2Bucket(hold)] += n;
  }

  /** The histogram counts of `n` write() calls of `hold` ns each. */
  countWrites(n: number, hold: number): void {
    if (!this.hasHist || n === 0) return;
    this.hist[this.writeWait] += n;
    this.hist[this.writeHold0 + log2Bucket(hold)] += n;
  }

  /** The wait counts of read() / write() calls kept in readsN / writesN added to the histogram. */
  flushWaits(): void {
    if (this.readsN !== 0) this.hist[this.readWait] += this.readsN;
    if (this.writesN !== 0) this.hist[this.writeWait] += this.writesN;
    this.readsN = 0;
    this.writesN = 0;
  }

  /**
   * The running sum of kvm->mmu_lock's holds moves from the counters' slot `sums[at]` (GS_LOCK_HOLD_NS) into
   * holdNs until closeHoldSum, which writes it back: nothing else may write the slot in between (one
   * agent; the replay calls both around its steps, before anything reads the counters). Throws if a hold
   * was granted since the last close (outside the bracket: it would be lost).
   */
  openHoldSum(sums: Float64Array, at: number): void {
    if (this.holdNs !== this.closedNs) holdOutside(this.holdNs - this.closedNs);
    this.holdNs = sums[at];
  }

  closeHoldSum(sums: Float64Array, at: number): void {
    sums[at] = this.holdNs;
    this.closedNs = this.holdNs;
  }

  private grant(): void {
    const t = this.reqT;
    const hold = this.reqHold;
    if (t < this.end) insideHold(t, this.end);
    this.end = t + hold;
    this.holdNs += hold; // GS_LOCK_HOLD_NS (openHoldSum)
  }
}

/** openHoldSum's premise broken (out of line, as insideHold). */
function holdOutside(ns: number): never {
  throw new Error(`lone MMU lock: ${ns} ns of holds granted outside the replay's steps`);
}

/** grant's premise broken (out of line: its message's bytecode kept grant small enough to inline everywhere). */
function insideHold(t: number, end: number): never {
  throw new Error(`lone MMU lock: request at ${t} ns inside the previous hold (to ${end} ns)`);
}
