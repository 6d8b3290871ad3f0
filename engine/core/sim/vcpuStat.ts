/**
 * A vCPU's virtual clock, the costs of its per-access steps, and its counters (the kernel's
 * struct kvm_vcpu_stat, vcpu->stat, read per VM through kvm_vm_stats): kept in fields by the hot path
 * (sim/vcpu.ts VCpu.run, the trace replay's run in sim/replay.ts) and added to the guest's shared stats
 * once per run() call (flush), plus an operation's latency into the guest's histogram (endOp).
 *
 * Performance contract: no allocation after the constructor; every field is set in the constructor,
 * doubles from the start (DOUBLE_ZERO), so VCpu and its subclasses keep one shape.
 */
import { DOUBLE_ZERO } from '../ownShape.ts';
import { C_HW_AF_UPDATE, C_MEM_ACCESS, C_WALK_LEVEL } from './costs.ts';
import { REFILL_FULL, REFILL_NONE, REFILL_STAGE1, refillExtraRefs, STAGE1_REFILL_REFS } from '../arch/tlb.ts';
import type { Guest } from './guest.ts';
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
import type { WorkloadGen } from './workload.ts';

export abstract class VCpuStat {
  /**
   * Virtual ns fields are doubles from the start (DOUBLE_ZERO, core/ownShape.ts): a field first set to a
   * small integer became a double at its first fractional value, mid-run, and deoptimized every function
   * compiled against VCpu (run, flush, the scheduler's runUntil that inlines them), in every worker.
   */
  clock = DOUBLE_ZERO;
  done = false;
  // Counters are protected: the trace-replay fast path (replay.ts) is a VCpu with another run().
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
  /**
   * The constant costs read on every access are declared `= DOUBLE_ZERO` too, so they are double fields
   * whatever the preset's values: a field whose first value was a tagged number (under the ES2022 class
   * fields this project compiled with until session 18 (c), every field declared without a value was
   * undefined first) is read with a small-integer test and a heap-number check, ~7 instructions where a
   * double field's read is 2 (replay worker, callgrind, session 18 (c)); one first set to a whole number
   * would be a small-integer field until a preset with a fractional cost, then deoptimize (ownShape.ts).
   */
  protected readonly walkNs: number = DOUBLE_ZERO;
  protected readonly memNs: number = DOUBLE_ZERO;
  protected readonly hwAfNs: number = DOUBLE_ZERO;
  /** Translations refilled after a VM-wide / a stage-1-only flush, and the extra walk time of each (arch/tlb.ts). */
  protected readonly refillNs: number = DOUBLE_ZERO;
  protected readonly s1RefillNs: number = DOUBLE_ZERO;
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
  /** Accesses per operation (workload.opAccesses; 0 = no operations), and the one in progress. */
  protected readonly opAccesses: number;
  protected opDone = 0;
  private opStart = DOUBLE_ZERO;
  private ops = 0;
  private opNs = DOUBLE_ZERO;

  constructor(
    readonly g: Guest,
    /** Index of this vCPU within its guest (its TLB slot). */
    readonly vi: number,
    readonly wl: WorkloadGen,
    startNs: number,
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

  /**
   * An operation completed at t: its latency into the histogram (from its first access's start; with
   * a closed-loop client, as the client sees it: round trip and queueing included). Returns when the
   * vCPU goes on: t, or with a client the start of the next request's service (idle until it is ready).
   */
  protected endOp(t: number): number {
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
    // Each slot by hand, not by.fill(0): TurboFan does not inline TypedArray.prototype.fill, which went through
    // a runtime call (CEntry, Builtin_TypedArrayPrototypeFill: ~430 instructions a call, 139 k flushes in a
    // cloudPhysicsIO ×50 replay, ~60 M instructions; callgrind, session 18 (b)). refillsBy has 3 slots (REFILL_*).
    by[REFILL_NONE] = 0;
    by[REFILL_STAGE1] = 0;
    by[REFILL_FULL] = 0;
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
