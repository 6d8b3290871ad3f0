/**
 * Schema-check primitives for untrusted values (a decoded file, an IPC argument).
 *
 * Contract: every `check*` either returns the value narrowed to its type or throws SchemaError naming
 * the path of the offending field (e.g. `runs[0].config.guests[1].vcpus`). SchemaError never escapes
 * this package: the public entry points (validateSessionData, decodeSession) catch it and return a
 * Result. Objects are strict: unknown keys are errors, as for presets (STYLE.md 9).
 */
import type { Result } from '../protocol.ts';
import { displayKey } from '../core/config/problems.ts';

export class SchemaError extends Error {
  override readonly name = 'SchemaError';
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path || '(root)'}: ${problem}`);
  }
}

/** A short, safe description of an unexpected value for messages (never the whole value). */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name}`;
  if (v instanceof Date) return 'a date';
  if (v instanceof Map) return 'a map whose keys are not all strings';
  if (v instanceof Set) return 'a set';
  if (v instanceof Error) return 'an error value';
  if (v instanceof RegExp) return 'a regular expression';
  if (typeof v === 'object' && !isPlainObject(v)) {
    const name: unknown = (v as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === 'string' && /^[A-Za-z][A-Za-z0-9]{0,30}$/.test(name)
      ? `a ${name} value, not a plain object`
      : 'a value that is not a plain object';
  }
  switch (typeof v) {
    case 'string':
      return v.length > 40 ? `a string of ${v.length} characters` : JSON.stringify(v);
    case 'number':
    case 'boolean':
      return String(v);
    case 'bigint':
      return `a bigint`;
    case 'undefined':
      return 'nothing';
    case 'object':
      return 'an object';
    default:
      return `a ${typeof v}`;
  }
}

export type Obj = Record<string, unknown>;

function isPlainObject(v: unknown): v is Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || ArrayBuffer.isView(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * A plain object with exactly `required` keys (plus any of `optional`). Returns it for field access.
 * Keys are checked as own properties only, so a `__proto__`-like key can never smuggle a prototype.
 */
export function checkObject(
  v: unknown,
  path: string,
  required: readonly string[],
  optional: readonly string[] = [],
): Obj {
  if (!isPlainObject(v)) throw new SchemaError(path, `expected an object, found ${describe(v)}`);
  for (const key of Object.keys(v)) {
    if (!required.includes(key) && !optional.includes(key)) {
      throw new SchemaError(join(path, key), `unknown key (expected one of: ${[...required, ...optional].join(', ')})`);
    }
  }
  for (const key of required) {
    if (!Object.prototype.hasOwnProperty.call(v, key)) throw new SchemaError(join(path, key), 'missing');
  }
  return v;
}

export function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  const k = displayKey(key);
  return path ? `${path}.${k}` : k;
}

export function checkString(v: unknown, path: string, maxLength = 100_000): string {
  if (typeof v !== 'string') throw new SchemaError(path, `expected a string, found ${describe(v)}`);
  if (v.length > maxLength) throw new SchemaError(path, `string longer than ${maxLength} characters`);
  return v;
}

export function checkBoolean(v: unknown, path: string): boolean {
  if (typeof v !== 'boolean') throw new SchemaError(path, `expected true or false, found ${describe(v)}`);
  return v;
}

/**
 * A measured figure: a count, a duration, a rate or (`ratio`) a fraction. NaN is allowed (undefined
 * without data, e.g. eviction precision with no eviction); negative or infinite figures are not, since
 * no run produces them and printing them ("hit rate -100.00 %") would mislead.
 */
export function checkFigure(v: unknown, path: string, ratio = false): number {
  const n = checkNumber(v, path);
  if (Number.isNaN(n)) return n;
  if (!Number.isFinite(n)) throw new SchemaError(path, `expected a finite figure, found ${n}`);
  if (n < 0) throw new SchemaError(path, `a figure cannot be negative, found ${n}`);
  if (ratio && n > 1) throw new SchemaError(path, `a fraction must be at most 1, found ${n}`);
  return n;
}

/** Any number, NaN and infinities included (measured figures such as a hit rate of an empty run). */
export function checkNumber(v: unknown, path: string): number {
  if (typeof v !== 'number') throw new SchemaError(path, `expected a number, found ${describe(v)}`);
  return v;
}

export interface Range {
  min?: number;
  max?: number;
  integer?: boolean;
}

/** A finite number within [min, max] (an integer when asked): configuration values. */
export function checkFinite(v: unknown, path: string, range: Range = {}): number {
  const n = checkNumber(v, path);
  if (!Number.isFinite(n)) throw new SchemaError(path, `expected a finite number, found ${n}`);
  if (range.integer && !Number.isInteger(n)) throw new SchemaError(path, `expected an integer, found ${n}`);
  if (range.min !== undefined && n < range.min) throw new SchemaError(path, `${n} is below the minimum ${range.min}`);
  if (range.max !== undefined && n > range.max) throw new SchemaError(path, `${n} is above the maximum ${range.max}`);
  return n;
}

export function checkOneOf<T extends string>(v: unknown, path: string, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new SchemaError(path, `expected one of ${allowed.join(', ')}, found ${describe(v)}`);
  }
  return v as T;
}

export function checkArray<T>(
  v: unknown,
  path: string,
  item: (x: unknown, path: string) => T,
  maxLength = 1_000_000,
): T[] {
  if (!Array.isArray(v)) throw new SchemaError(path, `expected an array, found ${describe(v)}`);
  if (v.length > maxLength) throw new SchemaError(path, `more than ${maxLength} items`);
  // Indexed reads into a fresh array: never v.map, whose species lookup runs an untrusted `constructor`.
  return Array.from({ length: v.length }, (_, i) => item(v[i] as unknown, join(path, i)));
}

/**
 * The value of an engine validator's Result (engine/core/config, whose problem paths are given in
 * full, e.g. `draft.guests[1].vcpus`), or a SchemaError at `path` carrying its message.
 */
export function checkResult<T>(r: Result<T>, path: string): T {
  if (!r.ok) throw new SchemaError(path, r.error.message);
  return r.value;
}

export function checkFloat64Array(v: unknown, path: string): Float64Array {
  if (!(v instanceof Float64Array)) throw new SchemaError(path, `expected a Float64Array column, found ${describe(v)}`);
  return v;
}
