/**
 * MMU stress: vCPUs set AF and S2AP-W while an ager harvests AF and an unmapper unmaps and
 * remaps with RCU-deferred table frees, on worker_threads with random yields between atomics,
 * in debug poison mode. Invariant counters must be 0. Scale: env STRESS_SCALE; seed: STRESS_SEED.
 * The negative controls (mmu.negative.stress.test.ts) show each counter catches its bug.
 */
import { describe, expect, it } from 'vitest';
import { STRESS_SEED } from './stressShared.ts';
import { runStress, type StressReport } from './harness.ts';

function expectClean(r: StressReport): void {
  // The figures behind the verdict, for the log (what was exercised, what was violated).
  console.log(
    `stress: ${JSON.stringify(r.activity)}; uaf ${r.useAfterFree}, lost AF ${r.lostAf}, lost W ${r.lostWritable}`,
  );
  expect(r.firstError).toBeNull();
  expect(r.errors).toBe(0);
  expect(r.useAfterFree).toBe(0);
  expect(r.lostAf).toBe(0);
  expect(r.lostWritable).toBe(0);
  // Arena accounting balanced: only the root is left, every callback ran.
  expect(r.accounting).toEqual({ inUse: 1, allocsMinusFrees: 1, cbPending: 0, pagesAwaiting: 0 });
  // The run did exercise the races it claims to.
  expect(r.activity.afSets).toBeGreaterThan(0);
  expect(r.activity.afClears).toBeGreaterThan(0);
  expect(r.activity.wSets).toBeGreaterThan(0);
  expect(r.activity.unmaps).toBeGreaterThan(0);
  expect(r.activity.wrprotects).toBeGreaterThan(0);
  expect(r.activity.gracePeriods).toBeGreaterThan(0);
  // The engine's access path (vcpu.ts translate) ran on several threads, inside RCU read sections,
  // while unlinked tables awaited their grace period (the unmapper's frees were in flight).
  expect(r.activity.walksOverDeferred).toBeGreaterThan(0);
  expect(r.activity.maxDeferred).toBeGreaterThan(0);
}

describe('mmu stress (worker_threads, debug poison)', () => {
  it('lockless aging under RCU: no use-after-free, no lost AF or S2AP-W, balanced arena', async () => {
    expectClean(await runStress({ seed: STRESS_SEED }));
  });

  it('same-leaf races: everything focused on 4 hot pages, 3 vCPUs; vCPU hardware AF cmpxchg loses real races', async () => {
    const r = await runStress({ seed: STRESS_SEED + 2, focus: true, hotPages: 4, vcpus: 3, ops: 50_000 });
    expectClean(r);
    expect(r.activity.casFailures).toBeGreaterThan(0);
  });

  it('aging mixed: lockless, under the read lock and under the write lock', async () => {
    expectClean(await runStress({ seed: STRESS_SEED + 1, agerLocks: ['lockless', 'read', 'write'] }));
  });
});
