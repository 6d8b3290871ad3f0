/**
 * What KVM's MMU does to a folio's classic-LRU state (kvm/faultinMarks.ts), 6.1-6.4 (session 15 (a)):
 * - the stage-2 fault's pfn lookup: hva_to_pfn_fast -> GUP-fast's gup_pte_range -> folio_set_referenced when
 *   the VMM's PTE is present (pre-faulted, or left by x86's root zap); else hva_to_pfn_slow's FOLL_TOUCH ->
 *   follow_page_pte -> mark_page_accessed; then the release's marks (x86 1, arm64 2);
 * - x86's root zap: handle_changed_spte -> kvm_set_pfn_accessed on every accessed leaf it removes.
 *
 * Negative controls, run by hand against the code (session 15):
 * - faultinMarks without GUP-fast's setReferenced (the session-14 lab): case 1 fails (page 0 stays inactive,
 *   PG_referenced set, age 0: the x86 pre-faulted fault without the pre-fault's PG_referenced), and so does
 *   case 2 (its arm64 GUP-fast fault ends active but unreferenced);
 * - zapMarks without the pteYoung test: case 6 fails (1,024 marks instead of 512);
 * - Guest.zapRoot without its zapMarks call: case 4 fails (3,072 marks instead of 4,096).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HardwareProfile, ScenarioConfig } from '../../engine/protocol.ts';
import { ActiveInactive, FOLIO_REFERENCED } from '../../engine/core/mm/policy/activeInactive.ts';
import { GS_S2_FAULTS } from '../../engine/core/sim/simLayout.ts';
import { faultinMarks, markOnMap, zapMarks } from '../../engine/core/kvm/faultinMarks.ts';
import type { Policy } from '../../engine/core/mm/policy/policy.ts';
import { stage2GetLeaf } from '../../engine/core/arch/pgtable.ts';
import { S2_AF } from '../../engine/core/arch/descriptor.ts';
import { PAGE_SIZE } from '../../engine/core/layout.ts';
import { handActiveInactive, hardware, scanSliceScenario, workerOf } from './fixtures.ts';

function lists(n: number) {
  const { ai, folioFlags } = handActiveInactive(n);
  for (let id = 0; id < n; id++) ai.onMap(id); // inactive, no PG_referenced
  const referenced = (id: number): boolean => (folioFlags[id] & FOLIO_REFERENCED) !== 0;
  return { ai, referenced };
}

describe('faultinMarks: the stage-2 fault on the classic LRU', () => {
  it('x86, VMM PTE present: GUP-fast sets PG_referenced, the release activates (no pre-fault premise needed)', () => {
    const { ai, referenced } = lists(2);
    faultinMarks(ai, 0, true, 1);
    // folio_set_referenced, then mark_page_accessed: referenced and inactive -> activate, clear, age + 1.
    expect(ai.inactivePages()).toBe(1);
    expect(referenced(0)).toBe(false);
    expect(ai.workingset().age).toBe(1);
    // The session-14 lab's call for the same fault (one mark, nothing from GUP-fast): set, no activation.
    markOnMap(ai, 1, 1);
    expect(ai.inactivePages()).toBe(1);
    expect(referenced(1)).toBe(true);
    expect(ai.workingset().age).toBe(1);
  });

  it('slow GUP (first touch, swap-in): FOLL_TOUCH marks, then the release: x86 active unreferenced, arm64 active referenced', () => {
    const { ai, referenced } = lists(2);
    faultinMarks(ai, 0, false, 1); // FOLL_TOUCH: set; release: activate, clear
    expect(referenced(0)).toBe(false);
    faultinMarks(ai, 1, false, 2); // FOLL_TOUCH: set; kvm_set_pfn_accessed: activate, clear; release: set
    expect(referenced(1)).toBe(true);
    expect(ai.inactivePages()).toBe(0);
    expect(ai.workingset().age).toBe(2);
    // arm64 GUP-fast: set, activate + clear, set: the same end state as a first touch.
    const b = lists(1);
    faultinMarks(b.ai, 0, true, 2);
    expect(b.ai.inactivePages()).toBe(0);
    expect(b.referenced(0)).toBe(true);
  });

  it('a policy without setReferenced (MGLRU, exact LRU, CLOCK) takes only the marks', () => {
    const n: number[] = [];
    const p = { markAccessedN: (_id: number, k: number) => void n.push(k) } as unknown as Policy;
    faultinMarks(p, 0, true, 2);
    faultinMarks(p, 0, false, 1);
    expect(n).toEqual([2, 2]);
  });
});

describe("x86's root zap marks each accessed leaf (kvm_set_pfn_accessed from handle_changed_spte)", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  /** 1024 pages, 2 vCPUs, two passes, 8 MiB host: no pressure, so no aging; every leaf young at the zap. */
  function scenario(hw: HardwareProfile): ScenarioConfig {
    const c = scanSliceScenario({ name: 'zapMarks', device: 'ssd', prefault: false, harvest: 'locked-write' });
    c.hardware = hw;
    c.host.memoryMiB = 8;
    c.reclaim.policy = 'active-inactive';
    const w = c.guests[0].workload;
    if (w.kind !== 'scan') throw new Error('scan workload expected');
    w.resetZapsRoot = true;
    return c;
  }

  it('x86: 2 marks per first touch, 1 per accessed leaf at the zap, 1 per run-2 re-fault; all active', () => {
    const spy = vi.spyOn(ActiveInactive.prototype, 'markAccessed');
    const { core, g, stats } = workerOf(scenario(hardware('x86-workstation')));
    core.loop();
    core.close();
    expect(stats[GS_S2_FAULTS]).toBe(2048);
    // Run 1: FOLL_TOUCH + release = 2,048; zap: 1,024 (every leaf young); run 2: GUP-fast's
    // folio_set_referenced (not a mark) + release = 1,024.
    expect(spy.mock.calls.length).toBe(4096);
    expect((g.lruvec as ActiveInactive).inactivePages()).toBe(0);
    spy.mockRestore();
  });

  it('arm64 (no reset): 3 marks per first touch, no zap, no run-2 fault', () => {
    const spy = vi.spyOn(ActiveInactive.prototype, 'markAccessed');
    const { core, stats } = workerOf(scenario(hardware('ampere-altra')));
    core.loop();
    core.close();
    expect(stats[GS_S2_FAULTS]).toBe(1024);
    expect(spy.mock.calls.length).toBe(3072);
    spy.mockRestore();
  });

  it('zapMarks marks only leaves whose accessed bit is set (an aged leaf is not marked)', () => {
    const { core, g } = workerOf(scenario(hardware('x86-workstation')));
    core.loop();
    core.close();
    // After run 2 every page is mapped again, young. Age the even gfns (kvm_age_gfn clears A).
    const i32 = g.pgt.views.i32;
    for (let gfn = 0; gfn < g.pages; gfn += 2) {
      const w = stage2GetLeaf(g.pgt, gfn * PAGE_SIZE);
      expect(w).toBeGreaterThanOrEqual(0);
      i32[w] &= ~S2_AF;
    }
    const marked: number[] = [];
    const p = { markAccessedN: (id: number, k: number) => void marked.push(id - g.idBase, k) } as unknown as Policy;
    expect(zapMarks(p, g.pgt, g.flags, g.idBase, g.pages)).toBe(512);
    expect(marked.length).toBe(1024);
    for (let k = 0; k < marked.length; k += 2) {
      expect(marked[k] % 2).toBe(1);
      expect(marked[k + 1]).toBe(1);
    }
  });
});
