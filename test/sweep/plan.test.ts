/**
 * Sweep specs and plans (engine/core/sweep): canonical form, ranges, product and zip, one clear line
 * per bad spec, the confirmation limit, every config validated; and the statistics (Student t).
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIRM_RUNS, planSweep, pointValues, runIndexOf } from '../../engine/core/sweep/plan.ts';
import { canonicalSpec, expandAxis } from '../../engine/core/sweep/spec.ts';
import { meanCi, pointStats, studentTCdf, t975 } from '../../engine/core/sweep/stats.ts';
import type { RunSummary } from '../../engine/protocol.ts';
import { loadPresetDir } from '../../presets/node.ts';
import { repoRoot } from '../trace/traceFiles.ts';

const { set } = loadPresetDir(path.join(repoRoot, 'presets'));
const traces = { cloudPhysicsIO: { distinct: 48974 } };
const PLAIN = {
  scenario: 'trace-oracle',
  axes: { 'host.memoryMiB': [3.90625, 39.0625], 'reclaim.policy': ['exact-lru', 'clock'] },
  seeds: [1],
};

function planError(spec: unknown, yes = false): string {
  const r = planSweep(spec, { set, traces, yes });
  expect(r.ok).toBe(false);
  const message = r.ok ? '' : r.error.message;
  expect(message).not.toContain('\n'); // one line each
  return message;
}

describe('sweep plan', () => {
  it('the plain form from the issue works as written: 4 runs, product order, deterministic runs', () => {
    const r = planSweep(PLAIN, { set, traces });
    if (!r.ok) throw new Error(r.error.message);
    const { record, configs } = r.value;
    expect(configs).toHaveLength(4);
    expect(record.points.map((p) => p.values)).toEqual([
      [3.90625, 'exact-lru'],
      [3.90625, 'clock'],
      [39.0625, 'exact-lru'],
      [39.0625, 'clock'],
    ]);
    expect(record.points.map((p) => p.label)).toEqual([
      'host 3.90625 MiB · exact-lru',
      'host 3.90625 MiB · clock',
      'host 39.0625 MiB · exact-lru',
      'host 39.0625 MiB · clock',
    ]);
    expect(configs.map((c) => [c.host.memoryMiB, c.reclaim.policy])).toEqual(record.points.map((p) => p.values));
    for (const c of configs) expect(c.run).toMatchObject({ deterministic: true, workers: 1, seed: 1 });
  });

  it('seeds multiply the runs; run index = point × seeds + seed', () => {
    const r = planSweep({ ...PLAIN, seeds: { count: 3, first: 5 } }, { set, traces });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.configs).toHaveLength(12);
    expect(r.value.record.seeds).toEqual([5, 6, 7]);
    expect(r.value.configs[runIndexOf(r.value, 2, 1)]).toMatchObject({
      host: { memoryMiB: 39.0625 },
      reclaim: { policy: 'exact-lru' },
      run: { seed: 6 },
    });
  });

  it('zip takes the axes side by side; a hardware axis and fixed `set` overrides apply', () => {
    const r = planSweep(
      {
        scenario: 'seed-debate',
        mode: 'zip',
        axes: { hardware: ['ampere-altra', 'pkvm'], 'host.memoryMiB': [1024, 1536] },
        set: { 'run.durationMs': 20 },
        seeds: [1],
      },
      { set },
    );
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.configs.map((c) => [c.hardware.id, c.host.memoryMiB, c.run.durationMs])).toEqual([
      ['ampere-altra', 1024, 20],
      ['pkvm', 1536, 20],
    ]);
    expect(r.value.configs[1].reclaim.harvest).toBe(r.value.configs[1].hardware.defaultHarvest);
  });

  it('ranges: steps (linear, log) and step', () => {
    expect(expandAxis('x', { from: 1, to: 5, steps: 5 })).toEqual([1, 2, 3, 4, 5]);
    expect(expandAxis('x', { from: 1, to: 1000, steps: 4, scale: 'log' })).toEqual([1, 10, 100, 1000]);
    expect(expandAxis('x', { from: 0.1, to: 0.5, step: 0.1 })).toEqual([0.1, 0.2, 0.3, 0.4, 0.5]);
  });

  it('bad specs get one clear line each', () => {
    expect(planError({ ...PLAIN, axes: { 'host.memoryMb': [1] } })).toBe(
      "axes: unknown config path 'host.memoryMb' (did you mean host.memoryMiB?)",
    );
    expect(planError({ ...PLAIN, axes: { 'host.memoryMiB': [] } })).toBe(
      'axes.host.memoryMiB: empty axis (give at least one value)',
    );
    const million = {
      ...PLAIN,
      axes: {
        'host.memoryMiB': { from: 1, to: 1000, steps: 1000 },
        'run.durationMs': { from: 1, to: 1000, steps: 1000 },
      },
    };
    expect(planError(million)).toBe(
      'the sweep has 1,000,000 runs (1,000,000 points × 1 seed); more than 1000 need --yes, and at most 10000 fit in one session',
    );
    expect(planError(million, true)).toBe(
      'the sweep has 1,000,000 runs (1,000,000 points × 1 seed); at most 10000 fit in one session',
    );
    expect(planError({ ...PLAIN, axes: { 'host.memoryMiB': { from: 4, to: 40, steps: CONFIRM_RUNS + 1 } } })).toMatch(
      /^the sweep has 1,001 runs .*; more than 1000 need --yes$/,
    );
    expect(planError({ ...PLAIN, axis: {} })).toBe("unknown key 'axis' (did you mean axes?)");
    expect(planError({ ...PLAIN, seeds: [] })).toBe('seeds: empty list (give at least one seed)');
    expect(planError({ ...PLAIN, scenario: 'trace-oracel' })).toMatch(/^scenario: unknown scenario 'trace-oracel'/);
    expect(planError({ ...PLAIN, axes: { hardware: ['pkvn'] } })).toMatch(
      /^axes.hardware: unknown hardware profile "pkvn"/,
    );
    expect(
      planError({ ...PLAIN, mode: 'zip', axes: { 'host.memoryMiB': [4, 8], 'reclaim.policy': ['clock'] } }),
    ).toMatch(/^mode zip: every axis needs the same number of values, got 2, 1$/);
    // A value the validator refuses: the point is named, then the validator's own message.
    expect(planError({ ...PLAIN, axes: { 'host.memoryMiB': [3.9] } })).toMatch(
      /^point host 3.9 MiB: invalid scenario: host.memoryMiB: /,
    );
    expect(planError({ ...PLAIN, axes: { 'reclaim.policy': ['lru'] } })).toMatch(/^point lru: .*reclaim.policy/);
    expect(planError([1, 2])).toMatch(/^expected a JSON object/);
  });

  it('a large sweep passes with yes', () => {
    const r = planSweep(
      { ...PLAIN, axes: { 'run.durationMs': { from: 1, to: 1001, steps: 1001 } } },
      { set, traces, yes: true },
    );
    expect(r.ok).toBe(true);
  });

  it('product order is the first axis outermost', () => {
    const c = canonicalSpec({ scenario: 's', axes: { a: [1, 2], b: ['x', 'y', 'z'] }, seeds: [1] });
    if (!c.ok) throw new Error(c.error.message);
    expect(pointValues(c.value)).toEqual([
      [1, 'x'],
      [1, 'y'],
      [1, 'z'],
      [2, 'x'],
      [2, 'y'],
      [2, 'z'],
    ]);
  });
});

describe('statistics over seeds', () => {
  it('t(0.975, df) matches the table', () => {
    const table: [number, number][] = [
      [1, 12.706],
      [2, 4.303],
      [4, 2.776],
      [9, 2.262],
      [29, 2.045],
      [1000, 1.962],
    ];
    for (const [df, t] of table) expect(t975(df)).toBeCloseTo(t, 3);
    expect(studentTCdf(0, 5)).toBeCloseTo(0.5, 12);
  });

  it('mean and 95 % CI: known values, n = 1 has no interval, NaN left out', () => {
    const s = meanCi([1, 2, 3, 4, 5]);
    expect(s.mean).toBe(3);
    // sd = 1.5811, t(0.975, 4) = 2.7764: 2.7764 * 1.5811 / sqrt(5) = 1.9632
    expect(s.ci95).toBeCloseTo(1.9632, 3);
    expect(meanCi([7])).toEqual({ mean: 7, ci95: NaN, n: 1 });
    expect(meanCi([NaN, 2, 4]).n).toBe(2);
  });

  it('pointStats covers every numeric summary field plus missRatio', () => {
    const summary = { accesses: 10, misses: 4, hits: 6, hitRate: 0.6, guests: [] } as unknown as RunSummary;
    const st = pointStats([summary, { ...summary, misses: 6 }]);
    expect(st.misses.mean).toBe(5);
    expect(st.missRatio.mean).toBeCloseTo(0.5, 12);
    expect(st.accesses.ci95).toBe(0);
    expect(st).not.toHaveProperty('guests');
  });
});
