/**
 * max_guest_memory_test's reset step on x86 (workload `resetZapsRoot`, Guest.zapRoot): between run 1 and
 * run 2 every vCPU's KVM_SET_SREGS toggles CR0.WP -> kvm_mmu_reset_context -> kvm_mmu_unload, which puts
 * its reference to the TDP MMU root; the roots are reloaded only at the next KVM_RUN, so the last put
 * (kvm_tdp_mmu_put_root, from 6.0 until the roots were kept alive, 2023, version not checked) invalidates the root and the zap worker removes every SPTE. Run 2 then
 * faults every page into a new root (no frame, no swap-in, no LRU add: the folio is in the memfd's page
 * cache), and a page not yet faulted back is not young to kvm_age_gfn. arm64 has no CR0.WP: nothing.
 *
 * Negative control (automated below): Guest.zapRoot planted as a no-op gives run 2 no fault at all.
 * A page swapped out and back in before the zap is held by the VMM like any other: its re-fault reads
 * nothing from swap. Negative control (run by hand, session 11): userMemAbort's refault test without
 * `!prefaulted` (the old line) fails that case: the re-fault of page 700 is a refault (2, not 1) and
 * takes swapInNs longer than page 701's.
 */
import { describe, expect, it } from 'vitest';
import type { HardwareProfile, ScenarioConfig } from '../../engine/protocol.ts';
import { Guest } from '../../engine/core/sim/guest.ts';
import { stage2GetLeaf } from '../../engine/core/arch/pgtable.ts';
import { C_CMPXCHG, C_LOCK_ACQUIRE, C_S2_FAULT, C_WALK_LEVEL } from '../../engine/core/sim/costs.ts';
import { refillExtraRefs } from '../../engine/core/arch/tlb.ts';
import {
  GS_COLD,
  GS_EVICTIONS,
  GS_HITS,
  GS_PASS_END_NS,
  GS_REFAULTS,
  GS_RESIDENT,
  GS_S2_FAULTS,
  PG_HOST,
  PG_RESIDENT,
  PG_TOUCHED,
} from '../../engine/core/sim/simLayout.ts';
import { hardware, scanSliceScenario, workerOf } from './fixtures.ts';

/** 1024 pages, 2 vCPUs, two passes, on an 8 MiB host (2048 frames): no memory pressure, no reclaim. */
function scenario(hw: HardwareProfile, reset: boolean): ScenarioConfig {
  const c = scanSliceScenario({ name: 'reset', device: 'ssd', prefault: false, harvest: 'locked-write' });
  c.hardware = hw;
  c.host.memoryMiB = 8;
  const w = c.guests[0].workload;
  if (w.kind !== 'scan') throw new Error('scan workload expected');
  w.resetZapsRoot = reset;
  return c;
}

function run(c: ScenarioConfig) {
  const { core, g, stats } = workerOf(c);
  core.loop();
  core.close();
  return {
    g,
    faults: stats[GS_S2_FAULTS],
    cold: stats[GS_COLD],
    hits: stats[GS_HITS],
    refaults: stats[GS_REFAULTS],
    evictions: stats[GS_EVICTIONS],
    resident: stats[GS_RESIDENT],
    run2: stats[GS_PASS_END_NS + 1] - stats[GS_PASS_END_NS],
  };
}

const x86 = (): HardwareProfile => hardware('x86-workstation');

describe('the x86 MMU context reset between the runs (kvm_tdp_mmu_put_root zaps the root)', () => {
  it('run 2 faults every page again, each a fault with no frame, no swap-in and no LRU add', () => {
    const zap = run(scenario(x86(), true));
    const keep = run(scenario(x86(), false));
    // Run 1: 1024 first touches either way. Run 2: 1024 more faults with the reset, 1024 hits without.
    expect(keep.faults).toBe(1024);
    expect(keep.hits).toBe(1024);
    expect(zap.faults).toBe(2048);
    expect(zap.cold).toBe(2048); // a page the VMM holds (PG_HOST) is a first touch of the new root
    expect(zap.hits).toBe(0);
    expect(zap.refaults).toBe(0);
    expect(zap.evictions).toBe(0);
    expect(zap.resident).toBe(1024); // no frame taken or freed by the zap or the re-faults
    expect(zap.g.lruvec.size()).toBe(1024); // no LRU add
    // Run 2 is longer by each vCPU's 512 faults: the trap and user path (s2Fault) and the map's read hold
    // (lockAcquire + cmpxchg; no cache maintenance with S2FWB), where a hit had the same walk and access;
    // and by one full TLB refill of the new root at the vCPU's first access (the lab's 3-level table: the
    // extra references of a two-dimensional walk, walkLevel each).
    const c = zap.g.costs;
    const refill = refillExtraRefs(4 - zap.g.pgt.startLevel) * c[C_WALK_LEVEL];
    expect(zap.run2 - keep.run2).toBe(512 * (c[C_S2_FAULT] + c[C_LOCK_ACQUIRE] + c[C_CMPXCHG]) + refill);
  });

  it('the zap leaves each page held by the VMM only: no leaf, not young to kvm_age_gfn, frame and LRU kept', () => {
    const { core, g } = workerOf(scenario(x86(), false));
    const end = g.fault(700, true, 0);
    expect(end).toBeGreaterThan(0);
    expect(g.flags[700] & PG_RESIDENT).toBe(PG_RESIDENT);
    const free = g.host.free();
    expect(g.zapRoot()).toBe(1);
    expect(stage2GetLeaf(g.pgt, 700 * 4096)).toBeLessThan(0);
    expect(g.flags[700]).toBe(PG_HOST | PG_TOUCHED | (g.flags[700] & 64)); // PG_HOST_YOUNG (the VMM's PTE) kept
    expect(g.harvester.folioReferenced(700)).toBe(false); // kvm_age_gfn: no SPTE, not young
    expect(g.host.free()).toBe(free);
    core.close();
  });

  it('a page swapped out and back in before the zap re-faults as the VMM holds it: no swap read, not a refault', () => {
    // zram: a swap-in is the profile's swapInNs, no swap cache and no readahead. Page 700 is evicted
    // (try_to_unmap, pageout) and faulted back (a refault) before the zap; page 701 is never evicted.
    // After the zap both are in the memfd's page cache with the VMM's PTE: hva_to_pfn_fast, no
    // shmem_swapin_folio. Their re-faults cost the same and neither is a refault.
    const c = scenario(x86(), false);
    c.host.swap = { device: 'zram', sizeMiB: 64 };
    const { core, g, stats } = workerOf(c);
    let t = g.fault(700, true, 0);
    t = g.fault(701, true, t);
    t = g.evictOne(700, t, false);
    expect(g.flags[700] & PG_RESIDENT).toBe(0);
    const back = g.fault(700, true, t);
    expect(back - t).toBeGreaterThanOrEqual(g.swapInNs); // the swap-in, before the zap
    expect(stats[GS_REFAULTS]).toBe(1);
    expect(g.zapRoot()).toBe(2);
    const a = g.fault(700, true, back) - back;
    const b = g.fault(701, true, back + 1e9) - (back + 1e9);
    expect(a).toBe(b);
    expect(a).toBeLessThan(g.swapInNs);
    expect(stats[GS_REFAULTS]).toBe(1);
    expect(g.flags[700] & PG_RESIDENT).toBe(PG_RESIDENT);
    core.close();
  });

  it('arm64 (no CR0.WP; the Altra profile) keeps its stage-2 whatever the flag', () => {
    const altra = run(scenario(hardware('ampere-altra'), true));
    expect(altra.faults).toBe(1024);
    expect(altra.hits).toBe(1024);
  });

  it('negative control: a zap that removes nothing (the old behaviour) leaves run 2 without faults', () => {
    const { zapRoot } = Guest.prototype;
    Guest.prototype.zapRoot = () => 0;
    try {
      const planted = run(scenario(x86(), true));
      expect(planted.faults).toBe(1024); // the first case's 2048 fails
      expect(planted.hits).toBe(1024);
    } finally {
      Guest.prototype.zapRoot = zapRoot;
    }
  });
});
