/**
 * The session as a typed spec (STYLE.md 9, after speedscope's file-format-spec.ts).
 *
 * A session file is one msgpack value (see codec.ts for the encoding):
 *
 *   {
 *     format:     "overcommit-lab-session"   SESSION_FORMAT: anything else is a foreign file
 *     version:    2                          SESSION_VERSION: a newer file is refused with both numbers;
 *                                            v1 files (no heat maps) still open
 *     appVersion: string                     the app that wrote it (informational)
 *     savedAt:    string                     ISO-8601 time of saving (informational)
 *     draft:      ScenarioConfig             the config being edited, preset values copied in (its
 *                                            structure is checked, not the relations between fields)
 *     runs:       RunResult[]                each with its full config, seed, summary and
 *                                            samples: { [SAMPLE_COLUMNS]: Float64Array } (msgpack
 *                                            typed-array extension), all columns of one length;
 *                                            v2: optional heatmap { bins, ageKind, guests: [{ name,
 *                                            pages, pagesPerBin, tMs: Float64Array, cells: Uint8Array }] }
 *     ui:         UiState                    view, selected run, compared runs, chart metrics
 *     sweeps?:    SweepRecord[]              v2 only: parameter sweeps over `runs` (sweepSchema.ts)
 *   }
 *
 * Every object is strict (unknown keys are errors) and every error names the path of the field.
 */
import {
  SAMPLE_COLUMNS,
  SESSION_FORMAT,
  SESSION_VERSION,
  type Result,
  type SessionData,
  type UiState,
} from '../protocol.ts';
import { validateScenarioStructure } from '../core/config/index.ts';
import { escapeControls, MAX_MESSAGE } from '../core/config/problems.ts';
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
import { checkRunResult } from './resultSchema.ts';
import { checkSweeps } from './sweepSchema.ts';

/** At most this many runs in one session (a sanity bound for a hostile file, far above real use). */
export const MAX_RUNS = 10_000;

/** Why a session was refused: a stable code for programs, plus the human message in ErrorInfo. */
export type SessionErrorKind = 'too-large' | 'corrupt' | 'foreign' | 'newer-version' | 'unsupported-version' | 'schema';

export const SESSION_ERROR_NAMES: Record<SessionErrorKind, string> = {
  'too-large': 'SessionTooLarge',
  corrupt: 'SessionCorrupt',
  foreign: 'SessionForeign',
  'newer-version': 'SessionNewerVersion',
  'unsupported-version': 'SessionUnsupportedVersion',
  schema: 'SessionSchemaError',
};

/** One line of at most 300 characters, whatever the input (nested validator messages included). */
export function sessionError<T>(kind: SessionErrorKind, message: string): Result<T> {
  let m = escapeControls(message.replace(/:\n/g, ': ').replace(/\n/g, '; '));
  if (m.length > MAX_MESSAGE) m = `${m.slice(0, MAX_MESSAGE - 1)}…`;
  return { ok: false, error: { name: SESSION_ERROR_NAMES[kind], message: m } };
}

/**
 * Validate an untrusted value as SessionData (a decoded file, or a session sent over IPC).
 * Never throws. Checks in the order that gives the most useful message: format tag, then version,
 * then the full schema.
 */
export function validateSessionData(v: unknown): Result<SessionData> {
  try {
    const tag =
      typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as { format?: unknown }).format : undefined;
    if (tag !== SESSION_FORMAT) {
      return sessionError(
        'foreign',
        tag === undefined
          ? `not an Overcommit Lab session (foreign file): it has no format tag, expected "${SESSION_FORMAT}"`
          : `not an Overcommit Lab session (foreign file): format tag is ${describe(tag)}, expected "${SESSION_FORMAT}"`,
      );
    }
    const version = (v as { version?: unknown }).version;
    if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
      return sessionError(
        'unsupported-version',
        `unsupported session version ${describe(version)}; this build reads v1 to v${SESSION_VERSION}`,
      );
    }
    if (version > SESSION_VERSION) {
      return sessionError(
        'newer-version',
        `made by a newer version (v${version}); this build reads up to v${SESSION_VERSION}`,
      );
    }
    return { ok: true, value: checkSession(v) };
  } catch (e) {
    if (e instanceof SchemaError) return sessionError('schema', `invalid session: ${e.message}`);
    // Not a schema problem: a bug or an exotic value (e.g. a getter that throws). Still a Result.
    return sessionError('schema', `invalid session: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function checkSession(v: unknown): SessionData {
  // v2 (issue 9) adds the optional `sweeps`; a v1 file must not have it.
  const optional = (v as { version: number }).version >= 2 ? ['sweeps'] : [];
  const o = checkObject(v, '', ['format', 'version', 'appVersion', 'savedAt', 'draft', 'runs', 'ui'], optional);
  const runs = checkArray(o.runs, 'runs', checkRunResult, MAX_RUNS);
  const sweeps = o.sweeps === undefined ? {} : { sweeps: checkSweeps(o.sweeps, 'sweeps', runs.length) };
  return {
    format: SESSION_FORMAT,
    version: o.version as number,
    appVersion: checkString(o.appVersion, 'appVersion', 200),
    savedAt: checkString(o.savedAt, 'savedAt', 200),
    // Half-edited, maybe: its fields must each be valid, the relations between them need not be.
    draft: checkResult(validateScenarioStructure(o.draft, 'draft'), 'draft'),
    runs,
    ui: checkUiState(o.ui, 'ui', runs.length),
    ...sweeps,
  };
}

/** Run indices must point at a run; with no runs, selectedRun may be 0 or -1 (nothing selected). */
function checkUiState(v: unknown, path: string, runCount: number): UiState {
  const o = checkObject(v, path, ['view', 'selectedRun', 'compareRuns', 'chartMetric']);
  const runIndex = (x: unknown, p: string) => checkFinite(x, p, { min: 0, max: runCount - 1, integer: true });
  const selectedRun =
    runCount === 0
      ? checkFinite(o.selectedRun, join(path, 'selectedRun'), { min: -1, max: 0, integer: true })
      : checkFinite(o.selectedRun, join(path, 'selectedRun'), { min: -1, max: runCount - 1, integer: true });
  return {
    view: checkOneOf(o.view, join(path, 'view'), ['setup', 'run', 'compare'] as const),
    selectedRun,
    compareRuns: checkArray(o.compareRuns, join(path, 'compareRuns'), runIndex, MAX_RUNS),
    chartMetric: checkArray(
      o.chartMetric,
      join(path, 'chartMetric'),
      (x, p) => checkOneOf(x, p, SAMPLE_COLUMNS),
      SAMPLE_COLUMNS.length * 4,
    ),
  };
}
