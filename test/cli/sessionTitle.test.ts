/**
 * `lab show`'s title (engine/cli/sessionCommands.ts sessionTitle). A preset resolved on a profile is
 * named "<scenario> — <profile name>", and a session's draft carries its first run's: before session 9
 * the title of `lab run seed-debate --profile all --out s` then read "… — Ampere Altra (Neoverse N1)"
 * above runs on three profiles. Control: with the old title (`s.draft.name`) the first two cases fail.
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../engine/protocol.ts';
import { sessionTitle } from '../../engine/cli/sessionCommands.ts';
import { makeRunResult, makeSession } from '../session/fixtures.ts';

function runOn(id: string, name: string, seed: number): RunResult {
  const r = makeRunResult(2, seed);
  r.config.hardware = { ...r.config.hardware, id, name };
  r.config.name = `Seed debate — ${name}`;
  return r;
}

describe('lab show title', () => {
  const altra = () => runOn('ampere-altra', 'Ampere Altra (Neoverse N1)', 1);
  const phone = () => runOn('phone-prev82', 'Pre-v8.2 phone', 2);
  const pkvm = () => runOn('pkvm', 'Android protected KVM', 3);
  const session = (runs: RunResult[]) => {
    const s = makeSession(runs);
    s.draft = structuredClone(runs[0]?.config ?? s.draft);
    return s;
  };

  it('runs on several profiles: says how many and which, and names none of them as the only one', () => {
    const title = sessionTitle(session([altra(), phone(), pkvm(), altra()]));
    expect(title).toBe('Seed debate — 4 runs on 3 profiles: ampere-altra, phone-prev82, pkvm');
  });

  it("runs on one profile that is not the draft's: names the runs' profile", () => {
    const s = session([phone()]);
    s.draft = altra().config; // the user switched the draft back after the run
    expect(sessionTitle(s)).toBe('Seed debate — Pre-v8.2 phone');
  });

  it("runs on the draft's profile: the draft's name, once", () => {
    expect(sessionTitle(session([altra(), altra()]))).toBe('Seed debate — Ampere Altra (Neoverse N1)');
  });

  it("no runs: the draft's name", () => {
    const s = session([]);
    expect(sessionTitle(s)).toBe(s.draft.name);
  });
});
