/**
 * workingset_refault for the classic LRU's anon lists (mm/workingset.c, 6.1-6.4; mm/policy/activeInactive.ts):
 * an evicted folio leaves a shadow holding lruvec->nonresident_age; the age advances by one per eviction
 * (workingset_eviction) and per activation (move_folios_to_lru of an activated folio, and a refault
 * activation itself); a swap-in whose refault distance (age now - shadow) is at most NR_ACTIVE_ANON joins
 * the active list (folio_set_active before folio_add_lru), otherwise the inactive one.
 *
 * Negative controls, each planted in activeInactive.ts and this file run against it (session 11):
 * - every swap-in to the inactive list (no refault check, the lab before): all 3 cases fail;
 * - every refault activated whatever its distance: cases 1 and 3 fail;
 * - nonresident_age advanced on evictions only (not on activations): all 3 fail (case 1: tokens 0..3,
 *   age 4, page 3's distance 3 <= 3 active pages activates it too);
 * - the token kept in the tag's 16 bits only: case 3 fails (distance 65,536, not 0);
 * - `evicted` advancing the age as well (counted twice for a folio freed after its swap write): all 3 fail.
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

const HEADS = 8;

function lists(n: number): {
  ai: ActiveInactive;
  list: DList;
  folioFlags: Uint8Array;
  young: Set<number>;
  r: Reclaimer;
} {
  const list = new DList(new Int32Array(2 * (n + HEADS)), 0, n + HEADS);
  const folioFlags = new Uint8Array(n);
  const tag = new Int16Array(n);
  const ai = new ActiveInactive(
    list,
    tag,
    n,
    new Float64Array(GS_WORDS),
    0,
    new AgingGate(0),
    undefined,
    true,
    1,
    folioFlags,
  );
  const young = new Set<number>();
  const r = youngSetReclaimer(young);
  return { ai, list, folioFlags, young, r };
}

/** The ids on list head `h` (tail to head, along the prev links). */
function ids(list: DList, h: number): number[] {
  const out: number[] = [];
  for (let id = list.a[list.prevBase + h]; id !== h; id = list.a[list.prevBase + id]) out.push(id);
  return out;
}

describe('workingset_refault on the anon lists (active/inactive)', () => {
  it('activates a swap-in whose refault distance is within NR_ACTIVE_ANON, counting activations in the age', () => {
    const { ai, list, young, r } = lists(6);
    for (let id = 0; id < 6; id++) mapRef(ai, id); // inactive, tail first: 0, 1, ..., 5
    young.add(0);
    young.add(1);
    // 0, 1 young: activated (age 1, 2); 2 old: evicted, token 2, age 3.
    expect(ai.pickVictim(r, false)).toBe(2);
    expect(ai.pickVictim(r, false)).toBe(3); // token 3, age 4
    expect(ai.pickVictim(r, false)).toBe(4); // token 4, age 5
    expect(ai.pickVictim(r, false)).toBe(5); // token 5, age 6
    expect(ai.workingset()).toMatchObject({ age: 6, activations: 0 });
    // Active: 0, 1 (2 pages). Refaults, each against the active list as it is then:
    mapRef(ai, 2); // 6 - 2 = 4 > 2: inactive
    mapRef(ai, 5); // 6 - 5 = 1 <= 2: active, age 7
    mapRef(ai, 3); // 7 - 3 = 4 > 3: inactive
    mapRef(ai, 4); // 7 - 4 = 3 <= 3: active, age 8
    expect(ai.workingset()).toMatchObject({ age: 8, activations: 2 });
    expect(ids(list, 6).sort()).toEqual([0, 1, 4, 5]); // active head = 6, inactive head = 7
    expect(ids(list, 7).sort()).toEqual([2, 3]);
    expect(ai.inactivePages()).toBe(2);
    expect(ai.size()).toBe(6);
  });

  it('a folio freed after its swap write takes its token then, and the age advances once', () => {
    const { ai, folioFlags, young, r } = lists(3);
    for (let id = 0; id < 3; id++) mapRef(ai, id);
    young.add(0);
    expect(ai.pickVictim(r, false)).toBe(1); // 0 activated (age 1); 1 evicted, age 2
    folioFlags[1] = 0; // under writeback in the swap cache: the node clears the mark (Pgdat.shrinkNode)
    expect(ai.pickVictim(r, false)).toBe(2); // age 3
    ai.evicted(1); // the written folio is freed now (Pgdat.endWriteback): token 3
    expect(ai.workingset().age).toBe(3);
    mapRef(ai, 1); // 3 - 3 = 0 <= 1 active: active
    expect(ai.workingset()).toMatchObject({ age: 4, activations: 1 });
    expect(ai.inactivePages()).toBe(0);
  });

  it('keeps the token beyond 16 bits (EVICTION_MASK of 23 bits)', () => {
    const { ai, young, r } = lists(1);
    mapRef(ai, 0);
    let victims = 0;
    for (let i = 0; i < 70_000; i++) {
      if (ai.pickVictim(r, false) === 0) victims++;
      mapRef(ai, 0); // distance 1 > 0 active pages: inactive
    }
    expect(victims).toBe(70_000);
    void young;
    expect(ai.workingset()).toMatchObject({ age: 70_000, activations: 0 });
    expect(ai.pickVictim(r, false)).toBe(0); // token 70,000, age 70,001
    ai.evicted(0); // token 70,001 (> 2^16)
    mapRef(ai, 0); // distance 0 <= 0: active
    expect(ai.workingset()).toMatchObject({ age: 70_002, activations: 1 });
    expect(ai.inactivePages()).toBe(0);
  });
});
