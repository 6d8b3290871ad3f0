/**
 * Single-entry fast paths of the stage-2 tables: allocation-free direct descents from the root,
 * computing the index at each level, instead of the generic visitor walk. Re-exported by
 * pgtable.ts (the API; its concurrency contract applies); import from there.
 *
 *   mapPage(pgt, gfn, frame, attrLo, attrHi, shared)   stage2Map of one 4 KiB page
 *   unmapPage(pgt, gfn)                                 stage2Unmap of one 4 KiB page
 *   mkoldPage(pgt, gfn)                                 stage2Mkold of one 4 KiB page
 *   stage2GetLeaf, stage2LeafFrame, stage2Mkyoung, stage2MkyoungPte, stage2SetWritable  (per access)
 *   getLeafMiss                                         where the last stage2GetLeaf found no valid leaf
 *   mapLeafAt(pgt, w, gfn, frame, attrLo, attrHi, shared)   mapPage's level-3 step at a known entry
 *   unmapLeafAt(pgt, w, gfn)                            unmapPage of a leaf whose table stays non-empty
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
import { ptePoisoned, tableLive, tableLiveAdd, tableUsable } from './arena.ts';
import {
  KVM_INVALID_PTE_LOCKED,
  S2AP_W,
  S2_AF,
  makeLeafHi,
  makeLeafLo,
  pteIsLocked,
  pteIsTable,
  pteOaFrame,
  ptePage,
  pteValid,
} from './descriptor.ts';
import { PAGE_SIZE, TABLE_WORDS, type ArenaViews } from '../layout.ts';
import {
  EAGAIN,
  INV_PAGE,
  breakPte,
  clearEntry,
  entryStart,
  installLeafAt,
  installTableAt,
  splitBlock,
  unlinkTable,
  type LeafOut,
  type Pgt,
} from './pgtableBase.ts';
import { LEVEL_MUL, entryWord, levelShift, loadLo, reloadLo } from './walker.ts';

/** entryWord (walker.ts), under the name the descents below use. */
const entryAt = entryWord;

// ---- map / unmap / mkold of one page ---------------------------------------------------

/**
 * The Int32 index of the entry of `level` in table `page` for `gfn` (entryWord, walker.ts), with the
 * choice between the shift and the multiply made once per descent (`small`: gfn < 2^32).
 */
function entryIn(base: number, page: number, level: number, gfn: number, small: boolean): number {
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

/** mapPage's visit of the level-3 entry at word `w` of table `page`, and the walk's re-read after it. */
function mapLeaf(
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

// ---- per-access paths ---------------------------------------------------------------------

/**
 * Where the last stage2GetLeaf of this thread that returned -1 stopped, outside a debug arena:
 * [Int32 word of the invalid entry, its level], level -1 for an address outside the IPA space. (Per
 * thread, as the module state of pgtableBase.ts.) mapLeafAt's caller reads it right after the walk.
 */
export const getLeafMiss = new Int32Array(2);

/**
 * The valid leaf mapping `addr`: the Int32 index of its lo word, or -1 (unmapped,
 * invalid or mid break-before-make). Sets out.level when given. Allocation-free;
 * safe lockless (under RCU): it reads only lo words, which are atomic.
 */
export function stage2GetLeaf(pgt: Pgt, addr: number, out?: LeafOut): number {
  const v = pgt.views;
  if (v.debugPoison) return getLeafDebug(pgt, addr, out);
  if (!(addr < pgt.ipaSize)) {
    getLeafMiss[1] = -1;
    return -1;
  }
  const i32 = v.i32;
  const tables = v.tables;
  const gfn = addr * INV_PAGE;
  const small = gfn <= 0xffff_ffff;
  let page = pgt.root;
  let level = pgt.startLevel;
  for (;;) {
    const w = entryIn(tables, page, level, gfn, small);
    const lo = atomics.readOnce(i32, w);
    if ((lo & 1) === 0) {
      getLeafMiss[0] = w;
      getLeafMiss[1] = level;
      return -1;
    }
    if (level === 3 || (lo & 2) === 0) {
      if (out !== undefined) out.level = level;
      return w;
    }
    page = lo >>> 12;
    level++;
  }
}

/** stage2GetLeaf in a debug arena: also counts use-after-free and poison reads (ALLOC_UAF, ALLOC_POISON_READS). */
function getLeafDebug(pgt: Pgt, addr: number, out?: LeafOut): number {
  const v = pgt.views;
  if (!(addr < pgt.ipaSize)) return -1;
  const gfn = addr * INV_PAGE;
  let page = pgt.root;
  for (let level = pgt.startLevel; ; level++) {
    if (!tableUsable(v, page)) return -1;
    const w = v.tables + page * TABLE_WORDS + (((gfn * LEVEL_MUL[level]) & 511) << 1);
    const lo = atomics.load(v.i32, w);
    if (ptePoisoned(v, lo) || (lo & 1) === 0) return -1;
    if (level === 3 || (lo & 2) === 0) {
      if (out !== undefined) out.level = level;
      return w;
    }
    page = lo >>> 12;
  }
}

/** Host frame backing `addr` under the leaf at `word` (a block maps consecutive frames), or -1 if it changed. */
export function stage2LeafFrame(views: ArenaViews, word: number, level: number, addr: number): number {
  const i32 = views.i32;
  const lo = atomics.load(i32, word);
  const hi = atomics.load(i32, word + 1);
  if (atomics.load(i32, word) !== lo || !pteValid(lo) || pteIsTable(lo, level)) return -1;
  const gfn = addr * INV_PAGE;
  return pteOaFrame(lo, hi) + (gfn - entryStart(gfn, level));
}

/** Set AF on the leaf at `word` (cmpxchg loop against agers). True when this call set it. */
export function stage2MkyoungPte(views: ArenaViews, word: number, level: number): boolean {
  const i32 = views.i32;
  for (;;) {
    const lo = atomics.load(i32, word);
    if ((lo & 1) === 0 || (lo & S2_AF) !== 0 || pteIsTable(lo, level)) return false;
    if (atomics.compareExchange(i32, word, lo, lo | S2_AF) === lo) return true;
  }
}

const scratch: LeafOut = { level: 0 };

/** Hardware AF update (FEAT_HAFDBS) or the access-flag fault handler: true when AF was set by this call. */
export function stage2Mkyoung(pgt: Pgt, addr: number): boolean {
  const w = stage2GetLeaf(pgt, addr, scratch);
  return w >= 0 && stage2MkyoungPte(pgt.views, w, scratch.level);
}

/** Permission relax on a write fault: set S2AP W on the leaf. True when this call set it. */
export function stage2SetWritable(pgt: Pgt, addr: number): boolean {
  const w = stage2GetLeaf(pgt, addr, scratch);
  if (w < 0) return false;
  const i32 = pgt.views.i32;
  for (;;) {
    const lo = atomics.load(i32, w);
    if ((lo & 1) === 0 || (lo & S2AP_W) !== 0 || pteIsTable(lo, scratch.level)) return false;
    if (atomics.compareExchange(i32, w, lo, lo | S2AP_W) === lo) return true;
  }
}
