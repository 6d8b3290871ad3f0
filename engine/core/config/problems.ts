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

/** Problems kept per validation: a file with a million bad keys costs a bounded message, not a million lines. */
export const MAX_PROBLEMS = 50;
/** Longest refusal message: one screen line or two, whatever the input. */
export const MAX_MESSAGE = 299;

export class Problems {
  readonly list: Problem[] = [];
  /** Problems found beyond MAX_PROBLEMS (counted, not kept). */
  dropped = 0;

  /**
   * `structureOnly`: check each field on its own (keys, types, ranges) but not the rules that relate
   * fields or sections (watermark order, overcommit vs swap...): a draft being edited may break those.
   */
  constructor(readonly structureOnly = false) {}

  add(path: string, message: string): void {
    if (this.list.length < MAX_PROBLEMS) this.list.push({ path, message });
    else this.dropped++;
  }

  /** A problem in a rule relating two or more fields: not recorded when only the structure is checked. */
  addRelation(path: string, message: string): void {
    if (!this.structureOnly) this.add(path, message);
  }

  get count(): number {
    return this.list.length + this.dropped;
  }

  /** Problems recorded since `mark` (a previous `count`): lets a caller ask "was this section clean?". */
  since(mark: number): number {
    return this.count - mark;
  }
}

export function formatProblem(p: Problem): string {
  return p.path ? `${p.path}: ${p.message}` : p.message;
}

/** `name` is the ErrorInfo name; the message lists every problem, one per line. */
export function toResult<T>(value: T | undefined, problems: Problems, what: string): Result<T> {
  if (problems.count === 0 && value !== undefined) return { ok: true, value };
  return { ok: false, error: problemsError(problems.list, what, problems.dropped) };
}

/**
 * The message lists the problems one per line, as many as fit in MAX_MESSAGE characters (the first
 * ones: fix those, validate again), then how many more there are.
 */
export function problemsError(list: readonly Problem[], what: string, dropped = 0): ErrorInfo {
  const total = list.length + dropped;
  const w = clipText(escapeControls(what), 80);
  const head = total === 1 ? `invalid ${w}` : `invalid ${w} (${total} problems)`;
  let message = `${head}:`;
  let shown = 0;
  for (const p of list) {
    const line = clipText(escapeControls(formatProblem(p)), MAX_MESSAGE - head.length - 20);
    const more = total - shown - 1 > 0 ? 20 : 0; // room for the "(and N more)" tail
    if (shown > 0 && message.length + 1 + line.length + more > MAX_MESSAGE) break;
    message += `\n${line}`;
    shown++;
  }
  if (shown < total) message += `\n(and ${total - shown} more)`;
  return { name: 'ValidationError', message, problems: list.map((p) => escapeControls(formatProblem(p))) };
}

function clipText(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/**
 * A key as it appears in a path: keys from files may be huge or hold control characters, so a long
 * one is cut to its first 32 characters plus its length, and control characters are escaped.
 */
export function displayKey(key: string): string {
  return escapeControls(key.length > 40 ? `${key.slice(0, 32)}…(${key.length} chars)` : key);
}

/**
 * The last guard of a one-line refusal: newlines joined, control characters escaped, at most
 * MAX_MESSAGE characters (messages are built short; an echoed input may still be long).
 */
export function refusalText(message: string): string {
  const line = escapeControls(message.replace(/:\n/g, ': ').replace(/\n\s*/g, '; '));
  return line.length > MAX_MESSAGE ? `${line.slice(0, MAX_MESSAGE - 1)}…` : line;
}

/** C0 and C1 control characters (and DEL) shown as \xNN: messages reach terminals and dialogs. */
export function escapeControls(s: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is escaped
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

export function joinPath(path: string, key: string): string {
  const k = displayKey(key);
  return path ? `${path}.${k}` : k;
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
