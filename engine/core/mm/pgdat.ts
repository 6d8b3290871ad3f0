/**
 * The host's memory node as reclaim sees it (struct pglist_data, mm/vmscan.c): the guests whose
 * anonymous memory it holds (each guest = one VMM process, its memory on the host LRU), their
 * lruvec(s), and the reclaim entry points (the Reclaimer the policies call back), each modelled in its
 * own file:
 *
 * - shrinkNode(t, nr, byVcpu): shrink_node -> shrink_node_memcgs -> shrink_lruvec / lru_gen_shrink_node,
 *   evicting up to nr pages: from the one host lruvec (reclaim.lruvec 'host', default: victims chosen
 *   across guests by one LRU), or from the per-guest memcgs in proportion to their sizes
 *   (get_scan_count's proportional scan, 'memcg'). kswapd (mm/kswapd.ts) and direct reclaim in the
 *   faulting vCPU's context (Guest.fault, __alloc_pages_direct_reclaim) both come here (mm/shrinkNode.ts).
 * - referenced(id): folio_referenced -> rmap walk to the one VMA mapping the page -> the owning VM's
 *   mmu notifier (kvm/mmuNotifier.ts). With MGLRU and the seed's fast path this is lru_gen_look_around:
 *   up to MIN_LRU_BATCH (64) pages around the folio, clipped to its PMD (512 pages), in one lockless
 *   kvm_arch_test_clear_young batch; young neighbours are promoted too (mm/folioReferenced.ts).
 * - walk(start, end): MGLRU's walk_mm over each VM's range (walk_pte_range in 64-page windows, mm/walkMm.ts).
 * - the throttling of direct reclaim (too_many_isolated, reclaim_throttle, throttle_direct_reclaim,
 *   allow_direct_reclaim) and kswapd's wake-ups of pfmemalloc_wait (mm/reclaimThrottle.ts).
 *
 * The node's page ids, lruvecs, counters and swap area are its base class's (mm/pgdatLruvecs.ts, which
 * also says where the lists live).
 * Fields the files above read are public; only they and this class write them.
 */
import { DOUBLE_ZERO } from '../ownShape.ts';
import type { Guest } from '../sim/guest.ts';
import type { Policy, Promoter, Reclaimer } from './policy/policy.ts';
import { GS_KSWAPD_NS, GS_KSWAPD_WAKEUPS } from '../sim/simLayout.ts';
import { KSWAPD_CPU } from './swapSlots.ts';
import type { HostFrames } from './hostFrames.ts';
import { folioReferenced } from './folioReferenced.ts';
import { canWalk, MmWalk } from './walkMm.ts';
import { shrinkNode } from './shrinkNode.ts';
import {
  allowDirectReclaim,
  kswapdShrunk,
  kswapdSleeps,
  mmWalkDone,
  mmWalkPass,
  mmWalkSettle,
  mustThrottleDirect,
  ReclaimThrottle,
  WAIT_ISOLATED,
  WAIT_MM_WALK,
  type ThrottleWaiter,
} from './reclaimThrottle.ts';
import { PgdatLruvecs } from './pgdatLruvecs.ts';
import { DIRECT_SCAN_PER_STEP, KSWAPD_SCAN_PER_STEP } from './reclaimConsts.ts';

export { HEADS, type Lruvec } from './pgdatLruvecs.ts';

/** kswapd as the allocator sees it (mm/kswapd.ts): wakeup_kswapd. */
export interface KswapdTask {
  wake(t: number): boolean;
  /** Asleep in kswapd_try_to_sleep (waitqueue_active(&pgdat->kswapd_wait)). */
  readonly asleep: boolean;
  /** Awake in balance_pgdat: its batch counts as isolated (isolatedPages). */
  readonly isolating: boolean;
  /** The lruvec policy whose aging pass it runs in steps, or null (mm/shrinkNode.ts mmWalkWait). */
  readonly agingPass?: Policy | null;
}

export class Pgdat extends PgdatLruvecs implements Reclaimer {
  /** The reclaimer's clock during a reclaim call (ns); a double from the start (DOUBLE_ZERO, core/ownShape.ts). */
  t = DOUBLE_ZERO;
  /** Pages evicted by the last shrinkNode call. */
  lastEvicted = 0;
  /** The last shrinkNode call stopped because its scan budget ran out (kswapd: call again at once). */
  scanAgain = false;
  /** Folio checks left in this call (kswapd: KSWAPD_SCAN_PER_STEP; direct reclaim: DIRECT_SCAN_PER_STEP). */
  budget = Infinity;
  readonly guests: Guest[] = [];
  /** walk_mm's state between two walk steps (mm/walkMm.ts): kswapd's lru_gen_mm_walk (pgdat->mm_walk). */
  private readonly mmWalk = new MmWalk();
  /**
   * A direct reclaimer's walk state (set_mm_walk: current->reclaim_state->mm_walk, its own): a direct
   * reclaimer joining kswapd's pass (MglruAging.joinWalk) must not take over kswapd's split table. A pass
   * always ends at a table's end (split state clear), so before joining existed the two were the same.
   */
  private readonly directWalk = new MmWalk();
  /** Policy-set: this call joined the MGLRU walk under way without being its last walker (Reclaimer.joinedWalk). */
  joinedWalk = false;
  /** The current reclaim call is kswapd's (it has an mm_walk: set_mm_walk), else direct reclaim's. */
  kswapd = false;
  /** Spread runs (sim/spread.ts): pages carry PG_LRU, and only those on the LRU are promoted (all have their young bits cleared). */
  lruFlag = false;
  /** The node's kswapd (null without one: demand-only runs, or no unpinned guest here). */
  kswapdTask: KswapdTask | null = null;
  /**
   * The aging pass (its start time, Policy.walkPass) the latest sleeper on mm_state.wait fell asleep on:
   * spread runs wake this node's sleepers once it has ended (mm/reclaimThrottle.ts mmWalkSettle).
   */
  mmWaitPass = -1;
  /** NR_ISOLATED_ANON and the wait queues of direct reclaim (mm/reclaimThrottle.ts). */
  readonly throttling = new ReclaimThrottle();
  /** allowDirectReclaim woke kswapd (the caller yields to the scheduler, as after wakeup_kswapd); it clears it. */
  wokeKswapd = false;
  /** Pages the last shrinkNode call freed (sc->nr_reclaimed: frames back on the free lists). */
  lastFreed = 0;
  /** The last folio evicted (node page id; shrinkNode, evictDeferred, finishDeferredEnd), for direct reclaim's batch. */
  lastVictim = -1;
  /**
   * Folios under writeback that a direct reclaimer's evict_folios batch holds isolated (mm/directReclaim.ts):
   * off the LRU until the batch's end, so no other reclaimer meets them at the tail (shrinkNode.ts
   * endWriteback skips them); the batch's retry frees those written by then (retryWritten).
   */
  readonly heldWriteback = new Set<number>();
  /**
   * The last shrinkNode call chose a victim (its folio_referenced done) but stopped before the unmap's
   * write request, which lay past `unmapLimit` (mm/shrinkNode.ts): the victim's id, else -1. The caller
   * (kswapd, or a direct reclaimer) takes it at once (evictDeferred finishes it): another call may come next.
   */
  deferredVictim = -1;
  /** The endWriteback frees of the call that deferred its victim (counted when the victim is evicted). */
  deferredFreed = 0;
  /**
   * The last shrinkNode / evictDeferred call unmapped its victim but stopped before the
   * mmu_notifier_invalidate_range_end write request, which lay past the limit (kvm/unmapGfnRange.ts
   * evictOne's endLimit): the victim's id (deferredEnd), the request's time (rangeEndAt) and the unmap
   * hold's start (rangeEndStart); else deferredEnd -1. deferredFreed then counts the victim too. The caller
   * takes it at once (finishDeferredEnd finishes it). rangeEndAt is evictOne's report to its caller.
   */
  deferredEnd = -1;
  rangeEndAt = -1;
  rangeEndStart = 0;
  /** The node's free frames and watermarks (the first attached guest's host; one host per run). */
  host: HostFrames | null = null;

  /** Register the k-th local guest (after its Guest object exists). */
  attach(k: number, g: Guest): void {
    this.guests[k] = g;
    this.host ??= g.host;
  }

  /** snapshot_refaults on each lruvec (Policy.snapshotRefaults): a reclaim call ends. */
  snapshotRefaults(): void {
    for (const p of this.lruvecPolicies) p.snapshotRefaults?.();
  }

  spent(): boolean {
    return this.budget <= 0;
  }

  /** folio_referenced (mm/folioReferenced.ts). */
  referenced(id: number, promoter: Promoter | null): boolean {
    return folioReferenced(this, id, promoter);
  }

  /** should_walk_mmu (mm/walkMm.ts). */
  canWalk(start: number, end: number): boolean {
    return canWalk(this, start, end);
  }

  /** walk_mm over ids [start, end) (mm/walkMm.ts), with kswapd's or the direct reclaimer's walk state. */
  walk(start: number, end: number, promoter: Promoter): void {
    (this.kswapd ? this.mmWalk : this.directWalk).walk(this, start, end, promoter);
  }

  /** The end of the VM (the mm: one VMM process) whose ids hold `id` (Reclaimer.mmEnd). */
  mmEnd(id: number): number {
    const k = this.guestOf(id);
    return this.base[k] + this.guests[k].pages;
  }

  /**
   * Evict up to nr pages at virtual time t (shrink_node); sets lastEvicted, returns the finish time.
   * byVcpu: direct reclaim on a vCPU's fault path; otherwise kswapd. cpu: the reclaimer's CPU, whose
   * swap cluster the swap-outs take their slots from (mm/swapSlots.ts).
   */
  shrinkNode(
    t: number,
    nr: number,
    byVcpu: boolean,
    own?: Policy,
    budget = byVcpu ? Infinity : KSWAPD_SCAN_PER_STEP,
    cpu = KSWAPD_CPU,
    unmapLimit = Infinity,
  ): number {
    return shrinkNode(this, t, nr, byVcpu, own, budget, cpu, unmapLimit);
  }

  /**
   * wakeup_kswapd at time t, from the allocator's slow path (Guest.fault, free at or below the low
   * watermark). Returns whether a sleeping kswapd woke (the waker then yields to the scheduler, so
   * kswapd's first steps are booked in virtual-time order).
   */
  wakeKswapd(t: number): boolean {
    return this.kswapdTask !== null && this.kswapdTask.wake(t);
  }

  countWakeup(): void {
    if (this.guests.length > 0) this.guests[0].stats[this.guests[0].sb + GS_KSWAPD_WAKEUPS]++;
  }

  /** NR_ISOLATED_ANON (ReclaimThrottle.isolatedPages). */
  isolatedPages(): number {
    return this.throttling.isolatedPages(this.kswapdTask);
  }

  /** too_many_isolated (ReclaimThrottle.tooManyIsolated). */
  tooManyIsolated(policy: Policy, t: number): boolean {
    return this.throttling.tooManyIsolated(policy, t, this.kswapdTask);
  }

  /** isolate_lru_folios of a direct-reclaim cluster: NR_ISOLATED_ANON += ISOLATE_BATCH. */
  isolate(): void {
    this.throttling.isolate();
  }

  /** The cluster's folios are back on the LRU or freed (move_folios_to_lru): NR_ISOLATED_ANON -= ISOLATE_BATCH. */
  putback(): void {
    this.throttling.putback();
  }

  /** `w` fell asleep at time t on wait queue `queue` (ReclaimThrottle.throttle). */
  throttle(w: ThrottleWaiter, t: number, queue = WAIT_ISOLATED): void {
    if (queue === WAIT_MM_WALK && this.lruFlag) {
      // Spread runs: sleepers of a pass that ended meanwhile (on another worker) are woken first.
      mmWalkSettle(this);
      this.mmWaitPass = mmWalkPass(this);
    }
    this.throttling.throttle(w, t, queue);
  }

  /** `w` runs again (woken or timed out): off its wait queue (finish_wait). */
  unthrottle(w: ThrottleWaiter): void {
    this.throttling.unthrottle(w);
  }

  /** Tasks asleep on wait queue `queue` (waitqueue_active). */
  sleepers(queue: number): number {
    return this.throttling.sleepers(queue);
  }

  /** allow_direct_reclaim (mm/reclaimThrottle.ts). */
  allowDirectReclaim(t: number): boolean {
    return allowDirectReclaim(this, t);
  }

  /** throttle_direct_reclaim's check (mm/reclaimThrottle.ts). */
  mustThrottleDirect(t: number): boolean {
    return mustThrottleDirect(this, t);
  }

  /** balance_pgdat's wake-up of pfmemalloc_wait after a kswapd_shrink_node (mm/reclaimThrottle.ts). */
  kswapdShrunk(t: number): void {
    kswapdShrunk(this, t);
  }

  /** prepare_kswapd_sleep's wake-up of pfmemalloc_wait (mm/reclaimThrottle.ts). */
  kswapdSleeps(t: number): void {
    kswapdSleeps(this, t);
  }

  /**
   * Reclaimer.mmWalkDone: the MGLRU pass's wake-up of mm_state.wait (mm/reclaimThrottle.ts). The kernel's
   * queue is the lruvec's; the lab's is the node's, whose sleepers all wait for kswapd's pass (only it runs
   * in steps). So only the end of kswapd's pass wakes it: a direct reclaimer's inline pass (this.kswapd
   * false) is on another lruvec (a memcg's: kswapd's gate is busy on its own), whose wake_up_all finds
   * none of these sleepers on its queue.
   */
  mmWalkDone(t: number): void {
    if (this.kswapd) mmWalkDone(this, t);
  }

  /**
   * One step of direct reclaim by a vCPU of the local guest whose lruvec is `own`: one folio of
   * shrink_folio_list (folio_referenced; try_to_unmap and swap-out when it was not young), evicting
   * 0 or 1 page (lastEvicted); scanAgain when the folio was young (rotated) and the cluster goes on.
   * Guest.fault runs SWAP_CLUSTER_MAX evictions as such steps. With the host lruvec this is
   * shrinkNode. With memcgs, the kernel's direct reclaim on a node shortage scans every memcg in
   * proportion; here the faulting VM's memcg goes first (as under a memcg limit) and the others only
   * when it has nothing to evict, because in a parallel run the other workers' memcgs are out of reach
   * and one-worker runs must agree with parallel ones (a stated deviation).
   */
  directReclaimStep(t: number, own: Policy, cpu: number, unmapLimit = Infinity): number {
    return this.shrinkNode(t, 1, true, own, DIRECT_SCAN_PER_STEP, cpu, unmapLimit);
  }

  /**
   * directReclaimStep's per-call state, for a caller that picks and evicts the victim itself: the
   * trace-replay fast path (sim/replay.ts, one guest, one lruvec), which must leave the Reclaimer as
   * directReclaimStep would for its policy's folio_referenced calls.
   */
  beginDirectReclaim(t: number): void {
    this.t = t;
    this.kswapd = false;
    this.budget = DIRECT_SCAN_PER_STEP;
    this.scanAgain = false;
    this.joinedWalk = false;
  }

  /** kswapd's aging step on a lruvec (lru_gen_age_node / shrink_active_list) from time t; reads back `t`. */
  kswapdAgeStep(policy: Policy, t: number): boolean {
    this.t = t;
    this.kswapd = true;
    this.budget = KSWAPD_SCAN_PER_STEP;
    const more = policy.ageStep(this);
    if (this.guests.length > 0) this.guests[0].stats[this.guests[0].sb + GS_KSWAPD_NS] += this.t - t;
    return more;
  }
}
