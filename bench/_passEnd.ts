/**
 * Diagnostics of the max_guest_memory-like runs: `cb` at each pass change of the vCPUs' pass barrier
 * (sim/workload.ts PassBarrier: every vCPU has finished pass `before`), with the guest's live counters
 * (`stats`, its row at `base`). One hook of PassBarrier.arrive (hookMethod: throws if it is stale), shared
 * by _mgmDiag, _v1AiDecompose, _v1AiSlices and _v1FlushDecompose, which each snapshot run 1's counters there.
 */
import { PassBarrier } from '../engine/core/sim/workload.ts';
import { hookMethod, type HookOptions } from './_util.ts';

export interface PassEnd {
  /** The pass every vCPU just finished (0 = run 1). */
  before: number;
  now: number;
  stats: Float64Array;
  base: number;
}

export function onPassEnd(cb: (e: PassEnd) => void, opts: HookOptions = {}): void {
  hookMethod(
    PassBarrier.prototype,
    'arrive',
    (origArrive) =>
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      function (this: Record<string, any>, now: number) {
        const before = this.pass as number;
        origArrive.call(this, now);
        if (this.pass !== before && this.stats) cb({ before, now, stats: this.stats, base: this.base });
      },
    opts,
  );
}
