/**
 * No lost work on close or reload (Electron). The renderer's `beforeunload` handler cancels the unload
 * while the session has unsaved runs; Electron then emits `will-prevent-unload` on the webContents
 * instead of unloading, for a window close (the 'close' is cancelled) and for a reload alike. Here main
 * asks the user; "Discard" calls preventDefault(), which tells Electron to ignore the renderer's
 * veto and go on (close the window, reload the page); "Cancel" leaves everything as it was.
 *
 * Seams: the webContents-like emitter and the question are injected (test/main/unsavedGuard.test.ts).
 */
export interface UnloadEvent {
  preventDefault(): void;
}

export interface UnloadEmitter {
  on(event: 'will-prevent-unload', listener: (e: UnloadEvent) => void): unknown;
}

/** Asks the user; true = discard the unsaved work and leave. Synchronous: the unload waits for it. */
export type AskDiscard = () => boolean;

export function guardUnsavedWork(contents: UnloadEmitter, askDiscard: AskDiscard): void {
  contents.on('will-prevent-unload', (e) => {
    if (askDiscard()) e.preventDefault();
  });
}

/** The question's wording, shared by the dialog and its test. */
export const DISCARD_DIALOG = {
  type: 'question' as const,
  buttons: ['Discard unsaved runs', 'Cancel'],
  defaultId: 1,
  cancelId: 1,
  title: 'Unsaved runs',
  message: 'This session has runs that are not saved.',
  detail: 'Closing or reloading the window drops them. Save first with Save (Ctrl+S), or discard them.',
};
