/**
 * The session as a document: its file name, and what was last saved or opened, so the UI can say
 * "modified" and ask before unsaved runs or setup edits are dropped (New, Open, reload, window close).
 */
import type { RunResult, UnsavedWork } from '../../../engine/protocol.ts';
import { unsavedWork } from '../lib/unsaved.ts';

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

  /** What differs from the last save / open (runs, setup), or null (lib/unsaved.ts). */
  unsaved(runs: readonly RunResult[], draftJson: string): UnsavedWork | null {
    return unsavedWork({ runs: this.#savedRuns, draftJson: this.#savedDraft }, runs, draftJson);
  }
}
