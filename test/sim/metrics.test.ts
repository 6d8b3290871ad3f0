/**
 * Metrics that are easy to get subtly wrong: eviction precision is undefined (NaN, never 100%) without
 * evictions whose refault window has closed, and slowdown is the vCPU time over the same time minus the
 * pressure stall, which a trace replay on a host big enough to hold everything reproduces exactly.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioConfig } from '../../engine/protocol.ts';
import { runInProcess } from '../../engine/core/sim/run.ts';
import { cloudPhysicsTrace, debateScenario, hardware, oracleScenario } from './fixtures.ts';

const traces = (): Record<string, Uint32Array> => ({ cloudPhysicsIO: cloudPhysicsTrace() });

describe('eviction precision', () => {
  it('is NaN (not 100%) when nothing was evicted: summary, every guest and every sample row', () => {
    const cfg = debateScenario({ hw: hardware('ampere-altra'), harvest: 'lockless', durationMs: 40 });
    cfg.host.memoryMiB = 256; // holds all three 32 MiB guests: no reclaim
    const r = runInProcess(cfg);
    expect(r.summary.evictions).toBe(0);
    expect(r.summary.evictionPrecision).toBeNaN();
    for (const g of r.summary.guests) expect(g.evictionPrecision).toBeNaN();
    expect(Array.from(r.samples.evictionPrecision).every((x) => Number.isNaN(x))).toBe(true);
  });

  it('counts only evictions whose refault window has closed (NaN while none has)', () => {
    const cfg = debateScenario({ hw: hardware('ampere-altra'), harvest: 'lockless', durationMs: 100 });
    cfg.run.refaultWindowMs = 200; // longer than the run: no eviction can be judged yet
    const open = runInProcess(cfg).summary;
    expect(open.evictions).toBeGreaterThan(0);
    expect(open.evictionPrecision).toBeNaN();
    cfg.run.refaultWindowMs = 20;
    const r = runInProcess(cfg);
    expect(r.summary.evictionPrecision).toBeGreaterThanOrEqual(0);
    expect(r.summary.evictionPrecision).toBeLessThanOrEqual(1);
    // The column is NaN until the first judged eviction, then a ratio.
    const col = Array.from(r.samples.evictionPrecision);
    const first = col.findIndex((x) => !Number.isNaN(x));
    expect(first).toBeGreaterThan(0);
    expect(col.slice(first).every((x) => x >= 0 && x <= 1)).toBe(true);
  });
});

describe('slowdown vs. an unconstrained run', () => {
  /** One vCPU replaying the trace, MGLRU with kswapd and reclaim-driven aging on a host of `mib`. */
  function replay(mib: number, agingIntervalMs: number): ScenarioConfig {
    const c = oracleScenario({ policy: 'mglru', capacity: 0, hw: hardware('phone-prev82'), harvest: 'locked-write' });
    c.host = {
      memoryMiB: mib,
      watermarks: { minPct: 1, lowPct: 2, highPct: 3 },
      swap: { device: 'zram', sizeMiB: 256 },
    };
    c.reclaim = { ...c.reclaim, agingIntervalMs, lookaround: true, mapYoung: true };
    c.run = { ...c.run, demandOnly: false, refaultWindowMs: 100, sampleIntervalMs: 10 };
    return c;
  }

  it('equals the virtual time of the same replay on a host holding every page, without reclaim or aging', () => {
    // Constrained: 100 MiB for a trace touching ~191 MiB, so refaults, direct reclaim, access-flag
    // faults after rmap clears AF and MMU-lock waits all occur. (Pre-v8.2: no page-table walk, so aging
    // holds are only rmap's one-folio clear_flush_young holds; a lone vCPU rarely lands in one.)
    const constrained = runInProcess(replay(100, 5), traces()).summary;
    expect(constrained.refaults).toBeGreaterThan(0);
    expect(constrained.afFaults).toBeGreaterThan(0);
    expect(constrained.lockWaitNs).toBeGreaterThan(0);
    // Unconstrained: everything fits, so reclaim never runs and nothing ages (same aging interval).
    const base = runInProcess(replay(512, 5), traces()).summary;
    expect(base.evictions + base.afFaults + base.agingPasses).toBe(0);
    expect(base.accesses).toBe(constrained.accesses);
    expect(base.guests[0].slowdown).toBe(1);
    const s = constrained.guests[0].slowdown as number;
    expect(s).toBeGreaterThan(1.2);
    // One vCPU: the run's virtual time is its clock. Unconstrained time = time / slowdown.
    expect(constrained.virtualMs / s / base.virtualMs).toBeCloseTo(1, 9);
  });

  it('is 1 for a pinned guest that never waits, and > 1 for guests under pressure', () => {
    const s = runInProcess(
      debateScenario({ hw: hardware('pkvm'), harvest: 'hypercall', durationMs: 100, protectedGuest: true }),
    ).summary;
    for (const g of s.guests) {
      expect(g.slowdown).not.toBeNull();
      expect(g.slowdown as number).toBeGreaterThanOrEqual(1);
      if (!g.pinned) expect(g.slowdown as number).toBeGreaterThan(1);
    }
  });
});
