/**
 * Strict field readers over an untrusted object, recording problems instead of throwing.
 *
 * `openObject` accepts only a plain object and reports every key not in `keys` (with a "did you
 * mean" suggestion). The readers then report a missing key, a wrong type or an out-of-range value at
 * `path.key` and return a placeholder of the right type; callers must not use the values they built
 * unless the Problems count did not grow (see Problems.since).
 */
import { describeValue, displayKey, indexPath, joinPath, type Problems } from './problems.ts';
import { suggestKey } from './suggest.ts';
import { fmtExact } from '../../numberFormat.ts';

export type Obj = Record<string, unknown>;

export function isPlainObject(v: unknown): v is Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * The path of guest `i` of the array at `path`, with its name when it has one: `guests[2] 'cache'`, so a
 * problem reads `guests[2] 'cache'.vcpus: ...` (with four guests a user looks for a guest by name, not by
 * counting from 0). `guest` is the raw input: its own `name`, when a non-empty string, is shown as a key
 * is (displayKey: clipped, control characters escaped). The renderer finds the field from the path
 * without the name (renderer/src/lib/problemFields.ts, problemPath).
 */
export function guestPath(path: string, i: number, guest: unknown): string {
  const at = indexPath(path, i);
  const name = isPlainObject(guest) && Object.prototype.hasOwnProperty.call(guest, 'name') ? guest.name : undefined;
  return typeof name === 'string' && name !== '' ? `${at} '${displayKey(name)}'` : at;
}

/** Numeric range: bounds inclusive unless `minExclusive`; `integer` demands a whole number. */
export interface NumRange {
  min: number;
  max: number;
  minExclusive?: boolean;
  integer?: boolean;
  /** Appended to the range message, e.g. '(1 TiB)'. */
  note?: string;
}

export class Fields {
  constructor(
    readonly problems: Problems,
    readonly path: string,
    readonly obj: Obj,
  ) {}

  at(key: string): string {
    return joinPath(this.path, key);
  }

  has(key: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.obj, key);
  }

  /**
   * The raw value, or undefined after recording a problem: `missing`, or a key present with the value
   * undefined (which structured clone and msgpack can carry, unlike JSON).
   */
  raw(key: string): unknown {
    if (!this.has(key)) {
      this.problems.add(this.at(key), 'missing');
      return undefined;
    }
    const v = this.obj[key];
    if (v === undefined) this.problems.add(this.at(key), 'expected a value, got nothing');
    return v;
  }

  num(key: string, range: NumRange): number {
    if (!this.has(key)) {
      this.problems.add(this.at(key), 'missing');
      return range.min;
    }
    const v = this.obj[key];
    if (typeof v !== 'number') {
      this.problems.add(this.at(key), `expected a number, got ${describeValue(v)}`);
      return range.min;
    }
    if (!checkNumber(v, range)) {
      this.problems.add(this.at(key), `${rangeText(range)}, got ${describeValue(v)}`);
      return range.min;
    }
    return v;
  }

  bool(key: string): boolean {
    const v = this.raw(key);
    if (v === undefined) return false;
    if (typeof v !== 'boolean') {
      this.problems.add(this.at(key), `expected true or false, got ${describeValue(v)}`);
      return false;
    }
    return v;
  }

  /** A string; `nonEmpty` rejects blank strings, `pattern` constrains the form (described by `patternText`). */
  str(
    key: string,
    opts: { nonEmpty?: boolean; maxLength?: number; pattern?: RegExp; patternText?: string } = {},
  ): string {
    const v = this.raw(key);
    if (v === undefined) return '';
    if (typeof v !== 'string') {
      this.problems.add(this.at(key), `expected a string, got ${describeValue(v)}`);
      return '';
    }
    if (opts.nonEmpty && v.trim() === '') this.problems.add(this.at(key), 'must not be empty');
    else if (opts.maxLength !== undefined && v.length > opts.maxLength)
      this.problems.add(this.at(key), `must be at most ${opts.maxLength} characters, got ${v.length}`);
    else if (opts.pattern && !opts.pattern.test(v))
      this.problems.add(this.at(key), `${opts.patternText ?? `must match ${opts.pattern}`}, got ${describeValue(v)}`);
    return v;
  }

  oneOf<T extends string>(key: string, values: readonly T[]): T {
    const v = this.raw(key);
    if (v === undefined) return values[0];
    if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
      this.problems.add(this.at(key), notOneOf(values, v));
      return values[0];
    }
    return v as T;
  }

  /** A nested object with exactly `keys`; undefined (problem recorded) when absent or not an object. */
  object(key: string, keys: readonly string[]): Fields | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    return openObject(this.problems, v, this.at(key), keys);
  }
}

/**
 * Opens `v` as a plain object whose keys must all be in `keys` (all of which are then read by the
 * caller, which reports missing ones). Unknown keys are reported with a suggestion when one is close.
 */
export function openObject(problems: Problems, v: unknown, path: string, keys: readonly string[]): Fields | undefined {
  if (!isPlainObject(v)) {
    problems.add(path, `expected an object, got ${describeValue(v)}`);
    return undefined;
  }
  for (const key of Object.keys(v)) {
    if (keys.includes(key)) continue;
    const hint = suggestKey(key, keys);
    problems.add(
      joinPath(path, key),
      `unknown key${hint ? ` (did you mean ${hint}?)` : ` (expected one of: ${keys.join(', ')})`}`,
    );
  }
  return new Fields(problems, path, v);
}

export function checkNumber(v: number, r: NumRange): boolean {
  if (!Number.isFinite(v)) return false;
  if (r.integer && !Number.isInteger(v)) return false;
  if (r.minExclusive ? v <= r.min : v < r.min) return false;
  return v <= r.max;
}

export function rangeText(r: NumRange): string {
  const kind = r.integer ? 'an integer' : 'a number';
  // Bounds grouped as every figure the lab prints (engine/numberFormat.ts): `<= 3,600,000`, not `3600000`.
  const lo = r.minExclusive ? `> ${fmtExact(r.min)}` : `>= ${fmtExact(r.min)}`;
  return `must be ${kind} ${lo} and <= ${fmtExact(r.max)}${r.note ? ` ${r.note}` : ''}`;
}

/** oneOf's message: "expected one of 'a', 'b', got string \"c\"" with a did-you-mean when one is close. */
export function notOneOf(values: readonly string[], v: unknown): string {
  const hint = typeof v === 'string' ? suggestKey(v, values) : undefined;
  return `expected one of ${values.map((x) => `'${x}'`).join(', ')}, got ${describeValue(v)}${hint ? ` (did you mean '${hint}'?)` : ''}`;
}
