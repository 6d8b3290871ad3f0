/**
 * Page-access generators, one per vCPU (DESIGN.md "Guests": zipf, uniform, sequential scan,
 * shifting hot set, replayed trace).
 *
 * Hot path: `next(nowNs)` is called once per simulated access. It allocates nothing and
 * dispatches on a small integer kind (one monomorphic class, no closures), returning a gfn in
 * [0, pages) or -1 when a trace is exhausted (the vCPU is then done).
 *
 * Trace replay: vCPU `index` of `count` replays entries index, index+count, ... of the guest's
 * trace (dense page ids as given by the host), so one vCPU replays the trace exactly in order.
 */
import { assertNever, type WorkloadSpec } from '../../protocol.ts';
import { U32_TO_UNIT, type Prng } from './prng.ts';
import { GS_PASS_END_NS, GS_PASSES, PASS_RECORDS } from './simLayout.ts';
import { ZipfSampler } from './zipf.ts';
import { ClosedLoop } from './closedLoop.ts';

const K_ZIPF = 0;
const K_UNIFORM = 1;
const K_SCAN = 2;
const K_HOTSET = 3;
const K_TRACE = 4;

/** next(): the vCPU waits at the pass barrier (scan with slices): try again a little later. */
export const WL_WAIT = -2;

/**
 * max_guest_memory_test's rendezvous (rendezvous_with_vcpus / rendezvous_with_boss): the main thread
 * waits for every vCPU to finish a pass over its slice, reads CLOCK_MONOTONIC, then releases them for
 * the next. Shared by the vCPUs of one guest (all on its owner worker). A vCPU arrives once its last
 * access of the pass is done (its next call to WorkloadGen.next); the last arrival completes the pass
 * at that vCPU's clock, which is recorded (the test's time_run1, time_run2 ...) when `stats` is given:
 * the count at stats[base + GS_PASSES], the first PASS_RECORDS times (ns) from GS_PASS_END_NS.
 */
export class PassBarrier {
  pass = 0;
  arrived = 0;
  /**
   * Called when a pass completes, with the passes completed so far and the time: what the test does
   * between two runs before it releases the vCPUs (the reset step: Guest.zapRoot, buildGuest.ts). null: nothing.
   */
  onRelease: ((passes: number, nowNs: number) => void) | null = null;
  constructor(
    readonly vcpus: number,
    private readonly stats: Float64Array | null = null,
    private readonly base = 0,
  ) {}

  /** A vCPU finished its slice of the current pass at nowNs. */
  arrive(nowNs: number): void {
    if (++this.arrived < this.vcpus) return;
    this.arrived = 0;
    const s = this.stats;
    if (s !== null) {
      if (this.pass < PASS_RECORDS) s[this.base + GS_PASS_END_NS + this.pass] = nowNs;
      s[this.base + GS_PASSES] = this.pass + 1;
    }
    this.pass++;
    this.onRelease?.(this.pass, nowNs);
  }
}

export class WorkloadGen {
  private readonly kind: number;
  private readonly pages: number;
  private readonly zipf: ZipfSampler | null = null;
  /** Trace replay: the guest's page ids, the next index and the step (replay.ts reads them directly). */
  readonly trace: Uint32Array | null = null;
  cursor = 0;
  readonly stride: number = 1;
  /** Scan: the range this vCPU sweeps (the whole guest, or its slice). */
  private sliceStart = 0;
  private sliceEnd = 0;
  /** Scan with slices: the guest's pass barrier, and the pass this vCPU is in. */
  private barrier: PassBarrier | null = null;
  private myPass = 0;
  private waiting = false;
  /** The last page of this vCPU's slice was handed out: it arrives at the barrier on the next call. */
  private atEnd = false;
  /** Scan with slices and `passes`: the vCPU is done (next() -1) after this many passes; 0 = never. */
  private readonly passes: number = 0;
  private readonly hotPages: number = 0;
  private readonly hotProbability: number = 0;
  private readonly shiftNs: number = 0;
  readonly writeFraction: number;
  readonly thinkNs: number;
  /** Accesses per vCPU operation (spec.opAccesses), 0 = the workload defines no operations. */
  readonly opAccesses: number;
  /** The closed-loop client that sends this vCPU its operations (spec.client), or null: back to back. */
  readonly client: ClosedLoop | null = null;
  /** Operations completing before this virtual time are not measured (spec.client.warmupMs). */
  readonly measureFromNs: number = 0;
  /** Load pass (spec.loadPass): the next page of this vCPU's slice to write, and the slice's end. */
  private loadNext = 0;
  private loadEnd = 0;
  /** The access `next` returned last belongs to the load pass (it is a write). */
  private lastWasLoad = false;

  constructor(
    spec: WorkloadSpec,
    guestPages: number,
    private readonly prng: Prng,
    index: number,
    count: number,
    trace: Uint32Array | undefined,
    barrier?: PassBarrier,
    /** The vCPU's start time (the closed-loop client's first requests are ready then). */
    startNs = 0,
  ) {
    this.writeFraction = spec.writeFraction;
    this.thinkNs = spec.thinkNs;
    this.opAccesses = spec.opAccesses ?? 0;
    if (spec.client) {
      this.client = new ClosedLoop(spec.client.connections, spec.client.roundTripNs, startNs);
      this.measureFromNs = (spec.client.warmupMs ?? 0) * 1e6;
    }
    switch (spec.kind) {
      case 'zipf':
        this.kind = K_ZIPF;
        this.pages = Math.min(spec.pages, guestPages);
        this.zipf = new ZipfSampler(this.pages, spec.theta);
        break;
      case 'uniform':
        this.kind = K_UNIFORM;
        this.pages = Math.min(spec.pages, guestPages);
        break;
      case 'scan':
        this.kind = K_SCAN;
        this.pages = Math.min(spec.pages, guestPages);
        this.cursor = Math.floor((index * this.pages) / count);
        if (spec.slices === true) {
          // max_guest_memory_test: each vCPU sweeps only its own slice.
          this.sliceStart = this.cursor;
          this.sliceEnd = Math.max(this.cursor + 1, Math.floor(((index + 1) * this.pages) / count));
          this.barrier = barrier ?? null;
          this.passes = spec.passes ?? 0;
        } else this.sliceEnd = this.pages;
        break;
      case 'hotset':
        this.kind = K_HOTSET;
        this.pages = Math.min(spec.pages, guestPages);
        this.hotPages = Math.max(1, Math.min(spec.hotPages, this.pages));
        this.hotProbability = spec.hotProbability;
        this.shiftNs = spec.shiftEveryMs * 1e6;
        break;
      case 'trace':
        if (!trace) throw new Error(`trace '${spec.trace}' was not provided to the engine`);
        this.kind = K_TRACE;
        this.pages = guestPages;
        this.trace = trace;
        this.cursor = index;
        this.stride = count;
        break;
      default:
        assertNever(spec, 'workload');
    }
    if (spec.loadPass === true) {
      if (spec.kind === 'scan' || spec.kind === 'trace')
        throw new Error(`loadPass does not apply to a ${spec.kind} workload`);
      // memtier's load run: this vCPU's connection SETs its share of the keys in order.
      this.loadNext = Math.floor((index * this.pages) / count);
      this.loadEnd = Math.floor(((index + 1) * this.pages) / count);
    }
  }

  /** Whether the access `next` returned last, or any still to come, belongs to the load pass. */
  inLoadPass(): boolean {
    return this.lastWasLoad || this.loadNext < this.loadEnd;
  }

  /** The next gfn this vCPU touches at virtual time `nowNs`, or -1 when its trace is exhausted. */
  next(nowNs: number): number {
    if (this.loadNext < this.loadEnd) {
      this.lastWasLoad = true;
      return this.loadNext++;
    }
    this.lastWasLoad = false;
    switch (this.kind) {
      case K_ZIPF:
        return (this.zipf as ZipfSampler).sample(this.prng) - 1;
      case K_UNIFORM:
        return this.prng.nextBelow(this.pages);
      case K_SCAN: {
        const b = this.barrier;
        if (b !== null) {
          if (this.atEnd) {
            // The slice's last access is done: arrive at the rendezvous (the last arriver releases everyone).
            this.atEnd = false;
            this.waiting = true;
            b.arrive(nowNs);
            // vcpu_worker returns after its last run's rendezvous: the vCPU thread is done.
            if (this.passes > 0 && this.myPass + 1 >= this.passes) return -1;
          }
          if (this.waiting) {
            if (b.pass === this.myPass) return WL_WAIT;
            this.waiting = false;
            this.myPass = b.pass;
          }
        }
        const g = this.cursor;
        if (g + 1 === this.sliceEnd) {
          this.cursor = this.sliceStart;
          if (b !== null) this.atEnd = true;
        } else this.cursor = g + 1;
        return g;
      }
      case K_HOTSET: {
        if (this.prng.nextFloat() >= this.hotProbability) return this.prng.nextBelow(this.pages);
        const epoch = this.shiftNs > 0 ? Math.floor(nowNs / this.shiftNs) : 0;
        const base = (epoch * this.hotPages) % this.pages;
        return (base + this.prng.nextBelow(this.hotPages)) % this.pages;
      }
      default: {
        const t = this.trace as Uint32Array;
        const i = this.cursor;
        if (i >= t.length) return -1;
        this.cursor = i + this.stride;
        return t[i];
      }
    }
  }

  /** Whether the access about to be made is a write (drawn after `next`). */
  isWrite(): boolean {
    if (this.lastWasLoad) return true;
    // prng.nextFloat() in this function's own code (Prng.nextI32: no heap number when not inlined).
    return this.writeFraction > 0 && (this.prng.nextI32() >>> 0) * U32_TO_UNIT < this.writeFraction;
  }
}
