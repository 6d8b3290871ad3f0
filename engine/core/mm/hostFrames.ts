/**
 * Host frame accounting, shared by every worker: CTL_FREE_FRAMES in the control buffer
 * (simLayout.ts), changed only with atomics. Frames are counted, not named: a guest page's output
 * address is derived from (guest, gfn) and only the count of host frames is scarce.
 */
import { atomics } from '../sync/atomics.ts';
import { CTL_FREE_FRAMES } from '../sim/simLayout.ts';

export class HostFrames {
  /**
   * Only this agent touches the count while the run lasts (the contract of atomics.ts plainArenaOps:
   * a one-worker run, the host thread not reading it until 'finished'): plain reads and writes then,
   * not sequentially consistent ones (a locked instruction per frame taken or freed). Set by the
   * trace-replay fast path (sim/replay.ts), whose eligibility includes one worker.
   */
  singleAgent = false;

  constructor(
    private readonly control: Int32Array,
    readonly total: number,
    /** Watermarks in frames: kswapd wakes below low, sleeps at high; faults dip below min only via reclaim. */
    readonly min: number,
    readonly low: number,
    readonly high: number,
  ) {}

  /** Take a frame if more than `reserve` are free. */
  tryTake(reserve: number): boolean {
    const c = this.control;
    if (this.singleAgent) {
      const f = c[CTL_FREE_FRAMES];
      if (f <= reserve) return false;
      c[CTL_FREE_FRAMES] = f - 1;
      return true;
    }
    for (;;) {
      const f = atomics.load(c, CTL_FREE_FRAMES);
      if (f <= reserve) return false;
      if (atomics.compareExchange(c, CTL_FREE_FRAMES, f, f - 1) === f) return true;
    }
  }

  /**
   * Take n frames at once, before the run starts (the VMM's pre-fault, sim/prefault.ts): the caller
   * has checked that n frames are free.
   */
  takeMany(n: number): void {
    if (n > this.free()) throw new Error(`taking ${n} host frames, only ${this.free()} free`);
    this.put(-n);
  }

  put(n: number): void {
    if (this.singleAgent) this.control[CTL_FREE_FRAMES] += n;
    else atomics.add(this.control, CTL_FREE_FRAMES, n);
  }

  free(): number {
    return atomics.load(this.control, CTL_FREE_FRAMES);
  }
}
