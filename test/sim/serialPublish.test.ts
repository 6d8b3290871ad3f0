/**
 * The barrier's serial section (serialSection.ts SerialSection.run) no longer hands its rows and progress to the
 * sink: the last arriver posts them after the barrier, at the start of its next quantum, or when its loop
 * ends or parks (publish). Other workers wait at the barrier only for the section's own work. Pinned on a
 * one-worker loop without a wall clock (every quantum ends at the barrier and its serial section):
 * - every rows and progress call comes after its serial section: the quantum end has moved on past the
 *   progress time (serialSection sets the next one last), or the run is over (CTL_DONE);
 * - nothing is lost or reordered: one progress per quantum, in order, and the rows, progress and summary
 *   bit-identical to the same run stepped through serial() (as runInterleaved does: the sink called at
 *   once).
 * Negative control (run by hand, fails here): publish() called where the sink was called before, in
 * the section before it sets the next quantum end: 18 sink calls inside a serial section instead of 0.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioConfig } from '../../engine/protocol.ts';
import { selectReplay } from '../../engine/core/sim/replaySelect.ts';
import { buildResult, prepareRun, RowStore } from '../../engine/core/sim/run.ts';
import { SimWorkerCore } from '../../engine/core/sim/simCore.ts';
import { NCOLS } from '../../engine/core/sim/metrics.ts';
import { CTL_DONE, TIME_NOW, TIME_QUANTUM_END } from '../../engine/core/sim/simLayout.ts';
import { cloudPhysicsTrace, oracleScenario } from './fixtures.ts';

const PREFIX = 4_000;

function scenario(): ScenarioConfig {
  const c = oracleScenario({ policy: 'exact-lru', capacity: 1000 });
  c.guests[0].workload = { kind: 'trace', trace: 'cloudPhysicsIO', writeFraction: 0, thinkNs: 0 };
  c.run.sampleIntervalMs = 5;
  return c;
}

interface Out {
  rows: Float64Array;
  summary: unknown;
  progress: number[];
  /** Sink calls (rows and progress) made while a serial section was under way, and all of them. */
  inside: number;
  calls: number;
  quantumNs: number;
  now: number;
}

/** loop: the worker's loop (barrier, serialSection, publish); serial: runInterleaved's stepping (serial()). */
function run(mode: 'loop' | 'serial'): Out {
  const p = prepareRun(scenario(), { cloudPhysicsIO: cloudPhysicsTrace().subarray(0, PREFIX) }, 1);
  const store = new RowStore();
  const control = new Int32Array(p.buffers.control);
  const time = new Float64Array(p.buffers.time);
  const progress: number[] = [];
  let inside = 0;
  let calls = 0;
  // Inside a serial section: the run is not over and the quantum end is not yet moved past `t` (the
  // section's last step sets the next quantum end, or CTL_DONE at the run's end).
  const check = (t: number): void => {
    calls++;
    if (control[CTL_DONE] !== 1 && time[TIME_QUANTUM_END] <= t) inside++;
  };
  const core = new SimWorkerCore(p.config, p.plan, p.buffers, 0, {
    rows: (s, r) => {
      check(time[TIME_NOW]);
      store.put(s, r);
    },
    progress: (v) => {
      check(v);
      progress.push(v);
    },
  });
  expect(selectReplay(core.actorList, p.config, p.plan)).toBe(true);
  if (mode === 'loop') expect(core.loop()).toBe('done');
  else
    do {
      core.runUntil(time[TIME_QUANTUM_END]);
      core.serial();
    } while (control[CTL_DONE] !== 1);
  core.close();
  const r = buildResult(p, store.data, store.count, 0);
  return {
    rows: store.data.slice(0, store.count * NCOLS),
    summary: r.summary,
    progress,
    inside,
    calls,
    quantumNs: p.plan.quantumNs,
    now: time[TIME_NOW],
  };
}

describe('serial section: rows and progress posted after the barrier (publish)', () => {
  it('the sink is called after the serial section; the same rows, progress and summary as serial()', () => {
    const loop = run('loop');
    const ref = run('serial');
    expect(loop.calls).toBeGreaterThan(10);
    expect(loop.inside).toBe(0);
    // One progress per quantum, in order, the last at the run's end.
    expect(loop.progress.length).toBe(Math.ceil(loop.now / loop.quantumNs));
    for (let i = 1; i < loop.progress.length; i++) expect(loop.progress[i]).toBeGreaterThan(loop.progress[i - 1]);
    expect(loop.progress[loop.progress.length - 1]).toBe(loop.now);
    expect(loop.progress).toEqual(ref.progress);
    expect(loop.rows.length).toBeGreaterThan(2 * NCOLS);
    expect(loop.rows).toEqual(ref.rows);
    expect(loop.summary).toEqual(ref.summary);
  });
});
