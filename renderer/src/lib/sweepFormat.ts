/**
 * Sweep table and hover text: a point's metric as mean (± 95 % CI half-width over two or more seeds),
 * with the precision and units of the CLI's sweep table (engine/cli/sweepFormat.ts fmtStat) in the app's
 * locale-independent style (format.ts: thin-space thousands, '91.23 %'). A ratio (hitRate, missRatio,
 * evictionPrecision) is a percentage with two decimals, its CI half-width too, as `lab sweep` / `lab show`
 * print it and as the Run view's summary shows the same run's hit rate; a fraction (0.931200) next to
 * '93.12 %' was s15's new-user trial's leftover. Counts are grouped integers; other non-integers
 * carry five significant digits (rounded to a whole number from 1000 up).
 */
import type { MetricStat } from '../../../engine/protocol.ts';
import { formatCount, formatPct } from './format.ts';

/** Metrics shown as percentages: the summary's ratios, by name (the CLI's rule). */
export const isRatioMetric = (name: string): boolean => /Rate$|Ratio$|Precision$/.test(name);

/** One value of a metric: '93.12 %', '94 823', '1.2346', '12 346'. */
export function formatSweepValue(name: string, x: number): string {
  if (!Number.isFinite(x)) return '—';
  if (isRatioMetric(name)) return formatPct(x);
  if (Number.isInteger(x) || Math.abs(x) >= 1000) return formatCount(x);
  return x.toPrecision(5);
}

/** A point's metric: the mean, and ± the 95 % CI half-width when two or more seeds ran. */
export function formatSweepStat(name: string, s: MetricStat | undefined): string {
  if (!s || s.n === 0 || !Number.isFinite(s.mean)) return '—';
  const mean = formatSweepValue(name, s.mean);
  return s.n > 1 && Number.isFinite(s.ci95) ? `${mean} ± ${formatSweepValue(name, s.ci95)}` : mean;
}

/**
 * Units of metrics whose name does not carry one, as the CLI's table header shows them (its
 * METRIC_UNITS; test/renderer/sweepFormat.test.ts keeps the two equal). A ratio's cells say '%'.
 */
export const SWEEP_METRIC_UNITS: Record<string, string> = { throughput: 'accesses/s' };

/** A metric's column header: its name, and its unit when the name does not say it. */
export function sweepMetricHeader(name: string): string {
  const unit = SWEEP_METRIC_UNITS[name];
  return unit ? `${name} (${unit})` : name;
}
