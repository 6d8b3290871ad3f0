/**
 * What New, Open, a reload or closing the window would lose: the session's runs and / or its setup,
 * each compared with what was last saved or opened (not counted edits, so undoing back to the saved
 * setup is "nothing to lose" again). One answer for every guard: the in-app confirm (New / Open), the
 * browser's beforeunload and, mirrored to main through LabApi.setUnsaved, Electron's close dialog.
 */
import type { RunResult, UnsavedWork } from '../../../engine/protocol.ts';

/** The session as last saved or opened: its runs (by identity) and its draft as JSON. */
export interface SavedSnapshot {
  runs: readonly RunResult[];
  draftJson: string;
}

/** null = nothing to lose; else which part differs from the snapshot (runs: how many the session has). */
export function unsavedWork(saved: SavedSnapshot, runs: readonly RunResult[], draftJson: string): UnsavedWork | null {
  const runsChanged = runs.length !== saved.runs.length || runs.some((r, i) => r !== saved.runs[i]);
  const setup = draftJson !== saved.draftJson;
  if (!runsChanged && !setup) return null;
  return { runs: runsChanged ? runs.length : null, setup };
}

/**
 * "3 runs", "setup edits", "1 run and setup edits" (runs changed by removal only: "removed runs"),
 * "3 runs, setup edits and a sweep of 12 runs". main/unsavedGuard.ts says the same in Electron's dialog.
 */
export function unsavedPhrase(u: UnsavedWork): string {
  const parts = [
    u.runs === null ? '' : u.runs === 0 ? 'removed runs' : `${u.runs} run${u.runs === 1 ? '' : 's'}`,
    u.setup ? 'setup edits' : '',
    u.sweepRuns === undefined ? '' : `a sweep of ${u.sweepRuns} run${u.sweepRuns === 1 ? '' : 's'}`,
  ].filter(Boolean);
  if (parts.length === 0) return 'setup edits';
  return parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

/**
 * What a close or reload would lose: the session's unsaved work (New and Open keep the Sweep tab's
 * sweep, so their question leaves it out) plus the sweep's runs not saved (`sweepRuns`, null = none).
 */
export function withSweep(session: UnsavedWork | null, sweepRuns: number | null): UnsavedWork | null {
  if (sweepRuns === null) return session;
  return { runs: session?.runs ?? null, setup: session?.setup ?? false, sweepRuns };
}

/** The in-app question before `action` (New, Open) drops unsaved work. */
export function discardQuestion(
  u: UnsavedWork,
  action: string,
): { title: string; message: string; confirm: string; cancel: string } {
  return {
    title: `${action}?`,
    message: `This session has unsaved changes: ${unsavedPhrase(u)}. ${action} drops them; Save keeps them.`,
    confirm: `Discard and ${action.toLowerCase()}`,
    cancel: 'Cancel',
  };
}
