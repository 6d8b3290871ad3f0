/**
 * THE ORACLE: the cloudPhysicsIO trace replayed through the full pipeline (vCPU → stage-2 walk →
 * AF → reclaim reading AF → unmap → refault), one guest, one vCPU, a host of exactly C pages,
 * demand eviction, must give exactly the reference miss counts of ../shared/data/traces/README.md.
 */
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../../engine/core/sim/run.ts';
import { cloudPhysicsTrace, oracleScenario, type OracleOptions } from './fixtures.ts';
import { referenceClock } from './referenceCache.ts';

/** Misses of the replay, on the trace-replay fast path (replay.ts) and on the general path: they must agree. */
function misses(o: OracleOptions): number {
  const trace = cloudPhysicsTrace();
  const [fast, general] = [true, false].map((replay) => {
    const r = runInProcess(oracleScenario(o), { cloudPhysicsIO: trace }, { replay });
    expect(r.summary.accesses).toBe(trace.length);
    expect(r.summary.s2Faults).toBe(r.summary.misses);
    return r.summary.misses;
  });
  expect(fast).toBe(general);
  return fast;
}

describe('trace oracle (cloudPhysicsIO, exact reference miss counts)', () => {
  it('loads the trace: 113872 requests, 48974 distinct pages', () => {
    const t = cloudPhysicsTrace();
    expect(t.length).toBe(113872);
    expect(Math.max(...t) + 1).toBe(48974);
  });

  it.each([
    [1000, 94823],
    [10000, 79438],
    [25000, 70832],
  ])('exact-LRU C=%i → %i misses', (capacity, expected) => {
    expect(misses({ policy: 'exact-lru', capacity })).toBe(expected);
  });

  it.each([1000, 10000, 25000])(
    'CLOCK (mapYoung=false, HAFDBS, no TLB) C=%i equals the reference CLOCK',
    (capacity) => {
      const expected = referenceClock(cloudPhysicsTrace(), capacity);
      expect(misses({ policy: 'clock', capacity, mapYoung: false })).toBe(expected);
    },
  );

  it('CLOCK with no accessed information (harvest none) is FIFO: C=10000 → 79210', () => {
    expect(misses({ policy: 'clock', capacity: 10000, harvest: 'none' })).toBe(79210);
  });

  it.each(['exact-lru', 'clock', 'mglru', 'active-inactive'] as const)(
    '%s at C=48974 → 48974 (only cold misses)',
    (policy) => {
      expect(misses({ policy, capacity: 48974 })).toBe(48974);
    },
  );
});
