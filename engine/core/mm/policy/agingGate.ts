/**
 * A what-if rate limit on aging passes with no kernel counterpart (reclaim.agingIntervalMs; 0 = off, the
 * kernel's behaviour and every preset's). Aging itself is reclaim-driven, as in Linux: a policy ages only
 * when reclaim (kswapd between the low and high watermarks, or direct reclaim) needs it (MGLRU:
 * should_run_aging; active/inactive: inactive_is_low). With a non-zero interval a pass starts only when
 * none is in progress and at least that much virtual time has passed since the previous one started;
 * meanwhile MGLRU eviction that needs a new generation gets one without a walk (mglru.ts), and
 * active/inactive eviction with an empty inactive list finds nothing in that lruvec.
 *
 * One gate per lruvec, used only by its owner worker (like the policy).
 */
export class AgingGate {
  private lastStart = -Infinity;
  private busy = false;

  constructor(readonly intervalNs: number) {}

  /** Whether a pass may start at virtual time t. */
  open(t: number): boolean {
    return !this.busy && t >= this.lastStart + this.intervalNs;
  }

  /** A pass starts at virtual time t (the caller checked `open(t)`). */
  start(t: number): void {
    this.lastStart = t;
    this.busy = true;
  }

  /** The pass in progress is complete. */
  end(): void {
    this.busy = false;
  }
}
