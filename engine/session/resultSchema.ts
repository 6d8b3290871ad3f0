/**
 * Strict check of a RunResult as stored in a session: config, summary, guest summaries and the sampled
 * columns. Contract as in check.ts: a fresh value or a SchemaError naming the path.
 *
 * Columns: exactly the SAMPLE_COLUMNS, each a Float64Array, all of one length (one row per sample).
 * Columns are copied, so a decoded session never aliases the file's bytes.
 */
import {
  HEAT_CHANNELS,
  SAMPLE_COLUMNS,
  type GuestHeatmap,
  type GuestSummary,
  type RunHeatmap,
  type RunResult,
  type RunSummary,
  type SampleColumns,
  type ScenarioConfig,
} from '../protocol.ts';
import { validateScenario } from '../core/config/index.ts';
import {
  checkArray,
  checkBoolean,
  checkFinite,
  checkFigure,
  checkFloat64Array,
  checkObject,
  checkOneOf,
  checkResult,
  checkString,
  describe,
  join,
  SchemaError,
} from './check.ts';

const SUMMARY_NUMBERS = [
  'accesses',
  'hits',
  'hitRate',
  'coldMisses',
  'misses',
  'refaults',
  'refaultPctWorkingSetPerMin',
  'evictions',
  'evictionPrecision',
  's2Faults',
  'afFaults',
  'vcpuStallNs',
  'lockWaitNs',
  'lockHoldNs',
  'agingPasses',
  'agingNs',
  'ptesScanned',
  'youngFound',
  'cmpxchgFailures',
  'hypercalls',
  'tlbInvalidates',
  'rcuGracePeriods',
  'tablePagesPeak',
  'virtualMs',
  'throughput',
] as const satisfies readonly (keyof RunSummary)[];

/** RunSummary's optional figures (protocol.ts): checked when present, never required. */
const OPTIONAL_SUMMARY_NUMBERS = [
  'lockWaitAgingNs',
  'permFaults',
  'tlbHits',
  'opsPerSec',
  'opLatencyP50Ns',
  'opLatencyP99Ns',
  'opLatencyP999Ns',
  'foliosConsidered',
  'tlbFlushesVm',
  'ipiKicks',
  'ipiFlushNs',
  'kickExitNs',
  'dvmWaitNs',
  'dvmHoldWaitNs',
  'kswapdWriteWaitShare',
  'rcuDeferredFrees',
  'directReclaimShare',
  'kswapdWakeups',
  'reclaimThrottled',
  'reclaimThrottleNs',
  'pfmemallocThrottled',
  'pfmemallocThrottleNs',
  'swapReads',
  'readaheadPages',
  'readaheadHits',
  'swapWritebacks',
  'writebackFaults',
] as const satisfies readonly (keyof RunSummary)[];

/**
 * Every RunSummary field must be listed above (or be `guests`): a field the engine fills but the
 * schema does not know makes every session with it unsavable ("unknown key"). This fails to compile
 * when one is missing, naming it.
 */
type UnlistedSummaryKey = Exclude<
  keyof RunSummary,
  (typeof SUMMARY_NUMBERS)[number] | (typeof OPTIONAL_SUMMARY_NUMBERS)[number] | 'guests'
>;
const summaryKeysListed: [UnlistedSummaryKey] extends [never] ? true : UnlistedSummaryKey = true;
void summaryKeysListed;

/** Figures that are fractions (0..1, or NaN without data); every other figure is >= 0 (or NaN). */
const RATIOS: ReadonlySet<string> = new Set([
  'hitRate',
  'evictionPrecision',
  'kswapdWriteWaitShare',
  'directReclaimShare',
]);

const GUEST_NUMBERS = [
  'accesses',
  'hits',
  'hitRate',
  'coldMisses',
  'refaults',
  'evictions',
  'evictionPrecision',
  's2Faults',
  'afFaults',
  'vcpuStallNs',
  'lockWaitNs',
  'throughput',
] as const satisfies readonly (keyof GuestSummary)[];

/** GuestSummary's optional figures: checked when present, never required. */
const OPTIONAL_GUEST_NUMBERS = [
  'opsPerSec',
  'opLatencyP50Ns',
  'opLatencyP99Ns',
  'opLatencyP999Ns',
] as const satisfies readonly (keyof GuestSummary)[];

/**
 * A run's config passed the engine's validator before it ran, so it must pass it again, in full:
 * structure and the semantic rules (watermark order, memory vs swap, harvest mode vs hardware).
 * Trace names are not checked (the trace may live on another machine). The session's draft gets the
 * structural check only (sessionSchema.ts): it may be half-edited.
 */
function checkRunConfig(v: unknown, path: string): ScenarioConfig {
  return checkResult(validateScenario(v, { path }), path);
}

export function checkRunResult(v: unknown, path: string): RunResult {
  const o = checkObject(
    v,
    path,
    ['engineVersion', 'config', 'seed', 'workers', 'deterministic', 'summary', 'samples', 'wallMs', 'stopped'],
    ['heatmap'],
  );
  const out: RunResult = {
    engineVersion: checkString(o.engineVersion, join(path, 'engineVersion'), 200),
    config: checkRunConfig(o.config, join(path, 'config')),
    seed: checkFinite(o.seed, join(path, 'seed'), { integer: true }),
    workers: checkFinite(o.workers, join(path, 'workers'), { min: 0, integer: true }),
    deterministic: checkBoolean(o.deterministic, join(path, 'deterministic')),
    summary: checkSummary(o.summary, join(path, 'summary')),
    samples: checkSampleColumns(o.samples, join(path, 'samples')),
    wallMs: checkFigure(o.wallMs, join(path, 'wallMs')),
    stopped: checkBoolean(o.stopped, join(path, 'stopped')),
  };
  if (Object.prototype.hasOwnProperty.call(o, 'heatmap')) out.heatmap = checkHeatmap(o.heatmap, join(path, 'heatmap'));
  return out;
}

/** Most heat-map bins per column a session may hold (the engine writes HEAT_BINS = 128). */
const MAX_HEAT_BINS = 4096;

/**
 * RunResult.heatmap (session v2): bins, ageKind, one GuestHeatmap per guest; each guest's cells hold exactly
 * tMs.length columns of HEAT_CHANNELS * bins bytes. Copied out of the input.
 */
function checkHeatmap(v: unknown, path: string): RunHeatmap {
  const o = checkObject(v, path, ['bins', 'ageKind', 'guests']);
  const bins = checkFinite(o.bins, join(path, 'bins'), { min: 1, max: MAX_HEAT_BINS, integer: true });
  const ageKind = checkOneOf(o.ageKind, join(path, 'ageKind'), ['generations', 'inactive', 'none'] as const);
  const guest = (x: unknown, p: string): GuestHeatmap => {
    const g = checkObject(x, p, ['name', 'pages', 'pagesPerBin', 'tMs', 'cells']);
    const tMs = checkFloat64Array(g.tMs, join(p, 'tMs'));
    if (!(g.cells instanceof Uint8Array))
      throw new SchemaError(join(p, 'cells'), `expected a Uint8Array, found ${describe(g.cells)}`);
    const want = tMs.length * HEAT_CHANNELS.length * bins;
    if (g.cells.length !== want)
      throw new SchemaError(
        join(p, 'cells'),
        `holds ${g.cells.length} bytes, expected ${want} (${tMs.length} columns)`,
      );
    return {
      name: checkString(g.name, join(p, 'name'), 1000),
      pages: checkFinite(g.pages, join(p, 'pages'), { min: 0, integer: true }),
      pagesPerBin: checkFinite(g.pagesPerBin, join(p, 'pagesPerBin'), { min: 1, integer: true }),
      tMs: new Float64Array(tMs),
      cells: new Uint8Array(g.cells),
    };
  };
  return { bins, ageKind, guests: checkArray(o.guests, join(path, 'guests'), guest, 4096) };
}

function checkSummary(v: unknown, path: string): RunSummary {
  const o = checkObject(v, path, [...SUMMARY_NUMBERS, 'guests'], OPTIONAL_SUMMARY_NUMBERS);
  // Built in the engine's key order, so re-encoding a decoded session reproduces the same bytes.
  const out = {} as RunSummary;
  for (const key of SUMMARY_NUMBERS) out[key] = checkFigure(o[key], join(path, key), RATIOS.has(key));
  out.guests = checkArray(o.guests, join(path, 'guests'), checkGuestSummary, 4096);
  for (const key of OPTIONAL_SUMMARY_NUMBERS)
    if (Object.prototype.hasOwnProperty.call(o, key)) out[key] = checkFigure(o[key], join(path, key), RATIOS.has(key));
  return out;
}

function checkGuestSummary(v: unknown, path: string): GuestSummary {
  const o = checkObject(
    v,
    path,
    [...GUEST_NUMBERS, 'name', 'slowdown', 'pinned'],
    [...OPTIONAL_GUEST_NUMBERS, 'passEndMs'],
  );
  const out = { name: checkString(o.name, join(path, 'name'), 1000) } as GuestSummary;
  for (const key of GUEST_NUMBERS) out[key] = checkFigure(o[key], join(path, key), RATIOS.has(key));
  out.slowdown = o.slowdown === null ? null : checkFigure(o.slowdown, join(path, 'slowdown'));
  out.pinned = checkBoolean(o.pinned, join(path, 'pinned'));
  for (const key of OPTIONAL_GUEST_NUMBERS)
    if (Object.prototype.hasOwnProperty.call(o, key)) out[key] = checkFigure(o[key], join(path, key));
  // Scan with slices (sessions written since it existed): when each recorded pass completed, in ms.
  if (Object.prototype.hasOwnProperty.call(o, 'passEndMs'))
    out.passEndMs = checkArray(o.passEndMs, join(path, 'passEndMs'), (x, p) => checkFigure(x, p), 64);
  return out;
}

/** Exactly the SAMPLE_COLUMNS, Float64Array each, equal lengths; copied out of the input. */
export function checkSampleColumns(v: unknown, path: string): SampleColumns {
  const o = checkObject(v, path, SAMPLE_COLUMNS);
  const out = {} as SampleColumns;
  let rows = -1;
  for (const key of SAMPLE_COLUMNS) {
    const col = checkFloat64Array(o[key], join(path, key));
    if (rows === -1) rows = col.length;
    else if (col.length !== rows) {
      throw new SchemaError(join(path, key), `column has ${col.length} rows but ${SAMPLE_COLUMNS[0]} has ${rows}`);
    }
    out[key] = new Float64Array(col);
  }
  return out;
}
