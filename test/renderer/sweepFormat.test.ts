/**
 * The app's sweep table (renderer/src/lib/sweepFormat.ts) shows what the CLI's sweep table shows
 * (engine/cli/sweepFormat.ts fmtStat), in the app's locale-independent style: a ratio as a percentage
 * with two decimals (s15's trial read 'hitRate 0.931200' in the app next to 'hitRate 93.12%' from
 * `lab sweep`). Control: with the old `x.toFixed(6)` for ratios the first case fails, and the
 * CLI-agreement case fails on every ratio.
 */
import { describe, expect, it } from 'vitest';
import type { MetricStat } from '../../engine/protocol.ts';
import { METRIC_UNITS, fmtStat, metricHeader } from '../../engine/cli/sweepFormat.ts';
import {
  SWEEP_METRIC_UNITS,
  formatSweepStat,
  formatSweepValue,
  sweepMetricHeader,
} from '../../renderer/src/lib/sweepFormat.ts';

const one = (mean: number): MetricStat => ({ mean, ci95: Number.NaN, n: 1 });

describe('sweep table format (app)', () => {
  it('ratios are percentages with two decimals, the CI half-width too', () => {
    expect(formatSweepStat('hitRate', one(0.9312))).toBe('93.12%');
    // Two seeds, 0.9 and 0.8: mean 0.85, s = 0.070711, t(0.975, 1) = 12.706 -> ± 0.63531.
    expect(formatSweepStat('missRatio', { mean: 0.85, ci95: 0.63531, n: 2 })).toBe('85.00% ± 63.53%');
    expect(formatSweepStat('evictionPrecision', one(1 / 3))).toBe('33.33%');
  });

  it('counts are grouped integers; other values five significant digits, whole from 1000 up', () => {
    expect(formatSweepStat('misses', one(94823))).toBe('94,823');
    expect(formatSweepStat('misses', { mean: 94823.5, ci95: 12.25, n: 2 })).toBe('94,824 ± 12.250');
    expect(formatSweepValue('throughput', 1_882_379.4)).toBe('1,882,379');
    expect(formatSweepValue('agingPasses', 3.14159)).toBe('3.1416');
  });

  it('no data is a dash', () => {
    expect(formatSweepStat('hitRate', undefined)).toBe('—');
    expect(formatSweepStat('hitRate', { mean: Number.NaN, ci95: Number.NaN, n: 0 })).toBe('—');
    expect(formatSweepValue('misses', Number.POSITIVE_INFINITY)).toBe('—');
  });

  it("reads exactly as the CLI's cell (one number style, engine/numberFormat.ts)", () => {
    const cases: [string, MetricStat][] = [
      ['hitRate', one(0.929612)],
      ['missRatio', { mean: 0.0703, ci95: 0.00451, n: 3 }],
      ['evictionPrecision', one(0.5)],
      ['misses', { mean: 70832, ci95: 1234.4, n: 2 }],
      ['throughput', one(3_751_234.6)],
      ['vcpuStallNs', one(12_345_678)],
      ['agingPasses', { mean: 7.5, ci95: 0.123456, n: 2 }],
    ];
    for (const [name, s] of cases) expect(formatSweepStat(name, s), name).toBe(fmtStat(name, s));
  });

  it("headers carry the CLI's units for metrics whose name does not say one", () => {
    expect(SWEEP_METRIC_UNITS).toEqual(METRIC_UNITS);
    for (const m of ['throughput', 'hitRate', 'misses', 'vcpuStallNs'])
      expect(sweepMetricHeader(m)).toBe(metricHeader(m));
    expect(sweepMetricHeader('throughput')).toBe('throughput (accesses/s)');
  });
});
