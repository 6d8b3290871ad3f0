/**
 * Text formatting for the CLI: the side-by-side summary table (one column per run, one row per
 * metric) used by `run`, `show` and `compare`, and the JSON form of a run. Pure functions.
 */
import type { RunResult } from '../protocol.ts';
import { fmtCount, fmtDurationNs, fmtPct, fmtPercent, fmtRate, fmtTimes } from '../numberFormat.ts';

/**
 * Text from a file or a preset, made safe for a terminal: C0 and C1 control characters (escape
 * sequences that clear the screen, retitle the window, move the cursor) and DEL are shown as \xNN.
 */
export function termSafe(s: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is escaped
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** JSON for stdout: JSON.stringify escapes C0 controls; C1 controls (8-bit CSI...) are escaped too. */
export function jsonText(v: unknown): string {
  return JSON.stringify(v, null, 2).replace(
    /[\u007f-\u009f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** A refusal longer than a line is cut (messages are built short; this is the last guard). */
export function clip(s: string, max = 299): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

export interface Column {
  label: string;
  result: RunResult;
}

/** A fraction (0..1) as a percentage, '91.23%': every CLI table's hit rate, ratios and precisions (numberFormat.ts, as the app). */
export const pct = fmtPct;
/** A ratio that is undefined without data (eviction precision with no eviction whose window closed). */
const pctOrNa = (x: number | null | undefined): string =>
  typeof x === 'number' && Number.isFinite(x) ? fmtPct(x) : 'n/a';
const times = (x: number | null | undefined): string =>
  typeof x === 'number' && Number.isFinite(x) ? fmtTimes(x) : 'n/a';
const int = fmtCount;
/**
 * Why a swap-device row is empty: the summary carries swap reads, read-ahead and writeback only with SSD
 * swap (core/sim/runSummary.ts). A bare 'n/a' beside 97,425 refaults read as a bug (s16-g's trial).
 */
const swapNa = (r: RunResult): string => {
  const device = r.config.host.swap.device;
  return device === 'none' ? 'n/a (no swap)' : `n/a (${device} swap)`;
};

/** Nanoseconds scaled to ns, µs, ms or s ('46.01 ms'), as the app shows them (numberFormat.ts). */
export const fmtNs = fmtDurationNs;

/** Rows of the summary table: label and how to render a run's value. */
const ROWS: readonly [string, (r: RunResult) => string][] = [
  ['hardware', (r) => r.config.hardware.id],
  ['harvest', (r) => r.config.reclaim.harvest],
  ['policy', (r) => r.config.reclaim.policy],
  ['virtual time', (r) => fmtNs(r.summary.virtualMs * 1e6)],
  ['accesses', (r) => int(r.summary.accesses)],
  ['hit rate', (r) => pct(r.summary.hitRate)],
  ['refaults', (r) => int(r.summary.refaults)],
  // Spelled out as the app's summary does ('Refaults per minute, % of working set'): '%WS/min' was a
  // riddle to a newcomer (s15-h). Likewise throughput names what it counts.
  ['refaults per min, % of working set', (r) => fmtPercent(r.summary.refaultPctWorkingSetPerMin)],
  ['evictions', (r) => int(r.summary.evictions)],
  [
    'swap reads / read ahead / hits',
    (r) =>
      r.summary.swapReads === undefined
        ? swapNa(r)
        : `${int(r.summary.swapReads)} / ${int(r.summary.readaheadPages ?? 0)} / ${int(r.summary.readaheadHits ?? 0)}`,
  ],
  [
    'swap-outs under writeback / faults on them',
    (r) =>
      r.summary.swapWritebacks === undefined
        ? swapNa(r)
        : `${int(r.summary.swapWritebacks)} / ${int(r.summary.writebackFaults ?? 0)}`,
  ],
  ['eviction precision', (r) => pctOrNa(r.summary.evictionPrecision)],
  ['stage-2 faults', (r) => int(r.summary.s2Faults)],
  ['access-flag faults', (r) => int(r.summary.afFaults)],
  ['vCPU stall', (r) => fmtNs(r.summary.vcpuStallNs)],
  ['MMU lock wait', (r) => fmtNs(r.summary.lockWaitNs)],
  ['MMU lock hold', (r) => fmtNs(r.summary.lockHoldNs)],
  ['aging cost', (r) => `${fmtNs(r.summary.agingNs)} / ${int(r.summary.agingPasses)} passes`],
  ['PTEs scanned', (r) => int(r.summary.ptesScanned)],
  ['hypercalls', (r) => int(r.summary.hypercalls)],
  ['cmpxchg failures', (r) => int(r.summary.cmpxchgFailures)],
  ['RCU-deferred frees', (r) => (r.summary.rcuDeferredFrees === undefined ? 'n/a' : int(r.summary.rcuDeferredFrees))],
  ['RCU grace periods', (r) => int(r.summary.rcuGracePeriods)],
  ['throughput', (r) => fmtRate(r.summary.throughput, 'accesses/s')],
  ['slowdown', (r) => times(runSlowdown(r))],
  [
    'pinned guests',
    (r) =>
      r.summary.guests
        .filter((g) => g.pinned)
        .map((g) => g.name)
        .join(',') || '-',
  ],
  ['workers', (r) => (r.deterministic ? '1 (deterministic)' : String(r.workers))],
  ['wall time', (r) => fmtNs(r.wallMs * 1e6)],
];

/**
 * A run's slowdown vs. unconstrained (engine/core/sim/metrics.ts): the guests' slowdowns weighted by their
 * accesses, i.e. the unconstrained accesses per second of all guests over the real ones. Null when unknown.
 */
export function runSlowdown(r: RunResult): number | null {
  let accesses = 0;
  let unconstrained = 0;
  for (const g of r.summary.guests) {
    if (g.slowdown === null || !Number.isFinite(g.slowdown)) return null;
    accesses += g.accesses;
    unconstrained += g.accesses * g.slowdown;
  }
  return accesses > 0 ? unconstrained / accesses : null;
}

/** One row per guest name (in order of first appearance): that guest's slowdown in each run. */
function guestSlowdownRows(columns: readonly Column[]): [string, (r: RunResult) => string][] {
  const names: string[] = [];
  for (const c of columns) for (const g of c.result.summary.guests) if (!names.includes(g.name)) names.push(g.name);
  return names.map((name) => [
    `  ${name}`,
    (r) => {
      const g = r.summary.guests.find((x) => x.name === name);
      if (!g) return '-';
      return `${times(g.slowdown)}${g.pinned ? ' (pinned)' : ''}`;
    },
  ]);
}

/**
 * Scan with slices only (max_guest_memory_test): per guest, when each pass completed and the last pass's
 * duration (run 2 of the test is the second). No rows when no run has pass times.
 */
function passRows(columns: readonly Column[]): [string, (r: RunResult) => string][] {
  const names: string[] = [];
  for (const c of columns)
    for (const g of c.result.summary.guests)
      if (g.passEndMs !== undefined && !names.includes(g.name)) names.push(g.name);
  return names.map((name) => [
    `pass ends, ${name}`,
    (r) => {
      const p = r.summary.guests.find((x) => x.name === name)?.passEndMs;
      if (p === undefined || p.length === 0) return '-';
      return p.map((ms) => fmtNs(ms * 1e6)).join(' / ');
    },
  ]);
}

/**
 * The side-by-side table, at most `width` columns wide when it can be: when the runs' columns and the
 * full row labels do not fit, the labels wrap inside a narrower label column (at least MIN_LABEL wide;
 * the value sits on the label's first line). Three profiles at full width were 108 columns (s16-g).
 */
export function summaryTable(columns: readonly Column[], width = 100): string {
  const header = ['', ...columns.map((c) => c.label)];
  const rows0: [string, (r: RunResult) => string][] = [];
  for (const row of ROWS) {
    rows0.push(row);
    if (row[0] === 'slowdown') rows0.push(...guestSlowdownRows(columns), ...passRows(columns));
  }
  const body = rows0.map(([label, render]) => [
    termSafe(label),
    ...columns.map((c) => termSafe(safe(() => render(c.result)))),
  ]);
  const rows = [header.map(termSafe), ...body];
  const widths = header.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const total = widths.reduce((a, w) => a + w, 0) + 2 * (widths.length - 1);
  if (total > width) widths[0] = Math.max(MIN_LABEL, widths[0] - (total - width));
  const line = (r: string[]): string =>
    r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  /** A row whose label is wider than its column: the label wrapped, the values on its first line. */
  const lines = (r: string[]): string[] => {
    if (r[0].length <= widths[0]) return [line(r)];
    const parts = wrap(r[0], widths[0]).split('\n');
    return [line([parts[0], ...r.slice(1)]), ...parts.slice(1).map((p) => `  ${p}`.trimEnd())];
  };
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...body.flatMap(lines)].join('\n');
}

/** The label column is never narrower than this ('refaults per min,' stays readable). */
const MIN_LABEL = 16;

function safe(f: () => string): string {
  try {
    return f();
  } catch {
    return '?';
  }
}

/** Machine output of one run: its identity and summary (samples omitted; --out keeps them). */
export function runJson(label: string, r: RunResult): Record<string, unknown> {
  return {
    label,
    scenario: r.config.name,
    hardware: r.config.hardware.id,
    harvest: r.config.reclaim.harvest,
    policy: r.config.reclaim.policy,
    seed: r.seed,
    deterministic: r.deterministic,
    workers: r.workers,
    stopped: r.stopped,
    wallMs: r.wallMs,
    summary: r.summary,
  };
}

/** `text` broken at spaces into lines of at most `width` characters (a longer word stays whole), each after `indent`. */
export function wrap(text: string, width: number, indent = ''): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(indent + line);
  return lines.join('\n');
}

/** Width to wrap long text at: the terminal's (CliContext.columns), or 100 columns when not a terminal. */
export function textWidth(columns: number | undefined): number {
  return columns !== undefined && Number.isFinite(columns) && columns >= 40 ? Math.floor(columns) : 100;
}

/**
 * `prefix` then `text` wrapped to `width`, its continuation lines aligned under the text's start (a
 * table cell that runs on: '  cost walkLevel  5 ns  Measured: ... / ... continues here'). When the
 * prefix leaves fewer than `minText` columns, the text starts on the next line after `indent` instead.
 */
export function wrapAfter(prefix: string, text: string, width: number, indent = '      ', minText = 30): string {
  if (prefix.length + text.length <= width) return prefix + text;
  if (width - prefix.length < minText) return `${prefix.trimEnd()}\n${wrap(text, width, indent)}`;
  return prefix + wrap(text, width, ' '.repeat(prefix.length)).slice(prefix.length);
}
