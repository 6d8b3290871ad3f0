/**
 * The background reclaim actor of one guest (on the guest's owner worker):
 *
 * - Kswapd: this guest's share of the host's kswapd. Wakes when host free frames drop below the
 *   low watermark, evicts one page of its guest per step until free reaches the high watermark
 *   (every unpinned guest's share runs, so reclaim is spread over guests as shrink_node iterates
 *   memcgs). Absent with run.demandOnly and for pinned guests.
 *   Aging is reclaim-driven (policy/agingGate.ts): while awake, before evicting, kswapd asks the
 *   policy whether it wants a pass (MGLRU's should_run_aging as in lru_gen_age_node, active/inactive's
 *   inactive_is_low) and the rate limit (reclaim.agingIntervalMs between pass starts) allows it; if so
 *   it runs the pass, one lock hold per step, and goes back to evicting. A pass once started is
 *   finished even if free memory reaches the high watermark meanwhile. With free memory above the
 *   low watermark nothing ages.
 */
import type { Actor } from './actor.ts';
import type { Guest } from './guest.ts';

/** Virtual time between kswapd checks of the watermarks while idle. */
export const KSWAPD_POLL_NS = 50_000;

export class Kswapd implements Actor {
  clock = 0;
  done = false;
  private active = false;
  private aging = false;

  constructor(private readonly g: Guest) {}

  /** One page or one aging hold per step, so the scheduler interleaves reclaim with the vCPUs in virtual time. */
  run(limit: number): void {
    const g = this.g;
    const host = g.host;
    const policy = g.policy;
    do {
      if (this.aging) {
        const h = g.harvester;
        h.t = this.clock;
        this.aging = policy.ageStep(h);
        this.clock = h.t > this.clock ? h.t : this.clock + 1;
        continue;
      }
      if (!this.active && host.free() < host.low) this.active = true;
      if (!this.active) {
        this.clock += KSWAPD_POLL_NS;
        continue;
      }
      if (policy.wantsAging(this.clock)) {
        policy.beginAging(this.clock);
        this.aging = true;
        continue;
      }
      const end = g.evictPages(this.clock, 1, false);
      if (g.lastEvicted === 0) {
        if (policy.wantsAging(this.clock)) continue; // the policy found it must age first: next step
        this.active = false;
        this.clock += KSWAPD_POLL_NS;
        continue;
      }
      this.clock = end > this.clock ? end : this.clock + 1;
      if (host.free() >= host.high) this.active = false;
    } while (this.clock < limit);
  }

  flush(): void {}
}
