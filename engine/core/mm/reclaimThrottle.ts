/**
 * The throttling of direct reclaim on the host node (mm/vmscan.c, 6.1 and 6.6), and kswapd's side of it:
 * - NR_ISOLATED_ANON and too_many_isolated -> reclaim_throttle(pgdat, VMSCAN_THROTTLE_ISOLATED) from
 *   shrink_inactive_list, woken by wake_throttle_isolated (ReclaimThrottle: the wait queues);
 * - throttle_direct_reclaim's sleep on pgdat->pfmemalloc_wait while !allow_direct_reclaim (the node's min
 *   watermarks), and kswapd's wake_up_all of that queue from balance_pgdat and prepare_kswapd_sleep
 *   (allowDirectReclaim, kswapdShrunk, kswapdSleeps).
 * Pgdat owns one ReclaimThrottle and forwards its entry points here. The functions below call
 * allow_direct_reclaim through Pgdat.allowDirectReclaim, as the class did, so a test or diagnostic that
 * wraps that method (test/sim/pfmemallocThrottle.test.ts, bench/_reproBreakdown.ts) sees every call.
 */
import type { KswapdTask, Pgdat } from './pgdat.ts';
import type { Policy } from './policy/policy.ts';
import { MAX_RECLAIM_RETRIES } from './kswapd.ts';

/**
 * Folios a shrink_inactive_list call isolates at most (isolate_lru_folios with nr_to_scan capped at
 * SWAP_CLUSTER_MAX): NR_ISOLATED_ANON grows by this per reclaimer in its cluster (see isolate).
 */
const ISOLATE_BATCH = 32;
/**
 * reclaim_throttle(pgdat, VMSCAN_THROTTLE_ISOLATED)'s timeout: HZ/50 jiffies (mm/vmscan.c), 20 ms
 * whatever CONFIG_HZ (100, 250, 300 or 1000 all give 20 ms, to a jiffy).
 */
export const THROTTLE_ISOLATED_NS = 20_000_000;

/**
 * The wait queues a direct reclaimer can sleep on: pgdat->reclaim_wait[VMSCAN_THROTTLE_ISOLATED]
 * (reclaim_throttle from shrink_inactive_list), pgdat->pfmemalloc_wait (throttle_direct_reclaim), and
 * MGLRU's lruvec->mm_state.wait (try_to_inc_max_seq's wait_event_killable, mm/vmscan.c 6.1-6.3) while
 * kswapd's aging pass runs in steps (mm/shrinkNode.ts mmWalkWait). One mm_state.wait per node, not per
 * lruvec: only kswapd runs a pass in steps, one pass at a time, so its sleepers are all on its lruvec.
 */
export const WAIT_ISOLATED = 0;
export const WAIT_PFMEMALLOC = 1;
export const WAIT_MM_WALK = 2;

/** A task asleep in reclaim_throttle: woken by setting its clock (an actor's) no later than now. */
export interface ThrottleWaiter {
  clock: number;
}

/** The node's direct-reclaim clusters in progress and its two wait queues. */
export class ReclaimThrottle {
  /** Direct-reclaim clusters in progress (each has isolated ISOLATE_BATCH folios: NR_ISOLATED_ANON). */
  private isolatedClusters = 0;
  /**
   * Tasks asleep on a wait queue (WAIT_ISOLATED: reclaim_throttle(VMSCAN_THROTTLE_ISOLATED),
   * pgdat->reclaim_wait[]; WAIT_PFMEMALLOC: throttle_direct_reclaim, pgdat->pfmemalloc_wait;
   * WAIT_MM_WALK: try_to_inc_max_seq, lruvec->mm_state.wait), with the time each fell asleep.
   */
  private readonly throttled: ThrottleWaiter[][] = [[], [], []];
  private readonly throttledAt: number[][] = [[], [], []];

  /**
   * NR_ISOLATED_ANON: ISOLATE_BATCH per direct-reclaim cluster in progress, and one batch for kswapd
   * while it is awake (its shrink_inactive_list isolates a batch at a time too; estimate: counted the
   * whole time it is awake).
   */
  isolatedPages(kswapd: KswapdTask | null): number {
    return ISOLATE_BATCH * (this.isolatedClusters + (kswapd?.isolating === true ? 1 : 0));
  }

  /**
   * too_many_isolated() for a direct reclaimer about to isolate a batch from `policy` at time t
   * (shrink_inactive_list): isolated > inactive >> 3 (a KVM fault allocates with
   * GFP_HIGHUSER_MOVABLE, which has __GFP_IO | __GFP_FS: gfp_has_io_fs). When not too many, the
   * tasks asleep in reclaim_throttle(VMSCAN_THROTTLE_ISOLATED) are woken (wake_throttle_isolated,
   * wake_up_all) at t. Policies without the check (MGLRU's evict_folios -> isolate_folios has none;
   * the lab's exact LRU and CLOCK are not kernel policies) answer false and wake nobody.
   * kswapd never calls it (current_is_kswapd() returns false before the wake-up).
   */
  tooManyIsolated(policy: Policy, t: number, kswapd: KswapdTask | null): boolean {
    const inactive = policy.inactivePages();
    if (inactive < 0) return false;
    const tooMany = this.isolatedPages(kswapd) > inactive >> 3;
    if (!tooMany) this.wakeThrottled(t);
    return tooMany;
  }

  /** isolate_lru_folios of a direct-reclaim cluster: NR_ISOLATED_ANON += ISOLATE_BATCH. */
  isolate(): void {
    this.isolatedClusters++;
  }

  /** The cluster's folios are back on the LRU or freed (move_folios_to_lru): NR_ISOLATED_ANON -= ISOLATE_BATCH. */
  putback(): void {
    this.isolatedClusters--;
  }

  /**
   * `w` fell asleep at time t on wait queue `queue` (WAIT_ISOLATED: reclaim_throttle, its clock is t +
   * the timeout; WAIT_PFMEMALLOC, WAIT_MM_WALK: wait_event_killable, no timeout, its clock is +Infinity).
   */
  throttle(w: ThrottleWaiter, t: number, queue = WAIT_ISOLATED): void {
    this.throttled[queue].push(w);
    this.throttledAt[queue].push(t);
  }

  /** `w` runs again (woken or timed out): off its wait queue (finish_wait). */
  unthrottle(w: ThrottleWaiter): void {
    for (let q = 0; q < this.throttled.length; q++) {
      const i = this.throttled[q].indexOf(w);
      if (i < 0) continue;
      this.throttled[q].splice(i, 1);
      this.throttledAt[q].splice(i, 1);
    }
  }

  /** Tasks asleep on wait queue `queue` (waitqueue_active). */
  sleepers(queue: number): number {
    return this.throttled[queue].length;
  }

  /** wake_throttle_isolated at time t: every sleeper runs from t (or from when it fell asleep, if later). */
  private wakeThrottled(t: number): void {
    this.wakeAll(WAIT_ISOLATED, t);
  }

  /** wake_up_all on `queue` at time t: every sleeper runs from t (or from when it fell asleep, if later). */
  wakeAll(queue: number, t: number): void {
    const ws = this.throttled[queue];
    const at = this.throttledAt[queue];
    for (let i = 0; i < ws.length; i++) {
      const from = at[i] > t ? at[i] : t;
      if (from < ws[i].clock) ws[i].clock = from;
    }
    ws.length = 0;
    at.length = 0;
  }
}

/**
 * allow_direct_reclaim(pgdat) at time t (mm/vmscan.c, 6.1 and 6.6): true when kswapd gave up on the
 * node (kswapd_failures >= MAX_RECLAIM_RETRIES) or no zone has reclaimable pages (no reserve: "do not
 * throttle"); else free pages > the sum of the zones' min watermarks / 2 (unsigned long division).
 * The lab's node is one zone (ZONE_NORMAL; arm64 has ZONE_DMA too, whose min share is small). When
 * false it wakes a sleeping kswapd ("kswapd must be awake if processes are being throttled":
 * wake_up_interruptible(&pgdat->kswapd_wait) when waitqueue_active).
 */
export function allowDirectReclaim(pg: Pgdat, t: number): boolean {
  const host = pg.host;
  const k = pg.kswapdTask;
  if (host === null || k === null) return true;
  if (pg.kswapdFailures >= MAX_RECLAIM_RETRIES) return true;
  let reclaimable = 0;
  for (const l of pg.lruvecs) reclaimable += l.policy.size();
  // zone_reclaimable_pages(zone) == 0: the zone adds nothing to pfmemalloc_reserve.
  const reserve = reclaimable > 0 ? host.min : 0;
  if (reserve === 0) return true;
  const ok = host.free() > Math.floor(reserve / 2);
  if (!ok && k.asleep && k.wake(t)) pg.wokeKswapd = true;
  return ok;
}

/**
 * throttle_direct_reclaim's check for a user task (not PF_KTHREAD, no fatal signal) at the start of
 * try_to_free_pages, at time t: whether it must sleep on pgdat->pfmemalloc_wait. Counted by the caller
 * (PGSCAN_DIRECT_THROTTLE).
 */
export function mustThrottleDirect(pg: Pgdat, t: number): boolean {
  return !pg.allowDirectReclaim(t);
}

/**
 * balance_pgdat after each kswapd_shrink_node at kswapd's time t: "if the low watermark is met there
 * is no need for processes to be throttled on pfmemalloc_wait": waitqueue_active(&pgdat->pfmemalloc_wait)
 * && allow_direct_reclaim(pgdat) -> wake_up_all.
 */
export function kswapdShrunk(pg: Pgdat, t: number): void {
  const q = pg.throttling;
  if (q.sleepers(WAIT_PFMEMALLOC) > 0 && pg.allowDirectReclaim(t)) q.wakeAll(WAIT_PFMEMALLOC, t);
}

/**
 * try_to_inc_max_seq's last walker at time t, after inc_max_seq (mm/vmscan.c 6.1-6.3): "either this sees
 * any waiters or they will see updated max_seq": if (wq_has_sleeper(&lruvec->mm_state.wait))
 * wake_up_all(&lruvec->mm_state.wait). Every sleeper's condition (max_seq < lrugen->max_seq) now holds:
 * it runs from t (or from when it fell asleep, if later).
 */
export function mmWalkDone(pg: Pgdat, t: number): void {
  const q = pg.throttling;
  if (q.sleepers(WAIT_MM_WALK) > 0) q.wakeAll(WAIT_MM_WALK, t);
}

/** The aging pass under way on any of the node's lruvecs (its start time, Policy.walkPass), or -1. */
export function mmWalkPass(pg: Pgdat): number {
  let p = -1;
  for (const l of pg.lruvecs) {
    const s = l.policy.walkPass?.() ?? -1;
    if (s > p) p = s;
  }
  return p;
}

/**
 * Spread runs, at the start of each quantum of each worker (sim/scheduler.ts runUntil): the wake_up_all of
 * mm_state.wait for this worker's sleepers when the pass they sleep on (Pgdat.mmWaitPass) has ended in the
 * shared lruvec (try_to_inc_max_seq, mm/vmscan.c 6.1-6.3: the kernel has one lruvec->mm_state.wait that
 * the last walker wakes, whichever CPU its sleepers run on; the lab's queue is per worker, and only
 * worker 0's is reachable from kswapd's ageStep). Each sleeper runs from max(E, when it fell asleep), E the
 * pass's inc_max_seq time read from the shared gate (Policy.walkIncAt): the time the kernel's wake-up gives.
 *
 * Causality: the sleeper observed nothing after it fell asleep (S) but the pass's end, and runs from
 * max(E, S). E lies at or after the start of the quantum in which the pass ended (kswapd's clock was there
 * when its last step ran), so a sleeper woken at the next quantum start runs at most one quantum behind its
 * worker's other actors: the spread run's accepted mixing of the workers' virtual times within a quantum,
 * and within the shared MMU-lock calendar's kept window (sync/vlockShared.ts keeps the previous quantum's
 * holds). The real-time delay is one quantum (1 ms against ~150 ms passes); the virtual wake time is exact
 * unless two passes ended in the same quantum (then E is the later one: late by less than a quantum), or
 * the racy read sees BUSY cleared before INC_AT (AgingGate.end): an early wake whose fault finds no
 * generation and sleeps again, as wait_event re-checks its condition.
 */
export function mmWalkSettle(pg: Pgdat): void {
  const q = pg.throttling;
  if (q.sleepers(WAIT_MM_WALK) === 0) return;
  const p = mmWalkPass(pg);
  if (p >= 0 && p === pg.mmWaitPass) return; // still walking: max_seq has not moved
  let e = -Infinity;
  for (const l of pg.lruvecs) {
    const at = l.policy.walkIncAt?.() ?? -Infinity;
    if (at > e) e = at;
  }
  q.wakeAll(WAIT_MM_WALK, e);
}

/**
 * prepare_kswapd_sleep at kswapd's time t: "if kswapd is going to sleep, no process should be sleeping
 * on pfmemalloc_wait, so wake them now if necessary" (wake_up_all, unconditionally; a woken task whose
 * condition still fails sleeps again and wakes kswapd).
 */
export function kswapdSleeps(pg: Pgdat, t: number): void {
  const q = pg.throttling;
  if (q.sleepers(WAIT_PFMEMALLOC) > 0) q.wakeAll(WAIT_PFMEMALLOC, t);
}
