/**
 * Strict check of a RunResult as stored in a session: config, summary, guest summaries and the sampled
 * columns. Contract as in check.ts: a fresh value or a SchemaError naming the path.
 *
 * Columns: exactly the SAMPLE_COLUMNS, each a Float64Array, all of one length (one row per sample).
 * Columns are copied, so a decoded session never aliases the file's bytes.
 */
import {
  SAMPLE_COLUMNS,
  type GuestSummary,
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
  checkFloat64Array,
  checkNumber,
  checkObject,
  checkResult,
  checkString,
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
  'kswapdWriteWaitShare',
] as const satisfies readonly (keyof RunSummary)[];

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
  const o = checkObject(v, path, [
    'engineVersion',
    'config',
    'seed',
    'workers',
    'deterministic',
    'summary',
    'samples',
    'wallMs',
    'stopped',
  ]);
  return {
    engineVersion: checkString(o.engineVersion, join(path, 'engineVersion'), 200),
    config: checkRunConfig(o.config, join(path, 'config')),
    seed: checkFinite(o.seed, join(path, 'seed'), { integer: true }),
    workers: checkFinite(o.workers, join(path, 'workers'), { min: 0, integer: true }),
    deterministic: checkBoolean(o.deterministic, join(path, 'deterministic')),
    summary: checkSummary(o.summary, join(path, 'summary')),
    samples: checkSampleColumns(o.samples, join(path, 'samples')),
    wallMs: checkNumber(o.wallMs, join(path, 'wallMs')),
    stopped: checkBoolean(o.stopped, join(path, 'stopped')),
  };
}

function checkSummary(v: unknown, path: string): RunSummary {
  const o = checkObject(v, path, [...SUMMARY_NUMBERS, 'guests'], OPTIONAL_SUMMARY_NUMBERS);
  // Built in the engine's key order, so re-encoding a decoded session reproduces the same bytes.
  const out = {} as RunSummary;
  for (const key of SUMMARY_NUMBERS) out[key] = checkNumber(o[key], join(path, key));
  out.guests = checkArray(o.guests, join(path, 'guests'), checkGuestSummary, 4096);
  for (const key of OPTIONAL_SUMMARY_NUMBERS)
    if (Object.prototype.hasOwnProperty.call(o, key)) out[key] = checkNumber(o[key], join(path, key));
  return out;
}

function checkGuestSummary(v: unknown, path: string): GuestSummary {
  const o = checkObject(v, path, [...GUEST_NUMBERS, 'name', 'slowdown', 'pinned'], OPTIONAL_GUEST_NUMBERS);
  const out = { name: checkString(o.name, join(path, 'name'), 1000) } as GuestSummary;
  for (const key of GUEST_NUMBERS) out[key] = checkNumber(o[key], join(path, key));
  out.slowdown = o.slowdown === null ? null : checkNumber(o.slowdown, join(path, 'slowdown'));
  out.pinned = checkBoolean(o.pinned, join(path, 'pinned'));
  for (const key of OPTIONAL_GUEST_NUMBERS)
    if (Object.prototype.hasOwnProperty.call(o, key)) out[key] = checkNumber(o[key], join(path, key));
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
