/**
 * Spread runs (sim/spread.ts): the vCPUs' walks run inside an RCU read-side section of their worker, and
 * one section spans up to RCU_SECTION_STEPS scheduler steps (scheduler.ts runUntil), not one step each.
 *
 * What must hold: every stage-2 read of a walk (atomics.readOnce on the arena: stage2GetLeaf, the aging
 * walk's testClearYoung) made while a worker runs its actors happens while that worker's reader slot is
 * announced (odd), so a table page another worker unlinks stays readable; and sections end every
 * RCU_SECTION_STEPS steps (quiescent states inside a quantum, so grace periods complete while workers run),
 * while entering far less often than once per step.
 *
 * Two workers on this thread (as run.ts runInterleaved, worker order alternating per quantum), atomics
 * hooked to see the reads, the slot announcements and the steps.
 *
 * Negative controls, run by hand (s6-e): RCU_SECTION_STEPS = 1 (one section per step, the rule before)
 * fails the "far fewer entries than steps" bound (13,613 entries, bound 7,884); a planted bug that never reopens a
 * section after its first close (runUntil opening one only at its first step) fails "no read outside a
 * section" (154,283 walk reads outside).
 */
import { describe, expect, it } from 'vitest';
import { prepareRun } from '../../engine/core/sim/run.ts';
import { RCU_SECTION_STEPS, SimWorkerCore } from '../../engine/core/sim/simCore.ts';
import { CTL_DONE, TIME_QUANTUM_END } from '../../engine/core/sim/simLayout.ts';
import { atomics, setAtomicOps } from '../../engine/core/sync/atomics.ts';
import type { ScenarioConfig } from '../../engine/protocol.ts';
import { spreadScenario } from './fixtures.ts';

function scenario(): ScenarioConfig {
  return spreadScenario(3, {
    agingIntervalMs: 5,
    run: { durationMs: 12, sampleIntervalMs: 4, deterministic: false, workers: 2 },
  });
}

describe('spread runs: RCU read-side sections over several scheduler steps', () => {
  it('every walk read while actors run is inside its worker’s section; sections end every RCU_SECTION_STEPS steps', () => {
    const p = prepareRun(scenario(), {}, 2);
    expect(p.plan.spread).toBe(true);
    const sink = { rows: () => {}, progress: () => {} };
    const cores = [0, 1].map((w) => new SimWorkerCore(p.config, p.plan, p.buffers, w, sink));
    const arena = cores[0].env.arena.i32;
    // The worker whose actors run now (null between runUntil calls: serial section, heat map).
    let current: SimWorkerCore | null = null;
    let inside = 0;
    let outside = 0;
    let entries = 0;
    let actorRuns = 0;
    const { readOnce, store } = atomics;
    const restore = setAtomicOps({
      readOnce: (a, i) => {
        if (a === arena && current !== null) {
          if ((arena[current.env.rcu.slot] & 1) === 1) inside++;
          else outside++;
        }
        return readOnce(a, i);
      },
      store: (a, i, v) => {
        if (a === arena && current !== null && i === current.env.rcu.slot && (v & 1) === 1) entries++;
        return store(a, i, v);
      },
    });
    for (const core of cores)
      for (const actor of core.actorList) {
        const run = actor.run.bind(actor);
        actor.run = (limit: number) => {
          actorRuns++;
          run(limit);
        };
      }
    let calls = 0;
    try {
      const sv = cores[0].sv;
      let q = 0;
      do {
        const end = sv.time[TIME_QUANTUM_END];
        for (const w of q++ % 2 === 0 ? [0, 1] : [1, 0]) {
          current = cores[w];
          cores[w].runUntil(end);
          calls++;
          current = null;
        }
        cores[0].serial();
      } while (sv.control[CTL_DONE] !== 1);
    } finally {
      restore();
      for (const c of cores) c.close();
    }
    expect(inside).toBeGreaterThan(10_000);
    expect(outside).toBe(0);
    // Sections end inside a quantum (more than one per runUntil) ...
    expect(entries).toBeGreaterThan(2 * calls);
    // ... and a section spans RCU_SECTION_STEPS steps: at most one entry per RCU_SECTION_STEPS actor runs
    // (a step is one run call or more), plus the one each runUntil opens last and closes at its end.
    expect(entries).toBeLessThanOrEqual(actorRuns / RCU_SECTION_STEPS + calls);
    // Far fewer entries than steps (one section per step, the rule before, enters once per step).
    // Measured: 856 entries for 31,535 actor runs in 24 runUntil calls.
    expect(entries).toBeLessThan(actorRuns / 4);
  });
});
