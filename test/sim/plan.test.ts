/**
 * The run plan's scheduling choices: where a spread run takes each guest's heat-map columns
 * (plan.heatWorker) — every guest on exactly one worker, worker 0 (kswapd) the fewest pages.
 */
import { describe, expect, it } from 'vitest';
import { planRun } from '../../engine/core/sim/plan.ts';
import { debateScenario, hardware } from './fixtures.ts';

const base = debateScenario({ hw: hardware('ampere-altra'), harvest: 'lockless' });
const parallel = (guestMiB: number[]): typeof base => ({
  ...base,
  guests: guestMiB.map((m, i) => ({ ...base.guests[0], name: `g${i}`, memoryMiB: m })),
  run: { ...base.run, deterministic: false, workers: 2 },
});

describe('plan.heatWorker', () => {
  it('spread: one guest goes to worker 1, equal guests alternate, unequal ones balance pages', () => {
    expect(planRun(parallel([256]), 2).heatWorker).toEqual([1]);
    expect(planRun(parallel([256, 256, 256, 256]), 2).heatWorker).toEqual([1, 0, 1, 0]);
    const p = planRun(parallel([512, 128, 128, 256]), 2);
    expect(p.spread).toBe(true);
    expect(p.heatWorker).toEqual([1, 0, 0, 0]); // 512 MiB on worker 1, 128 + 128 + 256 on worker 0
  });

  it('deterministic and memcg runs: the owner of each guest, as before', () => {
    const det = { ...parallel([256, 256]), run: { ...base.run, deterministic: true, workers: 1 } };
    expect(planRun(det, 1).heatWorker).toEqual([0, 0]);
    const memcg = { ...parallel([256, 256, 256]), reclaim: { ...base.reclaim, lruvec: 'memcg' as const } };
    const m = planRun(memcg, 2);
    expect(m.spread).toBe(false);
    expect(m.heatWorker).toEqual(m.owner);
  });
});
