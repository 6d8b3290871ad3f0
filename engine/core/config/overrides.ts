/**
 * Config-path overrides: `host.memoryMiB=768`, `guests.web.vcpus=8`, `reclaim.harvest=none` — one
 * change to one field of a resolved ScenarioConfig (the CLI's `--set`, a sweep's axes).
 *
 * Path grammar: dot-separated keys of ScenarioConfig. A guest is addressed by its name
 * (`guests.web`), its index (`guests.0` or `guests[0]`) or all guests at once (`guests.*`).
 * `hardware` alone names a hardware profile (re-resolved from the preset set by resolve.ts's caller;
 * see applyOverrides); `hardware.<field>` edits a field of the copied profile (a what-if).
 * `reclaim.harvest=default` means the profile's default harvest mode.
 *
 * Contract: a path that names no field of the config is refused with the closest key suggested; a
 * value is coerced to the type the field already has (a CLI string '768' for a number field), then the
 * whole config goes through validateScenario, so a value out of range gets the same message a preset
 * or a session would get. Nothing here throws on bad input: every failure is a Result error.
 */
import type { Result, ScenarioConfig } from '../../protocol.ts';
import type { PresetSet } from './presetSet.ts';
import { resolveScenario, shrinkWarmups } from './resolve.ts';
import { validateScenario, type ValidateOptions } from './scenario.ts';
import { knownIds, suggestKey } from './suggest.ts';
import { notOneOf } from './fields.ts';
import { PRESET_HARVEST_MODES } from './scenarioPreset.ts';
import { refusalText } from './problems.ts';

/** One override: a config path and its value (JSON, or a string from the command line to coerce). */
export interface Override {
  path: string;
  value: unknown;
}

/** The path that names a hardware profile (not a field): resolved through the preset set. */
export const HARDWARE_PATH = 'hardware';

type Key = string | number;

function fail<T>(message: string): Result<T> {
  return { ok: false, error: { name: 'ValidationError', message: refusalText(message) } };
}

/** `path=value` from the command line; the value stays a string until its field's type is known. */
export function parseAssignment(text: string): Result<Override> {
  const eq = text.indexOf('=');
  if (eq <= 0) return fail(`--set expects path=value (e.g. host.memoryMiB=768), got '${text}'`);
  return { ok: true, value: { path: text.slice(0, eq).trim(), value: text.slice(eq + 1).trim() } };
}

function splitPath(path: string): string[] {
  // guests[0].vcpus -> guests.0.vcpus
  return path.replace(/\[(\d+|\*)\]/g, '.$1').split('.');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The concrete key lists a path addresses in `config` (several for `guests.*`), or a message naming
 * the first segment that matches nothing (with a "did you mean").
 */
export function resolvePath(config: ScenarioConfig, path: string): Result<Key[][]> {
  const segments = splitPath(path);
  if (path.trim() === '' || segments.some((s) => s === '')) return fail(`empty config path in '${path}'`);
  let frontier: { keys: Key[]; value: unknown }[] = [{ keys: [], value: config }];
  for (const [i, seg] of segments.entries()) {
    const where = segments.slice(0, i).join('.');
    const next: typeof frontier = [];
    for (const { keys, value } of frontier) {
      if (Array.isArray(value)) {
        const guests = value as { name?: unknown }[];
        if (seg === '*') guests.forEach((g, j) => next.push({ keys: [...keys, j], value: g }));
        else if (/^\d+$/.test(seg) && Number(seg) < guests.length)
          next.push({ keys: [...keys, Number(seg)], value: guests[Number(seg)] });
        else {
          const j = guests.findIndex((g) => g.name === seg);
          if (j === -1) {
            const names = guests.map((g) => String(g.name));
            const hint = suggestKey(seg, names);
            return fail(
              `unknown config path '${path}': no guest '${seg}' in ${where}${hint ? ` (did you mean ${where}.${hint}?)` : ` (guests: ${names.join(', ')}, or an index, or *)`}`,
            );
          }
          next.push({ keys: [...keys, j], value: guests[j] });
        }
      } else if (isObject(value)) {
        if (!Object.prototype.hasOwnProperty.call(value, seg)) {
          const keysHere = Object.keys(value);
          const hint = suggestKey(seg, keysHere);
          const full = (k: string) => (where ? `${where}.${k}` : k);
          return fail(
            `unknown config path '${path}'${hint ? ` (did you mean ${full(hint)}?)` : ` (${where || 'the config'} has: ${keysHere.join(', ')})`}`,
          );
        }
        next.push({ keys: [...keys, seg], value: value[seg] });
      } else {
        return fail(`unknown config path '${path}': ${where} is a value, not a section`);
      }
    }
    frontier = next;
  }
  return { ok: true, value: frontier.map((f) => f.keys) };
}

/** A CLI string as the type of the field it replaces; JSON values pass through unchanged. */
function coerce(path: string, current: unknown, value: unknown): Result<unknown> {
  if (typeof value !== 'string' || typeof current === 'string') return { ok: true, value };
  if (typeof current === 'number') {
    const n = value === '' ? NaN : Number(value);
    if (!Number.isFinite(n)) return fail(`${path}: expected a number, got '${value}'`);
    return { ok: true, value: n };
  }
  if (typeof current === 'boolean') {
    if (value === 'true' || value === 'false') return { ok: true, value: value === 'true' };
    return fail(`${path}: expected true or false, got '${value}'`);
  }
  // An object or array field (a workload, the watermarks): the value must be JSON.
  try {
    return { ok: true, value: JSON.parse(value) as unknown };
  } catch {
    return fail(`${path}: expected a JSON value for this section, got '${value}'`);
  }
}

function getAt(root: unknown, keys: Key[]): unknown {
  let v = root;
  for (const k of keys) v = (v as Record<Key, unknown>)[k];
  return v;
}

function setAt(root: unknown, keys: Key[], value: unknown): void {
  const parent = getAt(root, keys.slice(0, -1)) as Record<Key, unknown>;
  parent[keys[keys.length - 1]] = value;
}

/**
 * Applies field overrides (not `hardware`) to a deep copy of `config`, without validating: callers
 * validate the result once, after every override (a pair of changes may be valid only together).
 */
export function setPaths(config: ScenarioConfig, overrides: readonly Override[]): Result<ScenarioConfig> {
  const out = JSON.parse(JSON.stringify(config)) as ScenarioConfig;
  for (const o of overrides) {
    if (o.path === HARDWARE_PATH) return fail(`'${HARDWARE_PATH}' names a profile and needs the preset set`);
    const where = resolvePath(out, o.path);
    if (!where.ok) return where;
    for (const keys of where.value) {
      const c = coerce(o.path, getAt(out, keys), o.value);
      if (!c.ok) return c;
      let value = c.value;
      if (o.path === 'reclaim.harvest') {
        // 'default' is accepted here too: checked against the same list as a preset, so the message lists it.
        if (!(PRESET_HARVEST_MODES as readonly unknown[]).includes(value))
          return fail(`reclaim.harvest: ${notOneOf(PRESET_HARVEST_MODES, value)}`);
        if (value === 'default') value = out.hardware.defaultHarvest;
      }
      setAt(out, keys, value);
    }
  }
  // As the CLI's --duration-ms (resolve.ts): a shorter run keeps ~10 samples unless the interval is set too.
  const paths = new Set(overrides.map((o) => o.path));
  if (paths.has('run.durationMs') && !paths.has('run.sampleIntervalMs')) {
    const r = out.run;
    if (typeof r.durationMs === 'number' && r.durationMs > 0 && r.sampleIntervalMs > r.durationMs / 10)
      r.sampleIntervalMs = r.durationMs / 10;
  }
  // ... and a client's warm-up keeps its share of the run unless it was set too.
  if (paths.has('run.durationMs') && ![...paths].some((p) => p.endsWith('.client.warmupMs') || p.endsWith('.client')))
    if (typeof out.run.durationMs === 'number' && Array.isArray(out.guests))
      shrinkWarmups(out.guests, config.run.durationMs, out.run.durationMs);
  return { ok: true, value: out };
}

/** What a base scenario is: a preset of the set (by id), or a complete config (from a JSON file). */
export type ScenarioBase = { kind: 'preset'; id: string } | { kind: 'config'; config: ScenarioConfig };

/**
 * The base scenario with `overrides` applied and the whole config validated (traces included when
 * `options.traces` is given). A `hardware` override picks the profile: a preset is resolved on it (so
 * its protection and default harvest follow), a config file gets the profile copied in.
 */
export function applyOverrides(
  set: PresetSet,
  base: ScenarioBase,
  overrides: readonly Override[],
  options: ValidateOptions = {},
): Result<ScenarioConfig> {
  const hw = overrides.filter((o) => o.path === HARDWARE_PATH);
  const fields = overrides.filter((o) => o.path !== HARDWARE_PATH);
  const hardwareId = hw.length > 0 ? hw[hw.length - 1].value : undefined;
  if (hardwareId !== undefined && (typeof hardwareId !== 'string' || !set.hardware.has(hardwareId)))
    return fail(
      `hardware: unknown hardware profile ${JSON.stringify(hardwareId)} ${knownIds(String(hardwareId), set.hardware.keys())}`,
    );
  let config: ScenarioConfig;
  if (base.kind === 'preset') {
    // Resolved without trace checks: the overrides may be what makes the config fit its trace.
    const r = resolveScenario(set, base.id, { hardware: hardwareId as string | undefined });
    if (!r.ok) return r;
    config = r.value;
  } else {
    config = base.config;
    if (hardwareId !== undefined) config = { ...config, hardware: set.hardware.get(hardwareId as string)! };
  }
  const changed = setPaths(config, fields);
  if (!changed.ok) return changed;
  return validateScenario(changed.value, options);
}
