/**
 * A vCPU: the per-access hot path. Each access: optional TLB lookup (a hit sets no AF), else the
 * stage-2 walk (stage2GetLeaf, in sim/translate.ts); a valid leaf with AF=0 gets AF from hardware by cmpxchg
 * (FEAT_HAFDBS) or takes an access-flag fault; a write to a read-only leaf takes a permission
 * fault; an invalid leaf is a stage-2 fault (Guest.fault). Every step's cost comes from the
 * hardware profile.
 *
 * Performance contract: no allocation, no closures, counters kept in fields and flushed to the
 * shared stats once per run() call (the clock, costs, counters and their flush: sim/vcpuStat.ts).
 */
import { PTE_VALID, S2_AF } from '../arch/descriptor.ts';
import { stage2GetLeaf } from '../arch/pgtable.ts';
import type { Actor } from './actor.ts';
import { FAULT_SUSPENDED, type Guest } from './guest.ts';
import { VCpuStat } from './vcpuStat.ts';
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

export class VCpu extends VCpuStat implements Actor {
  protected pendingGfn = -1;
  protected pendingWrite = false;
  /** The pending access's fault is suspended in direct reclaim (Guest.fault): resume, do not re-walk. */
  protected resumeFault = false;
  /** Asleep in reclaim_throttle (queued on Pgdat.throttle until run again). */
  private throttled = false;
  /** At the workload's rendezvous (outside guest mode, for the IPI flush's running set). */
  private waiting = false;

  constructor(
    g: Guest,
    /** Index of this vCPU within its guest (its TLB slot). */
    vi: number,
    wl: WorkloadGen,
    readonly hafdbs: boolean,
    startNs: number,
    /** Spread runs: TLB entries are re-checked after insertion (recheckTlb). */
    private readonly sharedTlb = false,
  ) {
    super(g, vi, wl, startNs);
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

  /** Exit time the x86 IPI flushes charged this vCPU since its last access (kvm/remoteTlbFlush.ts). */
  private kicked(kick: NonNullable<Guest['kick']>): number {
    const x = kick.take(this.vi);
    this.kickNs += x;
    return x;
  }
}
