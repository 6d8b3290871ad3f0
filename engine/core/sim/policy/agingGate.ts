/**
 * When a policy may start an aging pass. Aging is reclaim-driven, as in Linux: a policy ages only when
 * reclaim (the guest's kswapd share between the low and high watermarks, or direct reclaim on a vCPU's
 * fault) needs it (MGLRU: should_run_aging; active/inactive: inactive_is_low), never on a timer while the
 * host has free memory. reclaim.agingIntervalMs is the rate limit: a pass starts only when none is in
 * progress and at least that much virtual time has passed since the previous pass started. While the
 * gate is closed, MGLRU eviction that needs a new generation gets one without a walk (mglru.ts), and
 * active/inactive eviction with an empty inactive list finds nothing in that guest (pickVictim
 * returns -1) until the gate opens; other guests' reclaim goes on meanwhile.
 *
 * One gate per guest, used only by its owner worker (like the policy).
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
