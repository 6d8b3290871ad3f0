/** An in-app question with two answers (ConfirmDialog.svelte shows it): ask() resolves with the choice. */
export interface Question {
  title: string;
  message: string;
  confirm: string;
  cancel: string;
}

export class ConfirmState {
  question = $state.raw<Question | null>(null);
  #resolve: ((yes: boolean) => void) | null = null;

  ask(q: Question): Promise<boolean> {
    this.#resolve?.(false);
    this.question = q;
    return new Promise((resolve) => (this.#resolve = resolve));
  }

  answer(yes: boolean): void {
    const r = this.#resolve;
    this.#resolve = null;
    this.question = null;
    r?.(yes);
  }
}
