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

export const SUMMARY_ROWS: readonly SummaryRowDef[] = [
  { key: 'hitRate', label: 'Hit rate', help: 'resident hits / accesses', text: (s) => formatPct(s.hitRate) },
  { key: 'accesses', label: 'Accesses', help: 'guest memory accesses', text: (s) => formatCount(s.accesses) },
  { key: 'misses', label: 'Misses', help: 'accesses that found no resident page', text: (s) => formatCount(s.misses) },
  { key: 'coldMisses', label: 'Cold misses', help: 'first touches', text: (s) => formatCount(s.coldMisses) },
  { key: 'refaults', label: 'Refaults', help: 'accesses to evicted pages', text: (s) => formatCount(s.refaults) },
  {
    key: 'refaultPct',
    label: 'Refaults (% WS / min)',
    help: 'promotion rate: refaults as % of the working set per virtual minute',
    text: (s) => `${formatFixed(s.refaultPctWorkingSetPerMin, 2)} %`,
  },
  { key: 'evictions', label: 'Evictions', help: 'pages evicted', text: (s) => formatCount(s.evictions) },
  {
    key: 'evictionPrecision',
    label: 'Eviction precision',
    help: '1 − refaulted evictions / evictions',
    text: (s) => formatPct(s.evictionPrecision),
  },
  { key: 's2Faults', label: 'Stage-2 faults', help: 'first touch + refault', text: (s) => formatCount(s.s2Faults) },
  {
    key: 'afFaults',
    label: 'Access-flag faults',
    help: 'traps to set AF (no FEAT_HAFDBS)',
    text: (s) => formatCount(s.afFaults),
  },
  {
    key: 'vcpuStall',
    label: 'vCPU stall',
    help: 'trap + lock wait + swap-in, all vCPUs',
    text: (s) => formatNsAsMs(s.vcpuStallNs),
  },
  { key: 'lockWait', label: 'MMU lock wait', help: 'all waiters', text: (s) => formatNsAsMs(s.lockWaitNs) },
  { key: 'lockHold', label: 'MMU lock hold', help: 'time the lock was held', text: (s) => formatNsAsMs(s.lockHoldNs) },
  {
    key: 'agingPasses',
    label: 'Aging passes',
    help: 'passes over the stage-2 tables',
    text: (s) => formatCount(s.agingPasses),
  },
  { key: 'aging', label: 'Aging time', help: 'time spent harvesting AF', text: (s) => formatNsAsMs(s.agingNs) },
  {
    key: 'ptesScanned',
    label: 'PTEs scanned',
    help: 'descriptors read by aging',
    text: (s) => formatCount(s.ptesScanned),
  },
  {
    key: 'youngFound',
    label: 'Young found',
    help: 'young leaves found by aging / lookaround',
    text: (s) => formatCount(s.youngFound),
  },
  {
    key: 'cmpxchgFailures',
    label: 'cmpxchg failures',
    help: 'descriptor changed under the harvester',
    text: (s) => formatCount(s.cmpxchgFailures),
  },
  { key: 'hypercalls', label: 'Hypercalls', help: 'pKVM test-and-clear calls', text: (s) => formatCount(s.hypercalls) },
  { key: 'tlbInvalidates', label: 'TLB invalidates', help: 'TLBI + DSB', text: (s) => formatCount(s.tlbInvalidates) },
  {
    key: 'rcuGracePeriods',
    label: 'RCU grace periods',
    help: 'completed',
    text: (s) => formatCount(s.rcuGracePeriods),
  },
  {
    key: 'tablePagesPeak',
    label: 'Table pages (peak)',
    help: 'stage-2 table pages in use at peak',
    text: (s) => formatCount(s.tablePagesPeak),
  },
  {
    key: 'throughput',
    label: 'Throughput',
    help: 'accesses per virtual second',
    text: (s) => formatRate(s.throughput, 'acc/s'),
  },
  {
    key: 'virtualMs',
    label: 'Virtual time',
    help: 'simulated duration',
    text: (s) => `${formatFixed(s.virtualMs, 1)} ms`,
  },
];

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
