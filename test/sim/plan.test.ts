/**
 * The run plan's scheduling choices: where a spread run takes each guest's heat-map columns
 * (plan.heatWorker) — every guest on exactly one worker, worker 0 (kswapd) the fewest pages.
 */
import { describe, expect, it } from 'vitest';
import { planRun, RECLAIM_WORKER_VCPU_WEIGHT, setReclaimWorkerVcpuWeight } from '../../engine/core/sim/plan.ts';
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

describe('plan.vcpuWorker (spread runs)', () => {
  const split = (vcpus: number[]): string[] => {
    const p = planRun(
      {
        ...parallel(vcpus.map(() => 256)),
        guests: vcpus.map((v, i) => ({ ...base.guests[0], name: `g${i}`, memoryMiB: 256, vcpus: v })),
      },
      2,
    );
    expect(p.spread).toBe(true);
    return p.vcpuWorker.map((ws) => `${ws.filter((w) => w === 0).length}/${ws.filter((w) => w === 1).length}`);
  };

  // Worker 0 also runs the node's kswapd: measured ~70 ms of ~1,300 ms actor CPU per worker on bench/engine.ts's
  // 4-guest run (about two vCPUs' worth), so it takes one vCPU fewer of 64 (RECLAIM_WORKER_VCPU_WEIGHT).
  // Control (the even split, weight 1, run below): 32/32 and 8/8 in every guest.
  it('64 vCPUs: worker 0 (kswapd) takes 31, worker 1 33; small VMs still split evenly', () => {
    expect(split([64])).toEqual(['31/33']);
    expect(split([16, 16, 16, 16]).join(' ')).toBe('8/8 7/9 8/8 8/8');
    expect(split([4])).toEqual(['2/2']);
    expect(split([2, 6])).toEqual(['1/1', '3/3']);
    const w = RECLAIM_WORKER_VCPU_WEIGHT;
    setReclaimWorkerVcpuWeight(1);
    try {
      expect(split([64])).toEqual(['32/32']);
      expect(split([16, 16, 16, 16]).join(' ')).toBe('8/8 8/8 8/8 8/8');
    } finally {
      setReclaimWorkerVcpuWeight(w);
    }
  });
});
