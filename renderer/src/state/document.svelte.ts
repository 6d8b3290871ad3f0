/**
 * The session as a document: its file name, and what was last saved or opened, so the UI can say
 * "modified" and ask before unsaved runs are dropped (New, Open, reload, window close).
 */
import type { RunResult } from '../../../engine/protocol.ts';

export class DocumentState {
  /** Name of the session file last saved or opened ('' = never saved). */
  name = $state('');
  #savedRuns = $state.raw<readonly RunResult[]>([]);
  #savedDraft = $state('');

  /** The session now equals what is on disk (after save, open, or New). */
  markSaved(runs: readonly RunResult[], draftJson: string, name?: string): void {
    this.#savedRuns = runs;
    this.#savedDraft = draftJson;
    if (name !== undefined) this.name = name;
  }

  /** Runs made or removed since the last save / open. */
  unsavedRuns(runs: readonly RunResult[]): boolean {
    const saved = this.#savedRuns;
    return runs.length !== saved.length || runs.some((r, i) => r !== saved[i]);
  }

  /** Anything changed since the last save / open: runs or the setup. */
  modified(runs: readonly RunResult[], draftJson: string): boolean {
    return this.unsavedRuns(runs) || draftJson !== this.#savedDraft;
  }
}
