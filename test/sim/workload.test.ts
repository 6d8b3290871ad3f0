/** Workload generators and the zipf sampler against simple references; RCU-deferred table frees in a run. */
import { describe, expect, it } from 'vitest';
import { Prng } from '../../engine/core/sim/prng.ts';
import { runInProcess } from '../../engine/core/sim/run.ts';
import { WorkloadGen } from '../../engine/core/sim/workload.ts';
import { ZipfSampler } from '../../engine/core/sim/zipf.ts';
import { hardware, oracleScenario } from './fixtures.ts';

describe('workloads', () => {
  it('zipf (rejection-inversion) matches the exact pmf within sampling error', () => {
    const n = 1000;
    const theta = 0.99;
    const z = new ZipfSampler(n, theta);
    const prng = new Prng(1, 0);
    const count = new Float64Array(n + 1);
    const draws = 200_000;
    for (let i = 0; i < draws; i++) count[z.sample(prng)]++;
    let norm = 0;
    for (let k = 1; k <= n; k++) norm += k ** -theta;
    for (const k of [1, 2, 10, 100]) {
      const p = k ** -theta / norm;
      const sd = Math.sqrt((draws * p * (1 - p)) / 1);
      expect(Math.abs(count[k] - draws * p)).toBeLessThan(5 * sd);
    }
  });

  it('uniform stays in range; scan walks pages in order from a per-vCPU offset', () => {
    const u = new WorkloadGen(
      { kind: 'uniform', pages: 100, writeFraction: 0, thinkNs: 0 },
      128,
      new Prng(3, 0),
      0,
      1,
      undefined,
    );
    for (let i = 0; i < 1000; i++) expect(u.next(0)).toBeLessThan(100);
    const s = new WorkloadGen(
      { kind: 'scan', pages: 10, writeFraction: 0, thinkNs: 0 },
      10,
      new Prng(3, 1),
      1,
      2,
      undefined,
    );
    expect([0, 1, 2, 3, 4, 5, 6].map(() => s.next(0))).toEqual([5, 6, 7, 8, 9, 0, 1]);
  });

  it('hotset moves its hot window every shiftEveryMs', () => {
    const spec = {
      kind: 'hotset' as const,
      pages: 1000,
      hotPages: 100,
      hotProbability: 1,
      shiftEveryMs: 1,
      writeFraction: 0,
      thinkNs: 0,
    };
    const h = new WorkloadGen(spec, 1000, new Prng(5, 0), 0, 1, undefined);
    for (let i = 0; i < 100; i++) expect(h.next(0)).toBeLessThan(100);
    for (let i = 0; i < 100; i++) {
      const g = h.next(1.5e6);
      expect(g >= 100 && g < 200).toBe(true);
    }
  });

  it('trace replay: vCPU i of n takes entries i, i+n, ...; -1 at the end', () => {
    const t = Uint32Array.from([7, 8, 9, 10, 11]);
    const w = new WorkloadGen({ kind: 'trace', trace: 't', writeFraction: 0, thinkNs: 0 }, 16, new Prng(1, 0), 1, 2, t);
    expect([w.next(0), w.next(0), w.next(0)]).toEqual([8, 10, -1]);
  });
});

describe('RCU-deferred table frees', () => {
  it('a scan that empties leaf tables frees them through callRcu: grace periods complete and table pages stay few', () => {
    const cfg = oracleScenario({ policy: 'clock', capacity: 256, hw: hardware('ampere-altra') });
    cfg.guests[0].memoryMiB = 16;
    cfg.guests[0].workload = { kind: 'scan', pages: 4096, writeFraction: 0.5, thinkNs: 100 };
    cfg.run.durationMs = 200;
    cfg.run.sampleIntervalMs = 10;
    const r = runInProcess(cfg);
    expect(r.summary.evictions).toBeGreaterThan(4096);
    expect(r.summary.rcuGracePeriods).toBeGreaterThan(0);
    // A scan over 8 leaf tables with 256 resident pages keeps at most a couple of them live.
    expect(r.summary.tablePagesPeak).toBeLessThan(8 + 4);
    expect(r.summary.hitRate).toBe(0);
    expect((r.summary as { permFaults?: number }).permFaults).toBe(0);
  });
});
