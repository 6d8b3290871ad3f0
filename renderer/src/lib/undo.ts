/**
 * Undo / redo of setup edits (Ctrl+Z / Ctrl+Shift+Z): snapshots of the draft configuration as JSON. Pure;
 * the reactive wrapper with canUndo / canRedo for the buttons is state/history.svelte.ts.
 * Edits that follow each other within COALESCE_MS (typing "768" into a field) are one step. Runs,
 * sessions and the screen are not part of the history: only what the setup panel edits.
 */
export const COALESCE_MS = 600;
const MAX_STEPS = 200;

export class UndoStack {
  canUndo = false;
  canRedo = false;
  #past: string[] = [];
  #future: string[] = [];
  #current: string | null = null;
  #lastAt = -Infinity;

  /** Forget everything; `json` is the state to start from (a new or opened session). */
  reset(json: string | null): void {
    this.#past = [];
    this.#future = [];
    this.#current = json;
    this.#lastAt = -Infinity;
    this.#sync();
  }

  /** The draft is now `json` (called on every change; a change that undo/redo made is not recorded). */
  observe(json: string, now: number): void {
    if (json === this.#current) return;
    if (this.#current !== null && now - this.#lastAt > COALESCE_MS) {
      this.#past.push(this.#current);
      if (this.#past.length > MAX_STEPS) this.#past.shift();
    }
    this.#current = json;
    this.#future = [];
    this.#lastAt = now;
    this.#sync();
  }

  /** The state to go back to, or null. */
  undo(): string | null {
    const prev = this.#past.pop();
    if (prev === undefined || this.#current === null) return null;
    this.#future.push(this.#current);
    this.#current = prev;
    this.#lastAt = -Infinity;
    this.#sync();
    return prev;
  }

  redo(): string | null {
    const next = this.#future.pop();
    if (next === undefined || this.#current === null) return null;
    this.#past.push(this.#current);
    this.#current = next;
    this.#lastAt = -Infinity;
    this.#sync();
    return next;
  }

  #sync(): void {
    this.canUndo = this.#past.length > 0;
    this.canRedo = this.#future.length > 0;
  }
}
