/**
 * kswapd: one per host node (mm/vmscan.c kswapd -> balance_pgdat), not one per guest. It sleeps until
 * the allocator wakes it and, once awake, reclaims until free memory reaches the high watermark:
 *
 * - woken by wakeup_kswapd(), which the page allocator calls from __alloc_pages_slowpath ->
 *   wake_all_kswapds when an allocation finds free pages at or below the low watermark (the fast
 *   path's get_page_from_freelist with ALLOC_WMARK_LOW failed): Guest.fault -> Pgdat.wakeKswapd ->
 *   wake(t). A wake-up reaches only a sleeping kswapd (waitqueue_active), and none reaches a node
 *   kswapd gave up on (kswapd_failures >= MAX_RECLAIM_RETRIES: "hopeless node, leave it to direct
 *   reclaim"), until some reclaim makes progress again (shrink_node resets kswapd_failures);
 * - sleeps (kswapd_try_to_sleep) once the node is balanced (pgdat_balanced: free above the high
 *   watermark), checked between kswapd_shrink_node calls on MGLRU, each of which reclaims
 *   max(high, SWAP_CLUSTER_MAX) pages or scans size >> priority folios (mm/balancePgdat.ts), so kswapd
 *   ends above high; or when it freed nothing (balance_pgdat without progress: kswapd_failures++). It
 *   first naps KSWAPD_NAP_NS on kswapd_wait (schedule_timeout(HZ/10)); a wake-up ends the nap early, and
 *   at its end kswapd sleeps for good only if the node is still balanced, else it runs balance_pgdat
 *   again unwoken (KSWAPD_HIGH_WMARK_HIT_QUICKLY). In the full sleep its clock is +Infinity: the
 *   scheduler never picks it, and a wake-up sets its clock to the waker's time plus the wake-up latency
 *   (KSWAPD_WAKE_NS);
 * - aging first when a lruvec needs it (MGLRU: lru_gen_age_node -> should_run_aging ->
 *   try_to_inc_max_seq; active/inactive: inactive_is_low -> shrink_active_list), in steps so the
 *   scheduler interleaves it with the vCPUs in virtual time; a pass once started is finished;
 * - then eviction, one page per step (shrink_node on the node's lruvec(s), Pgdat.shrinkNode).
 *
 * A node whose memory several workers allocate from (parallel runs, spread runs) cannot be woken by
 * the other workers' faults in virtual time (their clocks are not this worker's): there kswapd also
 * checks the low watermark every KSWAPD_POLL_NS while asleep, as this lab's kswapd did before the
 * wake-up was modelled (a stated deviation, `pollNs`). Faults on its own worker wake it as above.
 *
 * Its virtual clock is its own: MMU-lock waits on any VM move it (the seed's kswapd profile is what
 * the GS_KSWAPD_* counters record).
 */
import type { Actor } from '../sim/actor.ts';
import type { HostFrames } from './hostFrames.ts';
import type { Policy } from './policy/policy.ts';
import type { KswapdTask, Pgdat } from './pgdat.ts';
import { evictDeferred, finishDeferredEnd, mmWalkWait } from './shrinkNode.ts';
import { KSWAPD_CPU } from './swapSlots.ts';
import { BalancePgdat } from './balancePgdat.ts';

/** Virtual time between a sleeping kswapd's checks of the low watermark, on a node shared by workers only. */
export const KSWAPD_POLL_NS = 50_000;
/** MAX_RECLAIM_RETRIES (mm/internal.h): balance_pgdat runs without progress before wakeup_kswapd gives up on the node. */
export const MAX_RECLAIM_RETRIES = 16;
/**
 * Wake-up latency: wakeup_kswapd -> wake_up_interruptible(&pgdat->kswapd_wait) -> try_to_wake_up of
 * kswapd on its (idle) CPU until kswapd runs. Estimate, 5 us: a cross-CPU wake-up is an IPI (or a
 * polling idle CPU seeing TIF_NEED_RESCHED), the exit from a shallow idle state (WFI) and a context
 * switch, each a few hundred ns to a few us on a server core; no measured arm64 figure was found in
 * the search corpora. The waker pays only the enqueue, inside its fault's trap cost.
 */
export const KSWAPD_WAKE_NS = 5_000;
/**
 * kswapd_try_to_sleep's short nap (mm/vmscan.c 6.1-6.6, read in 6.3): schedule_timeout(HZ/10) on
 * kswapd_wait once prepare_kswapd_sleep found the node balanced (or hopeless), i.e. 100 ms at any HZ;
 * wakeup_kswapd ends it early (remaining > 0: KSWAPD_LOW_WMARK_HIT_QUICKLY, then balance_pgdat). Timed
 * out, prepare_kswapd_sleep runs again: still balanced, the full sleep (schedule() until woken); not,
 * balance_pgdat at once (KSWAPD_HIGH_WMARK_HIT_QUICKLY). wakeup_kcompactd there has no lab counterpart
 * (order-0 allocations only, no compaction).
 */
export const KSWAPD_NAP_NS = 100_000_000;

export class Kswapd implements Actor, KswapdTask {
  clock: number;
  done = false;
  /** In balance_pgdat (awake), as opposed to asleep in kswapd_try_to_sleep. */
  private active = false;
  /** The virtual time at which it last went to sleep (a wake-up cannot start it earlier). */
  private slept = 0;
  /** In kswapd_try_to_sleep's short nap until this time (KSWAPD_NAP_NS), else -1 (awake, or the full sleep). */
  private napUntil = -1;
  /** Naps that timed out with the node unbalanced: balance_pgdat unwoken (KSWAPD_HIGH_WMARK_HIT_QUICKLY). */
  highWmarkHitQuickly = 0;
  /** balance_pgdat's iterations: kswapd_shrink_node's counts and sc.priority (mm/balancePgdat.ts). */
  private readonly balance: BalancePgdat;
  /** The lruvec whose aging pass is in progress, or null. */
  private aging: Policy | null = null;
  /**
   * A victim whose unmap was deferred to this next step (Pgdat.shrinkNode's unmapLimit), else -1; the
   * clock is then the unmap's request time, and `deferredStart` the clock the shrinkNode call began at.
   */
  private deferred = -1;
  private deferredFreed = 0;
  private deferredStart = 0;
  /**
   * A victim unmapped whose mmu_notifier_invalidate_range_end was deferred to this next step
   * (Pgdat.deferredEnd), else -1: its frees, the range_end's request time (the clock) and the unmap
   * hold's start; `deferredStart` the clock the call that evicted it began at.
   */
  private endVictim = -1;
  private endFreed = 0;
  private endAt = 0;
  private endStart = 0;

  constructor(
    private readonly pgdat: Pgdat,
    private readonly host: HostFrames,
    /** Nodes shared by workers: the low-watermark check while asleep (see the file comment); else Infinity. */
    private readonly pollNs = Infinity,
  ) {
    this.clock = pollNs === Infinity ? Infinity : 0;
    pgdat.kswapdTask = this;
    this.balance = new BalancePgdat(pgdat, host, pollNs === Infinity);
  }

  /** When it last went to sleep (kswapd_try_to_sleep), ns. */
  get sleptAt(): number {
    return this.slept;
  }

  /** On kswapd_wait: asleep in kswapd_try_to_sleep, a wake-up would start it. */
  get asleep(): boolean {
    return !this.active && this.aging === null;
  }

  /** Awake in balance_pgdat (Pgdat.isolatedPages counts its batch). */
  get isolating(): boolean {
    return this.active;
  }

  /** The lruvec whose aging pass it runs in steps (its ageStep's end wakes mm_state.wait), or null. */
  get agingPass(): Policy | null {
    return this.aging;
  }

  /**
   * wakeup_kswapd at the waker's time t: a sleeping kswapd of a node not given up on starts at
   * t + KSWAPD_WAKE_NS. Returns whether it woke (the caller then yields to the scheduler).
   */
  wake(t: number): boolean {
    if (this.active || this.aging !== null) return false; // not on kswapd_wait: already running
    if (this.pgdat.kswapdFailures >= MAX_RECLAIM_RETRIES) return false;
    this.active = true;
    this.napUntil = -1; // a wake-up in the nap: schedule_timeout returns early (remaining > 0)
    this.balance.start();
    const start = (t > this.slept ? t : this.slept) + KSWAPD_WAKE_NS;
    if (start < this.clock) this.clock = start;
    this.pgdat.countWakeup();
    return true;
  }

  run(limit: number): void {
    const pg = this.pgdat;
    const host = this.host;
    // Spread runs: the frames kswapd frees go to every worker's budget by share (HostFrames.putKswapd).
    host.kswapdRunning = true;
    do {
      // A deferred unmap (this.deferred) is finished before anything else: aging, sleep, a new check.
      if (this.aging !== null && this.deferred < 0 && this.endVictim < 0) {
        const p = this.aging;
        if (!pg.kswapdAgeStep(p, this.clock)) this.aging = null; // the pass is complete
        this.advance(pg.t);
        continue;
      }
      if (!this.active && this.napUntil >= 0 && this.clock >= this.napUntil) {
        // The nap timed out unwoken: prepare_kswapd_sleep again (its pfmemalloc_wait wake-up, then
        // hopeless or pgdat_balanced: the full sleep), else balance_pgdat at once.
        this.napUntil = -1;
        pg.kswapdSleeps(this.clock);
        if (pg.kswapdFailures >= MAX_RECLAIM_RETRIES || host.wmarkFree() > host.high) {
          this.fullSleep();
          continue;
        }
        this.highWmarkHitQuickly++;
        this.active = true;
        this.balance.start();
      }
      // Shared nodes only: the poll stands in for other workers' wake-ups.
      if (!this.active && host.wmarkFree() < host.low && pg.kswapdFailures < MAX_RECLAIM_RETRIES) {
        this.napUntil = -1;
        this.active = true;
        this.balance.start();
      }
      if (!this.active) {
        pg.kswapdSleeps(this.clock); // prepare_kswapd_sleep (a shared node's poll: each time)
        if (this.napUntil < 0) this.fullSleep();
        else this.clock = this.pollNs === Infinity ? this.napUntil : Math.min(this.napUntil, this.clock + this.pollNs);
        continue;
      }
      const p = this.deferred < 0 && this.endVictim < 0 ? this.wantsAging() : null;
      if (p !== null) {
        // A shared lruvec re-checks under lru_lock: another worker's direct reclaimer may have started
        // the pass since (its walk runs unlocked). Then the gate is closed and the next iteration evicts.
        if (!p.beginAging(this.clock)) continue;
        this.aging = p;
        continue;
      }
      let end: number;
      if (this.endVictim >= 0) {
        // The range_end the last step stopped before (below): booked now. The clock moves as if the
        // call had not been cut (from its start).
        end = finishDeferredEnd(pg, this.endVictim, this.endFreed, this.endAt, this.endStart, false);
        this.endVictim = -1;
        this.clock = this.deferredStart;
      } else if (this.deferred >= 0) {
        // The unmap the last step stopped before (below): booked now, after the actors earlier in
        // virtual time booked theirs. The clock moves as if the call had not been cut (from its start).
        end = evictDeferred(pg, this.deferred, this.deferredFreed, this.clock, false, KSWAPD_CPU, limit);
        this.deferred = -1;
        if (this.deferEnd(end)) continue; // the unmap waited past the limit: range_end next step
        this.clock = this.deferredStart;
      } else {
        this.balance.before();
        end = pg.shrinkNode(this.clock, 1, false, undefined, undefined, undefined, limit);
        this.balance.after();
        if (pg.deferredVictim >= 0) {
          // folio_referenced ended past the step's limit: the unmap's write request waits for the
          // next step (shrinkNode.ts unmapLimit), at the check's end.
          this.deferred = pg.deferredVictim;
          this.deferredFreed = pg.deferredFreed;
          this.deferredStart = this.clock;
          this.clock = end;
          continue;
        }
        if (pg.deferredEnd >= 0) {
          this.deferredStart = this.clock;
          if (this.deferEnd(end)) continue;
        }
      }
      if (pg.lastEvicted === 0 && !pg.scanAgain) {
        // A direct reclaimer's MGLRU walk is under way at kswapd's time: 6.1-6.2's age_lruvec ->
        // try_to_inc_max_seq sleeps on lruvec->mm_state.wait until its inc_max_seq (shrinkNode.ts
        // mmWalkWait); then balance_pgdat's next priority evicts. Not a balance_pgdat without progress.
        const wake = mmWalkWait(pg, this.clock);
        // +Infinity (a pass in steps, end unknown) is only ever kswapd's own, which it finishes before it
        // evicts (this.aging): never a reason for kswapd to sleep.
        if (wake > this.clock && wake !== Infinity) {
          this.clock = wake;
          continue;
        }
        if (this.wantsAging() !== null) continue; // the policy found it must age first: next step
        // balance_pgdat freed nothing. Not counted on a node shared by workers: there "nothing" is
        // this worker's share of the node's memcgs, not the node (Pgdat.shrinkNode, sharedNode).
        if (this.pollNs === Infinity) pg.kswapdFailures++;
        this.active = false;
        pg.snapshotRefaults(); // balance_pgdat's end: snapshot_refaults(NULL, pgdat)
        this.sleep();
        continue;
      }
      // Folios considered (an eviction, or young ones only: scanAgain), or frees met at the tail.
      this.advance(end);
      this.balance.freed += pg.lastFreed;
      // balance_pgdat: a kswapd_shrink_node call ends once it reclaimed nr_to_reclaim (or, MGLRU, scanned
      // size >> priority); then the pfmemalloc_wait check (Pgdat.kswapdShrunk), and at the next
      // iteration's top pgdat_balanced: free pages above the high watermark (zone_watermark_ok_safe,
      // __zone_watermark_ok: `free_pages <= mark` fails). MGLRU checks it only there (lru_gen_shrink_node
      // -> try_to_shrink_lruvec stops at neither watermark in 6.3-6.4: "mm/mglru: try to stop at high
      // watermarks" is of Dec 2023); the other policies after every folio (their shrink_lruvec's priority
      // descent is not modelled: docs/repro-max-guest-memory.md, session 11).
      const iterationEnd = this.balance.ends();
      if (iterationEnd) pg.kswapdShrunk(this.clock);
      if ((iterationEnd || !this.balance.lruGen) && host.wmarkFree() > host.high) {
        this.active = false; // pgdat_balanced: kswapd_try_to_sleep
        pg.snapshotRefaults(); // balance_pgdat's end: snapshot_refaults(NULL, pgdat)
        this.sleep();
      } else if (iterationEnd) this.balance.next();
    } while (this.clock < limit);
    host.kswapdRunning = false;
  }

  /**
   * The last call unmapped its victim but stopped before range_end, whose write request lay past the
   * step's limit (kvm/unmapGfnRange.ts evictOne's endLimit): the step ends at that request (`end`), and
   * the next one books it (finishDeferredEnd), after the actors earlier in virtual time booked theirs.
   */
  private deferEnd(end: number): boolean {
    const pg = this.pgdat;
    if (pg.deferredEnd < 0) return false;
    this.endVictim = pg.deferredEnd;
    this.endFreed = pg.deferredFreed;
    this.endAt = pg.rangeEndAt;
    this.endStart = pg.rangeEndStart;
    this.clock = end;
    return true;
  }

  /**
   * kswapd_try_to_sleep at the end of balance_pgdat: prepare_kswapd_sleep (wake_up_all(&pgdat->pfmemalloc_wait)
   * if anyone waits there); the node balanced or hopeless, the short nap (KSWAPD_NAP_NS) until a wake-up or
   * its end (run); else (a balance_pgdat that freed nothing on an unbalanced node) the full sleep at once, a
   * departure: the kernel's prepare_kswapd_sleep is false there and kswapd runs balance_pgdat again.
   */
  private sleep(): void {
    const pg = this.pgdat;
    pg.kswapdSleeps(this.clock);
    if (pg.kswapdFailures < MAX_RECLAIM_RETRIES && this.host.wmarkFree() <= this.host.high) {
      this.fullSleep();
      return;
    }
    this.napUntil = this.clock + KSWAPD_NAP_NS;
    if (this.pollNs === Infinity) {
      this.slept = this.clock;
      this.clock = this.napUntil;
    } else this.clock += this.pollNs;
  }

  /** The full sleep (schedule() until woken): clock +Infinity, or the next poll on a shared node. */
  private fullSleep(): void {
    this.napUntil = -1;
    if (this.pollNs === Infinity) {
      this.slept = this.clock;
      this.clock = Infinity;
    } else {
      this.clock += this.pollNs;
    }
  }

  /** Move the clock to `end` (a step's finish), stretched by the node's kswapd share (Pgdat.kswapdShare). */
  private advance(end: number): void {
    const busy = end - this.clock;
    if (busy <= 0) {
      this.clock += 1;
      return;
    }
    this.clock += busy / this.pgdat.kswapdShare();
  }

  private wantsAging(): Policy | null {
    for (const p of this.pgdat.lruvecPolicies) if (p.wantsAging(this.clock)) return p;
    return null;
  }

  flush(): void {}
}
