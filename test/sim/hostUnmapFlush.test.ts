/**
 * try_to_unmap_one's flush of the VMM's own PTE (mm/rmap.c, v6.2-v6.4), between KVM's two write holds
 * of one folio's unmap: on arm64, which batched this flush only from "arm64: support batched/deferred
 * tlb shootdown during page reclamation/migration" (after v6.4), ptep_clear_flush ->
 * flush_tlb_page (TLBI VALE1IS + DSB ISH) on the reclaimer, outside kvm->mmu_lock but inside
 * mmu_invalidate_in_progress; on x86 deferred to try_to_unmap_flush (not charged).
 *
 * Negative controls, run by hand when this test was written (each fails the marked expectations):
 * - the old behaviour, no flush (hostUnmapFlushNs returning 0 on arm64): the reclaimer's end and
 *   range_end's grant are 600 ns early ('the reclaimer pays ...' fails);
 * - the flush charged inside the unmap's write hold (added to unmapHoldNs instead): the fault reading
 *   during the flush waits for it ('outside kvm->mmu_lock' fails), and GS_LOCK_HOLD_NS grows by 600.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioConfig } from '../../engine/protocol.ts';
import { hostUnmapFlushNs, invalidateEndHoldNs, unmapHoldNs } from '../../engine/core/sim/guest.ts';
import { C_TLB_INVALIDATE } from '../../engine/core/sim/costs.ts';
import { GS_LOCK_HOLD_NS } from '../../engine/core/sim/simLayout.ts';
import { hardware, uniformGuestScenario, workerOf } from './fixtures.ts';

const altra = (): ScenarioConfig =>
  uniformGuestScenario({ name: 'host-unmap-flush', hardware: hardware('ampere-altra'), vcpus: 2 });
const x86 = (): ScenarioConfig =>
  uniformGuestScenario({ name: 'host-unmap-flush-x86', hardware: hardware('x86-workstation'), vcpus: 2 });

describe("try_to_unmap_one's flush of the VMM's PTE (ptep_clear_flush)", () => {
  it('arm64: one broadcast TLBI + DSB per evicted folio, tlbInvalidate; x86: deferred, 0', () => {
    const a = workerOf(altra()).g.costs;
    expect(a[C_TLB_INVALIDATE]).toBe(600); // the profile's estimate (its source: per-call ptep_clear_flush figures)
    expect(hostUnmapFlushNs(a, false)).toBe(600);
    expect(hostUnmapFlushNs(workerOf(x86()).g.costs, true)).toBe(0);
  });

  it('the reclaimer pays it between the unmap hold and range_end, and range_end is asked for after it', () => {
    const { g, stats } = workerOf(altra());
    const c = g.costs;
    g.fault(7, true, 1000);
    const t = 50_000;
    const hold0 = stats[GS_LOCK_HOLD_NS];
    const end = g.evictOne(7, t, false);
    const unmapEnd = t + unmapHoldNs(c, g.cmoNs);
    // Hand-computed: unmap hold, 600 ns flush, range_end's hold, then the swap-out.
    expect(end).toBe(unmapEnd + 600 + invalidateEndHoldNs(c) + g.swapOutNs);
    // The flush is not a lock hold: only the two holds are booked.
    expect(stats[GS_LOCK_HOLD_NS] - hold0).toBe(unmapHoldNs(c, g.cmoNs) + invalidateEndHoldNs(c));
    // mmu_invalidate_in_progress spans it: a fault that read mmu_invalidate_seq during the flush retries.
    expect(g.mmuInvalidate.retry(unmapEnd + 300, unmapEnd + 400)).toBe(true);
  });

  it('outside kvm->mmu_lock: a fault reading during the flush is not delayed by it', () => {
    const { g } = workerOf(altra());
    const c = g.costs;
    g.fault(7, true, 1000);
    const t = 50_000;
    const unmapEnd = t + unmapHoldNs(c, g.cmoNs);
    const end = g.evictOne(7, t, false);
    expect(end).toBe(unmapEnd + 600 + invalidateEndHoldNs(c) + g.swapOutNs);
    // The lock is free over [unmapEnd, unmapEnd + 600): a read asked for 100 ns into the flush, held
    // 200 ns, is granted at once (inside the unmap's hold it would wait until unmapEnd + 600).
    expect(g.vlock.read(unmapEnd + 100, 200, false)).toBe(unmapEnd + 100);
  });

  it('x86 (ipi-kick): no flush between the holds', () => {
    const { g } = workerOf(x86());
    g.fault(7, true, 1000);
    const hold0 = g.stats[g.sb + GS_LOCK_HOLD_NS];
    const end = g.evictOne(7, 50_000, false);
    const holds = g.stats[g.sb + GS_LOCK_HOLD_NS] - hold0;
    expect(end).toBe(50_000 + holds + g.swapOutNs);
  });
});
