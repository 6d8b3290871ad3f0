/**
 * A vCPU: the per-access hot path. Each access: optional TLB lookup (a hit sets no AF), else the
 * stage-2 walk (stage2GetLeaf, in sim/translate.ts); a valid leaf with AF=0 gets AF from hardware by cmpxchg
 * (FEAT_HAFDBS) or takes an access-flag fault; a write to a read-only leaf takes a permission
 * fault; an invalid leaf is a stage-2 fault (Guest.fault). Every step's cost comes from the
 * hardware profile.
 *
 * Performance contract: no allocation, no closures, counters kept in fields and flushed to the
 * shared stats once per run() call.
 */
import { PTE_VALID, S2_AF } from '../arch/descriptor.ts';
import { DOUBLE_ZERO } from '../ownShape.ts';
import { stage2GetLeaf } from '../arch/pgtable.ts';
import type { Actor } from './actor.ts';
import { C_HW_AF_UPDATE, C_MEM_ACCESS, C_WALK_LEVEL } from './costs.ts';
import { REFILL_FULL, REFILL_STAGE1, refillExtraRefs, STAGE1_REFILL_REFS } from '../arch/tlb.ts';
import { FAULT_SUSPENDED, type Guest } from './guest.ts';
import { opBucket } from './opHist.ts';
import {
  GS_ACCESSES,
  GS_CLOCK_MAX,
  GS_CMPXCHG_FAIL,
  GS_HITS,
  GS_HW_AF_UPDATES,
  GS_KICK_EXIT_NS,
  GS_OPS,
  GS_OP_NS,
  GS_PRESSURE_NS,
  GS_STALL_NS,
  GS_TLB_HITS,
  GS_TLB_REFILLS,
  GS_TLB_REFILL_NS,
  GS_TLB_S1_REFILLS,
  GS_VCPU_NS,
  GS_VCPUS_DONE,
} from './simLayout.ts';
import { WL_WAIT, type WorkloadGen } from './workload.ts';
import { TX_AF_FAULT, TX_CAS_FAIL, TX_HW_AF, TX_MISS, TX_PERM, TX_WRITABLE } from './txBits.ts';
import { lastLeafWord, recheckTlb, translate } from './translate.ts';
import { FRAME_RETRY_NS } from './faultConsts.ts';

/** Bits of translate()'s result (txBits.ts). 0: a valid leaf with AF set and the access allowed. */
export { TX_AF_FAULT, TX_CAS_FAIL, TX_HW_AF, TX_MISS, TX_PERM, TX_WRITABLE } from './txBits.ts';
/** The hardware's translation on a TLB miss (sim/translate.ts), re-exported for the trace replay. */
export { translate, translateLeaf } from './translate.ts';

export { FRAME_RETRY_NS } from './faultConsts.ts';
const PAGE = 4096;

export class VCpu implements Actor {
  /**
   * Virtual ns fields are doubles from the start (DOUBLE_ZERO, core/ownShape.ts): a field first set to a
   * small integer became a double at its first fractional value, mid-run, and deoptimized every function
   * compiled against VCpu (run, flush, the scheduler's runUntil that inlines them), in every worker.
   */
  clock = DOUBLE_ZERO;
  done = false;
  // Counters are protected: the trace-replay fast path (replay.ts) is a VCpu with another run().
  protected pendingGfn = -1;
  protected pendingWrite = false;
  /** The pending access's fault is suspended in direct reclaim (Guest.fault): resume, do not re-walk. */
  protected resumeFault = false;
  /** Asleep in reclaim_throttle (queued on Pgdat.throttle until run again). */
  private throttled = false;
  protected accesses = 0;
  protected hits = 0;
  protected tlbHits = 0;
  protected hwAf = 0;
  protected casFail = 0;
  protected retryStall = 0;
  /** Walks repeated because a fault found no frame (pressure, see flush). */
  protected retryWalkNs = DOUBLE_ZERO;
  /** Clock at the last flush (vCPU time is flushed as differences). */
  private flushedClock = DOUBLE_ZERO;
  protected readonly walkNs: number;
  protected readonly memNs: number;
  protected readonly hwAfNs: number;
  /** Translations refilled after a VM-wide / a stage-1-only flush, and the extra walk time of each (arch/tlb.ts). */
  protected readonly refillNs: number;
  protected readonly s1RefillNs: number;
  /**
   * Refills since the last flush() by kind, indexed by REFILL_* (REFILL_NONE's slot counts
   * translations that needed none and is not read), and the extra walk ns of each kind (0, s1RefillNs,
   * refillNs): refill() indexes both on every call instead of branching on the kind, so its code has
   * type feedback from the first translation. With branches, the stage-1 refill was first reached at
   * a trace replay's first eviction, after the hot loop (TraceReplay.steps, which inlines refill) was
   * compiled, and deoptimized it.
   */
  protected readonly refillsBy = new Float64Array(3);
  protected readonly refillNsBy: Float64Array;
  /** x86 IPI flushes (kvm/remoteTlbFlush.ts): exit time charged to this vCPU since the last flush(). */
  protected kickNs = DOUBLE_ZERO;
  /** At the workload's rendezvous (outside guest mode, for the IPI flush's running set). */
  private waiting = false;
  /** Accesses per operation (workload.opAccesses; 0 = no operations), and the one in progress. */
  private readonly opAccesses: number;
  private opDone = 0;
  private opStart = DOUBLE_ZERO;
  private ops = 0;
  private opNs = DOUBLE_ZERO;

  constructor(
    readonly g: Guest,
    /** Index of this vCPU within its guest (its TLB slot). */
    readonly vi: number,
    readonly wl: WorkloadGen,
    readonly hafdbs: boolean,
    startNs: number,
    /** Spread runs: TLB entries are re-checked after insertion (recheckTlb). */
    private readonly sharedTlb = false,
  ) {
    this.clock = startNs;
    this.flushedClock = startNs;
    this.walkNs = (4 - g.pgt.startLevel) * g.costs[C_WALK_LEVEL];
    this.memNs = g.costs[C_MEM_ACCESS];
    this.hwAfNs = g.costs[C_HW_AF_UPDATE];
    // A full two-dimensional walk over the normal stage-2 walk, each reference at the blended walkLevel.
    this.refillNs = refillExtraRefs(4 - g.pgt.startLevel) * g.costs[C_WALK_LEVEL];
    this.s1RefillNs = STAGE1_REFILL_REFS * g.costs[C_WALK_LEVEL];
    this.refillNsBy = new Float64Array(3);
    this.refillNsBy[REFILL_STAGE1] = this.s1RefillNs;
    this.refillNsBy[REFILL_FULL] = this.refillNs;
    this.opAccesses = wl.opAccesses;
    this.opStart = startNs;
    // A closed-loop client: the first request's service starts when a request is ready.
    if (wl.client !== null) this.clock = this.flushedClock = wl.client.next(startNs);
  }

  run(limit: number): void {
    const g = this.g;
    const wl = this.wl;
    const pgt = g.pgt;
    const hafdbs = this.hafdbs;
    const tlbs = g.tlbs;
    const policy = g.policy;
    const seesAll = policy.seesEveryAccess;
    const think = wl.thinkNs;
    const kick = g.kick;
    const vi = this.vi;
    let t = this.clock;
    if (this.throttled) {
      // Woken or timed out (finish_wait): off the throttle queue.
      this.throttled = false;
      g.pgdat.unthrottle(this);
    }
    // Spread runs: mmu_invalidate_retry's -EAGAINs found at this quantum's start (MmuInvalidate.settle).
    if (g.mmuInvalidate.owedNs[vi] !== 0) {
      if (kick !== null) kick.leave(vi, t);
      t = g.mmuInvalidate.pay(vi, t);
      if (kick !== null) kick.enter(vi, t);
    }
    do {
      let gfn = this.pendingGfn;
      let write: boolean;
      if (gfn < 0) {
        gfn = wl.next(t);
        if (gfn < 0) {
          if (gfn === WL_WAIT) {
            // At the workload's rendezvous: exited to the VMM (GUEST_DONE), idle until the others arrive.
            if (kick !== null && !this.waiting) {
              this.waiting = true;
              kick.leave(vi, t);
            }
            t += FRAME_RETRY_NS;
            continue;
          }
          this.finish(t);
          return;
        }
        if (kick !== null && this.waiting) {
          this.waiting = false;
          kick.enter(vi, t); // KVM_RUN again: the next pass
        }
        write = wl.isWrite();
      } else {
        write = this.pendingWrite;
        this.pendingGfn = -1;
      }
      // A fault suspended in direct reclaim (Guest.fault, FAULT_SUSPENDED) goes on where it stopped.
      const resume = this.resumeFault;
      this.resumeFault = false;
      if (!resume) t += this.refill();
      if (kick !== null) t += this.kicked(kick);
      if (!resume && tlbs !== null && tlbs.lookup(this.vi, gfn, write)) {
        this.tlbHits++;
        this.hits++;
        if (seesAll) policy.onAccess(gfn);
        t += this.memNs;
      } else {
        let x = TX_MISS;
        if (!resume) {
          t += this.walkNs;
          x = translate(pgt, gfn, write, hafdbs);
        }
        if ((x & TX_MISS) === 0) {
          if ((x & TX_HW_AF) !== 0) {
            if ((x & TX_CAS_FAIL) !== 0) this.casFail++;
            this.hwAf++;
            t += this.hwAfNs;
          } else if ((x & TX_AF_FAULT) !== 0) {
            if (kick !== null) kick.leave(vi, t);
            t = g.afFault(gfn, t);
            if (kick !== null) kick.enter(vi, t);
          }
          if ((x & TX_PERM) !== 0) {
            if (kick !== null) kick.leave(vi, t);
            t = g.permFault(gfn, t);
            if (kick !== null) kick.enter(vi, t);
          }
          const writable = (x & (TX_WRITABLE | TX_PERM)) !== 0;
          this.hits++;
          if (seesAll) policy.onAccess(gfn);
          if (tlbs !== null) {
            tlbs.insert(this.vi, gfn, writable);
            if (this.sharedTlb) recheckTlb(pgt, tlbs, this.vi, gfn, lastLeafWord, PTE_VALID | S2_AF);
          }
          t += this.memNs;
        } else {
          // Out of guest mode for the fault (x86 IPI flushes skip it): from its start (a resumed fault
          // is already out) until it completes; a suspended or frameless one stays out.
          if (kick !== null) kick.leave(vi, t);
          const e = g.fault(gfn, write, t, vi, limit);
          if (kick !== null && e >= 0) kick.enter(vi, e);
          if (g.yieldNow) {
            // It woke kswapd (or throttled reclaimers): end this step after the access, so their
            // steps from now on are booked in virtual-time order with ours.
            g.yieldNow = false;
            limit = -Infinity;
          }
          if (e === FAULT_SUSPENDED) {
            // Stopped between two folios at or past `limit`: the scheduler runs the earlier actors
            // (their MMU-lock requests go first), then this fault resumes at resumeAt.
            this.pendingGfn = gfn;
            this.pendingWrite = write;
            this.resumeFault = true;
            if (g.throttledAt >= 0) {
              // Asleep in reclaim_throttle until resumeAt (HZ/50) or an earlier wake-up, or on
              // pfmemalloc_wait (resumeAt +Infinity) until kswapd's wake_up_all; a wake-up moves
              // this.clock back (Pgdat.wakeAll): the step must end here.
              g.pgdat.throttle(this, g.throttledAt, g.throttleQueue);
              g.throttledAt = -1;
              this.throttled = true;
              limit = -Infinity;
            }
            t = g.resumeAt;
            continue;
          }
          if (e < 0) {
            // No frame now: retry this access later (not counted until it completes), FRAME_RETRY_NS
            // after the fault gave up (its trap and reclaim are the vCPU's time: mm/directReclaim.ts).
            this.pendingGfn = gfn;
            this.pendingWrite = write;
            t = g.noFrameAt + FRAME_RETRY_NS;
            this.retryStall += FRAME_RETRY_NS;
            this.retryWalkNs += this.walkNs;
            continue;
          }
          if (tlbs !== null) {
            tlbs.insert(this.vi, gfn, write);
            if (this.sharedTlb) recheckTlb(pgt, tlbs, this.vi, gfn, stage2GetLeaf(pgt, gfn * PAGE), PTE_VALID);
          }
          t = e + this.memNs;
        }
      }
      this.accesses++;
      if (this.opAccesses > 0 && ++this.opDone === this.opAccesses) t = this.endOp(t);
      t += think;
    } while (t < limit);
    this.clock = t;
  }

  /**
   * Flushes since this vCPU's last translation (arch/tlb.ts VmTlbFlush): after kvm_flush_remote_tlbs
   * its TLB and walk caches are empty and this translation is a full two-dimensional walk; after an
   * unmap's stage-1 flush it re-walks the guest's stage-1. Returns the extra ns.
   */
  protected refill(): number {
    const r = this.g.tlbFlush.refill(this.vi);
    this.refillsBy[r]++;
    return this.refillNsBy[r];
  }

  /**
   * An operation completed at t: its latency into the histogram (from its first access's start; with
   * a closed-loop client, as the client sees it: round trip and queueing included). Returns when the
   * vCPU goes on: t, or with a client the start of the next request's service (idle until it is ready).
   */
  private endOp(t: number): number {
    const cl = this.wl.client;
    const ns = cl === null ? t - this.opStart : cl.complete(t);
    if (t >= this.wl.measureFromNs && !this.wl.inLoadPass()) {
      this.g.opHist[this.g.opHistBase + opBucket(ns)]++;
      this.ops++;
      this.opNs += ns;
    }
    this.opDone = 0;
    if (cl === null) {
      this.opStart = t + this.wl.thinkNs;
      return t;
    }
    return cl.next(t);
  }

  /** Exit time the x86 IPI flushes charged this vCPU since its last access (kvm/remoteTlbFlush.ts). */
  private kicked(kick: NonNullable<Guest['kick']>): number {
    const x = kick.take(this.vi);
    this.kickNs += x;
    return x;
  }

  protected finish(t: number): void {
    this.clock = t;
    this.done = true;
    this.g.kick?.leave(this.vi, t); // the vCPU thread has returned: never kicked again
    const s = this.g.stats;
    const sb = this.g.sb;
    s[sb + GS_VCPUS_DONE]++;
    if (t > s[sb + GS_CLOCK_MAX]) s[sb + GS_CLOCK_MAX] = t;
  }

  flush(): void {
    const s = this.g.stats;
    const sb = this.g.sb;
    s[sb + GS_ACCESSES] += this.accesses;
    s[sb + GS_HITS] += this.hits;
    s[sb + GS_TLB_HITS] += this.tlbHits;
    s[sb + GS_HW_AF_UPDATES] += this.hwAf;
    s[sb + GS_CMPXCHG_FAIL] += this.casFail;
    s[sb + GS_OPS] += this.ops;
    s[sb + GS_OP_NS] += this.opNs;
    this.ops = 0;
    this.opNs = 0;
    s[sb + GS_STALL_NS] += this.retryStall;
    // Pressure (metrics.ts "slowdown"): waiting for a frame, the walk repeated after it, and hardware AF
    // updates (with mapYoung only aging clears AF; unconstrained there is no aging).
    // VM-wide flushes come only from aging (clear_flush_young): their refill walks are pressure too.
    const by = this.refillsBy;
    const refills = by[REFILL_FULL];
    const s1Refills = by[REFILL_STAGE1];
    const refillNs = refills * this.refillNs + s1Refills * this.s1RefillNs;
    s[sb + GS_TLB_REFILLS] += refills;
    s[sb + GS_TLB_S1_REFILLS] += s1Refills;
    s[sb + GS_TLB_REFILL_NS] += refillNs;
    // x86 IPI flushes: the kicked exits are pressure too (they come from reclaim's flushes).
    s[sb + GS_KICK_EXIT_NS] += this.kickNs;
    s[sb + GS_PRESSURE_NS] += this.retryStall + this.retryWalkNs + this.hwAf * this.hwAfNs + refillNs + this.kickNs;
    this.kickNs = 0;
    by.fill(0);
    // Asleep with no wake-up time yet (pfmemalloc_wait, mm_state.wait: clock +Infinity until the waker
    // moves it back): its time is counted when it wakes (clock - flushedClock then holds the sleep); one
    // still asleep at the run's end counts to its last flush, as a fault still in progress there is not
    // charged either. Counting +Infinity would make the guest's vCPU time (and its slowdown) undefined.
    if (this.clock !== Infinity) {
      s[sb + GS_VCPU_NS] += this.clock - this.flushedClock;
      this.flushedClock = this.clock;
      if (this.clock > s[sb + GS_CLOCK_MAX]) s[sb + GS_CLOCK_MAX] = this.clock;
    }
    this.accesses = 0;
    this.hits = 0;
    this.tlbHits = 0;
    this.hwAf = 0;
    this.casFail = 0;
    this.retryStall = 0;
    this.retryWalkNs = 0;
  }
}
