/** Shared words and messages of the MMU lock worker test (test/core/lockWorker.ts). */
export const D = {
  a: 0,
  b: 1,
  readersInside: 2,
  writersInside: 3,
  violations: 4,
  stop: 5,
  ready: 6, // start barrier: workers that reached it
  readersDone: 7, // readers that did their minimum number of acquisitions
  words: 8,
} as const;

export interface LockWorkerData {
  arena: SharedArrayBuffer;
  data: SharedArrayBuffer;
  lockId: number;
  role: 'reader' | 'writer' | 'brokenWriter';
  /** Minimum acquisitions. Readers go on until D.stop; writers until every reader did its minimum. */
  iterations: number;
  holdSpin: number;
  gapSpin: number;
  seed: number;
  chaos: boolean;
  /** Workers in the run, for the start barrier, and how many of them are readers. */
  workers: number;
  readers: number;
  /** Lock-word loads to spin before sleeping (mmuLock.ts MmuLockOptions.spins); the default when absent. */
  spins?: number;
}

export interface LockWorkerResult {
  ops: number;
}

/** Start barrier over a data word: every worker arrives, then all start together. */
export function startBarrier(data: Int32Array, word: number, parties: number): void {
  Atomics.add(data, word, 1);
  Atomics.notify(data, word);
  for (;;) {
    const n = Atomics.load(data, word);
    if (n >= parties) return;
    Atomics.wait(data, word, n, 100);
  }
}
