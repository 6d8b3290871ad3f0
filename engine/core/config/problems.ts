/**
 * Problem collection for the config validators.
 *
 * Contract: validators never throw on bad input. Every problem is recorded as `path: message`
 * (e.g. `hardware.costs.walkLevl: unknown key (did you mean walkLevel?)`) and validation carries on,
 * so one call reports every problem found, not just the first (a user fixing a preset file should
 * not have to iterate once per typo).
 */
import type { ErrorInfo, Result } from '../../protocol.ts';

export interface Problem {
  path: string;
  message: string;
}

export class Problems {
  readonly list: Problem[] = [];

  /**
   * `structureOnly`: check each field on its own (keys, types, ranges) but not the rules that relate
   * fields or sections (watermark order, overcommit vs swap...): a draft being edited may break those.
   */
  constructor(readonly structureOnly = false) {}

  add(path: string, message: string): void {
    this.list.push({ path, message });
  }

  /** A problem in a rule relating two or more fields: not recorded when only the structure is checked. */
  addRelation(path: string, message: string): void {
    if (!this.structureOnly) this.add(path, message);
  }

  get count(): number {
    return this.list.length;
  }

  /** Problems recorded since `mark` (a previous `count`): lets a caller ask "was this section clean?". */
  since(mark: number): number {
    return this.list.length - mark;
  }
}

export function formatProblem(p: Problem): string {
  return p.path ? `${p.path}: ${p.message}` : p.message;
}

/** `name` is the ErrorInfo name; the message lists every problem, one per line. */
export function toResult<T>(value: T | undefined, problems: Problems, what: string): Result<T> {
  if (problems.count === 0 && value !== undefined) return { ok: true, value };
  return { ok: false, error: problemsError(problems.list, what) };
}

export function problemsError(list: readonly Problem[], what: string): ErrorInfo {
  const lines = list.map(formatProblem);
  const head = list.length === 1 ? `invalid ${what}` : `invalid ${what} (${list.length} problems)`;
  return { name: 'ValidationError', message: `${head}:\n${lines.join('\n')}` };
}

export function joinPath(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

export function indexPath(path: string, i: number): string {
  return `${path}[${i}]`;
}

/** A short, safe description of an unexpected value (never the whole value). */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array`;
  switch (typeof v) {
    case 'string':
      return v.length > 40 ? `a string of ${v.length} characters` : `string ${JSON.stringify(v)}`;
    case 'number':
      return Number.isNaN(v) ? 'NaN' : String(v);
    case 'boolean':
      return String(v);
    case 'undefined':
      return 'nothing';
    case 'bigint':
      return 'a bigint';
    case 'object':
      return 'an object';
    case 'function':
    case 'symbol':
      return `a ${typeof v}`;
  }
  return 'a value';
}
