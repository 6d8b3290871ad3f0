/** Screen choices that are not part of the session file: baseline of the comparison, host / guest scope, help. */
export type Scope = 'host' | 'guests';

export class UiState {
  /** Run index the comparison's deltas and ratios are taken against (-1: none). */
  baseline = $state(-1);
  scope = $state<Scope>('host');
  /** Keyboard-shortcut sheet open (`?`). */
  shortcuts = $state(false);
  /** Metric explanations shown in full. */
  explain = $state(false);
}
