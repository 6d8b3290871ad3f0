/** Shared words and messages of the RCU worker test (test/core/rcuWorker.ts). */
export const R = {
  violations: 0,
  stop: 1,
  ready: 2,
  /** Readers that have done their minimum number of sections. */
  reads: 3,
  /** Published object index, one word per updater. */
  ptr: 4,
  /** Objects: OBJ_WORDS words each, [a, b]; updater u owns objects [u * pool, (u + 1) * pool). */
  objects: 8,
} as const;
export const OBJ_WORDS = 2;

export type UpdaterMode = 'callRcu' | 'synchronizeRcu' | 'immediate';

export interface RcuWorkerData {
  arena: SharedArrayBuffer;
  data: SharedArrayBuffer;
  role: 'reader' | 'updater';
  /** Updater index (role updater) or number of updaters (role reader). */
  updater: number;
  updaters: number;
  pool: number;
  mode: UpdaterMode;
  /** Updaters: replacements. Readers: minimum sections; they go on until R.stop is set. */
  iterations: number;
  seed: number;
  workers: number;
}

export interface RcuWorkerResult {
  ops: number;
  pendingAtEnd: number;
}

export function dataWords(updaters: number, pool: number): number {
  return R.objects + updaters * pool * OBJ_WORDS;
}
