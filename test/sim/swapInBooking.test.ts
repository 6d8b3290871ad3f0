/**
 * A stage-2 fault's read hold of kvm->mmu_lock is booked when its swap-in sleep ends (Guest.fault,
 * PHASE_MAP_LOCK): user_mem_abort resolves the pfn (__kvm_faultin_pfn, which sleeps for the swap-in
 * without the lock) and only then takes read_lock. A writer (kswapd's unmap or aging hold) that
 * arrives during the sleep and is still holding when the sleep ends makes the vCPU wait, as
 * qrwlock would. Negative control: the whole fault in one step (no limit, the old booking) books the
 * read ahead of the writer's earlier request, so the writer yields and the vCPU's wait is lost.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FAULT_SUSPENDED, type Guest } from '../../engine/core/sim/guest.ts';
import {
  GS_LOCK_WAIT_NS,
  GS_REFAULTS,
  PG_RESIDENT,
  PG_SWAPCACHE,
  PG_SWAPPED,
} from '../../engine/core/sim/simLayout.ts';
import { smallReclaimScenario, workerOf, withoutFaultMarks, faultInOrder } from './fixtures.ts';
import { vclock } from '../../engine/core/sync/vlock.ts';

/** A guest that reclaimed some of its pages, and one swapped-out gfn (no swap-cache copy). */
function guestWithSwapped(): { g: Guest; stats: Float64Array; t: number; gfn: number } {
  const { g, stats } = workerOf(smallReclaimScenario());
  withoutFaultMarks(g);
  const t = faultInOrder(g, 2000);
  const gfn = 2000;
  for (let x = 0; x < gfn; x++) {
    const f = g.flags[x];
    if ((f & PG_SWAPPED) !== 0 && (f & (PG_RESIDENT | PG_SWAPCACHE)) === 0) return { g, stats, t, gfn: x };
  }
  throw new Error('no swapped-out gfn');
}

/** The refault at t; a write request of `hold` ns arriving `before` ns before the swap-in ends. */
function writerDuringSwapIn(split: boolean): { vcpuWait: number; writerWait: number; sleep: number } {
  const before = 100;
  const hold = 1000;
  const { g, stats, t, gfn } = guestWithSwapped();
  const wait0 = stats[GS_LOCK_WAIT_NS];
  // The same fault on a copy tells when its swap-in ends (deterministic runs).
  const probe = guestWithSwapped();
  expect(probe.gfn).toBe(gfn);
  expect(probe.g.fault(gfn, false, t, 0, t + 1)).toBe(FAULT_SUSPENDED);
  const ready = probe.g.resumeAt;
  if (split) {
    expect(g.fault(gfn, false, t, 0, t + 1)).toBe(FAULT_SUSPENDED);
    expect(g.resumeAt).toBe(ready);
    // kswapd, earlier in virtual time, runs before the vCPU resumes: its request is booked first.
    const grant = g.vlock.write(ready - before, hold, false);
    const end = g.fault(gfn, false, ready, 0, Infinity);
    expect(end).toBeGreaterThan(ready);
    expect(stats[GS_REFAULTS]).toBe(probe.stats[GS_REFAULTS]); // counted once, in the first step
    return { vcpuWait: stats[GS_LOCK_WAIT_NS] - wait0, writerWait: grant - (ready - before), sleep: ready - t };
  }
  g.fault(gfn, false, t, 0, Infinity);
  const grant = g.vlock.write(ready - before, hold, false);
  return { vcpuWait: stats[GS_LOCK_WAIT_NS] - wait0, writerWait: grant - (ready - before), sleep: ready - t };
}

describe('a fault books its read hold of kvm->mmu_lock after the swap-in (user_mem_abort order)', () => {
  // Another actor (kswapd) is earlier than the fault's end: the scheduler's vclock.others (simCore).
  beforeEach(() => {
    vclock.others = 0;
  });
  afterEach(() => {
    vclock.others = Infinity;
  });

  it('a writer arriving during the swap-in sleep holds first; the vCPU waits for its release', () => {
    const r = writerDuringSwapIn(true);
    expect(r.sleep).toBeGreaterThan(1000); // a real sleep (block-device read)
    expect(r.writerWait).toBe(0);
    expect(r.vcpuWait).toBe(1000 - 100); // the writer's hold left after the vCPU's arrival
  });

  it('negative control: booked in the first step of the fault, the vCPU takes the lock and the writer yields', () => {
    const r = writerDuringSwapIn(false);
    expect(r.vcpuWait).toBe(0);
    expect(r.writerWait).toBeGreaterThan(0);
  });

  it('alone (no earlier actor) the fault books at once, whatever its limit', () => {
    vclock.others = Infinity;
    const { g, t, gfn } = guestWithSwapped();
    expect(g.fault(gfn, false, t, 0, t + 1)).toBeGreaterThan(t);
  });

  it('a gfn reclaimed during the sleep is faulted again (mmu_invalidate_retry)', () => {
    const { g, t, gfn } = guestWithSwapped();
    expect(g.fault(gfn, false, t, 0, t + 1)).toBe(FAULT_SUSPENDED);
    expect(g.flags[gfn] & PG_RESIDENT).not.toBe(0);
    const ready = g.resumeAt;
    // Reclaim unmaps it before the vCPU resumes.
    g.evictOne(gfn, ready - 10, false);
    expect(g.flags[gfn] & PG_RESIDENT).toBe(0);
    const end = g.fault(gfn, false, ready, 0, Infinity);
    expect(end).toBeGreaterThan(ready);
    expect(g.flags[gfn] & PG_RESIDENT).not.toBe(0);
  });
});
