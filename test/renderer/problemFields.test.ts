/**
 * The field each validation problem is about (renderer/src/lib/problemFields.ts), checked against the
 * problems the engine's validator really produces: each case breaks one field of the seed-debate config,
 * validates it with engine/core/config, and expects the selector of the input that edits that field
 * (the ids of GuestsEditor, WorkloadEditor, HostEditor, ReclaimEditor, RunSpecEditor, HardwareCard; the
 * e2e case `invalid-field` checks the selectors find them on the page). Controls, run by editing
 * problemFields.ts: with the guest index ignored (every guest problem mapped to g0) 3 of the 6 cases
 * fail; with problemPath reading only up to the first '.' or ':' all 6 fail.
 */
import { describe, expect, it } from 'vitest';
import { validateScenario } from '../../engine/core/config/index.ts';
import { fieldSelector, invalidFields, problemPath } from '../../renderer/src/lib/problemFields.ts';
import { mutate, scenario } from '../config/fixtures.ts';

function fieldsOf(x: unknown): string[] {
  const r = validateScenario(x);
  if (r.ok) return [];
  return invalidFields(r.error.problems ?? r.error.message.split('\n').slice(1)).map((f) => f.selector);
}

describe('the field a validation problem is about', () => {
  it('reads the path of a `path: problem` line, and nothing from other lines', () => {
    expect(problemPath('guests[2].workload.pages: must be an integer >= 1, got 0')).toBe('guests[2].workload.pages');
    expect(problemPath('run.durationMs: must be a number > 0, got 0')).toBe('run.durationMs');
    // A guest named after its index (engine/core/config/fields.ts guestPath): the path without the name.
    expect(problemPath("guests[2] 'cache'.vcpus: must be an integer >= 1 and <= 512, got 0")).toBe('guests[2].vcpus');
    expect(problemPath("draft.guests[1] 'a.b: c'.workload.pages: missing")).toBe('draft.guests[1].workload.pages');
    expect(problemPath("guests[0] 'db': expected an object")).toBe('guests[0]');
    expect(problemPath('invalid scenario (2 problems): a')).toBeNull();
    expect(problemPath('no path here')).toBeNull();
  });

  it('finds the guest field of the guest named, not the first guest', () => {
    expect(fieldsOf(mutate((c) => (c.guests[2].vcpus = -3)))).toEqual(['#g2-vcpus']);
    expect(fieldsOf(mutate((c) => (c.guests[2].memoryMiB = 10 * 1024 * 1024)))).toEqual(['#g2-mem']);
    // 'cache' is a hotset: 0 pages also leaves its 8,192 hot pages more than the pages, a second problem.
    expect(fieldsOf(mutate((c) => ((c.guests[2].workload as { pages: number }).pages = 0)))).toEqual([
      '#g2-pages',
      '#g2-hot',
    ]);
    expect(fieldsOf(mutate((c) => (c.guests[1].workload.writeFraction = 1.5)))).toEqual(['#g1-wf']);
    expect(fieldsOf(mutate((c) => (c.guests[1].name = c.guests[0].name)))).toEqual([
      '[data-testid="guest-1"] input[aria-label="Guest name"]',
    ]);
    expect(fieldsOf(mutate((c) => (c.guests[3].name = '')))).toEqual([
      '[data-testid="guest-3"] input[aria-label="Guest name"]',
    ]);
  });

  it("finds each workload kind's own fields", () => {
    const kinds = scenario().guests.map((g) => g.workload.kind);
    const zipf = kinds.indexOf('zipf');
    const hot = kinds.indexOf('hotset');
    expect(zipf).toBeGreaterThanOrEqual(0);
    expect(hot).toBeGreaterThanOrEqual(0);
    expect(fieldsOf(mutate((c) => ((c.guests[zipf].workload as { theta: number }).theta = -1)))).toEqual([
      `#g${zipf}-theta`,
    ]);
    expect(
      fieldsOf(mutate((c) => ((c.guests[hot].workload as { hotProbability: number }).hotProbability = 2))),
    ).toEqual([`#g${hot}-hotp`]);
    expect(fieldsOf(mutate((c) => (c.guests[0].workload.thinkNs = -1)))).toEqual(['#g0-think']);
  });

  it('finds the sidebar fields: host, reclaim, run', () => {
    expect(fieldsOf(mutate((c) => (c.host.memoryMiB = 0)))).toEqual(['#host-mem']);
    expect(fieldsOf(mutate((c) => (c.host.swap.sizeMiB = -1)))).toEqual(['#swap-size']);
    expect(fieldsOf(mutate((c) => (c.run.durationMs = 0)))).toEqual(['#duration']);
    expect(fieldsOf(mutate((c) => (c.run.sampleIntervalMs = 0)))).toEqual(['#sample']);
    expect(fieldsOf(mutate((c) => (c.reclaim.harvest = 'hypercall')))).toEqual(['#harvest']);
  });

  it('finds a hardware cost in the hardware card', () => {
    expect(fieldsOf(mutate((c) => (c.hardware.costs.s2Fault.ns = -5)))).toEqual(['[data-testid="cost-s2Fault"]']);
  });

  it('names each field once, in the order of the problems; a path with no field of its own gives none', () => {
    expect(
      fieldsOf(
        mutate((c) => {
          c.run.durationMs = 0;
          c.guests[2].vcpus = 0;
          c.guests[2].vcpus = -1;
        }),
      ).sort(),
    ).toEqual(['#duration', '#g2-vcpus']);
    expect(fieldSelector('guests[0].workload.client.warmupMs')).toBeNull();
    expect(fieldSelector('guests')).toBeNull();
  });
});
