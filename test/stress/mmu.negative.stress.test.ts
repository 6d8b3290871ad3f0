/**
 * Negative controls of the MMU stress test: each plants one bug and asserts that the invariant
 * counter meant to catch it is > 0 (a checker that cannot fail proves nothing).
 */
import { describe, expect, it } from 'vitest';
import { STRESS_SEED } from './stressShared.ts';
import { runStress } from './harness.ts';

describe('mmu stress negative controls', () => {
  it('(a) unsafeFreeWithoutGracePeriod: use-after-free is detected (and no free is ever deferred)', async () => {
    const r = await runStress({ seed: STRESS_SEED + 10, unsafeFreeWithoutGracePeriod: true });
    expect(r.useAfterFree).toBeGreaterThan(0);
    expect(r.activity.maxDeferred).toBe(0);
  });

  it('(d) the race counters count races: one vCPU alone has no cmpxchg failure and no deferred free', async () => {
    const r = await runStress({ seed: STRESS_SEED + 40, vcpus: 1, background: false, focus: true, hotPages: 16 });
    console.log(`stress control: ${JSON.stringify(r.activity)}`);
    expect(r.activity.vcpuOps).toBeGreaterThan(0);
    expect(r.activity.afSets).toBeGreaterThan(0);
    expect(r.activity.casFailures).toBe(0);
    expect(r.activity.walksOverDeferred).toBe(0);
    expect(r.activity.maxDeferred).toBe(0);
    expect(r.useAfterFree).toBe(0);
  });

  it('(b) plain read-then-store instead of cmpxchg in the ager: lost updates are detected', async () => {
    // Focused on 16 hot pages: vCPUs set AF / W, the unmapper write-protects, the ager clears AF.
    const r = await runStress({
      seed: STRESS_SEED + 20,
      brokenCmpxchg: true,
      agerVolatile: false,
      focus: true,
      hotPages: 16,
    });
    expect(r.lostWritable + r.lostAf).toBeGreaterThan(0);
  });

  it('(c) lockless aging without rcuReadLock: use-after-free is detected', async () => {
    const r = await runStress({ seed: STRESS_SEED + 30, unsafeAgeWithoutRcu: true });
    expect(r.useAfterFree).toBeGreaterThan(0);
  });
});
