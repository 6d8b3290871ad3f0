/**
 * An actor of the simulation: something with a virtual clock that advances by doing steps
 * (a vCPU making accesses, a guest's kswapd share, a guest's aging thread).
 *
 * Contract of run(limit): do at least one step, then keep stepping while clock < limit; never
 * step once `done`. The scheduler picks the actor with the smallest clock and gives it the
 * next-smallest clock (plus a small slack) as its limit.
 */
export interface Actor {
  clock: number;
  done: boolean;
  run(limit: number): void;
  /**
   * Optional, for an actor that is alone on its worker (nothing else to interleave with): the same
   * steps as run(limit) in STOP_CHECK_NS pieces, in one call, asking `stop` itself often enough that a
   * stop is still seen within milliseconds of wall time (the trace replay, replay.ts: a piece is about
   * one request when they miss, so the scheduler's per-piece work was ~10 % of its time).
   */
  runAlone?(limit: number, stop: StopCheck): void;
  /** Push local counters to the shared stats (end of a quantum). */
  flush(): void;
}

/** What an actor running alone asks between its steps (SimCore: a stop or abort was requested). */
export interface StopCheck {
  stopRequested(): boolean;
}
