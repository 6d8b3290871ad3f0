/**
 * Under pKVM (mainline 6.14+, commit fce886a60207 "Plumb the pKVM MMU in KVM") a vCPU's stage-2 fault takes
 * kvm->mmu_lock through kvm_fault_lock (arch/arm64/include/asm/kvm_mmu.h): write_lock when
 * is_protected_kvm_enabled(), read_lock otherwise. The map inside the hold is a hypercall,
 * pkvm_pgtable_stage2_map -> kvm_call_hyp_nvhe(__pkvm_host_share_guest) (arch/arm64/kvm/pkvm.c,
 * lockdep_assert_held_write), and a permission fault's relax is pkvm_pgtable_stage2_relax_perms ->
 * __pkvm_host_relax_perms_guest. So two vCPUs of one VM faulting at overlapping times serialise on pKVM
 * (the second waits out the first's whole hold, HVC included), while on Altra (read lock) they overlap.
 * The pkvm s2Fault estimate already includes the map's hypercall: it moves from the trap into the hold,
 * so a lone fault ends when it did before.
 *
 * Negative controls: (1) in the test, the same pkvm guest with faultWrite forced false (the old
 * behaviour, read lock on every profile): the second vCPU does not wait, so the serialisation asserts
 * would fail on it; (2) run by hand (session 13): guest.ts (kvm/kvmArch.ts since session 16) `this.faultWrite = false` in place of
 * `p.config.hardware.pkvm` fails the three pkvm tests (faultWrite false; wait 0, expected 1,960; the
 * permission fault's wait 0, expected 1,460); the Altra test passes.
 */
import { describe, expect, it } from 'vitest';
import type { Guest } from '../../engine/core/sim/guest.ts';
import { mapHoldNs } from '../../engine/core/sim/guest.ts';
import { C_CMPXCHG, C_HYPERCALL, C_LOCK_ACQUIRE, C_S2_FAULT } from '../../engine/core/sim/costs.ts';
import { GS_LOCK_WAIT_NS } from '../../engine/core/sim/simLayout.ts';
import { hardware, uniformGuestScenario, workerOf } from './fixtures.ts';

function build(id: 'pkvm' | 'ampere-altra'): { g: Guest; stats: Float64Array } {
  const cfg = uniformGuestScenario({ name: `fault-lock-${id}`, hardware: hardware(id), vcpus: 2 });
  if (id === 'pkvm') cfg.reclaim.harvest = 'hypercall';
  return workerOf(cfg);
}

/** vCPU 0 faults gfn 7 at 1,000, vCPU 1 gfn 8 at 1,100 (cold pages, nothing else on the lock). */
function twoFaults(g: Guest, stats: Float64Array): { end0: number; end1: number; wait1: number } {
  const end0 = g.fault(7, true, 1000, 0);
  const w0 = stats[GS_LOCK_WAIT_NS];
  const end1 = g.fault(8, true, 1100, 1);
  return { end0, end1, wait1: stats[GS_LOCK_WAIT_NS] - w0 };
}

describe("pKVM: the vCPU's stage-2 fault takes kvm->mmu_lock for write (kvm_fault_lock, 6.14+)", () => {
  it('pkvm: the preset figures, and the HVC moved from the trap into the hold', () => {
    const { g } = build('pkvm');
    const c = g.costs;
    // The pkvm preset's estimates: s2Fault 7,000, hypercall 1,500, lockAcquire 40, cmpxchg 20, no FWB (CMO 500).
    expect([c[C_S2_FAULT], c[C_HYPERCALL], c[C_LOCK_ACQUIRE], c[C_CMPXCHG], g.cmoNs]).toEqual([
      7000, 1500, 40, 20, 500,
    ]);
    expect(g.faultWrite).toBe(true);
    expect(g.mapHvcNs).toBe(1500);
    expect(g.s2TrapNs).toBe(5500);
    // 40 + 1,500 + 20 + 500 = 2,060.
    expect(mapHoldNs(c, g.cmoNs, g.mapHvcNs)).toBe(2060);
  });

  it('pkvm: two vCPUs faulting at overlapping times serialise; a lone fault ends as before', () => {
    const { g, stats } = build('pkvm');
    const r = twoFaults(g, stats);
    // vCPU 0: trap 5,500 -> asks at 6,500, granted at once, holds 2,060 -> 8,560 (= 1,000 + s2Fault 7,000
    // + the old hold 560: a lone fault's end is unchanged).
    expect(r.end0).toBe(8560);
    // vCPU 1: asks at 1,100 + 5,500 = 6,600, the write lock is held until 8,560: waits 1,960, ends 10,620.
    expect(r.wait1).toBe(1960);
    expect(r.end1).toBe(10620);

    // Negative control (1): the same guest with the read lock (the lab before session 13's change).
    const ctl = build('pkvm');
    (ctl.g as { faultWrite: boolean }).faultWrite = false;
    const o = twoFaults(ctl.g, ctl.stats);
    expect(o.end0).toBe(8560);
    expect(o.wait1).toBe(0); // readers share the lock: the serialisation asserted above is what the write lock adds
    // Only the EL2 part still serialises (session 14, kvm/hypLock.ts): vCPU 1's share section asks at
    // 6,600 + 40 + 1,500 - 190 = 7,950 while vCPU 0's holds host_mmu.lock until 8,560: 610 ns.
    expect(o.end1).toBe(1100 + 5500 + 2060 + 610);
  });

  it('pkvm: a permission fault relaxes by HVC under the write lock; the second waits the first out', () => {
    const { g, stats } = build('pkvm');
    g.fault(7, false, 1000, 0);
    g.fault(8, false, 20_000, 1);
    const T = 100_000;
    const w0 = stats[GS_LOCK_WAIT_NS];
    const e0 = g.permFault(7, T);
    // trap 5,500, hold 40 + 1,500 + 20 = 1,560.
    expect(e0).toBe(T + 5500 + 1560);
    const w1 = stats[GS_LOCK_WAIT_NS];
    expect(w1 - w0).toBe(0);
    const e1 = g.permFault(8, T + 100);
    // asks at T + 5,600, held until T + 7,060: waits 1,460.
    expect(stats[GS_LOCK_WAIT_NS] - w1).toBe(1460);
    expect(e1).toBe(T + 7060 + 1560);
  });

  it('ampere-altra (VHE): read lock, no HVC; overlapping faults do not wait', () => {
    const { g, stats } = build('ampere-altra');
    const c = g.costs;
    expect(g.faultWrite).toBe(false);
    expect(g.mapHvcNs).toBe(0);
    expect(g.s2TrapNs).toBe(c[C_S2_FAULT]);
    const hold = mapHoldNs(c, g.cmoNs);
    const r = twoFaults(g, stats);
    expect(r.end0).toBe(1000 + c[C_S2_FAULT] + hold);
    expect(r.wait1).toBe(0);
    expect(r.end1).toBe(1100 + c[C_S2_FAULT] + hold);
  });
});
