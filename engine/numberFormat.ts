/**
 * The one number style of the lab, for the app (renderer/src/lib/format.ts re-exports it) and the CLI
 * (engine/cli/format.ts, sweepFormat.ts): the same run reads the same in a terminal and in a window.
 *
 * The rule (session 17 g; before it the app wrote `93.12 %`, `94 823` with a thin space, `6 619.264 ms`,
 * `2.97 Macc/s` where the CLI wrote `93.12%`, `94,823`, `6.619 s`, `2,971,090 accesses/s`):
 * - counts: whole numbers, thousands grouped with a comma (`94,823`), as `perf stat` prints them; ASCII,
 *   so a figure pasted into a terminal, a mail to a list or a spreadsheet stays one token;
 * - ratios of 0..1: a percentage with two decimals and no space (`93.12%`); differences of two of them in
 *   percentage points (`+1.23 pp`);
 * - durations (virtual or wall time): scaled to ns, µs, ms or s with a space before the unit (`46.01 ms`,
 *   `1.637 s`): 3-4 significant digits, the unit always written;
 * - rates: a grouped whole number and its unit (`2,971,090 accesses/s`);
 * - factors: two decimals and `×` (`1.34×`);
 * - not a finite number: `—`.
 * Locale-independent on purpose: a saved session reopened on another machine (or by a test) reads identically.
 *
 * Layering: this file imports nothing, so the renderer (which may import only types from engine/protocol)
 * may import it as a value too; eslint.config.js allows exactly this file and forbids it any import.
 */

/** Groups thousands with a comma: '1234567' -> '1,234,567' (digits only, no sign). */
export function groupThousands(intText: string): string {
  return intText.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A count (integer-valued figure), rounded: 94823.4 -> '94,823'. */
export function fmtCount(v: number): string {
  if (!Number.isFinite(v)) return '—';
  const r = Math.round(Math.abs(v));
  return (v < 0 && r !== 0 ? '-' : '') + groupThousands(r.toString());
}

/** A number with a fixed number of decimals, its whole part grouped: 1234.5 -> '1,234.50'. */
export function fmtFixed(v: number, decimals: number): string {
  if (!Number.isFinite(v)) return '—';
  const text = Math.abs(v).toFixed(decimals);
  const [int, frac] = text.split('.');
  return (v < 0 && Number(text) !== 0 ? '-' : '') + groupThousands(int) + (frac !== undefined ? '.' + frac : '');
}

/** A 0..1 ratio as a percentage with two decimals: 0.91234 -> '91.23%'. */
export function fmtPct(ratio: number): string {
  return Number.isFinite(ratio) ? `${fmtFixed(ratio * 100, 2)}%` : '—';
}

/** A value already in percent, two decimals: 300.274 -> '300.27%'. */
export function fmtPercent(percent: number): string {
  return Number.isFinite(percent) ? `${fmtFixed(percent, 2)}%` : '—';
}

/** Nanoseconds, scaled: 812 ns, 3.4 µs, 46.01 ms, 1.637 s (a minus sign kept for differences). */
export function fmtDurationNs(ns: number): string {
  if (!Number.isFinite(ns)) return '—';
  const a = Math.abs(ns);
  if (a >= 1e9) return `${fmtFixed(ns / 1e9, 3)} s`;
  if (a >= 1e6) return `${fmtFixed(ns / 1e6, 2)} ms`;
  if (a >= 1e3) return `${fmtFixed(ns / 1e3, 1)} µs`;
  return `${fmtCount(ns)} ns`;
}

/** A rate as a grouped whole number and its unit: (2971090.4, 'accesses/s') -> '2,971,090 accesses/s'. */
export function fmtRate(v: number, unit: string): string {
  return Number.isFinite(v) ? `${fmtCount(v)} ${unit}` : '—';
}

/** A factor (slowdown, ratio of two runs): 1.3449 -> '1.34×'. */
export function fmtTimes(x: number | null | undefined): string {
  return typeof x === 'number' && Number.isFinite(x) ? `${fmtFixed(x, 2)}×` : '—';
}

/**
 * An input value exactly as given, its whole part grouped: 3600000 -> '3,600,000', 3.90625 -> '3.90625',
 * 1048576.5 -> '1,048,576.5'. For limits and inputs quoted in messages (a range's bounds, a preset's
 * setting), where rounding would misquote the value; very large or small values keep JavaScript's exponent.
 */
export function fmtExact(v: number): string {
  if (!Number.isFinite(v)) return '—';
  const text = String(Math.abs(v));
  if (text.includes('e')) return String(v);
  const [int, frac] = text.split('.');
  return (v < 0 ? '-' : '') + groupThousands(int) + (frac !== undefined ? '.' + frac : '');
}
