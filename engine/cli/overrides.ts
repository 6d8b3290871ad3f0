/**
 * The CLI side of overrides: `--set path=value` (engine/core/config/overrides.ts does the work) and
 * a scenario given as a JSON file instead of a preset id (`lab run my-scenario.json`, a sweep spec's
 * "scenario"). A scenario file is either a scenario preset file (format overcommit-lab-preset, kind
 * scenario: referencing presets by id) or a complete ScenarioConfig (e.g. a run's config from
 * `lab show --json`). Problems are UsageErrors of one line.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ScenarioConfig } from '../protocol.ts';
import {
  applyOverrides,
  parseAssignment,
  setPaths,
  type Override,
  type ScenarioBase,
} from '../core/config/overrides.ts';
import {
  PRESET_FORMAT,
  parsePresetFile,
  validateScenario,
  type PresetSet,
  type ScenarioOverrides,
  type TraceInfo,
} from '../core/config/index.ts';
import { UsageError, oneLine, unknownId } from './args.ts';

export function parseSets(items: readonly string[]): Override[] {
  return items.map((text) => {
    const r = parseAssignment(text);
    if (!r.ok) throw new UsageError(r.error.message);
    return r.value;
  });
}

/** Does this scenario argument name a file rather than a preset id? */
export function isScenarioFile(arg: string): boolean {
  return arg.endsWith('.json') || arg.includes('/') || arg.includes(path.sep);
}

export interface LoadedScenario {
  /** The preset set, with a scenario preset file added under its id. */
  set: PresetSet;
  base: ScenarioBase;
  /** For titles: the preset id, or the file's base name. */
  id: string;
}

/**
 * A scenario argument as a base: a preset id of `set`, or a JSON file (relative to `dir`). A preset
 * file's scenario is added to a copy of the set (it may reference any preset by id).
 */
export function loadScenarioArg(arg: string, set: PresetSet, dir = process.cwd()): LoadedScenario {
  if (!isScenarioFile(arg)) {
    if (!set.scenarios.has(arg)) throw unknownId('scenario', arg, set.scenarios.keys());
    return { set, base: { kind: 'preset', id: arg }, id: arg };
  }
  const file = path.resolve(dir, arg);
  if (!existsSync(file)) throw new UsageError(`scenario file ${arg}: no such file`);
  let text: string;
  let value: unknown;
  try {
    text = readFileSync(file, 'utf8');
    value = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`scenario file ${arg}: not JSON (${oneLine((e as Error).message)})`);
  }
  if (typeof value === 'object' && value !== null && (value as { format?: unknown }).format === PRESET_FORMAT) {
    const r = parsePresetFile(text, path.basename(file));
    if (!r.ok) throw new UsageError(oneLine(r.error.message));
    if (r.value.kind !== 'scenario')
      throw new UsageError(`scenario file ${arg}: a ${r.value.kind} preset, expected a scenario`);
    const scenario = r.value.scenario;
    const withFile: PresetSet = { ...set, scenarios: new Map(set.scenarios).set(scenario.id, scenario) };
    return { set: withFile, base: { kind: 'preset', id: scenario.id }, id: scenario.id };
  }
  // A complete config: structure and relations checked now (traces once they are loaded).
  const r = validateScenario(value);
  if (!r.ok) throw new UsageError(`scenario file ${arg}: ${oneLine(r.error.message)}`);
  return { set, base: { kind: 'config', config: r.value as ScenarioConfig }, id: path.basename(file, '.json') };
}

/** `config` with the --set overrides applied and validated in full (traces included); UsageError on a problem. */
export function withSets(config: ScenarioConfig, sets: readonly Override[], traces: TraceInfo): ScenarioConfig {
  if (sets.length === 0) return config;
  const changed = setPaths(config, sets);
  if (!changed.ok) throw new UsageError(oneLine(changed.error.message));
  const r = validateScenario(changed.value, { traces });
  if (!r.ok) throw new UsageError(oneLine(r.error.message));
  return r.value;
}

/** A complete config from a file, on `hardware` (a profile id or its own), with the run options as paths. */
export function configFromFile(
  set: PresetSet,
  config: ScenarioConfig,
  hardware: string | undefined,
  o: ScenarioOverrides,
  traces: TraceInfo,
): ScenarioConfig {
  const paths: Override[] = [];
  if (hardware !== undefined && hardware !== config.hardware.id) paths.push({ path: 'hardware', value: hardware });
  const add = (path: string, value: unknown) => value !== undefined && paths.push({ path, value });
  add('reclaim.harvest', o.harvest);
  add('reclaim.policy', o.policy);
  add('run.durationMs', o.durationMs);
  add('run.sampleIntervalMs', o.sampleIntervalMs);
  add('run.seed', o.seed);
  add('run.deterministic', o.deterministic);
  add('run.workers', o.workers);
  const r = applyOverrides(set, { kind: 'config', config }, paths, { traces });
  if (!r.ok) throw new UsageError(oneLine(r.error.message));
  return r.value;
}

/** Trace names a scenario argument replays, plus any a --set names (`...workload.trace=NAME`). */
export function scenarioTraceNames(s: LoadedScenario, sets: readonly Override[]): string[] {
  const names: string[] = [];
  const guests =
    s.base.kind === 'config'
      ? s.base.config.guests.map((g) => g.workload)
      : (s.set.scenarios.get(s.base.id)?.guests.map((g) => g.workload) ?? []);
  for (const w of guests) {
    const spec = typeof w === 'string' ? s.set.workloads.get(w)?.workload : w;
    if (spec?.kind === 'trace') names.push(spec.trace);
  }
  for (const o of sets) if (o.path.endsWith('workload.trace') && typeof o.value === 'string') names.push(o.value);
  return names;
}
