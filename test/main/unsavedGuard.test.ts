// Window close / reload with unsaved runs or setup edits (main/unsavedGuard.ts), through its seams: the
// renderer's beforeunload veto arrives as 'will-prevent-unload'; main asks, naming what the renderer last
// said would be lost (lab:setUnsaved -> Documents); Discard lets the unload go on, Cancel keeps it vetoed.
import { describe, expect, it } from 'vitest';
import type { UnsavedWork } from '../../engine/protocol.ts';
import { DocumentState } from '../../main/documents.ts';
import { discardDialog, guardUnsavedWork, unsavedPhrase, type UnloadEvent } from '../../main/unsavedGuard.ts';
import { unsavedPhrase as rendererPhrase } from '../../renderer/src/lib/unsaved.ts';

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
  it('asks once per vetoed unload, with what is unsaved; Discard lets the window close / reload', () => {
    const c = emitter();
    const asked: (UnsavedWork | null)[] = [];
    const work: UnsavedWork = { runs: null, setup: true };
    guardUnsavedWork(
      c,
      () => work,
      (w) => (asked.push(w), true),
    );
    expect(c.veto()).toBe(true);
    expect(asked).toEqual([work]);
  });

  it('Cancel keeps the window and the work (negative control of the above)', () => {
    const c = emitter();
    guardUnsavedWork(
      c,
      () => ({ runs: 2, setup: false }),
      () => false,
    );
    expect(c.veto()).toBe(false);
  });

  it('the dialog defaults to Cancel (Enter or Esc never discards)', () => {
    for (const work of [null, { runs: 1, setup: true }]) {
      const d = discardDialog(work);
      expect(d.buttons[d.defaultId]).toBe('Cancel');
      expect(d.cancelId).toBe(1);
      expect(d.buttons[0]).toMatch(/Discard/);
    }
  });

  it('the dialog names what would be lost: runs, setup edits or both', () => {
    expect(discardDialog({ runs: 3, setup: false }).message).toBe('This session has unsaved changes: 3 runs.');
    expect(discardDialog({ runs: null, setup: true }).message).toBe('This session has unsaved changes: setup edits.');
    expect(discardDialog({ runs: 1, setup: true }).message).toBe(
      'This session has unsaved changes: 1 run and setup edits.',
    );
    // The renderer vetoed before its word arrived: still asks, in general terms.
    expect(discardDialog(null).message).toBe('This session has unsaved changes.');
  });

  it("main's wording is the in-app confirm's (renderer/src/lib/unsaved.ts), for every kind of unsaved work", () => {
    for (const runs of [null, 0, 1, 2])
      for (const setup of [false, true]) {
        for (const sweepRuns of [undefined, 1, 7]) {
          if (runs === null && !setup && sweepRuns === undefined) continue; // nothing unsaved: no question
          const work = { runs, setup, ...(sweepRuns === undefined ? {} : { sweepRuns }) };
          expect(unsavedPhrase(work)).toBe(rendererPhrase(work));
        }
      }
  });

  it("Documents keeps each window's last word, and forgets it with the window", () => {
    const docs = new DocumentState({ defaultDir: '/tmp', store: { load: async () => [], save: async () => {} } });
    docs.setUnsaved(1, { runs: null, setup: true });
    docs.setUnsaved(2, { runs: 4, setup: false });
    expect(docs.unsaved(1)).toEqual({ runs: null, setup: true });
    docs.setUnsaved(1, null); // saved
    expect(docs.unsaved(1)).toBeNull();
    docs.forget(2);
    expect(docs.unsaved(2)).toBeNull();
  });
});
