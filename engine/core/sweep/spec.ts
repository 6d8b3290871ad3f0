/**
 * Sweep spec validation (the JSON a user writes, or the UI builds): strict keys, each axis a
 * non-empty list or a well-formed range, seeds, mode. Returns the spec in canonical form (axes as value
 * lists, seeds as a list) or the first problem as ONE line naming the field (the CLI prints it as is).
 * Paths are checked against the scenario later (plan.ts), where the config is known.
 */
import type { Result, SweepAxis, SweepSpec, SweepValue } from '../../protocol.ts';
import { SEED } from '../config/limits.ts';
import { suggestKey } from '../config/suggest.ts';
import { displayKey, escapeControls, refusalText } from '../config/problems.ts';

export const SPEC_KEYS = ['name', 'scenario', 'axes', 'seeds', 'mode', 'set'] as const;
/** Values one range may expand to (a sanity bound; the run-count limits are in plan.ts). */
export const MAX_AXIS_VALUES = 100_000;
export const MAX_SEEDS = 10_000;

export interface CanonicalSpec {
  name: string;
  scenario: string;
  axes: SweepAxis[];
  seeds: number[];
  mode: 'product' | 'zip';
  set: { path: string; value: SweepValue }[];
}

class SpecError extends Error {}

function fail(message: string): never {
  throw new SpecError(message);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function show(v: unknown): string {
  let s: string | undefined;
  try {
    s = JSON.stringify(v); // throws on a BigInt or a cycle (possible in a value sent over IPC)
  } catch {
    s = `a ${typeof v}`;
  }
  if (s === undefined) s = typeof v === 'symbol' || typeof v === 'function' ? `a ${typeof v}` : String(v);
  return escapeControls(s.length > 40 ? `${s.slice(0, 37)}...` : s);
}

function strictKeys(o: Record<string, unknown>, allowed: readonly string[], where: string): void {
  for (const k of Object.keys(o)) {
    if (allowed.includes(k)) continue;
    const hint = suggestKey(k, allowed);
    fail(
      `${where}unknown key '${displayKey(k)}'${hint ? ` (did you mean ${hint}?)` : ` (expected: ${allowed.join(', ')})`}`,
    );
  }
}

/** Rounds away binary noise (0.1 + 0.2) so range values print and compare as typed. */
function clean(x: number): number {
  return Number(x.toPrecision(12));
}

function isSweepValue(v: unknown): v is SweepValue {
  return (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'string' || typeof v === 'boolean';
}

function num(o: Record<string, unknown>, key: string, where: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${where}.${key}: expected a number, got ${show(v)}`);
  return v;
}

export function expandAxis(path: string, spec: unknown): SweepValue[] {
  const where = `axes.${displayKey(path)}`;
  if (Array.isArray(spec)) {
    if (spec.length === 0) fail(`${where}: empty axis (give at least one value)`);
    if (spec.length > MAX_AXIS_VALUES) fail(`${where}: ${spec.length} values, at most ${MAX_AXIS_VALUES}`);
    spec.forEach((v, i) => {
      if (!isSweepValue(v)) fail(`${where}[${i}]: expected a number, string or boolean, got ${show(v)}`);
    });
    // Indexed copies, never spec.map: an array sent over IPC may carry its own `constructor` (species).
    const values = Array.from({ length: spec.length }, (_, i) => spec[i] as SweepValue);
    if (new Set(values.map((v) => JSON.stringify(v))).size !== values.length) fail(`${where}: a value is listed twice`);
    return values;
  }
  if (!isObject(spec))
    fail(`${where}: expected a list of values or a range {from, to, steps} / {from, to, step}, got ${show(spec)}`);
  const byStep = 'step' in spec;
  strictKeys(spec, byStep ? ['from', 'to', 'step'] : ['from', 'to', 'steps', 'scale'], `${where}: `);
  const from = num(spec, 'from', where);
  const to = num(spec, 'to', where);
  if (byStep) {
    const step = num(spec, 'step', where);
    if (step <= 0) fail(`${where}.step: must be > 0, got ${step}`);
    if (to < from) fail(`${where}: 'to' (${to}) is below 'from' (${from})`);
    const count = Math.floor((to - from) / step + 1e-9) + 1;
    if (count > MAX_AXIS_VALUES) fail(`${where}: ${count} values, at most ${MAX_AXIS_VALUES}`);
    return Array.from({ length: count }, (_, i) => clean(from + i * step));
  }
  const steps = num(spec, 'steps', where);
  if (!Number.isInteger(steps) || steps < 1) fail(`${where}.steps: expected an integer >= 1, got ${steps}`);
  if (steps > MAX_AXIS_VALUES) fail(`${where}.steps: ${steps} values, at most ${MAX_AXIS_VALUES}`);
  const scale = spec.scale ?? 'linear';
  if (scale !== 'linear' && scale !== 'log') fail(`${where}.scale: expected 'linear' or 'log', got ${show(scale)}`);
  if (steps === 1) {
    if (from !== to) fail(`${where}: one step cannot go from ${from} to ${to}`);
    return [from];
  }
  if (scale === 'log' && (from <= 0 || to <= 0)) fail(`${where}: a log range needs from and to > 0`);
  return Array.from({ length: steps }, (_, i) => {
    const f = i / (steps - 1);
    if (i === steps - 1) return to;
    return clean(scale === 'log' ? from * Math.pow(to / from, f) : from + (to - from) * f);
  });
}

function seedsOf(v: unknown): number[] {
  const checkSeed = (s: unknown, where: string): number => {
    if (typeof s !== 'number' || !Number.isInteger(s) || s < SEED.min || s > SEED.max)
      fail(`${where}: a seed is an integer from 0 to ${SEED.max}, got ${show(s)}`);
    return s;
  };
  if (Array.isArray(v)) {
    if (v.length === 0) fail('seeds: empty list (give at least one seed)');
    if (v.length > MAX_SEEDS) fail(`seeds: ${v.length} seeds, at most ${MAX_SEEDS}`);
    const seeds = Array.from({ length: v.length }, (_, i) => checkSeed(v[i], `seeds[${i}]`));
    if (new Set(seeds).size !== seeds.length) fail('seeds: a seed is listed twice');
    return seeds;
  }
  if (isObject(v)) {
    strictKeys(v, ['count', 'first'], 'seeds: ');
    const count = v.count;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_SEEDS)
      fail(`seeds.count: expected an integer from 1 to ${MAX_SEEDS}, got ${show(count)}`);
    const first = v.first === undefined ? 1 : checkSeed(v.first, 'seeds.first');
    if (first + count - 1 > SEED.max) fail(`seeds: ${first} + ${count} seeds go past ${SEED.max}`);
    return Array.from({ length: count }, (_, i) => first + i);
  }
  return fail(`seeds: expected a list of seeds or { "count": N }, got ${show(v)}`);
}

/** The spec in canonical form, or its first problem as one line. */
export function canonicalSpec(x: unknown): Result<CanonicalSpec> {
  try {
    if (!isObject(x)) fail(`expected a JSON object with scenario, axes and seeds, got ${show(x)}`);
    strictKeys(x, SPEC_KEYS, '');
    for (const k of ['scenario', 'axes', 'seeds'] as const) if (!(k in x)) fail(`${k}: missing`);
    const spec = x as unknown as SweepSpec;
    if (typeof spec.scenario !== 'string' || spec.scenario.trim() === '')
      fail(`scenario: expected a scenario id or file, got ${show(spec.scenario)}`);
    if (spec.name !== undefined && (typeof spec.name !== 'string' || spec.name.length > 200))
      fail(`name: expected a string of at most 200 characters`);
    if (!isObject(spec.axes)) fail(`axes: expected an object { "config.path": [values] }, got ${show(spec.axes)}`);
    const axes = Object.entries(spec.axes).map(([path, a]) => ({ path, values: expandAxis(path, a) }));
    const mode = spec.mode ?? 'product';
    if (mode !== 'product' && mode !== 'zip') fail(`mode: expected 'product' or 'zip', got ${show(mode)}`);
    if (mode === 'zip' && new Set(axes.map((a) => a.values.length)).size > 1)
      fail(`mode zip: every axis needs the same number of values, got ${axes.map((a) => a.values.length).join(', ')}`);
    const set: CanonicalSpec['set'] = [];
    if (spec.set !== undefined) {
      if (!isObject(spec.set)) fail(`set: expected an object { "config.path": value }, got ${show(spec.set)}`);
      for (const [path, value] of Object.entries(spec.set)) {
        if (!isSweepValue(value))
          fail(`set.${displayKey(path)}: expected a number, string or boolean, got ${show(value)}`);
        if (spec.axes[path] !== undefined) fail(`set.${displayKey(path)}: also an axis; keep it in one place`);
        set.push({ path, value });
      }
    }
    const seeds = seedsOf(spec.seeds);
    if (axes.some((a) => a.path === 'run.seed')) fail(`axes.run.seed: seeds are given by "seeds", not as an axis`);
    const name = spec.name ?? `${spec.scenario}: ${axes.map((a) => a.path).join(' × ') || 'seeds'}`;
    return { ok: true, value: { name, scenario: spec.scenario, axes, seeds, mode, set } };
  } catch (e) {
    if (e instanceof SpecError)
      return { ok: false, error: { name: 'SweepSpecError', message: refusalText(e.message) } };
    throw e;
  }
}
