/**
 * arm64's user_mem_abort (arch/arm64/kvm/mmu.c, v6.1-v6.6) reads mmu_seq = kvm->mmu_invalidate_seq before
 * __gfn_to_pfn_memslot (the swap-in, any direct reclaim) and, under read_lock(&kvm->mmu_lock), gives up
 * when mmu_invalidate_retry(kvm, mmu_seq) (include/linux/kvm_host.h): an invalidation of the VM in
 * progress, or one ended since (kvm_mmu_invalidate_end bumped the sequence). Any gfn of the VM, not only
 * the faulting one. The guest then takes the same stage-2 fault again (Guest.mapLocked).
 *
 * Each case is hand-computed from the costs: s2Fault (charged at the trap), FAULTIN_FAST_NS (mmu_seq is
 * read that long before s2Fault's end), the check's hold (lockAcquire), the map's hold (mapHoldNs), the
 * retry's re-fault (afFault + FAULTIN_FAST_NS: the page is resolved already, no host allocation). The
 * negative control plants the lab's former rule (a retry only when this very gfn was unmapped:
 * `MmuInvalidate.retry` always false) and shows the expectation fails under it: ran as the last case.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ScenarioConfig } from '../../engine/protocol.ts';
import { FAULTIN_FAST_NS } from '../../engine/core/kvm/mmuInvalidate.ts';
import {
  FAULT_SUSPENDED,
  hostUnmapFlushNs,
  invalidateEndHoldNs,
  mapHoldNs,
  unmapHoldNs,
  type Guest,
} from '../../engine/core/sim/guest.ts';
import { C_AF_FAULT, C_LOCK_ACQUIRE, C_S2_FAULT } from '../../engine/core/sim/costs.ts';
import { vclock } from '../../engine/core/sync/vlock.ts';
import { prepareRun } from '../../engine/core/sim/run.ts';
import { SimWorkerCore } from '../../engine/core/sim/simCore.ts';
import { VCpu } from '../../engine/core/sim/vcpu.ts';
import { hardware, uniformGuestScenario, workerOf } from './fixtures.ts';

function config(): ScenarioConfig {
  return uniformGuestScenario({ name: 'mmu-invalidate-retry', hardware: hardware('ampere-altra'), vcpus: 2 });
}

/** A retry's re-fault: the trap (afFault, 451 ns measured on the Altra) and user_mem_abort's fast path. */
function refault(c: Float64Array): number {
  return c[C_AF_FAULT] + FAULTIN_FAST_NS;
}

/**
 * kvm_mmu_invalidate_begin .. _end of one eviction at T with no waits: the unmap's hold, the VMM's PTE
 * flush between the two (try_to_unmap_one's ptep_clear_flush on arm64: hostUnmapFlushNs) and range_end's.
 */
function invalidationNs(g: Guest): number {
  return unmapHoldNs(g.costs, g.cmoNs) + hostUnmapFlushNs(g.costs, g.kick !== null) + invalidateEndHoldNs(g.costs);
}

/**
 * A first touch of gfn 20 whose read-lock request comes `after` ns after kswapd's eviction of gfn 7 (a
 * different page) ended its invalidation. Returns the fault's end relative to the request, and the retries.
 */
function touchAfterEviction(after: number, plant = false): { end: number; retries: number; g: Guest } {
  const { g } = workerOf(config());
  if (plant) g.mmuInvalidate.retry = () => false;
  g.fault(7, true, 1000);
  const T = 50_000;
  g.evictOne(7, T, false);
  const request = T + invalidationNs(g) + after;
  const end = g.fault(20, true, request - g.costs[C_S2_FAULT]);
  return { end: end - request, retries: g.mmuInvalidate.retries, g };
}

/**
 * A refault of gfn 7 (zram swap-in) split at its swap-in's end, as the scheduler splits it when another
 * actor is earlier: kswapd evicts gfn 9 in the middle of the sleep, after mmu_seq was read.
 */
function refaultWithEvictionDuringSleep(
  plant = false,
  resumeLimit = Infinity,
): { g: Guest; ready: number; first: number; end: number } {
  const { g } = workerOf(config());
  if (plant) g.mmuInvalidate.retry = () => false;
  g.fault(7, true, 1000);
  g.fault(9, true, 2000);
  g.evictOne(7, 10_000, false);
  const t0 = 100_000;
  vclock.others = 0; // another actor is earlier: the fault stops before its read-lock request
  expect(g.fault(7, true, t0, 0, t0 + 1)).toBe(FAULT_SUSPENDED);
  const ready = g.resumeAt;
  expect(ready).toBe(t0 + g.costs[C_S2_FAULT] + g.swapInNs);
  // mmu_seq was read at t0 + s2Fault - FAULTIN_FAST_NS; this eviction starts after it and ends before `ready`.
  const at = t0 + g.costs[C_S2_FAULT] + 1000;
  expect(at + invalidationNs(g)).toBeLessThan(ready);
  g.evictOne(9, at, false);
  const first = g.fault(7, true, ready, 0, resumeLimit);
  if (first !== FAULT_SUSPENDED) return { g, ready, first, end: first };
  return { g, ready, first, end: g.fault(7, true, g.resumeAt, 0, Infinity) };
}

describe("mmu_invalidate_retry: a stage-2 fault retries after any invalidation of its VM (arm64's VM-wide check)", () => {
  afterEach(() => {
    vclock.others = Infinity;
  });

  it('an invalidation of another gfn that ended after mmu_seq was read: one retry (check, re-fault, map)', () => {
    const probe = touchAfterEviction(0);
    const c = probe.g.costs;
    const mapHold = mapHoldNs(c, probe.g.cmoNs);
    // Ended 200 ns before the request, mmu_seq read FAULTIN_FAST_NS (500) before it: the sequence moved.
    const r = touchAfterEviction(200);
    expect(FAULTIN_FAST_NS).toBe(500);
    expect(r.retries).toBe(1);
    expect(r.end).toBe(c[C_LOCK_ACQUIRE] + refault(c) + mapHold);
    // Ended 600 ns before the request: before mmu_seq was read, no retry.
    const n = touchAfterEviction(600);
    expect(n.retries).toBe(0);
    expect(n.end).toBe(mapHold);
  });

  it('an invalidation of another gfn during the swap-in sleep: the fault checks, re-faults and maps', () => {
    const { g, ready, end } = refaultWithEvictionDuringSleep();
    const c = g.costs;
    expect(g.mmuInvalidate.retries).toBe(1);
    expect(end).toBe(ready + c[C_LOCK_ACQUIRE] + refault(c) + mapHoldNs(c, g.cmoNs));
  });

  it("a re-fault past the vCPU's scheduling limit stops before its read-lock request and ends at the same time", () => {
    const whole = refaultWithEvictionDuringSleep();
    const split = refaultWithEvictionDuringSleep(false, whole.ready + 1);
    expect(split.first).toBe(FAULT_SUSPENDED);
    expect(split.end).toBe(whole.end);
    expect(split.g.mmuInvalidate.retries).toBe(1);
  });

  it('negative control: with the former rule (same gfn only) neither case retries, and both expectations fail', () => {
    const a = touchAfterEviction(200, true);
    const c = a.g.costs;
    const mapHold = mapHoldNs(c, a.g.cmoNs);
    expect(a.retries).toBe(0);
    expect(a.end).toBe(mapHold);
    expect(a.end).not.toBe(c[C_LOCK_ACQUIRE] + refault(c) + mapHold);
    const b = refaultWithEvictionDuringSleep(true);
    expect(b.g.mmuInvalidate.retries).toBe(0);
    expect(b.end).toBe(b.ready + mapHold);
  });
});

/**
 * A spread run (sim/spread.ts) of the same VM, not run: worker 0 and worker 1, each with its own Guest over
 * the shared tables and the shared MMU-lock calendar (SharedVLock), and one vCPU of each.
 */
function spreadPair(): { g0: Guest; v0: number; g1: Guest; cores: SimWorkerCore[] } {
  const cfg = config();
  const p = prepareRun({ ...cfg, run: { ...cfg.run, deterministic: false, workers: 2 } }, {}, 2);
  expect(p.plan.spread).toBe(true);
  const cores = [0, 1].map(
    (i) => new SimWorkerCore(p.config, p.plan, p.buffers, i, { rows: () => {}, progress: () => {} }),
  );
  const vcpu = (w: number): VCpu => cores[w].actorList.find((a) => a instanceof VCpu) as VCpu;
  return { g0: vcpu(0).g, v0: vcpu(0).vi, g1: vcpu(1).g, cores };
}

/**
 * Worker 0 maps a first touch of gfn 20 (read-lock request at R = 100 us) before, in real time, worker 1's
 * reclaim books the eviction of gfn 7 that ends its invalidation `before` ns before R: the order of the
 * interleaved extreme [0, 1]. Then worker 0's next quantum starts (MmuInvalidate.settle).
 */
function crossWorker(before: number, plant = false): { g0: Guest; v0: number; end: number; owed: number } {
  const { g0, v0, g1, cores } = spreadPair();
  if (plant) g0.mmuInvalidate.settle = () => {}; // the former spread runs (6c0ddb1): nothing re-checked
  g1.fault(7, true, 1000, 0);
  const R = 100_000;
  const end = g0.fault(20, true, R - g0.costs[C_S2_FAULT], v0) - R;
  expect(g0.mmuInvalidate.retries).toBe(0); // worker 1's eviction is not booked yet
  g1.evictOne(7, R - before - invalidationNs(g1), false);
  g0.mmuInvalidate.settle();
  const owed = g0.mmuInvalidate.owedNs[v0];
  for (const c of cores) c.close();
  return { g0, v0, end, owed };
}

describe('mmu_invalidate_retry in spread runs: the other worker invalidations of the quantum, settled at the next one', () => {
  afterEach(() => {
    vclock.others = Infinity;
  });

  it("a fault whose window meets the other worker's later-booked invalidation retries at the settlement; one before its mmu_seq read does not", () => {
    const r = crossWorker(200);
    const c = r.g0.costs;
    const mapHold = mapHoldNs(c, r.g0.cmoNs);
    // Mapped at once (the eviction was not booked), then found at the settlement: one retry where the
    // fault was, the map hold already booked, then the re-fault (refault) and the map again.
    expect(r.end).toBe(mapHold);
    expect(r.g0.mmuInvalidate.retries).toBe(1);
    expect(r.owed).toBe(refault(c) + mapHold);
    // The vCPU pays it at its next step.
    expect(r.g0.mmuInvalidate.pay(r.v0, 500_000)).toBe(500_000 + refault(c) + mapHold);
    expect(r.g0.mmuInvalidate.owedNs[r.v0]).toBe(0);
    // Ended 600 ns before the request: before mmu_seq was read, no retry (as touchAfterEviction(600)).
    const n = crossWorker(600);
    expect(n.g0.mmuInvalidate.retries).toBe(0);
    expect(n.owed).toBe(0);
  });

  // Control also run on the engine: MmuInvalidate.settle returning before its loop (the 6c0ddb1 spread runs) fails
  // the case above (0 retries, 0 owed).
  it('negative control: without the settlement (the spread runs of 6c0ddb1) the fault never retries', () => {
    const r = crossWorker(200, true);
    expect(r.g0.mmuInvalidate.retries).toBe(0);
    expect(r.owed).toBe(0);
    // The deterministic run books the same eviction first (virtual-time order) and retries: the bias.
    expect(touchAfterEviction(200).retries).toBe(1);
  });
});
