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
  /** Push local counters to the shared stats (end of a quantum). */
  flush(): void;
}
