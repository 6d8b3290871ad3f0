/**
 * Number formatting for the UI: the lab's one number style, engine/numberFormat.ts (shared with the CLI,
 * which prints the same figures the same way: `93.12%`, `94,823`, `46.01 ms`, `2,971,090 accesses/s`).
 * Chart ticks are the one exception: short (`1.5k`), where an axis has little room.
 */
import {
  fmtCount,
  fmtDurationNs,
  fmtFixed,
  fmtPct,
  fmtPercent,
  fmtRate,
  fmtTimes,
} from '../../../engine/numberFormat.ts';

/** A count (integer-valued metric): 1234567 -> '1,234,567'. */
export const formatCount = fmtCount;
/** A number with a fixed number of decimals, grouped. */
export const formatFixed = fmtFixed;
/** A 0..1 ratio as a percentage with two decimals: 0.91234 -> '91.23%'. */
export const formatPct = fmtPct;
/** A value already in percent, two decimals: '300.27%'. */
export const formatPercent = fmtPercent;
/** Nanoseconds (virtual or wall), scaled to ns, µs, ms or s: '46.01 ms', '1.637 s'. */
export const formatDurationNs = fmtDurationNs;
/** A rate as a grouped whole number and its unit: '2,971,090 accesses/s'. */
export const formatRate = fmtRate;
/** A factor: '1.34×'. */
export const formatTimes = fmtTimes;

/** Short number for chart ticks: 1200 -> "1.2k". */
export function formatTick(v: number): string {
  const abs = Math.abs(v);
  if (abs >= 1e9) return `${+(v / 1e9).toFixed(1)}G`;
  if (abs >= 1e6) return `${+(v / 1e6).toFixed(1)}M`;
  if (abs >= 1e3) return `${+(v / 1e3).toFixed(1)}k`;
  if (abs === 0) return '0';
  if (abs < 0.01) return v.toExponential(0);
  return `${+v.toFixed(2)}`;
}
