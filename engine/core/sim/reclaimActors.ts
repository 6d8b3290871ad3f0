/**
 * The background reclaim actors of one guest (both run on the guest's owner worker):
 *
 * - Kswapd: this guest's share of the host's kswapd. Wakes when host free frames drop below the
 *   low watermark, evicts one page of its guest per step until free reaches the
 *   high watermark (every unpinned guest's share runs, so reclaim is spread over guests as
 *   shrink_node iterates memcgs). Absent with run.demandOnly and for pinned guests.
 * - AgingThread: MGLRU's periodic aging, every reclaim.agingIntervalMs (the next pass starts no
 *   earlier than the end of the previous one), one 512-gfn chunk per step.
 */
import type { Actor } from './actor.ts';
import type { Guest } from './guest.ts';

/** Virtual time between kswapd checks of the watermarks while idle. */
export const KSWAPD_POLL_NS = 50_000;

export class Kswapd implements Actor {
  clock = 0;
  done = false;
  private active = false;

  constructor(private readonly g: Guest) {}

  /** One page per step, so the scheduler interleaves reclaim with the vCPUs in virtual time. */
  run(limit: number): void {
    const host = this.g.host;
    do {
      if (!this.active && host.free() < host.low) this.active = true;
      if (!this.active) {
        this.clock += KSWAPD_POLL_NS;
        continue;
      }
      const end = this.g.evictPages(this.clock, 1, false);
      if (this.g.lastEvicted === 0) {
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

export class AgingThread implements Actor {
  clock: number;
  done = false;
  private inPass = false;
  private passStart = 0;

  constructor(
    private readonly g: Guest,
    private readonly intervalNs: number,
  ) {
    this.clock = intervalNs;
  }

  /** One chunk (one lock hold) of the current pass per step; the next pass starts interval after this one. */
  run(limit: number): void {
    const h = this.g.harvester;
    const policy = this.g.policy;
    do {
      if (!this.inPass) {
        this.inPass = true;
        this.passStart = this.clock;
        policy.beginAging();
      }
      h.t = this.clock;
      const more = policy.ageStep(h);
      this.clock = h.t > this.clock ? h.t : this.clock + 1;
      if (!more) {
        this.inPass = false;
        if (this.clock < this.passStart + this.intervalNs) this.clock = this.passStart + this.intervalNs;
      }
    } while (this.clock < limit);
  }

  flush(): void {}
}
