/**
 * `lab sweep` / `lab show` sweep tables (engine/cli/sweepFormat.ts): ratios (hitRate, missRatio,
 * evictionPrecision) are percentages, as in `lab run`'s summary table (format.ts pct), not fractions.
 * s15-h's trial read 'hitRate 0.167284' next to 'hit rate 16.73%'. Control: with the old
 * `x.toFixed(6)` for ratios the first two cases fail.
 */
import { describe, expect, it } from 'vitest';
import type { SweepRecord } from '../../engine/protocol.ts';
import { fmtStat, sweepTable } from '../../engine/cli/sweepFormat.ts';
import { summaryTable } from '../../engine/cli/format.ts';
import { makeRunResult } from '../session/fixtures.ts';

describe('sweep table ratios', () => {
  it('mean and 95 % CI half-width of a ratio are percentages; counts stay numbers', () => {
    expect(fmtStat('hitRate', { mean: 0.167284, ci95: Number.NaN, n: 1 })).toBe('16.73%');
    // Two seeds, hit rates 0.9 and 0.8: mean 0.85, s = 0.070711, t(0.975, 1) = 12.706 → ± 0.6353.
    expect(fmtStat('missRatio', { mean: 0.85, ci95: 0.63531, n: 2 })).toBe('85.00% ± 63.53%');
    expect(fmtStat('evictionPrecision', { mean: 1 / 3, ci95: Number.NaN, n: 1 })).toBe('33.33%');
    expect(fmtStat('misses', { mean: 94823, ci95: Number.NaN, n: 1 })).toBe('94,823');
  });

  it("a sweep's hitRate cell reads as `lab run`'s hit rate cell for the same run", () => {
    const run = makeRunResult(2, 1);
    run.summary.hitRate = 0.167284;
    const record: SweepRecord = {
      name: 'capacity',
      scenario: 'trace-oracle',
      base: run.config,
      axes: [{ path: 'host.memoryMiB', values: [512] }],
      mode: 'product',
      seeds: [1],
      set: [],
      points: [{ values: [512], label: 'host 512 MiB', runs: [0] }],
    };
    const table = sweepTable(record, [run], ['hitRate']);
    expect(table).toMatch(/^512\s+1\/1\s+16\.73%$/m);
    expect(summaryTable([{ label: 'x', result: run }])).toMatch(/^hit rate\s+16\.73%$/m);
  });
});
