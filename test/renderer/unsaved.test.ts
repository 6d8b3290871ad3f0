/**
 * What New, Open, a reload or closing the window would lose (renderer/src/lib/unsaved.ts): the session's
 * runs and its setup, each compared with the snapshot of the last save or open. Before session 9 only the
 * runs were compared, so a setup edit alone (guests, costs, an imported profile) was dropped without a
 * question. Control: with `setup` forced to false in unsavedWork (the old runs-only check), the three
 * "setup" cases below fail; with runs compared by count instead of identity, "same count, other runs" fails.
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../engine/protocol.ts';
import { discardQuestion, unsavedPhrase, unsavedWork, withSweep } from '../../renderer/src/lib/unsaved.ts';
import { makeConfig, makeRunResult } from '../session/fixtures.ts';

const draft = (memoryMiB: number) => {
  const c = makeConfig();
  c.host.memoryMiB = memoryMiB;
  return JSON.stringify(c);
};

describe('unsaved work of a session', () => {
  const a: RunResult = makeRunResult(2, 1);
  const b: RunResult = makeRunResult(2, 2);
  const saved = { runs: [a], draftJson: draft(1024) };

  it('nothing to lose right after a save or open', () => {
    expect(unsavedWork(saved, [a], draft(1024))).toBeNull();
  });

  it('a setup edit alone is unsaved work (no run made)', () => {
    expect(unsavedWork(saved, [a], draft(768))).toEqual({ runs: null, setup: true });
    expect(unsavedWork({ runs: [], draftJson: draft(1024) }, [], draft(768))).toEqual({ runs: null, setup: true });
  });

  it('undoing the edit back to the saved setup is nothing to lose again (compared, not counted)', () => {
    const edited = draft(768);
    expect(unsavedWork(saved, [a], edited)).not.toBeNull();
    const undone = draft(1024); // a new string equal to the saved one, as undo makes it
    expect(unsavedWork(saved, [a], undone)).toBeNull();
  });

  it('a new run, a removed run, or the same count of other runs is unsaved; runs are counted', () => {
    expect(unsavedWork(saved, [a, b], draft(1024))).toEqual({ runs: 2, setup: false });
    expect(unsavedWork(saved, [], draft(1024))).toEqual({ runs: 0, setup: false });
    expect(unsavedWork(saved, [b], draft(1024))).toEqual({ runs: 1, setup: false });
  });

  it('runs and setup edits together', () => {
    expect(unsavedWork(saved, [a, b], draft(512))).toEqual({ runs: 2, setup: true });
  });

  it("a close or reload also loses the Sweep tab's unsaved sweep; New and Open keep it", () => {
    expect(withSweep(null, null)).toBeNull();
    expect(withSweep({ runs: 2, setup: false }, null)).toEqual({ runs: 2, setup: false });
    expect(withSweep(null, 6)).toEqual({ runs: null, setup: false, sweepRuns: 6 });
    expect(withSweep({ runs: null, setup: true }, 6)).toEqual({ runs: null, setup: true, sweepRuns: 6 });
  });

  it('the question says what would be lost', () => {
    expect(unsavedPhrase({ runs: 1, setup: false })).toBe('1 run');
    expect(unsavedPhrase({ runs: 0, setup: false })).toBe('removed runs');
    expect(unsavedPhrase({ runs: null, setup: true })).toBe('setup edits');
    expect(unsavedPhrase({ runs: 3, setup: true })).toBe('3 runs and setup edits');
    expect(unsavedPhrase({ runs: 3, setup: true, sweepRuns: 12 })).toBe('3 runs, setup edits and a sweep of 12 runs');
    expect(unsavedPhrase({ runs: null, setup: false, sweepRuns: 1 })).toBe('a sweep of 1 run');
    const q = discardQuestion({ runs: null, setup: true }, 'Start a new session');
    expect(q.message).toBe(
      'This session has unsaved changes: setup edits. Start a new session drops them; Save keeps them.',
    );
    expect(q.confirm).toBe('Discard and start a new session');
  });
});
