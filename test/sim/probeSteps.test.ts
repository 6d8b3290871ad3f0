/**
 * The probe's scheduler columns (core/sim/probe.ts PQ_STEPS, PQ_KSWAPD_STEPS): one step per actor the
 * scheduler picks (ActorScheduler.schedule), however many STOP_CHECK_NS pieces the step is run in, and
 * kswapd's steps on the worker that runs it (worker 0 of a spread run) only.
 *
 * Hand-computed case: one vCPU on a host with memory to spare (uniformGuestScenario: nothing reclaimed)
 * and one worker, whose kswapd sleeps at clock +Infinity (never woken, no poll): the vCPU is the only
 * actor with a finite clock, so each quantum is exactly one step (it runs to the quantum's end), and
 * kswapd takes none. Negative control (run by hand): counting `this.steps++` once per STOP_CHECK_NS piece
 * (inside the scheduler's piece loop) instead of once per step gives 47,877 for the 100 quanta (about
 * 1 ms / 2 us each), and the first case fails.
 */
import { describe, expect, it } from 'vitest';
import { runInterleaved } from '../../engine/core/sim/run.ts';
import { createProbe, PQ_KSWAPD_STEPS, PQ_STEPS, pqAt, probeRow } from '../../engine/core/sim/probe.ts';
import { hardware, spreadScenario, uniformGuestScenario } from './fixtures.ts';

/** Each worker's probe totals of a one-thread run (runInterleaved counts every quantum into slot 0), and its quanta. */
function probed(
  config: Parameters<typeof runInterleaved>[0],
  workers: number,
): { rows: Float64Array[]; quanta: number } {
  let buf: SharedArrayBuffer | undefined;
  let quanta = 0;
  runInterleaved(config, workers, [...Array(workers).keys()], {
    probe: (w, q) => ((quanta = q), (buf = createProbe(w, q))),
  });
  return { rows: Array.from({ length: workers }, (_, w) => probeRow(buf as SharedArrayBuffer, w, quanta)), quanta };
}

const total = (row: Float64Array, s: number): number => row[pqAt(row, s, 0)];

describe('probe: scheduler steps per quantum', () => {
  it('a lone vCPU with kswapd asleep: one step per quantum, none of them kswapd’s', () => {
    const { rows, quanta } = probed(
      uniformGuestScenario({ name: 'lone', hardware: hardware('ampere-altra'), vcpus: 1 }),
      1,
    );
    expect(quanta).toBe(100);
    expect(total(rows[0], PQ_STEPS)).toBe(quanta);
    expect(total(rows[0], PQ_KSWAPD_STEPS)).toBe(0);
  });

  it('a spread run: kswapd’s steps are counted on worker 0 only, within its steps', () => {
    const { rows, quanta } = probed(spreadScenario(1, { run: { durationMs: 40 } }), 2);
    expect(total(rows[0], PQ_KSWAPD_STEPS)).toBeGreaterThan(0);
    expect(total(rows[0], PQ_KSWAPD_STEPS)).toBeLessThan(total(rows[0], PQ_STEPS));
    expect(total(rows[1], PQ_KSWAPD_STEPS)).toBe(0);
    // Worker 1 runs vCPUs only (8 of the guest's 16): several steps a quantum.
    expect(total(rows[1], PQ_STEPS)).toBeGreaterThan(8 * quanta);
  });
});
