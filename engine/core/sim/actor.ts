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
  /**
   * Optional, for an actor that is its worker's only actor: runAlone(limit, ends), and at each quantum
   * end it reaches (its clock at or past `limit`) ends.endQuantum(), going on to the quantum end that
   * returns, until it returns -1 (the worker's barrier and serial section are due) or a stop, or the
   * actor is done. The quanta are the ones the scheduler would run one runUntil each
   * (SimWorkerCore.loopLone); the actor's loop, not the scheduler's, carries it from one to the next.
   */
  runQuanta?(limit: number, ends: QuantumEnds): void;
  /** Push local counters to the shared stats (end of a quantum). */
  flush(): void;
}

/** What an actor running alone asks between its steps (SimCore: a stop or abort was requested). */
export interface StopCheck {
  stopRequested(): boolean;
}

/** What an actor running its worker's quanta (Actor.runQuanta) asks: SimWorkerCore. */
export interface QuantumEnds extends StopCheck {
  /**
   * The actor's clock reached the end of the current quantum: the quantum is ended as runUntil ends it
   * (the actor flushed, RCU polled, heat sampled). Returns the next quantum's end when the serial
   * section may be skipped (SimWorkerCore.quietQuantum), else -1.
   */
  endQuantum(): number;
}
