/**
 * kswapd: one per host node (mm/vmscan.c kswapd -> balance_pgdat), not one per guest. It sleeps
 * while free memory is above the low watermark (polled every KSWAPD_POLL_NS of virtual time: the
 * wake-up from the allocator's wakeup_kswapd is not modelled as an event), and once awake reclaims
 * until free memory reaches the high watermark:
 *
 * - aging first when a lruvec needs it (MGLRU: lru_gen_age_node -> should_run_aging ->
 *   try_to_inc_max_seq; active/inactive: inactive_is_low -> shrink_active_list), in steps so the
 *   scheduler interleaves it with the vCPUs in virtual time; a pass once started is finished;
 * - then eviction, one page per step (shrink_node on the node's lruvec(s), Pgdat.shrinkNode).
 *
 * Its virtual clock is its own: MMU-lock waits on any VM move it (the seed's kswapd profile is what
 * the GS_KSWAPD_* counters record).
 */
import type { Actor } from '../sim/actor.ts';
import type { HostFrames } from './hostFrames.ts';
import type { Policy } from './policy/policy.ts';
import type { Pgdat } from './pgdat.ts';

/** Virtual time between kswapd checks of the watermarks while asleep. */
export const KSWAPD_POLL_NS = 50_000;

export class Kswapd implements Actor {
  clock = 0;
  done = false;
  private active = false;
  /** The lruvec whose aging pass is in progress, or null. */
  private aging: Policy | null = null;

  constructor(
    private readonly pgdat: Pgdat,
    private readonly host: HostFrames,
  ) {}

  run(limit: number): void {
    const pg = this.pgdat;
    const host = this.host;
    do {
      if (this.aging !== null) {
        const p = this.aging;
        if (!pg.kswapdAgeStep(p, this.clock)) this.aging = null; // the pass is complete
        this.advance(pg.t);
        continue;
      }
      if (!this.active && host.free() < host.low) this.active = true;
      if (!this.active) {
        this.clock += KSWAPD_POLL_NS;
        continue;
      }
      const p = this.wantsAging();
      if (p !== null) {
        p.beginAging(this.clock);
        this.aging = p;
        continue;
      }
      const end = pg.shrinkNode(this.clock, 1, false);
      if (pg.lastEvicted === 0 && pg.scanAgain) {
        this.advance(end); // folios considered, none evicted yet: go on next step
        continue;
      }
      if (pg.lastEvicted === 0) {
        if (this.wantsAging() !== null) continue; // the policy found it must age first: next step
        this.active = false;
        this.clock += KSWAPD_POLL_NS;
        continue;
      }
      this.advance(end);
      if (host.free() >= host.high) this.active = false;
    } while (this.clock < limit);
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
