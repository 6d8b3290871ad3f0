/**
 * The stage-2 fault's folio_mark_accessed calls in a spread run (kvm/faultinMarks.ts markOnMap through the
 * worker's lru_add batch, mm/lruAdd.ts markAccessedN; mm/sharedLru.ts LockedLruvec.markAccessedN), against
 * the deterministic run's (markOnMap on the lruvec right after onMap). Kernel, mm/swap.c 6.1-6.4:
 * folio_mark_accessed on a folio still in this CPU's lru_add batch (no PG_LRU) sets / clears PG_referenced on
 * the folio and, for the second mark, __lru_cache_activate_folio sets PG_active on it in the batch, so
 * lru_add_fn puts it on the active list; MGLRU's folio_inc_refs bits are kept by lru_gen_add_folio. On the
 * LRU: folio_activate (classic) / folio_inc_refs (MGLRU).
 *
 * Hand-computed, arm64 (Guest.faultMarks 2; a first touch adds FOLL_TOUCH's mark: 3 marks):
 * - classic LRU: mark 1 sets PG_referenced, mark 2 activates (nonresident_age + 1, PG_referenced cleared),
 *   mark 3 sets PG_referenced: the folio on the active list with PG_referenced, age 1 per fault;
 * - MGLRU: PG_referenced, then PG_workingset, then LRU_REFS 1: flags 8 | 4 | 1 = 13.
 *
 * Negative controls (run by hand for this commit): (1) userMemAbort's marks back to deterministic runs only
 * (`g.lruAdd === null` restored): all four cases fail (the spread folios stay on the inactive list with
 * PG_referenced clear, age 0; MGLRU flags 0 against 13; the fourth on the ages its faults no longer add);
 * (2) the batch's move without its marks (the `this.marks[i] !== 0` line dropped): all four fail (in the
 * second, the first 30 folios' marks are lost; only the 31st is marked, on the lruvec); (3) LockedLruvec's
 * on-a-list test dropped: the fourth fails (the isolated folio's flags byte, its shadow token, changed).
 */
import { describe, expect, it } from 'vitest';
import { createArena } from '../../engine/core/layout.ts';
import { attachMmuLock, lockStats } from '../../engine/core/kvm/mmuLock.ts';
import { FOLIO_BATCH_SIZE, LruAddBatch } from '../../engine/core/mm/lruAdd.ts';
import { LockedLruvec } from '../../engine/core/mm/sharedLru.ts';
import { type ActiveInactive, FOLIO_REFERENCED } from '../../engine/core/mm/policy/activeInactive.ts';
import type { Policy } from '../../engine/core/mm/policy/policy.ts';
import type { DList } from '../../engine/core/sim/dlist.ts';
import type { Guest } from '../../engine/core/sim/guest.ts';
import { workerOf, zipfVmScenario } from './fixtures.ts';

type Kind = 'active-inactive' | 'mglru';

const listOf = (p: Policy): DList => (p as unknown as { list: DList }).list;
const flagsOf = (p: Policy): Uint8Array => (p as unknown as { folioFlags: Uint8Array }).folioFlags;

/** The ids on list head `h`, head to tail. */
function ids(list: DList, h: number): number[] {
  const out: number[] = [];
  for (let v = list.a[list.nextBase + h]; v !== h; v = list.a[list.nextBase + v]) out.push(v);
  return out;
}

/** A one-guest deterministic worker (arm64), its lruvec's policy, and the heads of its first two lists. */
function detGuest(policy: Kind): { g: Guest; p: Policy } {
  const g = workerOf(zipfVmScenario({ harvest: 'locked-write', policy })).g;
  return { g, p: g.lruvec };
}

/**
 * The same guest switched to a spread run's lruvec: PG_LRU bookkeeping, a real lru_lock in an arena in
 * front of its policy (LockedLruvec over the node's lists) and an lru_add batch in front of that.
 */
function spreadGuest(policy: Kind) {
  const { g, p } = detGuest(policy);
  g.pgdat.lruFlag = true;
  const arena = createArena({ tablePages: 4, maxThreads: 2, maxLocks: 1 });
  const lv = new LockedLruvec(p, attachMmuLock(arena, 0), listOf(p));
  const batch = new LruAddBatch(lv, [g.flags], [g.idBase]);
  g.lruAdd = batch;
  return { g, p, lv, batch, acquires: () => lockStats(arena, 0).writeAcquires };
}

/** Fault gfns in turn (read faults, 1 us apart), as a vCPU would. */
function faultAll(g: Guest, gfns: number[]): void {
  let t = 0;
  for (const gfn of gfns) t = g.fault(gfn, false, t + 1000) + 1000;
}

/** The classic LRU's outcome per id: [list (1 active, 2 inactive, 0 none), PG_referenced]; and nonresident_age. */
function aiState(p: Policy, n: number): { lists: number[][]; age: number } {
  const list = listOf(p);
  const head = (p as unknown as { active: number }).active;
  const active = ids(list, head);
  const inactive = ids(list, head + 1);
  const lists: number[][] = [];
  for (let id = 0; id < n; id++) {
    const where = active.includes(id) ? 1 : inactive.includes(id) ? 2 : 0;
    lists.push([where, flagsOf(p)[id] & FOLIO_REFERENCED]);
  }
  return { lists, age: (p as ActiveInactive).workingset().age };
}

describe('spread runs: the stage-2 fault marks its folio as the deterministic run does', () => {
  it('classic LRU, folios still in the lru_add batch: the marks wait there and apply at the move', () => {
    const gfns = [4, 9, 2];
    const det = detGuest('active-inactive');
    faultAll(det.g, gfns);
    const sp = spreadGuest('active-inactive');
    faultAll(sp.g, gfns);
    // In the batch: on no list yet, the marks pending (the flags byte untouched: it held no shadow here).
    expect(sp.batch.pending).toBe(3);
    expect(aiState(sp.p, 10).lists[9]).toEqual([0, 0]);
    const before = sp.acquires();
    sp.batch.drain();
    expect(sp.acquires() - before).toBe(1); // one lru_lock hold for the move and its marks
    const hand = { lists: [...Array(10).keys()].map((id) => (gfns.includes(id) ? [1, 1] : [0, 0])), age: 3 };
    expect(aiState(det.p, 10)).toEqual(hand);
    expect(aiState(sp.p, 10)).toEqual(hand);
    // The same order on the active list: 2 (faulted last) at the head.
    expect(ids(listOf(sp.p), (sp.p as unknown as { active: number }).active)).toEqual([2, 9, 4]);
    expect(ids(listOf(det.p), (det.p as unknown as { active: number }).active)).toEqual([2, 9, 4]);
  });

  it('classic LRU, the batch moved on the fault own folio: its marks go to the lruvec under lru_lock', () => {
    const gfns = [...Array(FOLIO_BATCH_SIZE).keys()].map((k) => 100 + k);
    const det = detGuest('active-inactive');
    faultAll(det.g, gfns);
    const sp = spreadGuest('active-inactive');
    faultAll(sp.g, gfns.slice(0, -1));
    const before = sp.acquires();
    faultAll(sp.g, gfns.slice(-1)); // the 31st folio fills the batch: moved, then marked on the LRU
    expect(sp.acquires() - before).toBe(2); // the move's hold, then LockedLruvec.markAccessedN's
    expect(sp.batch.pending).toBe(0);
    const n = 100 + FOLIO_BATCH_SIZE;
    expect(aiState(sp.p, n)).toEqual(aiState(det.p, n));
    expect(aiState(sp.p, n).age).toBe(FOLIO_BATCH_SIZE);
    expect(aiState(sp.p, n).lists[n - 1]).toEqual([1, 1]);
  });

  it('MGLRU: folio_inc_refs three times, in the batch or not: PG_referenced | PG_workingset | refs 1', () => {
    const gfns = [7, 3];
    const det = detGuest('mglru');
    faultAll(det.g, gfns);
    const sp = spreadGuest('mglru');
    faultAll(sp.g, gfns);
    expect([flagsOf(sp.p)[7], flagsOf(sp.p)[3]]).toEqual([0, 0]); // pending in the batch
    sp.batch.drain();
    expect([flagsOf(det.p)[7], flagsOf(det.p)[3]]).toEqual([13, 13]);
    expect([flagsOf(sp.p)[7], flagsOf(sp.p)[3]]).toEqual([13, 13]);
  });

  it('a folio off every list (isolated by another worker) takes no marks on the shared lruvec', () => {
    const sp = spreadGuest('active-inactive');
    faultAll(sp.g, [5, 6]);
    sp.batch.drain();
    const list = listOf(sp.p);
    list.remove(6); // isolated: off the list, its flags byte about to hold the shadow's token
    flagsOf(sp.p)[6] = 0x42;
    sp.lv.markAccessedN(6, 3);
    expect(flagsOf(sp.p)[6]).toBe(0x42);
    expect(list.linked(6)).toBe(false);
    // A listed folio takes them (control): 8 joins the inactive list, two marks activate it (PG_referenced
    // set, then folio_activate with it cleared, nonresident_age 2 -> 3).
    sp.lv.onMap(8);
    sp.lv.markAccessedN(8, 2);
    expect(aiState(sp.p, 9).lists[8]).toEqual([1, 0]);
    expect(aiState(sp.p, 9).age).toBe(3);
  });
});
