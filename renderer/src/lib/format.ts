/**
 * Number formatting for the UI. Locale-independent on purpose: the same run shows the same text on
 * every machine, so a saved session reopened elsewhere (or by the e2e test) reads identically.
 */

/** Groups thousands with a thin space: 1234567 -> "1 234 567". */
function group(intText: string): string {
  return intText.replace(/\B(?=(\d{3})+(?!\d))/g, '\u2009');
}

/** A count (integer-valued metric). */
export function formatCount(v: number): string {
  if (!Number.isFinite(v)) return '—';
  const sign = v < 0 ? '-' : '';
  return sign + group(Math.round(Math.abs(v)).toString());
}

/** A number with a fixed number of decimals, grouped. */
export function formatFixed(v: number, decimals: number): string {
  if (!Number.isFinite(v)) return '—';
  const text = Math.abs(v).toFixed(decimals);
  const [int, frac] = text.split('.');
  return (v < 0 && Number(text) !== 0 ? '-' : '') + group(int) + (frac !== undefined ? '.' + frac : '');
}

/** A 0..1 ratio as a percentage with two decimals: 0.91234 -> "91.23 %". */
export function formatPct(ratio: number): string {
  if (!Number.isFinite(ratio)) return '—';
  return `${formatFixed(ratio * 100, 2)} %`;
}

/** Virtual nanoseconds as milliseconds with three decimals. */
export function formatNsAsMs(ns: number): string {
  if (!Number.isFinite(ns)) return '—';
  return `${formatFixed(ns / 1e6, 3)} ms`;
}

/** A large rate with an SI suffix: 1.23 M/s. */
export function formatRate(v: number, unit: string): string {
  if (!Number.isFinite(v)) return '—';
  const abs = Math.abs(v);
  if (abs >= 1e9) return `${formatFixed(v / 1e9, 2)} G${unit}`;
  if (abs >= 1e6) return `${formatFixed(v / 1e6, 2)} M${unit}`;
  if (abs >= 1e3) return `${formatFixed(v / 1e3, 2)} k${unit}`;
  return `${formatFixed(v, 2)} ${unit}`;
}

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
