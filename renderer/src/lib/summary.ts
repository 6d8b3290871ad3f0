/**
 * The summary table: one row per RunSummary figure, one column per run. Pure (unit-tested);
 * `key` is the stable test hook (data-testid="summary-<key>-<column>"). Each row has a plain name, its
 * unit and a one-paragraph explanation (shown on demand); against a baseline column a cell also shows
 * the difference and the ratio.
 */
import type { PresetCatalog, RunResult, RunSummary } from '../../../engine/protocol.ts';
import {
  formatCount,
  formatDurationNs,
  formatFixed,
  formatPct,
  formatPercent,
  formatRate,
  formatTimes,
} from './format.ts';
import { runIdentity, runIdentityParts } from './runLabel.ts';

export interface SummaryRowDef {
  key: string;
  label: string;
  /** The unit the cells are in (also in the row header). */
  unit: string;
  /** One short line. */
  help: string;
  /** One paragraph: what it measures, how it is computed, how to read it. */
  explain: string;
  value(s: RunSummary): number;
  text(s: RunSummary): string;
  /** The difference to a baseline value, formatted (pp for percentages). */
  delta(d: number): string;
}

/** The RunSummary figures (numbers; an optional one, absent in older sessions, shows as —). */
type Figure = { [K in keyof RunSummary]-?: NonNullable<RunSummary[K]> extends number ? K : never }[keyof RunSummary];
const msAsDuration = (ms: number): string => formatDurationNs(ms * 1e6);
const accPerSec = (v: number): string => formatRate(v, 'accesses/s');
const signed = (text: string, v: number): string => (v > 0 ? `+${text}` : text);

type Fmt = 'pct' | 'count' | 'ms' | 'pct2' | 'ms1' | 'rate';
const FORMATS: Record<Fmt, { text: (v: number) => string; delta: (d: number) => string; unit: string }> = {
  pct: { text: formatPct, delta: (d) => signed(`${formatFixed(d * 100, 2)} pp`, d), unit: '%' },
  count: { text: formatCount, delta: (d) => signed(formatCount(d), d), unit: 'count' },
  // Durations scaled as the CLI prints them (engine/numberFormat.ts): '46.01 ms', '1.637 s'.
  ms: { text: formatDurationNs, delta: (d) => signed(formatDurationNs(d), d), unit: 'virtual time' },
  pct2: { text: formatPercent, delta: (d) => signed(`${formatFixed(d, 2)} pp`, d), unit: '%' },
  ms1: { text: msAsDuration, delta: (d) => signed(msAsDuration(d), d), unit: 'virtual time' },
  rate: { text: accPerSec, delta: (d) => signed(accPerSec(d), d), unit: 'accesses / virtual s' },
};

/** [key, plain name, short help, explanation, the RunSummary figure, its format], in display order. */
const ROWS: readonly [string, string, string, string, Figure, Fmt][] = [
  [
    'hitRate',
    'Hit rate',
    'resident hits / accesses',
    'Share of guest memory accesses that found their page resident in host memory (mapped in stage-2). A miss is a stage-2 fault: a first touch (cold miss) or a refault of an evicted page. Higher is better; the difference between runs is the cost of overcommit and of the reclaim choices.',
    'hitRate',
    'pct',
  ],
  [
    'accesses',
    'Accesses',
    'guest memory accesses',
    'Guest memory accesses the vCPUs made in the virtual time of the run. With a fixed duration, more accesses means the vCPUs spent less time stalled.',
    'accesses',
    'count',
  ],
  [
    'misses',
    'Misses',
    'accesses that found no resident page',
    'Accesses that found no resident page: cold misses plus refaults. Each is a stage-2 fault taken by a vCPU.',
    'misses',
    'count',
  ],
  [
    'coldMisses',
    'Cold misses',
    'first touches',
    'First touches of a guest page: unavoidable stage-2 faults that map a fresh host frame. Their count is the working set the run touched.',
    'coldMisses',
    'count',
  ],
  [
    'refaults',
    'Refaults',
    'accesses to evicted pages',
    'Accesses to pages reclaim had evicted: each one is a stage-2 fault plus a swap-in the vCPU waits for. The direct cost of a reclaim mistake.',
    'refaults',
    'count',
  ],
  [
    'refaultPct',
    'Refaults per minute, % of working set',
    'refaults / working set / virtual minute',
    'Refaults per virtual minute as a percentage of the working set (pages touched at least once) — the "promotion rate" used in fleet reclaim studies. 100 % means the equivalent of the whole working set came back from swap once per minute; values far above 100 % mean pages thrash in and out.',
    'refaultPctWorkingSetPerMin',
    'pct2',
  ],
  [
    'evictions',
    'Evictions',
    'pages evicted',
    'Pages reclaim unmapped from stage-2 and wrote to swap (kswapd and direct reclaim).',
    'evictions',
    'count',
  ],
  [
    'evictionPrecision',
    'Eviction precision',
    '1 − refaulted evictions / evictions',
    'Of the evictions whose refault window has closed, the share whose page was not touched again within the window. High precision means reclaim picked pages that really were cold; an empty cell (—) means no eviction window had closed yet.',
    'evictionPrecision',
    'pct',
  ],
  [
    's2Faults',
    'Stage-2 faults',
    'first touch + refault',
    'Translation faults taken to the hypervisor because the guest-physical page had no stage-2 mapping: cold misses plus refaults.',
    's2Faults',
    'count',
  ],
  [
    'afFaults',
    'Access-flag faults',
    'traps to set AF (no FEAT_HAFDBS)',
    'Traps taken because the stage-2 leaf had its access flag clear and the CPU cannot set it in hardware (no FEAT_HAFDBS). Aging clears AF, so every page touched after a pass traps once. Zero on hardware with FEAT_HAFDBS.',
    'afFaults',
    'count',
  ],
  [
    'vcpuStall',
    'vCPU stall',
    'trap + lock wait + swap-in, all vCPUs',
    'Virtual time the vCPUs spent not running guest code because of memory management: fault traps, MMU-lock waits, swap-ins and direct reclaim, summed over all vCPUs.',
    'vcpuStallNs',
    'ms',
  ],
  [
    'lockWait',
    'MMU lock wait',
    'all waiters',
    'Time spent waiting for a guest’s MMU lock (kvm->mmu_lock), by every waiter: vCPU faults, reclaim and aging. Aging under the write lock makes faults wait; lockless aging adds none.',
    'lockWaitNs',
    'ms',
  ],
  [
    'lockHold',
    'MMU lock hold',
    'time the lock was held',
    'Total time the MMU lock was held by anyone (read or write).',
    'lockHoldNs',
    'ms',
  ],
  [
    'agingPasses',
    'Aging passes',
    'passes over the stage-2 tables',
    'Aging passes that walked a guest’s stage-2 tables to harvest and clear access flags. Aging runs only when reclaim needs it.',
    'agingPasses',
    'count',
  ],
  [
    'aging',
    'Aging time',
    'time spent harvesting AF',
    'Virtual time spent in aging passes (walking descriptors, test-and-clear, hypercalls under pKVM).',
    'agingNs',
    'ms',
  ],
  [
    'ptesScanned',
    'PTEs scanned',
    'descriptors read by aging',
    'Stage-2 descriptors aging read. Proportional to the guests’ mapped memory times the passes.',
    'ptesScanned',
    'count',
  ],
  [
    'youngFound',
    'Young found',
    'young leaves found by aging / lookaround',
    'Leaves found with the access flag set by aging or by lookaround around an eviction candidate: the accessed information the harvest delivered.',
    'youngFound',
    'count',
  ],
  [
    'cmpxchgFailures',
    'cmpxchg failures',
    'descriptor changed under the harvester',
    'Compare-and-swap attempts on a descriptor that failed because someone changed it meanwhile (lockless harvest racing a fault or an AF update).',
    'cmpxchgFailures',
    'count',
  ],
  [
    'rcuDeferredFrees',
    'RCU-deferred frees',
    'table frees a reader in flight delayed',
    'Stage-2 table pages reclaim unlinked and handed to callRcu while a vCPU on another worker was inside its RCU read-side section: the free really had to wait for the grace period. Only parallel (spread) runs can have them; 0 with one worker, — in sessions saved before the figure existed.',
    'rcuDeferredFrees',
    'count',
  ],
  [
    'hypercalls',
    'Hypercalls',
    'pKVM test-and-clear calls',
    'Host-to-hypervisor calls made under pKVM to test and clear the access flag of one mapping each.',
    'hypercalls',
    'count',
  ],
  [
    'tlbInvalidates',
    'TLB invalidates',
    'TLBI + DSB',
    'TLB invalidations by IPA (TLBI + DSB) issued on unmap and, when enabled, on AF clear.',
    'tlbInvalidates',
    'count',
  ],
  [
    'rcuGracePeriods',
    'RCU grace periods',
    'completed',
    'RCU grace periods completed: unlinked stage-2 table pages are freed only after one, because lockless walkers may still read them.',
    'rcuGracePeriods',
    'count',
  ],
  [
    'tablePagesPeak',
    'Table pages (peak)',
    'stage-2 table pages in use at peak',
    'Most stage-2 table pages (4 KiB each) in use at once, including pages waiting for an RCU grace period.',
    'tablePagesPeak',
    'count',
  ],
  [
    'throughput',
    'Throughput',
    'accesses per virtual second',
    'Guest memory accesses per virtual second, all vCPUs together.',
    'throughput',
    'rate',
  ],
  ['virtualMs', 'Virtual time', 'simulated duration', 'Virtual time the run simulated.', 'virtualMs', 'ms1'],
];

export const SUMMARY_ROWS: readonly SummaryRowDef[] = ROWS.map(([key, label, help, explain, figure, fmt]) => ({
  key,
  label,
  unit: FORMATS[fmt].unit,
  help,
  explain,
  value: (s) => s[figure] ?? NaN,
  text: (s) => {
    const v = s[figure];
    return v === undefined ? '—' : FORMATS[fmt].text(v);
  },
  delta: FORMATS[fmt].delta,
}));

/** The unit a row header shows after its name: none when the name says it ("Virtual time (virtual time)"). */
export function shownUnit(row: SummaryRowDef): string {
  return row.label.toLowerCase() === row.unit.toLowerCase() ? '' : row.unit;
}

export interface SummaryColumn {
  label: string;
  sublabel: string;
  /** What the run changes relative to its scenario ('' when nothing). */
  identity: string;
  cells: string[];
  /** Against the baseline column: "+1.20 pp · ×1.02" per row ('' in the baseline itself). */
  deltas: string[];
}

/**
 * Virtual milliseconds a finished run's x axis spans: the time it simulated (a trace replay ends when its
 * trace does, a stopped run when stopped), else its configured duration.
 */
export function runSpanMs(run: RunResult): number {
  const v = run.summary.virtualMs;
  return Number.isFinite(v) && v > 0 ? v : run.config.run.durationMs;
}

/** A short label for a run: number and hardware profile. */
export function runLabel(run: RunResult, index: number): string {
  return `#${index + 1} ${run.config.hardware.name}`;
}

/** The run's label with its identity: "#2 Ampere Altra · host 768 MiB". */
export function runTitle(run: RunResult, index: number, catalog: PresetCatalog | null): string {
  const id = runIdentity(run.config, catalog);
  return id ? `${runLabel(run, index)} · ${id}` : runLabel(run, index);
}

/**
 * A compared run's chart-legend label: runTitle with the run's effective harvest mode always named,
 * right after the profile ("#1 Ampere Altra (Neoverse N1) · lockless"). runTitle names the harvest only
 * when it differs from the scenario's, so a run on the profile's default read as if it had none beside
 * "#2 … · locked-write" (s15-h's trial). A run's config holds the resolved mode ('default' is resolved
 * to the profile's defaultHarvest before a run), so this is the mode that ran.
 */
export function runCompareTitle(run: RunResult, index: number, catalog: PresetCatalog | null): string {
  const harvest = run.config.reclaim.harvest;
  const parts = runIdentityParts(run.config, catalog).filter((p) => p !== harvest);
  return [runLabel(run, index), harvest, ...parts].join(' · ');
}

export function runSublabel(run: RunResult): string {
  const r = run.config.reclaim;
  return `${r.harvest} · ${r.policy}${run.stopped ? ' · stopped' : ''}`;
}

/** "+1.20 pp · ×1.02": difference and ratio to the baseline value ('' when either is not finite). */
export function deltaText(row: SummaryRowDef, v: number, base: number): string {
  if (!Number.isFinite(v) || !Number.isFinite(base)) return '';
  const d = v - base;
  const ratio = base !== 0 ? ` · ${formatTimes(v / base)}` : '';
  return `${row.delta(d)}${ratio}`;
}

export function summaryColumns(
  runs: readonly { run: RunResult; index: number }[],
  catalog: PresetCatalog | null = null,
  baseline = -1,
): SummaryColumn[] {
  const base = runs.find((r) => r.index === baseline)?.run ?? null;
  return runs.map(({ run, index }) => ({
    label: runLabel(run, index),
    sublabel: runSublabel(run),
    identity: runIdentity(run.config, catalog),
    cells: SUMMARY_ROWS.map((row) => row.text(run.summary)),
    deltas: SUMMARY_ROWS.map((row) =>
      base && index !== baseline ? deltaText(row, row.value(run.summary), row.value(base.summary)) : '',
    ),
  }));
}
