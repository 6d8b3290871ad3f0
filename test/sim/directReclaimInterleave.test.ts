/**
 * Direct reclaim interleaves with other MMU-lock users folio by folio (Guest.fault, Pgdat.directReclaimStep):
 * shrink_folio_list handles a cluster's folios one after another, each folio_referenced
 * (clear_flush_young: kvm->mmu_lock for write with locked harvest) and try_to_unmap (write) taking and
 * releasing the lock, so a request that arrives between two folios queues behind the folio in progress
 * only (qrwlock), not behind the rest of the cluster. The virtual lock books a hold when its step runs,
 * so the faulting vCPU must stop between folios (FAULT_SUSPENDED) for an earlier actor's request to be
 * booked first. Negative control: the whole cluster booked in one step (no limit) makes the same
 * request wait behind the next folio's holds.
 */
import { describe, expect, it } from 'vitest';
import { FAULT_SUSPENDED, SWAP_CLUSTER_MAX, unmapHoldNs, type Guest } from '../../engine/core/sim/guest.ts';
import { GS_DIRECT_RECLAIM, GS_EVICTIONS } from '../../engine/core/sim/simLayout.ts';
import { smallReclaimScenario, workerOf, withoutFaultMarks } from './fixtures.ts';

/** A guest whose host is at its min watermark: its next fault direct-reclaims a cluster. */
function guestAtMin(): { g: Guest; stats: Float64Array; t: number; next: number } {
  const { g, stats } = workerOf(smallReclaimScenario());
  withoutFaultMarks(g);
  let t = 0;
  let gfn = 0;
  while (g.host.free() > g.host.min) t = g.fault(gfn++, false, t + 1000) + 1000;
  expect(stats[GS_DIRECT_RECLAIM]).toBe(0);
  return { g, stats, t, next: gfn };
}

/**
 * The fault at t on vCPU 0 with scheduling limit `limit`; a write request (kswapd's unmap hold) at
 * `at(first)` where `first` is the fault's time after its first folio; returns that request's wait.
 */
function requestDuringCluster(suspend: boolean): { wait: number; first: number; evicted: number } {
  const { g, stats, t, next } = guestAtMin();
  const hold = unmapHoldNs(g.costs, g.cmoNs);
  let first: number;
  if (suspend) {
    // The scheduler's limit is just past the fault's start: the vCPU stops after its first folio.
    const r = g.fault(next, false, t, 0, t + 1);
    expect(r).toBe(FAULT_SUSPENDED);
    expect(stats[GS_DIRECT_RECLAIM]).toBe(1);
    first = g.resumeAt;
    // Another actor whose clock is `first` (kswapd, one folio per step) asks for the lock now.
    const grant = g.vlock.write(first, hold, false);
    // The vCPU resumes its cluster at its next step (and queues behind that request).
    const end = g.fault(next, false, first, 0, Infinity);
    expect(end).toBeGreaterThan(grant + hold);
    return { wait: grant - first, first, evicted: stats[GS_EVICTIONS] };
  }
  // Negative control (the old booking): the whole cluster in one step, then the same request.
  const probe = guestAtMin();
  expect(probe.g.fault(probe.next, false, probe.t, 0, probe.t + 1)).toBe(FAULT_SUSPENDED);
  first = probe.g.resumeAt; // the same runs are deterministic: the same first folio's end
  g.fault(next, false, t, 0, Infinity);
  const grant = g.vlock.write(first, hold, false);
  return { wait: grant - first, first, evicted: stats[GS_EVICTIONS] };
}

describe('direct reclaim interleaves per folio with other MMU-lock users (shrink_folio_list)', () => {
  it('a request arriving between two folios of a cluster is granted before the next folio, not after the cluster', () => {
    const r = requestDuringCluster(true);
    expect(r.wait).toBe(0);
    expect(r.evicted).toBe(SWAP_CLUSTER_MAX); // the cluster still completes
  });

  it('negative control: the whole cluster booked in one step makes the request wait behind later folios', () => {
    const r = requestDuringCluster(false);
    expect(r.evicted).toBe(SWAP_CLUSTER_MAX);
    expect(r.wait).toBeGreaterThan(0);
  });

  it('without a limit the fault never suspends and books the same cluster as before', () => {
    const a = guestAtMin();
    const end = a.g.fault(a.next, false, a.t, 0, Infinity);
    expect(end).toBeGreaterThan(a.t);
    expect(a.stats[GS_DIRECT_RECLAIM]).toBe(SWAP_CLUSTER_MAX);
    // Suspended after every folio and resumed at once: the same finish time (nothing else ran).
    const b = guestAtMin();
    let r = b.g.fault(b.next, false, b.t, 0, b.t + 1);
    let steps = 0;
    while (r === FAULT_SUSPENDED) {
      steps++;
      r = b.g.fault(b.next, false, b.g.resumeAt, 0, b.g.resumeAt);
    }
    expect(steps).toBeGreaterThanOrEqual(SWAP_CLUSTER_MAX - 1);
    expect(r).toBe(end);
    expect(b.stats[GS_DIRECT_RECLAIM]).toBe(SWAP_CLUSTER_MAX);
  });
});
