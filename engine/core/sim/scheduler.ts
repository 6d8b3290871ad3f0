/**
 * The scheduler of one worker's actors inside a quantum (SimWorkerCore, simCore.ts, extends it): the actor
 * with the smallest virtual clock runs next (ties by actor order), until it passes the next-smallest clock
 * + SCHED_SLACK_NS or the quantum's end, so actors on one worker interleave in virtual-time order. A
 * simulator mechanism, no kernel counterpart: the kernel's CPUs run at once; the lab's actors take turns,
 * and each step's virtual time is what the step's work costs. With one worker the interleaving is fixed,
 * so a repeat is bit-identical (simCore.ts says what several workers change).
 *
 * What a step publishes to the virtual locks (vclock, sync/vlockCalendar.ts): the floor (no actor of this
 * worker is earlier) and the next-smallest clock. Stop checks between steps and within a long one
 * (STOP_CHECK_*), spread runs' RCU read-side sections over steps (RCU_SECTION_STEPS), and the quantum's end:
 * every actor's counters flushed, a spread worker's lru_add batch drained, RCU callbacks polled.
 */
import { DOUBLE_ZERO } from '../ownShape.ts';
import { controlAtomics } from '../sync/atomics.ts';
import { rcuPoll, rcuReadLock, rcuReadUnlock, type RcuThread } from '../sync/rcu.ts';
import { vclock } from '../sync/vlock.ts';
import type { LruAddBatch } from '../mm/lruAdd.ts';
import { mmWalkSettle } from '../mm/reclaimThrottle.ts';
import type { Actor, StopCheck } from './actor.ts';
import type { ComposedWorker } from './composeWorker.ts';
import type { Guest } from './guest.ts';
import { CTL_ABORT, CTL_STOP, type SimViews } from './simLayout.ts';

/** How far past the next-smallest clock an actor may run before the scheduler switches. */
export const SCHED_SLACK_NS = 2_000;
/**
 * Longest stretch of virtual time an actor runs between two stop checks (the scheduler's own slack, so
 * interleaved actors are never split): at the 1 ns floor per access (MEM_ACCESS_NS) that is 2,000
 * accesses, milliseconds of wall time even when each one faults and reclaims.
 */
export const STOP_CHECK_NS = SCHED_SLACK_NS;
/**
 * Actor runs between two stop checks (runUntil): scheduler steps and the STOP_CHECK_NS pieces a long
 * step is cut into, counted together. Bound: a stop is seen after at most STOP_CHECK_STEPS runs, each of
 * at most STOP_CHECK_NS of one actor's virtual time (plus the access in progress at its end; a lone
 * actor's runAlone is checked after it), i.e. <= 8 x 2,000 ns of virtual time, 16,000 accesses at the
 * 1 ns floor, microseconds to milliseconds of wall time. The check is two atomic loads, which per step
 * were ~1 % of a spread run's CPU (bench/_eCount.ts: 0.49 loads per access); before every piece, 0.15
 * loads per access (bench/_spreadAtomicsCount.ts).
 */
export const STOP_CHECK_STEPS = 8;
/**
 * Spread runs: scheduler steps one RCU read-side section spans (runUntil). Each step in its own section
 * (the rule before) cost four atomics per step (rcuReadLock's epoch load and slot store, rcuReadUnlock's
 * store and GP-waiter load), 0.86 per access (bench/_eCount.ts). A longer section only delays the
 * frees of tables other workers unlink (by 16 steps: microseconds of wall time) and never lets one run
 * early: every walk of the steps inside it is covered, as before. A simulator granularity, not a model
 * parameter: the results do not depend on it beyond which free is counted as deferred (rcu.ts).
 */
export const RCU_SECTION_STEPS = 16;

export abstract class ActorScheduler implements StopCheck {
  protected readonly actors: Actor[];
  protected readonly rcu: RcuThread;
  /** Spread runs: this worker's lru_add batch (mm/lruAdd.ts), drained at the end of each quantum. */
  private readonly lruAdd: LruAddBatch | null;
  /** Spread runs: this worker's guests, for mmu_invalidate_retry's settlement (MmuInvalidate.settle). */
  private readonly spreadGuests: Guest[];
  /** Spread runs: every scheduler step runs inside one RCU read-side section (spread.ts). */
  private readonly stepInRcu: boolean;
  /** Scheduler steps taken since the worker started (diagnostics: probe.ts PQ_STEPS; no effect on a run). */
  steps = DOUBLE_ZERO;

  constructor(
    readonly sv: SimViews,
    /** The worker's composition (composeWorker.ts): its actors, RCU thread, lru_add batch, spread guests. */
    w: ComposedWorker,
    spread: boolean,
  ) {
    this.actors = w.actors;
    this.rcu = w.rcu;
    this.lruAdd = w.lruAdd;
    this.spreadGuests = w.spreadGuests;
    this.stepInRcu = spread;
  }

  /** The actors this worker runs, in scheduling order (the runner may swap in replay.ts's fast path). */
  get actorList(): Actor[] {
    return this.actors;
  }

  /** Run every actor of this worker up to virtual time `end`. */
  runUntil(end: number): void {
    // Spread runs: the faults of the quantum before against the other workers' invalidations of it.
    for (const g of this.spreadGuests) g.mmuInvalidate.settle();
    // Spread runs: this worker's sleepers on mm_state.wait whose pass another worker ended (the kernel's
    // last walker wakes every sleeper of the lruvec's one queue): woken from the pass's inc_max_seq.
    if (this.spreadGuests.length > 0) mmWalkSettle(this.spreadGuests[0].pgdat);
    const inRcu = this.schedule(end);
    if (inRcu) rcuReadUnlock(this.rcu);
    const a = this.actors;
    for (let i = 0; i < a.length; i++) a[i].flush();
    if (this.lruAdd !== null) {
      this.lruAdd.drain(); // spread runs: lru_add_drain at the quantum's end
      this.lruAdd.lruvec.drainDeferred(); // and this worker's deferred put-backs (Mglru.deferred)
    }
    rcuPoll(this.rcu);
  }

  /**
   * runUntil's scheduler loop; returns whether the step's RCU read-side section is still open. A method
   * of its own so that the code V8 compiles on-stack (OSR) in the first quantum's loop holds no site the
   * run has not reached yet: with the quantum's end-of-run work in the same function, that OSR code
   * reached `this.rcu` at the loop's exit without type feedback and deoptimized there, at the end of
   * every later quantum too (the cached OSR code is entered again from the loop), 129 of one isolate's
   * 200 quanta in a 2-worker spread run (node --trace-deopt, bench/_profileSpread.ts 1 guest, 200 ms:
   * 240 deopts in all against 43 for one worker), each time the rest of the quantum's tail in the
   * interpreter. Results are unchanged: the same steps in the same order.
   */
  private schedule(end: number): boolean {
    const a = this.actors;
    const n = a.length;
    const inRcuSteps = this.stepInRcu;
    // Scheduler steps taken; the RCU read-side section open (spread runs).
    let steps = 0;
    let inRcu = false;
    // Actor runs (pieces of at most STOP_CHECK_NS) since the last stop check: one check per
    // STOP_CHECK_STEPS of them, whether they are whole steps or pieces of one long step.
    let sinceCheck = 0;
    for (;;) {
      // Stop within STOP_CHECK_STEPS actor runs, not only at the barrier (issue 11).
      if (sinceCheck === 0 && this.stopRequested()) break;
      let best = -1;
      let bc = Infinity;
      let second = Infinity;
      for (let i = 0; i < n; i++) {
        const x = a[i];
        if (x.done) continue;
        const c = x.clock;
        if (c < bc) {
          second = bc;
          bc = c;
          best = i;
        } else if (c < second) second = c;
      }
      if (best < 0 || bc >= end) break;
      vclock.floor = bc; // no actor of this worker is earlier: the virtual locks may forget older holds
      vclock.others = second; // Guest.fault books its map's read hold at once when no other actor is earlier
      const limit = second + SCHED_SLACK_NS < end ? second + SCHED_SLACK_NS : end;
      // Spread runs: the step runs inside an RCU read-side section (the vCPU's walks; reclaim's lockless
      // aging nests its own), so table pages unlinked on another worker stay readable throughout. One
      // section spans up to RCU_SECTION_STEPS steps (see there).
      if (inRcuSteps && !inRcu) {
        rcuReadLock(this.rcu);
        inRcu = true;
      }
      // In pieces of at most STOP_CHECK_NS of virtual time, checking stop between them: the same steps
      // as one run(limit) (an actor steps while its clock < limit), but a lone actor in a cheap run no
      // longer runs a whole quantum (10^6 accesses at 1 ns) before a stop is seen.
      const x = a[best];
      // A stop seen between the pieces ends runUntil after this step (not up to STOP_CHECK_STEPS later).
      let stopSeen = false;
      if (second === Infinity && x.runAlone !== undefined) {
        x.runAlone(limit, this);
        stopSeen = this.stopRequested(); // a lone step is a whole stretch: one check more is nothing
      } else {
        x.run(x.clock + STOP_CHECK_NS < limit ? x.clock + STOP_CHECK_NS : limit);
        while (!x.done && x.clock < limit) {
          // Checked every STOP_CHECK_STEPS pieces, counted with the steps: checking before every piece
          // (after the first) was one check per step in a spread run (a step is >= one SCHED_SLACK_NS
          // piece past the next clock, so nearly every step has a second), 0.15 native loads per access
          // (bench/_spreadAtomicsCount.ts).
          if (++sinceCheck === STOP_CHECK_STEPS) {
            sinceCheck = 0;
            if (this.stopRequested()) {
              stopSeen = true;
              break;
            }
          }
          x.run(x.clock + STOP_CHECK_NS < limit ? x.clock + STOP_CHECK_NS : limit);
        }
      }
      if (++sinceCheck === STOP_CHECK_STEPS) sinceCheck = 0;
      steps++;
      this.steps++;
      if (inRcu && steps % RCU_SECTION_STEPS === 0) {
        rcuReadUnlock(this.rcu);
        inRcu = false;
        rcuPoll(this.rcu); // callbacks whose grace period ended: table pages back to the arena
      }
      if (stopSeen) break;
    }
    return inRcu;
  }

  /**
   * Stop or abort asked for: one atomic load per STOP_CHECK_NS of an actor's virtual time (at most), at
   * >= 1 ns per access (MEM_ACCESS_NS), so a stop is seen within milliseconds of wall time. The quantum
   * is then cut short: the serial section ends the run there (the last sample row covers the accesses made).
   */
  stopRequested(): boolean {
    const c = this.sv.control;
    return controlAtomics.load(c, CTL_STOP) === 1 || controlAtomics.load(c, CTL_ABORT) === 1;
  }
}
