import { describe, expect, it } from 'vitest';
import { CHARTS, chartByColumn, intervalMs } from '../../renderer/src/lib/metrics.ts';
import { appendPoints, colorFor, countValues, pointsFor, seriesFor } from '../../renderer/src/lib/series.ts';
import { columns } from './fixtures.ts';

const hit = chartByColumn('hitRate')!;
const stall = chartByColumn('vcpuStallNs')!;
const precision = chartByColumn('evictionPrecision')!;

describe('metrics', () => {
  it('defines the seven live charts, each with units on the y axis', () => {
    expect(CHARTS.map((c) => c.column)).toEqual([
      'hitRate',
      'refaultRatePerSec',
      'evictionPrecision',
      'vcpuStallNs',
      'lockWaitNs',
      'agingNs',
      'rcuPagesAwaitingFree',
    ]);
    for (const c of CHARTS) expect(c.yLabel).toMatch(/\(|\/|pages/);
  });

  it('interval of the first row starts at t = 0', () => {
    const c = columns(3, 5);
    expect([0, 1, 2].map((i) => intervalMs(c, i))).toEqual([5, 5, 5]);
  });

  it('hit rate is a percentage', () => {
    const c = columns(2, 10, { hitRate: [0.5, 0.25] });
    expect(pointsFor(hit, c).map((p) => p.y)).toEqual([50, 25]);
  });

  it('stall (summed over vCPUs) is shown as the average number of vCPUs stalled', () => {
    // 2 ms of stall in a 10 ms interval = 0.2 vCPUs stalled on average; 64 vCPUs each stalled 7.5 of 10 ms
    // (480 ms summed) = 48 vCPUs. Was 'ms per virtual second' (200; 48,000, read as a unit mistake, s17-g).
    const c = columns(2, 10, { vcpuStallNs: [2_000_000, 480_000_000] });
    expect(pointsFor(stall, c).map((p) => p.y)).toEqual([0.2, 48]);
    expect(stall.yLabel).toBe('vCPUs stalled (average)');
  });

  it('a zero-length interval or NaN becomes a gap (null), not a number', () => {
    const c = columns(2, 10, { tMs: [10, 10], vcpuStallNs: [1, 1], evictionPrecision: [NaN, 0.5] });
    expect(pointsFor(stall, c)[1].y).toBeNull();
    expect(pointsFor(precision, c).map((p) => p.y)).toEqual([null, 50]);
  });
});

describe('series', () => {
  it('x is virtual seconds', () => {
    const c = columns(3, 500);
    expect(pointsFor(hit, c).map((p) => p.x)).toEqual([0.5, 1, 1.5]);
  });

  it('appendPoints adds only new rows and leaves the previous array untouched', () => {
    const c = columns(5, 10);
    const first = pointsFor(hit, c, 3);
    const all = appendPoints(first, hit, c, 3, 5);
    expect(first).toHaveLength(3);
    expect(all).toEqual(pointsFor(hit, c));
  });

  it('seriesFor gives one series per source with stable keys and run colours', () => {
    const s = seriesFor(hit, [
      { key: 'a', label: 'A', samples: columns(4) },
      { key: 'b', label: 'B', samples: columns(2), colorIndex: 5 },
    ]);
    expect(s.map((x) => [x.key, x.label, x.points.length, x.color])).toEqual([
      ['a', 'A', 4, colorFor(0)],
      ['b', 'B', 2, colorFor(5)],
    ]);
    expect(countValues(s)).toBe(6);
  });

  it('respects a row limit (live buffers are larger than their fill)', () => {
    expect(seriesFor(hit, [{ key: 'a', label: 'A', samples: columns(10), rows: 4 }])[0].points).toHaveLength(4);
  });
});
