/**
 * Host frame accounting, shared by every worker: CTL_FREE_FRAMES in the control buffer
 * (simLayout.ts), changed only with atomics. Frames are counted, not named: a guest page's output
 * address is derived from (guest, gfn) and only the count of host frames is scarce.
 */
import { atomics, controlAtomics } from '../sync/atomics.ts';
import { BUDGET_STRIDE, CTL_FREE_FRAMES } from '../sim/simLayout.ts';

export class HostFrames {
  /**
   * Only this agent touches the count while the run lasts (the contract of atomics.ts plainArenaOps:
   * a one-worker run, the host thread not reading it until 'finished'): plain reads and writes then,
   * not sequentially consistent ones (a locked instruction per frame taken or freed). Set by the
   * trace-replay fast path (sim/replay.ts), whose eligibility includes one worker. Tested `=== true`
   * (one compare; a bare `if` on a boolean field is a full ToBoolean: sim/replay.ts).
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

  /**
   * Spread runs: every worker's budget of frames above the min watermark (SpreadBuffers.budgets, one
   * Int32 word per worker at w * BUDGET_STRIDE), or null (one worker, or per-guest workers: the shared count alone).
   */
  private budgets: Int32Array | null = null;
  /** This worker's word in `budgets`. */
  private worker = 0;
  /** Spread runs: each worker's share of the frames (SpreadBuffers.shares), for kswapd's frees. */
  private shares: Float64Array | null = null;
  private readonly kswapdCredit: number[] = [];
  /** kswapd (worker 0) is running: a frame it frees goes to the budgets by share (putKswapd). */
  kswapdRunning = false;

  /**
   * Spread runs: this worker takes frames above the min watermark from its own budget, and the frames
   * its reclaim and its vCPUs free go back to that budget (the serial section re-splits them at each
   * barrier: simCore.ts settleBudgets). Why (spread.ts): the one-worker rule "below min, the faulting
   * task reclaims" (__alloc_pages -> __alloc_pages_direct_reclaim, mm/page_alloc.c 6.1-6.6) applied to
   * the shared count would let whichever worker runs ahead in real time take the other's frames and
   * leave it at min; against its own budget each worker reaches min at its own virtual time. The kernel
   * has per-CPU free lists (struct per_cpu_pages: rmqueue_pcplist allocates from this CPU's list,
   * free_unref_page frees to it), but its watermark check (zone_watermark_fast) is on the zone's one
   * count: the per-worker budget is this lab's device for virtual time, not a pcp model.
   */
  useBudgets(budgets: Int32Array, shares: Float64Array, worker: number): void {
    this.budgets = budgets;
    this.shares = shares;
    this.worker = worker * BUDGET_STRIDE;
    for (let w = 0; w < shares.length; w++) this.kswapdCredit.push(0);
  }

  /** Take a frame if more than `reserve` are free. */
  tryTake(reserve: number): boolean {
    const c = this.control;
    if (this.budgets !== null && reserve >= this.min) return this.takeBudget(reserve - this.min);
    if (this.singleAgent === true) {
      const f = c[CTL_FREE_FRAMES];
      if (f <= reserve) return false;
      c[CTL_FREE_FRAMES] = f - 1;
      return true;
    }
    for (;;) {
      const f = controlAtomics.load(c, CTL_FREE_FRAMES);
      if (f <= reserve) return false;
      if (controlAtomics.compareExchange(c, CTL_FREE_FRAMES, f, f - 1) === f) return true;
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

  /** Spread runs: a frame from this worker's budget if more than `keep` are left in it. */
  private takeBudget(keep: number): boolean {
    const b = this.budgets as Int32Array;
    const w = this.worker;
    // The kernel's try_cmpxchg loop: the first read is a plain one (readOnce: a stale value only makes
    // the cmpxchg fail, and its result is the next try's value); the cmpxchg orders the take. A
    // sequentially consistent load here was ~0.27 native atomics per access of a spread run (one per
    // fault; bench/_spreadAtomicsCount.ts).
    let x = atomics.readOnce(b, w);
    for (;;) {
      if (x <= keep) return false;
      const seen = atomics.compareExchange(b, w, x, x - 1);
      if (seen === x) break;
      x = seen;
    }
    controlAtomics.sub(this.control, CTL_FREE_FRAMES, 1);
    return true;
  }

  put(n: number): void {
    if (this.budgets !== null && n > 0) {
      if (this.kswapdRunning) this.putKswapd(n);
      else atomics.add(this.budgets, this.worker, n);
    }
    if (this.singleAgent === true) this.control[CTL_FREE_FRAMES] += n;
    else controlAtomics.add(this.control, CTL_FREE_FRAMES, n);
  }

  /**
   * kswapd's frees (worker 0) to the workers' budgets by their shares of the barrier's split, largest
   * running credit first (deterministic given the order of frees): kswapd frees to the zone, which
   * every CPU allocates from.
   */
  private putKswapd(n: number): void {
    const b = this.budgets as Int32Array;
    const sh = this.shares as Float64Array;
    const cr = this.kswapdCredit;
    for (let k = 0; k < n; k++) {
      let best = 0;
      for (let w = 0; w < cr.length; w++) {
        cr[w] += sh[w];
        if (cr[w] > cr[best]) best = w;
      }
      cr[best]--;
      atomics.add(b, best * BUDGET_STRIDE, 1);
    }
  }

  free(): number {
    return controlAtomics.load(this.control, CTL_FREE_FRAMES);
  }

  /**
   * The free count the low and high watermark checks read: wakeup_kswapd's caller (the allocator's
   * slow path below low), kswapd's check while asleep on a shared node (mm/kswapd.ts poll) and
   * pgdat_balanced (free >= high: kswapd_try_to_sleep). The kernel reads the zone's one NR_FREE_PAGES
   * (zone_watermark_ok, mm/page_alloc.c 6.1-6.6): free() without budgets.
   *
   * Spread runs with budgets: the shared count mixes the workers' virtual times (frames idle in one
   * worker's budget while another is at its floor), so kswapd found the node balanced and slept while a
   * worker reclaimed at its min (session 10, 99 wake-ups against 1 deterministic). Instead each worker
   * with a share stands for the node as it would be if every worker had spent its budget at the same
   * rate: min + budget / share, the node's frames above min at that worker's virtual time if the split
   * was in proportion to the demand; the lowest of them, since in one interleaving the first worker to
   * reach a watermark in virtual time is where the node reaches it (the kernel's one count is crossed
   * by whichever CPU allocates there). An approximation of virtual-time order across workers, as the
   * budgets are; never above free().
   */
  wmarkFree(): number {
    const b = this.budgets;
    const sh = this.shares;
    if (b === null || sh === null) return this.free();
    // Spread runs: plain reads (readOnce), as the kernel's watermark checks read the zone's counter
    // (zone_page_state: atomic_long_read, a READ_ONCE with no ordering; zone_watermark_fast,
    // mm/page_alloc.c 6.1-6.6). The other workers' budgets and the shared count change under this
    // check in real time whatever the ordering: a value a little stale moves a kswapd wake-up by one
    // fault, never takes or frees a frame. Three sequentially consistent loads per fault were
    // ~0.41 native atomics per access (bench/_spreadAtomicsCount.ts). One-worker runs read free() as before.
    const f = controlAtomics.readOnce(this.control, CTL_FREE_FRAMES);
    let est = Infinity;
    for (let w = 0; w < sh.length; w++) {
      if (sh[w] <= 0) continue;
      const e = this.min + atomics.readOnce(b, w * BUDGET_STRIDE) / sh[w];
      if (e < est) est = e;
    }
    return est < f ? est : f;
  }
}

/**
 * Spread runs: `above` frames (the free frames above the min watermark) split into the workers' budgets
 * in proportion to `weights` (simCore.ts settleBudgets: each worker's frame takes of the last quantum),
 * whole frames by largest remainder (ties to the lower worker), into budgets[w * BUDGET_STRIDE]; each
 * worker's share of the weights into `shares`. All weights 0: nothing to anyone (no worker will fault).
 */
export function splitBudgets(
  above: number,
  weights: ArrayLike<number>,
  budgets: Int32Array,
  shares: Float64Array,
): void {
  const n = weights.length;
  let total = 0;
  for (let w = 0; w < n; w++) total += weights[w];
  let given = 0;
  for (let w = 0; w < n; w++) {
    shares[w] = total > 0 ? weights[w] / total : 0;
    const b = Math.floor(above * shares[w]);
    budgets[w * BUDGET_STRIDE] = b;
    given += b;
  }
  for (let left = total > 0 ? above - given : 0; left > 0; left--) {
    let best = -1;
    let bestRem = -1;
    for (let w = 0; w < n; w++) {
      const rem = above * shares[w] - budgets[w * BUDGET_STRIDE];
      if (shares[w] > 0 && rem > bestRem) {
        best = w;
        bestRem = rem;
      }
    }
    budgets[best * BUDGET_STRIDE]++;
  }
}
