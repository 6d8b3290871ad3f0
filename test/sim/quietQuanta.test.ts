/**
 * One-worker runs with a wall clock (SimSink.wallMs, the worker's Date.now) skip the barrier and serial
 * section of quanta that have nothing for them but progress (simCore.ts quietQuantum, issue 8). Pinned
 * here on a trace replay (the fast path, one vCPU) with a fake clock:
 * - frozen clock: the serial section runs only where a sample row is due and at the end; the rows and
 *   the summary are the ones of the run without a clock (a serial section every quantum);
 * - a clock that moves 25 ms per read (> QUIET_MAX_MS): the serial section runs at least every
 *   QUIET_CLOCK_EVERY quanta (the UI's progress keeps its rate);
 * - a stop requested while quanta are skipped lands in the next quantum (the run ends there, stopped).
 * Negative controls (run by hand, each fails here): quietQuantum without its sample-row test (the
 * rows differ: sampled late), without its stop test (quanta are skipped after the stop, up to the
 * next sample row: 54 clock reads instead of 42), without its clock test (the largest progress gap is
 * the sample interval, 50 quanta).
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioConfig } from '../../engine/protocol.ts';
import { selectReplay } from '../../engine/core/sim/replaySelect.ts';
import { buildResult, prepareRun, RowStore } from '../../engine/core/sim/run.ts';
import { QUIET_CLOCK_EVERY, QUIET_MAX_MS, SimWorkerCore } from '../../engine/core/sim/simCore.ts';
import { NCOLS } from '../../engine/core/sim/metrics.ts';
import { heatIntervalNs } from '../../engine/core/sim/heatmap.ts';
import type { RunPlan } from '../../engine/core/sim/plan.ts';
import { nextQuantumEnd } from '../../engine/core/sim/serialSection.ts';
import { CTL_STOP, TIME_NOW, TIME_QUANTUM_END } from '../../engine/core/sim/simLayout.ts';
import { cloudPhysicsTrace, oracleScenario } from './fixtures.ts';

const PREFIX = 20_000;
/** 50 ms samples: 50 quanta of 1 ms each (plan.ts MAX_QUANTUM_NS). */
const SAMPLE_MS = 50;

function scenario(durationMs?: number): ScenarioConfig {
  const c = oracleScenario({ policy: 'exact-lru', capacity: 1000 });
  if (durationMs !== undefined) c.run.durationMs = durationMs;
  c.guests[0].workload = { kind: 'trace', trace: 'cloudPhysicsIO', writeFraction: 0, thinkNs: 0 };
  c.run.sampleIntervalMs = SAMPLE_MS;
  return c;
}

interface Out {
  rows: Float64Array;
  rowCount: number;
  summary: unknown;
  /** Virtual time of each progress call (one per serial section). */
  progress: number[];
  quantumNs: number;
  stopped: boolean;
  now: number;
  /** The quantum end when the stop was requested (stopAtRead), else NaN. */
  stopAt: number;
  /** Clock reads in all. */
  reads: number;
  /** Heat-map columns (withHeat): their virtual ms and cells. */
  heat: { tMs: number; cells: Uint8Array }[];
  endNs: number;
}

/** clock: null (no wallMs), or ms per read (0: frozen). stopAtRead: request a stop at that clock read. */
function run(clock: number | null, stopAtRead = -1, withHeat = false): Out {
  // With heat: a 12 s run (240 rows of 50 ms), so the heat interval is one sample row.
  const p = prepareRun(
    scenario(withHeat ? 12_000 : undefined),
    { cloudPhysicsIO: cloudPhysicsTrace().subarray(0, PREFIX) },
    1,
  );
  const store = new RowStore();
  const progress: number[] = [];
  const control = new Int32Array(p.buffers.control);
  const time = new Float64Array(p.buffers.time);
  let reads = 0;
  let stopAt = NaN;
  const heat: { tMs: number; cells: Uint8Array }[] = [];
  const core = new SimWorkerCore(p.config, p.plan, p.buffers, 0, {
    rows: (s, r) => store.put(s, r),
    progress: (v) => progress.push(v),
    ...(withHeat ? { heat: (_g: number, tMs: number, cells: Uint8Array) => heat.push({ tMs, cells }) } : {}),
    ...(clock === null
      ? {}
      : {
          wallMs: () => {
            if (reads === stopAtRead) {
              stopAt = time[TIME_QUANTUM_END]; // the quantum just run (quietQuantum reads the clock before moving on)
              control[CTL_STOP] = 1;
            }
            return clock * reads++;
          },
        }),
  });
  expect(selectReplay(core.actorList, p.config, p.plan)).toBe(true);
  expect(core.loop()).toBe('done');
  core.close();
  const r = buildResult(p, store.data, store.count, 0);
  return {
    rows: store.data.slice(0, store.count * NCOLS),
    rowCount: store.count,
    summary: r.summary,
    progress,
    quantumNs: p.plan.quantumNs,
    stopped: r.stopped,
    now: time[TIME_NOW],
    stopAt,
    reads,
    heat,
    endNs: p.plan.endNs,
  };
}

describe('one-worker quanta without a serial section (quietQuantum)', () => {
  it('frozen clock: a serial section only where a row is due and at the end; same rows and summary', () => {
    const every = run(null);
    const quiet = run(0);
    const q = every.quantumNs;
    expect(q).toBe(1e6);
    // Without a clock: one serial section per quantum (every quantum's progress, 1 ms apart).
    const quanta = every.progress.length;
    expect(quanta).toBe(Math.ceil(every.now / q));
    expect(every.rowCount).toBe(Math.ceil(every.now / (SAMPLE_MS * 1e6)));
    // Frozen clock: the quanta ending at a sample time (every 50th) and the last (vCPU done, partial row).
    const expected: number[] = [];
    for (let t = SAMPLE_MS * 1e6; t < every.now; t += SAMPLE_MS * 1e6) expected.push(t);
    expected.push(every.now);
    expect(quiet.progress).toEqual(expected);
    expect(quiet.rowCount).toBe(every.rowCount);
    expect(quiet.rows).toEqual(every.rows);
    expect(quiet.summary).toEqual(every.summary);
    expect(quiet.now).toBe(every.now);
  });

  it(`a clock moving ${QUIET_MAX_MS + 5} ms per read: a serial section at least every ${QUIET_CLOCK_EVERY} quanta`, () => {
    const every = run(null);
    const moving = run(QUIET_MAX_MS + 5);
    let gap = moving.progress[0];
    for (let i = 1; i < moving.progress.length; i++) gap = Math.max(gap, moving.progress[i] - moving.progress[i - 1]);
    expect(gap).toBeLessThanOrEqual(QUIET_CLOCK_EVERY * moving.quantumNs);
    expect(moving.progress.length).toBeLessThan(every.progress.length); // and quanta are still skipped
    expect(moving.rows).toEqual(every.rows);
    expect(moving.summary).toEqual(every.summary);
  });

  it('a stop requested while quanta are skipped ends the run in the next quantum', () => {
    const every = run(null);
    // Frozen clock: read 40 is in a quiet quantum (one read at the start, then one every QUIET_CLOCK_EVERY
    // quiet quanta), ~160 ms into a 348 ms run.
    const stopped = run(0, 40);
    expect(stopped.stopAt).toBeGreaterThan(0);
    expect(stopped.stopAt).toBeLessThan(every.now - 2 * stopped.quantumNs);
    expect(stopped.stopped).toBe(true);
    // The next quantum saw the stop and ran the serial section (its one clock read): no quantum was skipped
    // after the stop request (with the frozen clock, skipped quanta read the clock every QUIET_CLOCK_EVERY).
    expect(stopped.reads).toBe(40 + 1 + 1);
    expect(stopped.now).toBeGreaterThanOrEqual(stopped.stopAt);
    expect(stopped.now).toBeLessThanOrEqual(stopped.stopAt + stopped.quantumNs);
    // Every row up to the stop was still sampled, and the partial last row covers the accesses made.
    const full = Math.floor(stopped.stopAt / (SAMPLE_MS * 1e6));
    expect(full).toBeGreaterThan(2);
    expect(stopped.rowCount).toBe(full + 1);
    expect(stopped.rows.subarray(0, full * NCOLS)).toEqual(every.rows.subarray(0, full * NCOLS));
  });
});

describe('heat-map columns of a run whose quanta are skipped (simCore.ts heatAndBarrier)', () => {
  // Session 16 (c): the heat test moved from quantum() to the end of a quantum that is not skipped. A
  // column is due only where a sample row is, so the columns stay at every multiple of the heat interval
  // the vCPU's run reaches, then one at the end (loop's last sample), with or without skipped quanta.
  // Negative control (run by hand): `qEnd > this.heatNext` in heatAndBarrier moves each column one
  // sample row later and fails both expectations.
  it('frozen clock and no clock: the same columns, at every multiple of the heat interval', () => {
    const every = run(null, -1, true);
    const quiet = run(0, -1, true);
    const heatMs = heatIntervalNs(SAMPLE_MS * 1e6, every.endNs) / 1e6;
    const times = every.heat.map((h) => h.tMs);
    expect(times.length).toBeGreaterThan(3);
    const last = times[times.length - 1];
    expect(times.slice(0, -1)).toEqual(times.slice(0, -1).map((_, i) => (i + 1) * heatMs));
    expect(last).toBeGreaterThan(times[times.length - 2]);
    expect(last).toBeLessThanOrEqual(times[times.length - 2] + heatMs);
    expect(quiet.heat.map((h) => h.tMs)).toEqual(times);
    expect(quiet.heat.map((h) => Array.from(h.cells))).toEqual(every.heat.map((h) => Array.from(h.cells)));
    expect(quiet.progress.length).toBeLessThan(every.progress.length); // quanta were skipped
  });
});

describe('nextQuantumEnd (the quantum end a quiet quantum sets)', () => {
  // Session 16 (c): k is a double before `k * quantumNs` (no small-integer overflow deopt past 2^31 ns);
  // the values must be the integer products they were. Negative control (run by hand): `+ 2` for `+ 1`
  // fails every line.
  const plan = { quantumNs: 1_000_000, endNs: 5_000_000_000 } as RunPlan;
  it('the next multiple of quantumNs, across 2^31 ns, capped at endNs', () => {
    expect(nextQuantumEnd(plan, 0)).toBe(1_000_000);
    expect(nextQuantumEnd(plan, 2_146_000_000)).toBe(2_147_000_000);
    expect(nextQuantumEnd(plan, 2_147_000_000)).toBe(2_148_000_000); // 2,148,000,000 > 2^31 - 1
    expect(nextQuantumEnd(plan, 2_147_000_000.4)).toBe(2_148_000_000); // a qEnd off by rounding
    expect(nextQuantumEnd(plan, 4_999_000_000)).toBe(5_000_000_000);
    expect(nextQuantumEnd(plan, 5_000_000_000)).toBe(5_000_000_000); // at most endNs
    expect(Number.isInteger(nextQuantumEnd(plan, 3_000_000_000))).toBe(true);
  });
});
