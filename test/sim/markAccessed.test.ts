/**
 * The classic LRU's PG_referenced (mm/policy/activeInactive.ts) and the stage-2 fault's
 * folio_mark_accessed calls (kvm/faultinMarks.ts markOnMap), 6.1-6.4:
 * - folio_mark_accessed (mm/swap.c): !PG_referenced -> set it; else, inactive -> folio_activate, clear it,
 *   workingset_activation (nonresident_age + 1);
 * - folio_check_references (mm/vmscan.c): a young folio is activated only if PG_referenced was set, else
 *   PG_referenced is set and the folio goes back to the inactive head (FOLIOREF_KEEP);
 * - per stage-2 map: FOLL_TOUCH (get_user_pages_unlocked in hva_to_pfn_slow, only when the VMM's PTE was
 *   not present), kvm_release_pfn_clean -> kvm_set_page_accessed (both architectures), and arm64's
 *   kvm_set_pfn_accessed (user_mem_abort): 3 / 2 marks on arm64, 2 / 1 on x86 (not pre-faulted / pre-faulted);
 *   a pre-faulted page's GUP-fast pin sets PG_referenced without a mark (kvm/faultinMarks.ts, session 15).
 *
 * Negative controls, run by hand against the code (session 14):
 * - the PG_referenced test made always false (sed on `(f & FOLIO_REFERENCED) === 0`, which also hits
 *   markAccessed's first branch): pickVictim activates every young folio on its first look (the lab
 *   before) and case 2 fails (folio 0 on the active list after the first pick); case 1 fails too;
 * - Guest.faultMarks 1 on arm64 too (kvm_set_pfn_accessed dropped): case 3 fails on the Altra counts
 *   (2,048 / 1,024 instead of 3,072 / 2,048);
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HardwareProfile, ScenarioConfig } from '../../engine/protocol.ts';
import { ActiveInactive } from '../../engine/core/mm/policy/activeInactive.ts';
import type { DList } from '../../engine/core/sim/dlist.ts';
import { GS_EVICTIONS, GS_S2_FAULTS } from '../../engine/core/sim/simLayout.ts';
import { handActiveInactive, hardware, scanSliceScenario, workerOf, youngSetReclaimer } from './fixtures.ts';

function lists(n: number) {
  const { ai, list } = handActiveInactive(n);
  const young = new Set<number>();
  const r = youngSetReclaimer(young);
  return { ai, list, young, r, active: n, inactive: n + 1 };
}

/** The ids on list head `h`, tail to head. */
function ids(list: DList, h: number): number[] {
  const out: number[] = [];
  for (let id = list.a[list.prevBase + h]; id !== h; id = list.a[list.prevBase + id]) out.push(id);
  return out;
}

describe('PG_referenced on the classic LRU', () => {
  it('folio_mark_accessed: the first mark sets PG_referenced, the second activates and ages nonresident_age', () => {
    const { ai, list, active, inactive } = lists(3);
    for (let id = 0; id < 3; id++) ai.onMap(id);
    ai.markAccessed(1);
    expect(ids(list, inactive)).toEqual([0, 1, 2]);
    expect(ai.workingset().age).toBe(0);
    ai.markAccessed(1);
    expect(ids(list, inactive)).toEqual([0, 2]);
    expect(ids(list, active)).toEqual([1]);
    expect(ai.workingset().age).toBe(1);
    // Active: a third mark sets PG_referenced again, nothing moves.
    ai.markAccessed(1);
    ai.markAccessed(1);
    expect(ids(list, active)).toEqual([1]);
    expect(ai.workingset().age).toBe(1);
  });

  it('folio_check_references: a young folio without PG_referenced is kept on the inactive list, activated on its next young look', () => {
    const { ai, list, young, r, active, inactive } = lists(2);
    ai.onMap(0);
    ai.onMap(1); // inactive, tail first: 0, 1
    young.add(0);
    // 0 young, no PG_referenced: set, back to the inactive head (KEEP); 1 old: evicted (age 1).
    expect(ai.pickVictim(r, false)).toBe(1);
    expect(ids(list, inactive)).toEqual([0]);
    expect(ids(list, active)).toEqual([]);
    expect(ai.workingset().age).toBe(1);
    young.add(0);
    // 0 young with PG_referenced: activated (age 2), the inactive list is empty.
    expect(ai.pickVictim(r, false)).toBe(-1);
    expect(ids(list, active)).toEqual([0]);
    expect(ai.workingset().age).toBe(2);
  });
});

describe('folio_mark_accessed calls of a stage-2 fault (classic LRU, no memory pressure)', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  /** 1024 pages written by 2 vCPUs, twice, on an 8 MiB host: 1024 faults in run 1, hits in run 2. */
  function marks(hw: HardwareProfile, prefault: boolean) {
    const c: ScenarioConfig = scanSliceScenario({ name: 'marks', device: 'ssd', prefault, harvest: 'locked-write' });
    c.hardware = hw;
    c.host.memoryMiB = 8;
    c.reclaim.policy = 'active-inactive';
    const spy = vi.spyOn(ActiveInactive.prototype, 'markAccessed');
    const { core, g, stats } = workerOf(c);
    core.loop();
    core.close();
    expect(stats[GS_S2_FAULTS]).toBe(1024);
    expect(stats[GS_EVICTIONS]).toBe(0);
    const ai = g.lruvec as ActiveInactive;
    const calls = spy.mock.calls.length;
    spy.mockRestore();
    return { calls, inactive: ai.inactivePages(), size: ai.size() };
  }

  it('arm64: FOLL_TOUCH, kvm_set_pfn_accessed and the release: 3 marks a first touch, 2 a pre-faulted page; all active', () => {
    const altra = hardware('ampere-altra');
    expect(marks(altra, false)).toEqual({ calls: 3 * 1024, inactive: 0, size: 1024 });
    // Pre-faulted: PG_referenced (the pre-fault's reclaim look; GUP-fast sets it too), so the first mark activates.
    expect(marks(altra, true)).toEqual({ calls: 2 * 1024, inactive: 0, size: 1024 });
  });

  it('x86: FOLL_TOUCH and the release only: 2 marks a first touch, 1 a pre-faulted page; all active', () => {
    const x86 = hardware('x86-workstation');
    expect(marks(x86, false)).toEqual({ calls: 2 * 1024, inactive: 0, size: 1024 });
    expect(marks(x86, true)).toEqual({ calls: 1024, inactive: 0, size: 1024 });
  });
});
