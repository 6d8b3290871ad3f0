/**
 * The summary table: one row per RunSummary figure, one column per run. Pure (unit-tested);
 * `key` is the stable test hook (data-testid="summary-<key>-<column>").
 */
import type { RunResult, RunSummary } from '../../../engine/protocol.ts';
import { formatCount, formatFixed, formatNsAsMs, formatPct, formatRate } from './format.ts';

export interface SummaryRowDef {
  key: string;
  label: string;
  help: string;
  text(s: RunSummary): string;
}

/** The figures every RunSummary has (numbers, not optional). */
type Figure = { [K in keyof RunSummary]-?: RunSummary[K] extends number ? K : never }[keyof RunSummary];
const pct2 = (v: number): string => `${formatFixed(v, 2)} %`;
const ms1 = (v: number): string => `${formatFixed(v, 1)} ms`;
const accPerSec = (v: number): string => formatRate(v, 'acc/s');

/** [key, label, help, the RunSummary figure, its format], in display order. */
const ROWS: readonly [string, string, string, Figure, (v: number) => string][] = [
  ['hitRate', 'Hit rate', 'resident hits / accesses', 'hitRate', formatPct],
  ['accesses', 'Accesses', 'guest memory accesses', 'accesses', formatCount],
  ['misses', 'Misses', 'accesses that found no resident page', 'misses', formatCount],
  ['coldMisses', 'Cold misses', 'first touches', 'coldMisses', formatCount],
  ['refaults', 'Refaults', 'accesses to evicted pages', 'refaults', formatCount],
  [
    'refaultPct',
    'Refaults (% WS / min)',
    'promotion rate: refaults as % of the working set per virtual minute',
    'refaultPctWorkingSetPerMin',
    pct2,
  ],
  ['evictions', 'Evictions', 'pages evicted', 'evictions', formatCount],
  ['evictionPrecision', 'Eviction precision', '1 − refaulted evictions / evictions', 'evictionPrecision', formatPct],
  ['s2Faults', 'Stage-2 faults', 'first touch + refault', 's2Faults', formatCount],
  ['afFaults', 'Access-flag faults', 'traps to set AF (no FEAT_HAFDBS)', 'afFaults', formatCount],
  ['vcpuStall', 'vCPU stall', 'trap + lock wait + swap-in, all vCPUs', 'vcpuStallNs', formatNsAsMs],
  ['lockWait', 'MMU lock wait', 'all waiters', 'lockWaitNs', formatNsAsMs],
  ['lockHold', 'MMU lock hold', 'time the lock was held', 'lockHoldNs', formatNsAsMs],
  ['agingPasses', 'Aging passes', 'passes over the stage-2 tables', 'agingPasses', formatCount],
  ['aging', 'Aging time', 'time spent harvesting AF', 'agingNs', formatNsAsMs],
  ['ptesScanned', 'PTEs scanned', 'descriptors read by aging', 'ptesScanned', formatCount],
  ['youngFound', 'Young found', 'young leaves found by aging / lookaround', 'youngFound', formatCount],
  ['cmpxchgFailures', 'cmpxchg failures', 'descriptor changed under the harvester', 'cmpxchgFailures', formatCount],
  ['hypercalls', 'Hypercalls', 'pKVM test-and-clear calls', 'hypercalls', formatCount],
  ['tlbInvalidates', 'TLB invalidates', 'TLBI + DSB', 'tlbInvalidates', formatCount],
  ['rcuGracePeriods', 'RCU grace periods', 'completed', 'rcuGracePeriods', formatCount],
  ['tablePagesPeak', 'Table pages (peak)', 'stage-2 table pages in use at peak', 'tablePagesPeak', formatCount],
  ['throughput', 'Throughput', 'accesses per virtual second', 'throughput', accPerSec],
  ['virtualMs', 'Virtual time', 'simulated duration', 'virtualMs', ms1],
];

export const SUMMARY_ROWS: readonly SummaryRowDef[] = ROWS.map(([key, label, help, figure, format]) => ({
  key,
  label,
  help,
  text: (s) => format(s[figure]),
}));

export interface SummaryColumn {
  label: string;
  sublabel: string;
  cells: string[];
}

/**
 * Virtual milliseconds a finished run's x axis spans: the time it simulated (a trace replay ends when its
 * trace does, a stopped run when stopped), else its configured duration.
 */
export function runSpanMs(run: RunResult): number {
  const v = run.summary.virtualMs;
  return Number.isFinite(v) && v > 0 ? v : run.config.run.durationMs;
}

/** A short label for a run: scenario, profile, harvest + policy. */
export function runLabel(run: RunResult, index: number): string {
  return `#${index + 1} ${run.config.hardware.name}`;
}

export function runSublabel(run: RunResult): string {
  const r = run.config.reclaim;
  return `${r.harvest} · ${r.policy}${run.stopped ? ' · stopped' : ''}`;
}

export function summaryColumns(runs: readonly { run: RunResult; index: number }[]): SummaryColumn[] {
  return runs.map(({ run, index }) => ({
    label: runLabel(run, index),
    sublabel: runSublabel(run),
    cells: SUMMARY_ROWS.map((row) => row.text(run.summary)),
  }));
}
