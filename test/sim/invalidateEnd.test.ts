/**
 * try_to_unmap_one brackets one folio's PTE clear with mmu_notifier_invalidate_range_start / _end, and
 * KVM takes kvm->mmu_lock for write in both (virt/kvm/kvm_main.c, v6.1-v6.6: range_start runs
 * kvm_unmap_gfn_range, range_end only kvm_mmu_invalidate_end). So an eviction is two write-lock
 * acquisitions, and a reader that queued behind the first gets the lock before the second.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioConfig } from '../../engine/protocol.ts';
import { hostUnmapFlushNs, invalidateEndHoldNs, unmapHoldNs } from '../../engine/core/sim/guest.ts';
import { C_LOCK_ACQUIRE, C_S2_FAULT } from '../../engine/core/sim/costs.ts';
import { GS_KSWAPD_WRITE_WAIT_NS, GS_LOCK_HOLD_NS } from '../../engine/core/sim/simLayout.ts';
import { hardware, uniformGuestScenario, workerOf } from './fixtures.ts';

function config(): ScenarioConfig {
  return uniformGuestScenario({ name: 'invalidate-end', hardware: hardware('ampere-altra'), vcpus: 2 });
}

describe('an eviction takes the MMU write lock twice (invalidate_range_start, invalidate_range_end)', () => {
  it('two write holds per evicted folio: the unmap, then kvm_mmu_invalidate_end, one acquire each', () => {
    const { g, stats } = workerOf(config());
    const c = g.costs;
    expect(invalidateEndHoldNs(c)).toBe(c[C_LOCK_ACQUIRE]);
    g.fault(7, true, 1000);
    const writes = g.vlock.pending.writes;
    const before = stats[GS_LOCK_HOLD_NS];
    const t = 50_000;
    const end = g.evictOne(7, t, false);
    expect(g.vlock.pending.writes - writes).toBe(2);
    expect(stats[GS_LOCK_HOLD_NS] - before).toBe(unmapHoldNs(c, g.cmoNs) + invalidateEndHoldNs(c));
    // Between the two holds, outside the lock: the VMM's PTE flush (arm64, v6.2-v6.4: hostUnmapFlush.test.ts).
    expect(end).toBe(t + unmapHoldNs(c, g.cmoNs) + hostUnmapFlushNs(c, false) + invalidateEndHoldNs(c) + g.swapOutNs);
    // Negative control: folio_referenced's locked age (kvm_handle_hva_range once, no range_start/end)
    // books one write hold, as does a plain write request.
    const w0 = g.vlock.pending.writes;
    g.vlock.write(200_000, 10, true);
    expect(g.vlock.pending.writes - w0).toBe(1);
  });

  it('a vCPU fault queued behind the unmap gets the read lock before invalidate_range_end (kswapd waits for it)', () => {
    const { g, stats } = workerOf(config());
    const c = g.costs;
    const t = 50_000;
    // Another vCPU's fault asks for the read lock while the unmap holds the write lock; booked first,
    // as the scheduler would run it first when its request is earlier.
    g.fault(9, true, t - c[C_S2_FAULT] + 100);
    const mapHold = stats[GS_LOCK_HOLD_NS];
    g.fault(7, true, 1000);
    const readStart = t + 100;
    const kswapdWait = stats[GS_KSWAPD_WRITE_WAIT_NS];
    // The unmap at t overlaps the booked read [t + 100, t + 100 + mapHold): it goes after it; then
    // range_end after the unmap and the VMM's PTE flush.
    const end = g.evictOne(7, t, false);
    const unmapStart = readStart + mapHold;
    expect(stats[GS_KSWAPD_WRITE_WAIT_NS] - kswapdWait).toBe(unmapStart - t);
    expect(end).toBe(
      unmapStart + unmapHoldNs(c, g.cmoNs) + hostUnmapFlushNs(c, false) + invalidateEndHoldNs(c) + g.swapOutNs,
    );
    // A read arriving during the unmap's hold is granted at its end, before range_end is asked for...
    const { g: g2 } = workerOf(config());
    g2.fault(7, true, 1000);
    const unmapEnd = t + unmapHoldNs(c, g2.cmoNs);
    const w = g2.vlock;
    // Book the unmap's hold alone, as evictOne does first, then a read queued behind it, then range_end.
    expect(w.write(t, unmapHoldNs(c, g2.cmoNs), false)).toBe(t);
    expect(w.read(t + 10, 460, false)).toBe(unmapEnd);
    expect(w.write(unmapEnd, invalidateEndHoldNs(c), false)).toBe(unmapEnd + 460);
    // ... while one hold of both lengths (the single hold before this change) would keep it out until
    // both were over: the negative control.
    const { g: g3 } = workerOf(config());
    const one = g3.vlock;
    expect(one.write(t, unmapHoldNs(c, g3.cmoNs) + invalidateEndHoldNs(c), false)).toBe(t);
    expect(one.read(t + 10, 460, false)).toBe(unmapEnd + invalidateEndHoldNs(c));
  });
});
