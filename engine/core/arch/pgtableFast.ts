/**
 * Single-page descents of the stage-2 tables: allocation-free direct descents from the root,
 * computing the index at each level, instead of the generic visitor walk. Re-exported by
 * pgtable.ts (the API; its concurrency contract applies); import from there.
 *
 *   mapPage(pgt, gfn, frame, attrLo, attrHi, shared)   stage2Map of one 4 KiB page
 *   unmapPage(pgt, gfn)                                 stage2Unmap of one 4 KiB page
 *   mkoldPage(pgt, gfn)                                 stage2Mkold of one 4 KiB page
 *   mapLeaf, entryIn                                    mapPage's level-3 visit, the entry index per level
 *
 * The same descents at a known entry (walk once, the trace replay's mapLeafAt / unmapLeafAt) are in
 * pgtableLeafAt.ts; the per-access paths (stage2GetLeaf, stage2Mkyoung, stage2SetWritable...) in
 * pgtableAccess.ts (split from this file, session 16 (k)).
 *
 * Exact equivalence with the generic walk (pgtable.ts) of [gfn, gfn + 1) is the contract: the
 * same entries are read and changed in the same order through the same entry operations
 * (pgtableBase.ts), with the walk's rules: an entry is re-read after a leaf visit and descended
 * into if it became a table; a child that is not usable (debug arena) is skipped; a poisoned
 * descriptor reads as 0; an error return stops the walk before any TABLE_POST work; emptied
 * tables are unlinked innermost first on the way back up. The reference-model tests compare
 * both paths (test/core/pgtable*.test.ts).
 */
import { atomics } from '../sync/atomics.ts';
import { ptePoisoned, tableLive, tableUsable } from './arena.ts';
import { S2_AF, pteIsLocked, pteIsTable, ptePage, pteValid } from './descriptor.ts';
import { TABLE_WORDS } from '../layout.ts';
import {
  EAGAIN,
  clearEntry,
  entryStart,
  installLeafAt,
  installTableAt,
  splitBlock,
  unlinkTable,
  type Pgt,
} from './pgtableBase.ts';
import { LEVEL_MUL, entryWord, levelShift, loadLo, reloadLo } from './walker.ts';

/** entryWord (walker.ts), under the name the descents below use. */
const entryAt = entryWord;

/**
 * The Int32 index of the entry of `level` in table `page` for `gfn` (entryWord, walker.ts), with the
 * choice between the shift and the multiply made once per descent (`small`: gfn < 2^32).
 */
export function entryIn(base: number, page: number, level: number, gfn: number, small: boolean): number {
  return (
    base + page * TABLE_WORDS + ((small ? (gfn >>> levelShift(level)) & 511 : (gfn * LEVEL_MUL[level]) & 511) << 1)
  );
}

/**
 * stage2Map of [gfn, gfn + 1) to `frame`: 0, EAGAIN (shared) or ENOMEM. Caller checked the range.
 * Outside a debug arena no page is unusable and no descriptor poisoned, so the checks (tableUsable,
 * ptePoisoned) are made only in one (`dbg`); every entry read still goes through `atomics`. The
 * table descriptors on the way down and the re-read after the leaf visit are the walker's READ_ONCE
 * (__kvm_pgtable_visit: `ctx.old = READ_ONCE(*ptep)`, and again after a leaf visit when `reload`):
 * atomics.readOnce (see there: a table descriptor and the entry read through it are address-dependent;
 * an entry that changed under us makes the install's cmpxchg fail). The leaf's (lo, hi) pair stays
 * Atomics.load (its re-read checks the pair). Same for unmapPage's descent, under the write lock.
 */
export function mapPage(pgt: Pgt, gfn: number, frame: number, attrLo: number, attrHi: number, shared: boolean): number {
  const v = pgt.views;
  const i32 = v.i32;
  const dbg = v.debugPoison;
  const base = v.tables;
  const small = gfn <= 0xffff_ffff;
  let page = pgt.root;
  if (dbg && !tableUsable(v, page)) return 0;
  for (let level = pgt.startLevel; ; level++) {
    const w = entryIn(base, page, level, gfn, small);
    if (level === 3) return mapLeaf(pgt, page, w, gfn, frame, attrLo, attrHi, shared);
    let lo = atomics.readOnce(i32, w);
    if (dbg && ptePoisoned(v, lo)) lo = 0;
    if ((lo & 3) !== 3) {
      // Not a table (pteIsTable below level 3): install one, or split the block (a single page is
      // never a block). A LOCKED entry under `shared` belongs to a racing writer: EAGAIN.
      let ret = EAGAIN;
      if (lo === 0) ret = installTableAt(pgt, page, w, level, shared);
      else if (!(pteIsLocked(lo) && shared)) {
        if (!pteValid(lo)) throw new Error(`map: unexpected descriptor 0x${(lo >>> 0).toString(16)} at level ${level}`);
        ret = splitBlock(pgt, w, level, gfn, lo, shared);
      }
      lo = dbg ? reloadLo(v, w, lo) : atomics.readOnce(i32, w);
      if (ret !== 0) return ret;
      if ((lo & 3) !== 3) return 0;
    }
    page = ptePage(lo);
    if (dbg && !tableUsable(v, page)) return 0;
  }
}

/**
 * mapPage's visit of the level-3 entry at word `w` of table `page`, and the walk's re-read after it
 * (also mapLeafAt's in a debug arena, pgtableLeafAt.ts).
 */
export function mapLeaf(
  pgt: Pgt,
  page: number,
  w: number,
  gfn: number,
  frame: number,
  attrLo: number,
  attrHi: number,
  shared: boolean,
): number {
  const v = pgt.views;
  const i32 = v.i32;
  const dbg = v.debugPoison;
  // A consistent (lo, hi) pair, as the walk reads it: a shared map compares hi (spurious fault).
  let lo = atomics.load(i32, w);
  let hi = atomics.load(i32, w + 1);
  for (let again = atomics.load(i32, w); again !== lo; again = atomics.load(i32, w)) {
    lo = again;
    hi = atomics.load(i32, w + 1);
  }
  if (dbg && ptePoisoned(v, lo)) lo = 0;
  const ret = installLeafAt(pgt, page, w, 3, lo, hi, gfn, frame, attrLo, attrHi, shared);
  // The walk re-reads the entry after a leaf visit: nothing to descend into at level 3, but a
  // debug arena counts a poisoned re-read (reloadLo).
  if (dbg) reloadLo(v, w, lo);
  else atomics.readOnce(i32, w);
  return ret;
}

/**
 * The tables descended through by unmapPage, innermost last: (table page, entry word, child page)
 * per level. unmapPage is not re-entrant (nothing it calls unmaps), so one scratch stack serves.
 */
const unmapStack = new Int32Array(3 * 4);

/**
 * stage2Unmap of [gfn, gfn + 1) under the write lock: 0 or ENOMEM. Caller checked the range.
 * The walk's order, iteratively: descend (clearing the leaf, or splitting a block and going on
 * into the new table), then on the way back up the TABLE_POST visits unlink each emptied table,
 * innermost first; an error stops the walk before any of them. Debug-arena checks as in mapPage.
 */
export function unmapPage(pgt: Pgt, gfn: number): number {
  const v = pgt.views;
  const i32 = v.i32;
  const dbg = v.debugPoison;
  const base = v.tables;
  const small = gfn <= 0xffff_ffff;
  let page = pgt.root;
  if (dbg && !tableUsable(v, page)) return 0;
  const stack = unmapStack;
  let depth = 0;
  for (let level = pgt.startLevel; ; level++) {
    const w = entryIn(base, page, level, gfn, small);
    let lo = atomics.readOnce(i32, w);
    if (dbg && ptePoisoned(v, lo)) lo = 0;
    if (!pteIsTable(lo, level)) {
      let ret = 0;
      if (lo !== 0) {
        if (!pteValid(lo)) throw new Error(`unmap under the write lock met 0x${(lo >>> 0).toString(16)}`);
        if (level === 3) clearEntry(pgt, page, w, 3, gfn);
        else ret = splitBlock(pgt, w, level, gfn, lo, false); // partial block: split, then descend
      }
      lo = dbg ? reloadLo(v, w, lo) : atomics.readOnce(i32, w);
      if (ret !== 0) return ret;
      if (!pteIsTable(lo, level)) break;
    }
    const child = ptePage(lo);
    if (dbg && !tableUsable(v, child)) break;
    stack[depth] = page;
    stack[depth + 1] = w;
    stack[depth + 2] = child;
    depth += 3;
    page = child;
  }
  // The walk's TABLE_POST visits of the entries descended through, innermost first.
  for (let d = depth - 3, level = pgt.startLevel + d / 3; d >= 0; d -= 3, level--) {
    const child = stack[d + 2];
    if (tableLive(v, child) === 0) unlinkTable(pgt, stack[d], stack[d + 1], level, entryStart(gfn, level), child);
  }
  return 0;
}

/** stage2Mkold of [gfn, gfn + 1), lockless-safe: true when the leaf was young. */
export function mkoldPage(pgt: Pgt, gfn: number): boolean {
  const v = pgt.views;
  const i32 = v.i32;
  let page = pgt.root;
  let young = false;
  if (!tableUsable(v, page)) return false;
  for (let level = pgt.startLevel; ; level++) {
    const w = entryAt(v, page, level, gfn);
    let lo = loadLo(v, w);
    if (!pteIsTable(lo, level)) {
      for (let l = lo; pteValid(l) && (l & S2_AF) !== 0; l = atomics.load(i32, w)) {
        if (atomics.compareExchange(i32, w, l, l & ~S2_AF) === l) {
          young = true;
          break;
        }
      }
      lo = reloadLo(v, w, lo);
      if (!pteIsTable(lo, level)) return young;
    }
    page = ptePage(lo);
    if (!tableUsable(v, page)) return young;
  }
}
