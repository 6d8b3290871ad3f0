/**
 * `lab compare a.msgpack s.msgpack` column labels (engine/cli/sessionCommands.ts runLabels). A sweep
 * session's runs were all "#N ampere-altra" (s15-h's trial), so its points could not be told apart; each
 * run of a sweep is now labelled with its point's axis values (the point label the sweep gives it), and
 * its seed when the sweep has several. Control: with the old label (`#N <hardware id>`) every case but
 * the last fails.
 */
import { describe, expect, it } from 'vitest';
import type { SessionData, SweepRecord } from '../../engine/protocol.ts';
import { runLabels } from '../../engine/cli/sessionCommands.ts';
import { makeRunResult, makeSession } from '../session/fixtures.ts';

function sweepSession(seeds: number[], names = ['capacity']): SessionData {
  const labels = ['host 512 MiB · exact-lru', 'host 512 MiB · clock', 'host 1024 MiB · exact-lru'];
  const perSweep = labels.length * seeds.length;
  const runs = Array.from({ length: perSweep * names.length }, (_, i) => makeRunResult(2, i + 1));
  const s = makeSession(runs);
  s.sweeps = names.map((name, k): SweepRecord => ({
    name,
    scenario: 'trace-oracle',
    base: runs[0].config,
    axes: [],
    mode: 'product',
    seeds,
    set: [],
    // Runs stored seed-major (all points of seed 1, then of seed 2), as a sweep's queue may finish them.
    points: labels.map((label, p) => ({
      values: [],
      label,
      runs: seeds.map((_, j) => k * perSweep + j * labels.length + p),
    })),
  }));
  return s;
}

describe('lab compare labels', () => {
  it("a sweep's runs are labelled with their point's axis values", () => {
    expect(runLabels(sweepSession([1]))).toEqual([
      '#1 host 512 MiB · exact-lru',
      '#2 host 512 MiB · clock',
      '#3 host 1024 MiB · exact-lru',
    ]);
  });

  it('several seeds: the seed too, found through the point (not the run order)', () => {
    expect(runLabels(sweepSession([1, 2]))).toEqual([
      '#1 host 512 MiB · exact-lru · seed 1',
      '#2 host 512 MiB · clock · seed 1',
      '#3 host 1024 MiB · exact-lru · seed 1',
      '#4 host 512 MiB · exact-lru · seed 2',
      '#5 host 512 MiB · clock · seed 2',
      '#6 host 1024 MiB · exact-lru · seed 2',
    ]);
  });

  it("several sweeps in one session: each point's sweep is named", () => {
    const labels = runLabels(sweepSession([1], ['a', 'b']));
    expect(labels[0]).toBe('#1 a: host 512 MiB · exact-lru');
    expect(labels[5]).toBe('#6 b: host 1024 MiB · exact-lru');
  });

  it('runs not in a sweep keep the hardware id ("#N id", the id alone for one run)', () => {
    const one = makeSession([makeRunResult(2, 1)]);
    const id = one.runs[0].config.hardware.id;
    expect(runLabels(one)).toEqual([id]);
    const s = sweepSession([1]);
    s.runs.push(makeRunResult(2, 9)); // run after the sweep, from the app
    expect(runLabels(s)[3]).toBe(`#4 ${id}`);
  });
});
