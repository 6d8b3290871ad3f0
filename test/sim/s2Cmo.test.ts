/**
 * Stage-2 cache maintenance without FEAT_S2FWB: stage2_map_walker_try_leaf runs dcache_clean_inval_poc
 * on the page before it makes the new leaf valid, inside user_mem_abort's kvm->mmu_lock read hold;
 * stage2_unmap_walker runs it after clearing the leaf, inside kvm_unmap_gfn_range's write hold. With
 * FWB (or a profile saved before the flag existed) neither is charged.
 */
import { hostUnmapFlushNs, invalidateEndHoldNs } from '../../engine/core/sim/guest.ts';
import { describe, expect, it } from 'vitest';
import type { HardwareProfile, ScenarioConfig } from '../../engine/protocol.ts';
import type { Guest } from '../../engine/core/sim/guest.ts';
import {
  C_CMPXCHG,
  C_DCACHE_CLEAN_INVAL,
  C_LOCK_ACQUIRE,
  C_S2_FAULT,
  C_TLB_INVALIDATE,
} from '../../engine/core/sim/costs.ts';
import { GS_LOCK_HOLD_NS } from '../../engine/core/sim/simLayout.ts';
import { validateHardwareProfile } from '../../engine/core/config/hardware.ts';
import { hardware, uniformGuestScenario, workerOf } from './fixtures.ts';

function config(hw: HardwareProfile): ScenarioConfig {
  return uniformGuestScenario({ name: 's2cmo', hardware: hw, vcpus: 1 });
}

function build(hw: HardwareProfile): { g: Guest; stats: Float64Array } {
  return workerOf(config(hw));
}

const altra = (): HardwareProfile => hardware('ampere-altra');
const withFwb = (): HardwareProfile => ({ ...altra(), s2fwb: true });

/**
 * Faults gfn 7 in at t = 1000, then asks for the MMU lock for write just after the trap (while the map
 * holds it for read): returns the read hold booked and when the writer got the lock.
 */
function mapThenWriter(hw: HardwareProfile): { hold: number; writerAt: number; g: Guest } {
  const { g, stats } = build(hw);
  const c = g.costs;
  const before = stats[GS_LOCK_HOLD_NS];
  const end = g.fault(7, false, 1000);
  const hold = stats[GS_LOCK_HOLD_NS] - before;
  expect(end).toBe(1000 + c[C_S2_FAULT] + hold);
  const writerAt = g.vlock.write(1000 + c[C_S2_FAULT] + 1, 10, false);
  return { hold, writerAt, g };
}

describe('stage-2 cache maintenance (no FEAT_S2FWB)', () => {
  it('the presets: all three profiles lack FWB (Armv8.0 / v8.2) and carry a sourced dcacheCleanInval', () => {
    for (const id of ['ampere-altra', 'phone-prev82', 'pkvm'] as const) {
      const hw = hardware(id);
      expect(hw.s2fwb).toBe(false);
      expect(hw.costs.dcacheCleanInval.ns).toBeGreaterThan(0);
      expect(hw.costs.dcacheCleanInval.source).toMatch(/^Estimate/);
    }
  });

  it("a fault's map holds the read lock longer by the CMO, and a writer arriving meanwhile waits for it", () => {
    const cmo = mapThenWriter(altra());
    const c = cmo.g.costs;
    expect(c[C_DCACHE_CLEAN_INVAL]).toBe(400);
    expect(cmo.hold).toBe(c[C_LOCK_ACQUIRE] + c[C_CMPXCHG] + c[C_DCACHE_CLEAN_INVAL]);
    // Negative control: with FWB the hold is the old one and the writer gets the lock earlier by the CMO.
    const fwb = mapThenWriter(withFwb());
    expect(fwb.g.cmoNs).toBe(0);
    expect(fwb.hold).toBe(c[C_LOCK_ACQUIRE] + c[C_CMPXCHG]);
    expect(cmo.writerAt - fwb.writerAt).toBe(c[C_DCACHE_CLEAN_INVAL]);
    expect(cmo.writerAt).toBe(1000 + c[C_S2_FAULT] + cmo.hold);
  });

  it("an unmap's write hold includes the CMO; none with FWB", () => {
    const holds = [altra(), withFwb()].map((hw) => {
      const { g, stats } = build(hw);
      g.fault(7, true, 1000);
      const before = stats[GS_LOCK_HOLD_NS];
      const end = g.evictOne(7, 50_000, false);
      const hold = stats[GS_LOCK_HOLD_NS] - before;
      // The holds, the VMM's PTE flush between them (hostUnmapFlush.test.ts), the swap-out.
      expect(end).toBe(50_000 + hold + hostUnmapFlushNs(g.costs, false) + g.swapOutNs);
      return { hold, c: g.costs };
    });
    const c = holds[0].c;
    // The unmap's hold (invalidate_range_start) and invalidate_range_end's, which cleans nothing.
    const base = c[C_LOCK_ACQUIRE] + c[C_CMPXCHG] + 2 * c[C_TLB_INVALIDATE] + invalidateEndHoldNs(c);
    expect(holds[0].hold).toBe(base + c[C_DCACHE_CLEAN_INVAL]);
    expect(holds[1].hold).toBe(base); // negative control
  });

  it('a profile saved before the flag and the cost existed loads with no CMO charged', () => {
    const old = structuredClone(altra()) as unknown as Record<string, unknown> & { costs: Record<string, unknown> };
    delete old.s2fwb;
    delete old.costs.dcacheCleanInval;
    const r = validateHardwareProfile(old);
    if (!r.ok) throw new Error(JSON.stringify(r));
    expect(r.value.s2fwb).toBeUndefined();
    expect(r.value.costs.dcacheCleanInval.ns).toBe(0);
    const { g, stats } = build(r.value);
    expect(g.cmoNs).toBe(0);
    const before = stats[GS_LOCK_HOLD_NS];
    g.fault(7, false, 1000);
    expect(stats[GS_LOCK_HOLD_NS] - before).toBe(g.costs[C_LOCK_ACQUIRE] + g.costs[C_CMPXCHG]);
    // A flag of the wrong type is named.
    const bad = validateHardwareProfile({ ...altra(), s2fwb: 'no' });
    expect(bad.ok).toBe(false);
    expect(JSON.stringify(bad)).toContain('s2fwb');
  });
});
