/**
 * A what-if rate limit on aging passes with no kernel counterpart (reclaim.agingIntervalMs; 0 = off, the
 * kernel's behaviour and every preset's). Aging itself is reclaim-driven, as in Linux: a policy ages only
 * when reclaim (kswapd between the low and high watermarks, or direct reclaim) needs it (MGLRU:
 * should_run_aging; active/inactive: inactive_is_low). With a non-zero interval a pass starts only when
 * none is in progress and at least that much virtual time has passed since the previous one started;
 * between passes MGLRU eviction that needs a new generation gets one without a walk (mglruEvict.ts; during a
 * pass it gets none, as in the kernel: walking()), and
 * active/inactive eviction with an empty inactive list finds nothing in that lruvec.
 *
 * One gate per lruvec. Its state lives in `state` at `at` (GATE_WORDS doubles): a local array, or in a
 * spread run the shared lruvec's state, used under the lruvec's lock like the policy (mm/sharedLru.ts).
 */
export const GATE_WORDS = 2;
const LAST_START = 0;
const BUSY = 1;

export class AgingGate {
  constructor(
    readonly intervalNs: number,
    private readonly state: Float64Array = new Float64Array(GATE_WORDS),
    private readonly at = 0,
    /** False: `state` was initialised already (a shared lruvec attached by another worker). */
    fresh = true,
  ) {
    if (fresh) {
      state[at + LAST_START] = -Infinity;
      state[at + BUSY] = 0;
    }
  }

  private get lastStart(): number {
    return this.state[this.at + LAST_START];
  }

  private set lastStart(t: number) {
    this.state[this.at + LAST_START] = t;
  }

  private get busy(): boolean {
    return this.state[this.at + BUSY] !== 0;
  }

  private set busy(b: boolean) {
    this.state[this.at + BUSY] = b ? 1 : 0;
  }

  /** Whether a pass may start at virtual time t. */
  open(t: number): boolean {
    return !this.busy && t >= this.lastStart + this.intervalNs;
  }

  /**
   * A pass is in progress (started, not yet ended): the kernel's walk of max_seq that other reclaimers
   * find under way in try_to_inc_max_seq (mm/vmscan.c). Distinct from a gate closed by the what-if
   * interval alone.
   */
  walking(): boolean {
    return this.busy;
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
