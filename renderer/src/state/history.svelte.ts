/** The setup's undo history (lib/undo.ts) with reactive canUndo / canRedo for the Undo / Redo buttons. */
import { UndoStack } from '../lib/undo.ts';

export { COALESCE_MS } from '../lib/undo.ts';

export class SetupHistory {
  canUndo = $state(false);
  canRedo = $state(false);
  readonly #stack = new UndoStack();

  reset(json: string | null): void {
    this.#stack.reset(json);
    this.#sync();
  }

  observe(json: string, now: number): void {
    this.#stack.observe(json, now);
    this.#sync();
  }

  undo(): string | null {
    const r = this.#stack.undo();
    this.#sync();
    return r;
  }

  redo(): string | null {
    const r = this.#stack.redo();
    this.#sync();
    return r;
  }

  #sync(): void {
    this.canUndo = this.#stack.canUndo;
    this.canRedo = this.#stack.canRedo;
  }
}
