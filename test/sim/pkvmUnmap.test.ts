/**
 * Under pKVM (mainline 6.14+) the stage-2 unmap of a non-protected guest's page is a hypercall:
 * kvm_unmap_gfn_range -> pkvm_pgtable_stage2_unmap -> kvm_call_hyp_nvhe(__pkvm_host_unshare_guest), one
 * per pkvm_mapping (a page), and the PTE clear, the TLBIs and the CMO run at EL2 (kvm_pgtable_stage2_unmap
 * on the hyp VM's table), all inside kvm->mmu_lock's write hold. So the hold carries the HVC round trip
 * (sim/costs.ts unmapHvcNs, the profile's hypercall estimate); off pKVM it does not.
 *
 * Negative control, run by hand (session 13): unmapHvcNs returning 0 on pKVM too (the old behaviour, the
 * unmap charged as on a host-managed stage-2) fails the pKVM test (at unmapHvcNs, 0 against 1,500; past
 * that line the unmap would end 1,500 ns early and the hold delta be 1,500 ns short); the Altra test passes.
 */
import { describe, expect, it } from 'vitest';
import { invalidateEndHoldNs, unmapHoldNs } from '../../engine/core/sim/guest.ts';
import { C_CMPXCHG, C_HYPERCALL, C_LOCK_ACQUIRE, C_TLB_INVALIDATE } from '../../engine/core/sim/costs.ts';
import { GS_LOCK_HOLD_NS } from '../../engine/core/sim/simLayout.ts';
import { hardware, uniformGuestScenario, workerOf } from './fixtures.ts';

describe("pKVM: the stage-2 unmap's HVC (__pkvm_host_unshare_guest) is inside the write hold", () => {
  it('pkvm: hold = lock + HVC + PTE clear + two TLBIs + CMO, hand-computed from the preset', () => {
    const cfg = uniformGuestScenario({ name: 'pkvm-unmap', hardware: hardware('pkvm'), vcpus: 2 });
    cfg.reclaim.harvest = 'hypercall';
    const { g, stats } = workerOf(cfg);
    const c = g.costs;
    // The pkvm preset's estimates: lockAcquire 40, hypercall 1,500, cmpxchg 20, tlbInvalidate 400,
    // dcacheCleanInval 500 (no FEAT_S2FWB): 40 + 1,500 + 20 + 2 x 400 + 500 = 2,860 ns.
    expect([c[C_LOCK_ACQUIRE], c[C_HYPERCALL], c[C_CMPXCHG], c[C_TLB_INVALIDATE], g.cmoNs]).toEqual([
      40, 1500, 20, 400, 500,
    ]);
    expect(g.unmapHvcNs).toBe(1500);
    expect(unmapHoldNs(c, g.cmoNs, g.unmapHvcNs)).toBe(2860);
    g.fault(7, true, 1000);
    const t = 50_000;
    const hold0 = stats[GS_LOCK_HOLD_NS];
    g.evictOne(7, t, false);
    // Alone on the lock and the DVM Sync: the unmap's hold ends 2,860 ns after t.
    expect(g.evictedAt[7]).toBe(Math.fround(t + 2860));
    expect(stats[GS_LOCK_HOLD_NS] - hold0).toBe(2860 + invalidateEndHoldNs(c));
  });

  it('ampere-altra (VHE, host-managed stage-2): no HVC in the unmap', () => {
    const { g } = workerOf(uniformGuestScenario({ name: 'altra-unmap', hardware: hardware('ampere-altra'), vcpus: 2 }));
    expect(g.unmapHvcNs).toBe(0);
    expect(unmapHoldNs(g.costs, g.cmoNs, g.unmapHvcNs)).toBe(unmapHoldNs(g.costs, g.cmoNs));
  });
});
