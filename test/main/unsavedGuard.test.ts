// Window close / reload with unsaved runs (main/unsavedGuard.ts), through its seams: the renderer's
// beforeunload veto arrives as 'will-prevent-unload'; Discard lets the unload go on, Cancel keeps it vetoed.
import { describe, expect, it } from 'vitest';
import { DISCARD_DIALOG, guardUnsavedWork, type UnloadEvent } from '../../main/unsavedGuard.ts';

function emitter() {
  const listeners: ((e: UnloadEvent) => void)[] = [];
  return {
    on: (event: string, l: (e: UnloadEvent) => void) => {
      expect(event).toBe('will-prevent-unload');
      listeners.push(l);
    },
    /** Emits the event; returns whether the unload goes on (preventDefault called). */
    veto(): boolean {
      let proceeded = false;
      for (const l of listeners) l({ preventDefault: () => (proceeded = true) });
      return proceeded;
    },
  };
}

describe('unsaved-work guard', () => {
  it('asks once per vetoed unload; Discard lets the window close / reload', () => {
    const c = emitter();
    let asked = 0;
    guardUnsavedWork(c, () => (asked++, true));
    expect(c.veto()).toBe(true);
    expect(asked).toBe(1);
  });

  it('Cancel keeps the window and the runs (negative control of the above)', () => {
    const c = emitter();
    guardUnsavedWork(c, () => false);
    expect(c.veto()).toBe(false);
  });

  it('the dialog defaults to Cancel (Enter or Esc never discards)', () => {
    expect(DISCARD_DIALOG.buttons[DISCARD_DIALOG.defaultId]).toBe('Cancel');
    expect(DISCARD_DIALOG.cancelId).toBe(1);
    expect(DISCARD_DIALOG.buttons[0]).toMatch(/Discard/);
  });
});
