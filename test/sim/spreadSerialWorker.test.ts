/**
 * A spread run's serial section (serialSection.ts SerialSection.run: sample rows, spreadSettle.ts settleBudgets) runs on whichever
 * worker arrives last at the barrier. It must read and write the run's shared counters: a worker >= 1's own
 * `sv.stats` is its private copy, which the fold has just zeroed. Pinned on one thread (run.ts
 * runInterleaved, fixed order 0 then 1): the same run with every serial section on worker 0 and with them
 * alternating between the workers must be identical, rows and summary, and every row's counts >= 0.
 *
 * Negative control (run by hand): serialSection and settleSpread reading `this.sv` again (the old code)
 * fails: the rows' accesses sum to 0 instead of the run's 258,399 (here every 10 ms row falls on an odd
 * quantum, so worker 1 samples its just-zeroed private counters).
 */
import { describe, expect, it } from 'vitest';
import { runInterleaved } from '../../engine/core/sim/run.ts';
import { spreadScenario } from './fixtures.ts';

describe('spread run: the serial section on any worker', () => {
  it('gives the same rows and summary as on worker 0, with no negative counts', () => {
    const on0 = runInterleaved(spreadScenario(), 2, [0, 1]);
    const alt = runInterleaved(spreadScenario(), 2, [0, 1], { serialWorker: (q) => q % 2 });
    expect(alt.summary.evictions).toBeGreaterThan(0); // the run reclaims: settlement and rows matter
    for (const col of ['accesses', 'evictions', 'refaults', 's2Faults'] as const)
      for (const x of alt.samples[col]) expect(x).toBeGreaterThanOrEqual(0);
    const sum = alt.samples.accesses.reduce((a, x) => a + x, 0);
    expect(sum).toBe(alt.summary.accesses);
    expect(Array.from(alt.samples.hitRate)).toEqual(Array.from(on0.samples.hitRate));
    expect(Array.from(alt.samples.evictions)).toEqual(Array.from(on0.samples.evictions));
    expect(alt.summary.hitRate).toBe(on0.summary.hitRate);
    expect(alt.summary.evictions).toBe(on0.summary.evictions);
  });
});
