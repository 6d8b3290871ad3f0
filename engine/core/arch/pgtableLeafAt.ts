/**
 * Walk once (the lone trace replay, sim/replay.ts): the map and the unmap of one page at a level-3 entry
 * a walk of this access already found, without the descent from the root. Re-exported by pgtable.ts (the
 * API; its concurrency contract applies); import from there.
 *
 *   mapLeafAt(pgt, w, gfn, frame, attrLo, attrHi, shared)   mapPage's level-3 step at a known entry
 *   unmapLeafAt(pgt, w, gfn)                            unmapPage of a leaf whose table stays non-empty
 *   entryPage(views, w)                                 the table page holding entry word w
 *
 * Each is exactly mapPage / unmapPage (pgtableFast.ts) of that page under its contract (below), the
 * same atomics in the same order; test/core/pgtableLeafAt.test.ts compares. Moved from pgtableFast.ts
 * (session 16 (k)), bodies unchanged.
 */
import { atomics } from '../sync/atomics.ts';
import { tableLive, tableLiveAdd } from './arena.ts';
import { KVM_INVALID_PTE_LOCKED, makeLeafHi, makeLeafLo, pteValid } from './descriptor.ts';
import { PAGE_SIZE, TABLE_WORDS, type ArenaViews } from '../layout.ts';
import { EAGAIN, breakPte, installLeafAt, type Pgt } from './pgtableBase.ts';
import { mapLeaf } from './pgtableFast.ts';

/** The table page holding the entry at Int32 word `w` (an entry word of any level). */
export function entryPage(v: ArenaViews, w: number): number {
  return ((w - v.tables) / TABLE_WORDS) | 0;
}

/**
 * mapPage(pgt, gfn, ...) when the level-3 entry for gfn is known to be at word `w` (a walk of this
 * access found it invalid there: getLeafMiss): the same visit of that entry, without the descent.
 *
 * Contract (the caller's): the tables from the root to w's table are the ones the walk went through,
 * i.e. none was unlinked since (stage2Unlinks unchanged) and no other agent writes this arena (a lone
 * trace replay, sim/replay.ts). The descent would then only read those table entries again, which has
 * no effect. Not for a debug arena (its usable/poison checks are the descent's): mapPage there.
 */
export function mapLeafAt(
  pgt: Pgt,
  w: number,
  gfn: number,
  frame: number,
  attrLo: number,
  attrHi: number,
  shared: boolean,
): number {
  const v = pgt.views;
  const i32 = v.i32;
  if (v.debugPoison) return mapLeaf(pgt, entryPage(v, w), w, gfn, frame, attrLo, attrHi, shared);
  // mapLeaf and installLeafAt's empty-entry case written out, same atomics in the same order, every
  // other case out of line (mapLeafRare): a trace replay's faults all take this path, and TurboFan
  // inlines a callee that already has optimized code of its own only if what that code inlined fits
  // its budget (--trace-turbo-inlining "existing opt code's inlined bytecode size": 840 through
  // mapLeaf / installLeafAt, after which fault and map called it).
  const lo = atomics.load(i32, w);
  const hi = atomics.load(i32, w + 1);
  const again = atomics.load(i32, w);
  if ((lo | again) !== 0) return mapLeafRare(pgt, w, gfn, frame, attrLo, attrHi, shared, lo, hi, again);
  if (shared && atomics.compareExchange(i32, w, 0, KVM_INVALID_PTE_LOCKED) !== 0) {
    atomics.readOnce(i32, w);
    return EAGAIN;
  }
  atomics.store(i32, w + 1, makeLeafHi(frame, attrHi));
  atomics.store(i32, w, makeLeafLo(frame, 3, attrLo));
  tableLiveAdd(v, entryPage(v, w), 1);
  atomics.readOnce(i32, w);
  return 0;
}

/**
 * mapLeafAt's visit of an entry not read empty twice (its reads so far: lo, hi, again): the rest of
 * mapLeaf's consistent-pair loop, installLeafAt and the walk's re-read. Apart from mapLeafAt so that it
 * stays small enough to inline.
 */
function mapLeafRare(
  pgt: Pgt,
  w: number,
  gfn: number,
  frame: number,
  attrLo: number,
  attrHi: number,
  shared: boolean,
  lo: number,
  hi: number,
  again: number,
): number {
  const i32 = pgt.views.i32;
  for (; again !== lo; again = atomics.load(i32, w)) {
    lo = again;
    hi = atomics.load(i32, w + 1);
  }
  const ret = installLeafAt(pgt, entryPage(pgt.views, w), w, 3, lo, hi, gfn, frame, attrLo, attrHi, shared);
  atomics.readOnce(i32, w);
  return ret;
}

/**
 * unmapPage(pgt, gfn) when gfn's valid level-3 leaf is known to be at word `w` and its table holds
 * another live entry: the same clear (clearEntry, then the walk's re-read), without the descent; no
 * table empties, so the walk's TABLE_POST visits would unlink nothing. Returns false, having done
 * nothing, when the table would empty (the caller then runs unmapPage, which unlinks it).
 *
 * Contract (the caller's): w is the leaf mapPage installed for gfn and gfn has stayed mapped since,
 * under the write lock or as the only agent on the arena. A table holding a valid leaf has a live
 * count of at least 1, and only an emptied table is unlinked, so w's table is still where the walk
 * found it. Not for a debug arena (unmapPage there).
 */
export function unmapLeafAt(pgt: Pgt, w: number, gfn: number): boolean {
  const v = pgt.views;
  const i32 = v.i32;
  const page = entryPage(v, w);
  if (tableLive(v, page) <= 1) return false;
  // clearEntry(pgt, page, w, 3, gfn) written out, same atomics in the same order, with breakPte's
  // retry and its throw out of line (it runs again from its first read): small enough for TurboFan to
  // inline where evictOne calls it even once it has optimized code of its own (see mapLeafAt).
  const lo = atomics.load(i32, w);
  if (!pteValid(lo) || atomics.compareExchange(i32, w, lo, KVM_INVALID_PTE_LOCKED) !== lo) breakPte(i32, w);
  pgt.mm.tlbInvalidate?.(gfn * PAGE_SIZE, 3);
  atomics.store(i32, w + 1, 0);
  atomics.store(i32, w, 0);
  tableLiveAdd(v, page, -1);
  atomics.readOnce(i32, w); // the walk's re-read after the leaf visit
  return true;
}
