/**
 * A sweep's run set: the canonical spec (spec.ts) expanded against its scenario into one validated
 * ScenarioConfig per run. Run i is point floor(i / seeds) with seed i % seeds: the order is fixed by
 * the spec, so a local sweep and a queue sweep put every result at the same index.
 *
 * Contract: every config is validated (same validator, same messages as a single run) before any
 * run starts; the first bad point is refused with its label. Every run is deterministic (one worker),
 * so its result depends only on its config. Sweeps above CONFIRM_RUNS need `yes`; above
 * MAX_SWEEP_RUNS (what one session file holds) they are refused.
 */
import { refusalText } from '../config/problems.ts';
import { knownIds } from '../config/suggest.ts';
import type { Result, ScenarioConfig, SweepPoint, SweepRecord, SweepValue } from '../../protocol.ts';
import { overrideLabel } from '../config/diff.ts';
import { applyOverrides, resolvePath, type Override, type ScenarioBase } from '../config/overrides.ts';
import type { PresetSet } from '../config/presetSet.ts';
import type { TraceInfo } from '../config/semantics.ts';
import { canonicalSpec, type CanonicalSpec } from './spec.ts';

/** More runs than this need an explicit yes (`--yes`): a typo in a range should not start a week of work. */
export const CONFIRM_RUNS = 1000;
/** At most this many runs in one sweep (one session file holds them all: session MAX_RUNS). */
export const MAX_SWEEP_RUNS = 10_000;

export interface SweepPlan {
  record: SweepRecord;
  /** One config per run, by run index (point-major, seed-minor). */
  configs: ScenarioConfig[];
}

export interface PlanOptions {
  set: PresetSet;
  /** Traces the host can replay (name -> distinct pages): trace workloads are checked against them. */
  traces?: TraceInfo;
  /** The scenario when it is not a preset id (a scenario file the CLI read). */
  base?: ScenarioBase;
  /** Allow more than CONFIRM_RUNS runs. */
  yes?: boolean;
}

function fail<T>(message: string): Result<T> {
  return { ok: false, error: { name: 'SweepSpecError', message: refusalText(message) } };
}

function flat(message: string): string {
  return message.replace(/:\n/g, ': ').replace(/\n\s*/g, '; ');
}

/** Axis value tuples, in run order. */
export function pointValues(spec: CanonicalSpec): SweepValue[][] {
  if (spec.axes.length === 0) return [[]];
  if (spec.mode === 'zip') return spec.axes[0].values.map((_, i) => spec.axes.map((a) => a.values[i]));
  let out: SweepValue[][] = [[]];
  for (const axis of spec.axes) out = out.flatMap((prefix) => axis.values.map((v) => [...prefix, v]));
  return out;
}

export function pointCount(spec: CanonicalSpec): number {
  if (spec.axes.length === 0) return 1;
  if (spec.mode === 'zip') return spec.axes[0].values.length;
  return spec.axes.reduce((n, a) => n * a.values.length, 1);
}

/** Fixed per-run settings of every sweep run: deterministic on one worker, the given seed. */
function runOverrides(seed: number): Override[] {
  return [
    { path: 'run.seed', value: seed },
    { path: 'run.deterministic', value: true },
    { path: 'run.workers', value: 1 },
  ];
}

export function planSweep(specValue: unknown, options: PlanOptions): Result<SweepPlan> {
  const c = canonicalSpec(specValue);
  if (!c.ok) return c;
  const spec = c.value;
  const points = pointCount(spec);
  const runs = points * spec.seeds.length;
  const size = `${runs.toLocaleString('en-US')} runs (${points.toLocaleString('en-US')} points × ${spec.seeds.length} seed${spec.seeds.length > 1 ? 's' : ''})`;
  const fits = runs > MAX_SWEEP_RUNS ? `at most ${MAX_SWEEP_RUNS} fit in one session` : '';
  if (runs > CONFIRM_RUNS && !options.yes)
    return fail(`the sweep has ${size}; more than ${CONFIRM_RUNS} need --yes${fits ? `, and ${fits}` : ''}`);
  if (fits) return fail(`the sweep has ${size}; ${fits}`);

  const base: ScenarioBase = options.base ?? { kind: 'preset', id: spec.scenario };
  if (base.kind === 'preset' && !options.set.scenarios.has(base.id))
    return fail(`scenario: unknown scenario '${base.id}' (known: ${[...options.set.scenarios.keys()].join(', ')})`);
  // The reference config: `set` and the first seed, no axis. Paths are checked against it first, so a
  // typo in a path is one clear line rather than a failure at the first point.
  const fixed: Override[] = [...spec.set, ...runOverrides(spec.seeds[0])];
  const ref = applyOverrides(options.set, base, fixed);
  if (!ref.ok) return fail(`set: ${flat(ref.error.message)}`);
  for (const axis of spec.axes) {
    if (axis.path === 'hardware') {
      const bad = axis.values.find((v) => typeof v !== 'string' || !options.set.hardware.has(v));
      if (bad !== undefined)
        return fail(
          `axes.hardware: unknown hardware profile ${JSON.stringify(bad)} ${knownIds(String(bad), options.set.hardware.keys())}`,
        );
      continue;
    }
    const where = resolvePath(ref.value, axis.path);
    if (!where.ok) return fail(`axes: ${where.error.message}`);
  }

  const configs: ScenarioConfig[] = [];
  const recordPoints: SweepPoint[] = [];
  for (const values of pointValues(spec)) {
    const axisOverrides = spec.axes.map((a, i) => ({ path: a.path, value: values[i] }));
    const label = axisOverrides.map((o) => overrideLabel(o.path, o.value, ref.value)).join(' · ') || spec.scenario;
    const first = applyOverrides(options.set, base, [...fixed, ...axisOverrides], { traces: options.traces });
    if (!first.ok) return fail(`point ${label}: ${flat(first.error.message)}`);
    for (const seed of spec.seeds) configs.push({ ...first.value, run: { ...first.value.run, seed } });
    recordPoints.push({ values, label, runs: spec.seeds.map(() => -1) });
  }
  return {
    ok: true,
    value: {
      record: {
        name: spec.name,
        scenario: spec.scenario,
        base: ref.value,
        axes: spec.axes,
        mode: spec.mode,
        seeds: spec.seeds,
        set: spec.set,
        points: recordPoints,
      },
      configs,
    },
  };
}

/** Run index of a point's seed (the order planSweep builds). */
export function runIndexOf(plan: { record: SweepRecord }, pointIndex: number, seedIndex: number): number {
  return pointIndex * plan.record.seeds.length + seedIndex;
}
