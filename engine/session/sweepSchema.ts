/**
 * Session v2's sweeps (SessionData.sweeps, issue 9), checked as strictly as the rest of the file:
 *
 *   sweeps: [{
 *     name, scenario: string
 *     base:   ScenarioConfig        the scenario before any axis (structure checked, like the draft)
 *     axes:   [{ path: string, values: (number | string | boolean)[] }]   at least one value each
 *     mode:   "product" | "zip"
 *     seeds:  integer[]             at least one
 *     set:    [{ path, value }]     fixed overrides
 *     points: [{ values: one per axis, label: string, runs: one integer per seed }]
 *   }]
 *
 * Every `runs` entry is -1 (the run did not complete) or the index of a run of the session, and no run
 * belongs to two points (each point's result is in the file exactly once).
 */
import type { SweepAxis, SweepPoint, SweepRecord, SweepValue } from '../protocol.ts';
import { validateScenarioStructure } from '../core/config/index.ts';
import {
  checkArray,
  checkFinite,
  checkObject,
  checkOneOf,
  checkResult,
  checkString,
  describe,
  join,
  SchemaError,
} from './check.ts';

/** A sanity bound for a hostile file (a sweep's run count is bounded by the session's runs). */
const MAX_SWEEPS = 1000;
const MAX_VALUES = 100_000;

function checkValue(v: unknown, path: string): SweepValue {
  if ((typeof v === 'number' && Number.isFinite(v)) || typeof v === 'string' || typeof v === 'boolean') return v;
  throw new SchemaError(path, `expected a number, string or boolean, found ${describe(v)}`);
}

function checkAxis(v: unknown, path: string): SweepAxis {
  const o = checkObject(v, path, ['path', 'values']);
  const values = checkArray(o.values, join(path, 'values'), checkValue, MAX_VALUES);
  if (values.length === 0) throw new SchemaError(join(path, 'values'), 'an axis needs at least one value');
  return { path: checkString(o.path, join(path, 'path'), 500), values };
}

export function checkSweeps(v: unknown, path: string, runCount: number): SweepRecord[] {
  const used = new Set<number>();
  return checkArray(
    v,
    path,
    (x, p) => {
      const o = checkObject(x, p, ['name', 'scenario', 'base', 'axes', 'mode', 'seeds', 'set', 'points']);
      const axes = checkArray(o.axes, join(p, 'axes'), checkAxis, 64);
      const seeds = checkArray(
        o.seeds,
        join(p, 'seeds'),
        (s, sp) => checkFinite(s, sp, { min: 0, max: 0xffff_ffff, integer: true }),
        MAX_VALUES,
      );
      if (seeds.length === 0) throw new SchemaError(join(p, 'seeds'), 'a sweep needs at least one seed');
      const points = checkArray(
        o.points,
        join(p, 'points'),
        (pt, pp): SweepPoint => {
          const po = checkObject(pt, pp, ['values', 'label', 'runs']);
          const values = checkArray(po.values, join(pp, 'values'), checkValue, 64);
          if (values.length !== axes.length)
            throw new SchemaError(
              join(pp, 'values'),
              `expected ${axes.length} values (one per axis), found ${values.length}`,
            );
          const runs = checkArray(
            po.runs,
            join(pp, 'runs'),
            (r, rp) => {
              const i = checkFinite(r, rp, { min: -1, max: runCount - 1, integer: true });
              if (i >= 0 && used.has(i)) throw new SchemaError(rp, `run ${i} already belongs to another point`);
              if (i >= 0) used.add(i);
              return i;
            },
            MAX_VALUES,
          );
          if (runs.length !== seeds.length)
            throw new SchemaError(
              join(pp, 'runs'),
              `expected ${seeds.length} run indices (one per seed), found ${runs.length}`,
            );
          return { values, label: checkString(po.label, join(pp, 'label'), 1000), runs };
        },
        MAX_VALUES,
      );
      return {
        name: checkString(o.name, join(p, 'name'), 1000),
        scenario: checkString(o.scenario, join(p, 'scenario'), 4096),
        base: checkResult(validateScenarioStructure(o.base, join(p, 'base')), join(p, 'base')),
        axes,
        mode: checkOneOf(o.mode, join(p, 'mode'), ['product', 'zip'] as const),
        seeds,
        set: checkArray(
          o.set,
          join(p, 'set'),
          (s, sp) => {
            const so = checkObject(s, sp, ['path', 'value']);
            return {
              path: checkString(so.path, join(sp, 'path'), 500),
              value: checkValue(so.value, join(sp, 'value')),
            };
          },
          64,
        ),
        points,
      };
    },
    MAX_SWEEPS,
  );
}
