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
 * A pass is in progress for other reclaimers over its virtual duration, not only while its code runs:
 * a direct reclaimer runs its whole MGLRU walk inside one pickVictim call (mglruEvict.ts), so the walk's
 * data are complete at once, but its inc_max_seq happens at the walker's clock after the walk (`end(t)`).
 * A reclaimer whose clock is before that time sees the walk under way (walking(t)) and not the generation
 * it opens (unseenGens(t)), as in mm/vmscan.c 6.1-6.3, where a caller of try_to_inc_max_seq that finds
 * the mm list iteration under way (mm_state->seq == max_seq: iterate_mm_list gives it no mm) returns false
 * and gets no new generation until the last walker's inc_max_seq. walkEnd(t) is that time, for the
 * caller's wait_event_killable(lruvec->mm_state.wait, max_seq < lrugen->max_seq) (6.1-6.3, priority <=
 * DEF_PRIORITY - 2; removed in 6.4 by 7f63cf2d9b9b "mm: Multi-gen LRU: remove wait_event_killable()":
 * see mglruAging.ts for 6.4+, where such a caller ends the iteration itself; not modelled).
 *
 * One gate per lruvec. Its state lives in `state` at `at` (GATE_WORDS doubles): a local array, or in a
 * spread run the shared lruvec's state, used under the lruvec's lock like the policy (mm/sharedLru.ts).
 */
export const GATE_WORDS = 3;
const LAST_START = 0;
const BUSY = 1;
/** The virtual time of the last pass's inc_max_seq (-Infinity: none, or a pass that opened no generation). */
const INC_AT = 2;

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
      state[at + INC_AT] = -Infinity;
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

  private get incAt(): number {
    return this.state[this.at + INC_AT];
  }

  /** Whether a pass may start at virtual time t. */
  open(t: number): boolean {
    return !this.busy && t >= this.incAt && t >= this.lastStart + this.intervalNs;
  }

  /**
   * A pass is in progress at virtual time t (started, not yet ended, or ended at a later virtual time
   * than t): the kernel's walk of max_seq that other reclaimers find under way in try_to_inc_max_seq
   * (mm/vmscan.c). Distinct from a gate closed by the what-if interval alone.
   */
  walking(t: number): boolean {
    return this.busy || t < this.incAt;
  }

  /**
   * Generations that exist in the policy's data but not yet at virtual time t: 1 when the last pass's
   * inc_max_seq is later than t (see the file comment), else 0.
   */
  unseenGens(t: number): number {
    return t < this.incAt ? 1 : 0;
  }

  /**
   * When a reclaimer at virtual time t that finds the walk under way is woken (the walker's inc_max_seq
   * -> wake_up_all(&lruvec->mm_state.wait), 6.1-6.3): the last pass's end, or -1 when no walk is under
   * way at t or its end is not known yet (a pass still running: kswapd's, in steps).
   */
  walkEnd(t: number): number {
    return !this.busy && t < this.incAt ? this.incAt : -1;
  }

  /**
   * A pass has started and not yet ended in the data (kswapd's, in steps): its walkers may still be joined
   * (MglruAging.joinWalk). A direct reclaimer's inline pass is never running between calls.
   */
  get running(): boolean {
    return this.busy;
  }

  /**
   * The pass in progress in the data, named by its start time (lastStart), or -1 when none runs: a
   * sleeper on mm_state.wait on another worker of a spread run is woken once this pass has ended
   * (mm/reclaimThrottle.ts mmWalkSettle).
   */
  get runningPass(): number {
    return this.busy ? this.lastStart : -1;
  }

  /** The last pass's inc_max_seq time (-Infinity: none yet), whatever t a reader is at (mmWalkSettle). */
  get lastIncAt(): number {
    return this.incAt;
  }

  /** A pass starts at virtual time t (the caller checked `open(t)`). */
  start(t: number): void {
    this.lastStart = t;
    this.busy = true;
  }

  /**
   * The pass in progress is complete; `incAt`: the virtual time of its inc_max_seq (the walker's clock
   * after the walk), or omitted when it opened no generation (active/inactive's pass; an MGLRU pass whose
   * generation was opened meanwhile).
   */
  end(incAt = -Infinity): void {
    this.busy = false;
    if (incAt > this.incAt) this.state[this.at + INC_AT] = incAt;
  }
}
