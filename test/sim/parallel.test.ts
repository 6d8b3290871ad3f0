/**
 * The parallel model without threads (run.ts runInterleaved): inside each quantum one worker runs
 * to the barrier before the other starts, in either order. These are the extremes of real timing
 * (a worker sees all, or none, of the other's quantum), reproducible here. Results must not depend
 * on them: who pays for the host's min-watermark deficit is settled at the barrier in proportion to
 * faults (spreadSettle.ts settleMinWatermark), not by which worker ran ahead in real time.
 * Tolerances and why: fixtures.ts PARALLEL_TOLERANCE.
 */
import { describe, expect, it } from 'vitest';
import { runInProcess, runInterleaved } from '../../engine/core/sim/run.ts';
import { agreement, debateScenario, hardware, outsideTolerance } from './fixtures.ts';

const altra = hardware('ampere-altra');

describe('parallel model (2 workers, in-process, either worker first)', () => {
  it.each([1, 2])(
    'seed %i, 500 ms: both orders agree with deterministic (hit rate within 0.5 pp, web 0.8, db 0.9, batch 3.5 pp, accesses 5.5%)',
    (seed) => {
      const config = debateScenario({ hw: altra, harvest: 'lockless', durationMs: 500, seed, lruvec: 'memcg' });
      const det = runInProcess(config);
      for (const order of [
        [0, 1],
        [1, 0],
      ]) {
        const par = runInterleaved(config, 2, order);
        expect(par.workers).toBe(2);
        const a = agreement(par, det);
        expect(outsideTolerance(a), `order ${order.join(',')}: ${JSON.stringify(a)}`).toEqual([]);
      }
    },
  );

  it('an interleaved run is reproducible, and one worker through runInterleaved is the deterministic run', () => {
    const config = debateScenario({ hw: altra, harvest: 'lockless', durationMs: 30, lruvec: 'memcg' });
    expect(runInterleaved(config, 2, [1, 0]).summary).toEqual(runInterleaved(config, 2, [1, 0]).summary);
    const one = runInterleaved(config, 1, [0]);
    const det = runInProcess(config);
    expect(one.summary).toEqual(det.summary);
    expect(one.samples).toEqual(det.samples);
    expect(() => runInterleaved(config, 2, [0, 0])).toThrow(/each of the 2 workers once/);
  });

  it('pinned (protected) guests never pay for the deficit; the others still do', () => {
    const config = debateScenario({
      hw: hardware('pkvm'),
      harvest: 'hypercall',
      protectedGuest: true,
      durationMs: 100,
      lruvec: 'memcg',
    });
    const r = runInterleaved(config, 2, [0, 1]);
    const db = r.summary.guests[1];
    expect(db.pinned).toBe(true);
    expect(db.evictions).toBe(0);
    expect(r.summary.evictions).toBeGreaterThan(0);
  });
});
