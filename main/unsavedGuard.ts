/**
 * No lost work on close or reload (Electron). The renderer's `beforeunload` handler cancels the unload
 * while the session has unsaved runs or setup edits (renderer/src/lib/unsaved.ts); Electron then emits
 * `will-prevent-unload` on the webContents instead of unloading, for a window close (the 'close' is
 * cancelled, and so is an app quit that closes it) and for a reload alike. Here main asks the user,
 * naming what would be lost as the renderer last told it (lab:setUnsaved); "Discard" calls
 * preventDefault(), which tells Electron to ignore the renderer's veto and go on (close the window,
 * reload the page); "Cancel" leaves everything as it was.
 *
 * Seams: the webContents-like emitter, what is unsaved and the question are injected
 * (test/main/unsavedGuard.test.ts; the wiring in index.ts is booted in test/main/boot.test.ts).
 */
import type { UnsavedWork } from '../engine/protocol.ts';

export interface UnloadEvent {
  preventDefault(): void;
}

export interface UnloadEmitter {
  on(event: 'will-prevent-unload', listener: (e: UnloadEvent) => void): unknown;
}

/** Asks the user; true = discard the unsaved work and leave. Synchronous: the unload waits for it. */
export type AskDiscard = (work: UnsavedWork | null) => boolean;

export function guardUnsavedWork(
  contents: UnloadEmitter,
  unsaved: () => UnsavedWork | null,
  askDiscard: AskDiscard,
): void {
  contents.on('will-prevent-unload', (e) => {
    if (askDiscard(unsaved())) e.preventDefault();
  });
}

/**
 * "3 runs", "setup edits", "1 run and setup edits", "… and a sweep of 12 runs" (same words as the
 * in-app confirm's unsavedPhrase, renderer/src/lib/unsaved.ts, which main cannot import). null: the
 * renderer vetoed before its word arrived (it is sent after each change), so the dialog stays general.
 */
export function unsavedPhrase(work: UnsavedWork | null): string {
  if (work === null) return 'unsaved changes';
  const count = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;
  const parts = [
    work.runs === null ? '' : work.runs === 0 ? 'removed runs' : count(work.runs, 'run'),
    work.setup ? 'setup edits' : '',
    work.sweepRuns === undefined ? '' : `a sweep of ${count(work.sweepRuns, 'run')}`,
  ].filter(Boolean);
  if (parts.length === 0) return 'setup edits';
  return parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

/** The question's wording (dialog.showMessageBoxSync options), shared by main and its tests. */
export function discardDialog(work: UnsavedWork | null) {
  const what = unsavedPhrase(work);
  return {
    type: 'question' as const,
    buttons: ['Discard unsaved changes', 'Cancel'],
    defaultId: 1,
    cancelId: 1,
    title: 'Unsaved changes',
    message: work === null ? 'This session has unsaved changes.' : `This session has unsaved changes: ${what}.`,
    detail: 'Closing or reloading the window drops them. Save first with Save (Ctrl+S), or discard them.',
  };
}
