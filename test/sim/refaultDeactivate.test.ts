/**
 * prepare_scan_count's DEACTIVATE_ANON and shrink_lruvec's lockstep scan (mm/vmscan.c, 6.1-6.4;
 * mm/policy/activeInactive.ts): while refaults were activated since the last snapshot_refaults (or
 * inactive_is_low), each inactive folio scanned owes one active folio scanned (shrink_list on
 * LRU_INACTIVE_ANON then LRU_ACTIVE_ANON, SWAP_CLUSTER_MAX each); the deactivation pass pays it.
 * snapshot_refaults (end of balance_pgdat / do_try_to_free_pages) ends it until the next activation.
 *
 * Negative controls, planted in activeInactive.ts and this file run against it (session 11):
 * - DEACTIVATE_ANON from inactive_is_low only (the lab before): the first case fails (no pass is due);
 * - snapshotRefaults doing nothing: the second case fails (the scan after the snapshot owes one more).
 */
import { describe, expect, it } from 'vitest';
import { ActiveInactive } from '../../engine/core/mm/policy/activeInactive.ts';
import { AgingGate } from '../../engine/core/mm/policy/agingGate.ts';
import { DList } from '../../engine/core/sim/dlist.ts';
import type { Reclaimer } from '../../engine/core/mm/policy/policy.ts';
import { GS_WORDS } from '../../engine/core/sim/simLayout.ts';
import { youngSetReclaimer } from './fixtures.ts';

/**
 * onMap, then PG_referenced as the fault's first folio_mark_accessed leaves it (Policy.markAccessed;
 * kvm/faultinMarks.ts markOnMap): a young folio at the inactive tail is then activated on its first look
 * (folio_check_references), the behaviour this file's hand computations assume.
 */
function mapRef(ai: ActiveInactive, id: number): void {
  ai.onMap(id);
  ai.setReferenced(id);
}

const N = 8;
const HEADS = 8;
const ACTIVE = N; // the list heads: active = headBase, inactive = headBase + 1
const INACTIVE = N + 1;

function ids(list: DList, h: number): number[] {
  const out: number[] = [];
  for (let id = list.a[list.prevBase + h]; id !== h; id = list.a[list.prevBase + id]) out.push(id);
  return out;
}

/**
 * 8 pages (scale 1, below 1 GiB: inactive_is_low iff inactive < active). 0 and 1 found young (activated),
 * 2 evicted, then refaulted within the workingset (activated: WORKINGSET_ACTIVATE_ANON 1). Lists then:
 * active [0, 1, 2] (tail first), inactive [3, 4, 5, 6, 7]: not low.
 */
function setup(): { ai: ActiveInactive; list: DList; r: Reclaimer; young: Set<number> } {
  const list = new DList(new Int32Array(2 * (N + HEADS)), 0, N + HEADS);
  const ai = new ActiveInactive(list, new Int16Array(N), N, new Float64Array(GS_WORDS), 0, new AgingGate(0));
  const young = new Set<number>([0, 1]);
  const r = youngSetReclaimer(young);
  for (let id = 0; id < N; id++) mapRef(ai, id);
  expect(ai.pickVictim(r, false)).toBe(2); // 0, 1 activated (age 2); 2 evicted: token 2, age 3
  mapRef(ai, 2); // distance 1 <= 2 active: active
  expect(ai.workingset().activations).toBe(1);
  expect(ids(list, ACTIVE)).toEqual([0, 1, 2]);
  expect(ids(list, INACTIVE)).toEqual([3, 4, 5, 6, 7]);
  return { ai, list, r, young };
}

describe('refault-driven deactivation (DEACTIVATE_ANON, shrink_lruvec)', () => {
  it('with refaults activated since the snapshot, each inactive folio scanned owes one active folio', () => {
    const { ai, list, r } = setup();
    // The pickVictim above scanned 0, 1, 2 before any activation by refault (and not low): owed nothing.
    expect(ai.wantsAging(0)).toBe(false);
    expect(ai.pickVictim(r, false)).toBe(3); // owes 1
    expect(ai.pickVictim(r, false)).toBe(4); // owes 2; inactive [5, 6, 7] = active 3: not low
    expect(ai.wantsAging(0)).toBe(true);
    expect(ai.beginAging(0)).toBe(true);
    expect(ai.ageStep(r)).toBe(false); // two deactivated (the active tail: 0, then 1), none due after
    expect(ids(list, ACTIVE)).toEqual([2]);
    expect(ids(list, INACTIVE)).toEqual([5, 6, 7, 0, 1]);
    expect(ai.wantsAging(0)).toBe(false);
  });

  it('snapshot_refaults ends it: then only inactive_is_low deactivates', () => {
    const { ai, r } = setup();
    ai.snapshotRefaults();
    expect(ai.pickVictim(r, false)).toBe(3); // inactive 5 vs active 3, no new activation: owes nothing
    expect(ai.wantsAging(0)).toBe(false);
    expect(ai.pickVictim(r, false)).toBe(4);
    expect(ai.pickVictim(r, false)).toBe(5); // scanned at inactive 3 = active 3: not low, owes nothing
    expect(ai.wantsAging(0)).toBe(true); // now inactive 2 < active 3: low
    ai.beginAging(0);
    expect(ai.ageStep(r)).toBe(false); // one deactivation (0) makes it 3 vs 2
    expect(ai.inactivePages()).toBe(3);
  });
});
