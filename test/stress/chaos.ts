/**
 * Seeded randomness and yield injection for concurrency tests.
 *
 * `installChaos` swaps this agent's atomic operations (engine/core/sync/atomics.ts) for versions that,
 * at random, spin or briefly sleep before the operation. That stretches the windows between
 * atomics, so a missing cmpxchg or grace period shows up in a short run. Deterministic per seed
 * in *what* it decides, not in the resulting interleaving (the OS still schedules threads).
 */
import { nativeAtomicOps, setAtomicOps, withHook } from '../../engine/core/sync/atomics.ts';
import { rng } from '../rng.ts';

export interface ChaosOptions {
  /** Probability of a short busy spin before an atomic. */
  spinP?: number;
  /** Probability of a real sleep (gives the core to another thread). */
  sleepP?: number;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Busy-spin about `n` iterations (the result is kept so the loop is not removed). */
let sink = 0;
export function spin(n: number): void {
  for (let i = 0; i < n; i++) sink = (sink + i) | 0;
}

/** Sleep a few tens of microseconds, letting the OS run another thread. */
export function nap(): void {
  Atomics.wait(sleeper, 0, 0, 0.02);
}

/** Install random yields between atomics in this agent. Returns the restore function. */
export function installChaos(seed: number, options: ChaosOptions = {}): () => void {
  const rand = rng(seed);
  const spinP = options.spinP ?? 0.2;
  const sleepP = options.sleepP ?? 0.002;
  return setAtomicOps(
    withHook((op) => {
      if (op === 'wait' || op === 'notify') return;
      const r = rand();
      if (r < sleepP) nap();
      else if (r < spinP) spin(Math.floor(rand() * 200));
    }, nativeAtomicOps()),
  );
}
