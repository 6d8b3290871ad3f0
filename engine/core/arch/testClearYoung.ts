/**
 * Lockless accessed-bit harvest: kvm_arch_test_clear_young() as posted in
 * "kvm/arm64: add kvm_arch_test_clear_young()" (Yu Zhao, Feb 2023; seed/).
 *
 *   testClearYoung(pgt, startGfn, endGfn, lsbGfn, bitmap, stats?): boolean   (always true)
 *   testClearYoungLeaf(pgt, w, gfn, lsbGfn, bitmap, stats): the same for [gfn, gfn + 1) at a known leaf
 *
 * Semantics, exactly as stage2_test_clear_young() in the patch:
 * - Walk [startGfn, endGfn) with LEAF visits only, SHARED (lockless reads).
 * - For each valid leaf that is young (AF set), with gfn = the walk position
 *   (ctx.addr / PAGE_SIZE; a block is visited once, at its first gfn in range):
 *   toggle bit n = lsbGfn - gfn of `bitmap` (bit n is word n >> 5, bit n & 31;
 *   __test_and_change_bit). If that bit was set BEFORE the toggle, clear AF with
 *   cmpxchg (stage2TrySetPte); a failed cmpxchg means someone changed the PTE
 *   (unmap, hardware, another ager) and is left alone.
 * - Old or invalid leaves leave their bit untouched.
 * So on input a set bit asks "clear AF if young"; on output a set bit means
 * "young, and AF was left set" (the caller asked only to test it).
 *
 * A bit index outside the bitmap breaks the caller's invariant: RangeError (checked for
 * the whole range up front, so the outcome does not depend on which pages are young).
 * No lock and no RCU in here: the caller (mmu.ts) wraps the call in rcuReadLock,
 * which keeps table pages alive while we read them.
 *
 * Allocation-free: a range inside one level-3 table (one gfn for CLOCK and MGLRU's victim
 * check, most 64-gfn lookaround and aging windows) takes a direct descent from the root, exactly
 * equivalent to the walk (as pgtableFast.ts); other ranges walk with a pooled walker.
 */
import { atomics } from '../sync/atomics.ts';
import { tableUsable } from './arena.ts';
import { S2_AF, pteIsTable, ptePage } from './descriptor.ts';
import { stage2FastPaths, stage2TrySetPte, type Pgt } from './pgtable.ts';
import {
  LEAF,
  Pool,
  SHARED,
  entryWord,
  ipaLimit,
  loadLo,
  reloadLo,
  walk,
  type VisitCtx,
  type Walker,
} from './walker.ts';
import { PAGE_SIZE } from '../layout.ts';

/** Counters a caller may pass in; testClearYoung adds to them. */
export interface TestClearYoungStats {
  /** Leaf entries examined (valid or not). */
  scanned: number;
  /** Valid leaves found with AF set. */
  young: number;
  /** AF cleared by our cmpxchg. */
  cleared: number;
  /** cmpxchg lost to a concurrent change of the PTE. */
  casFailures: number;
}

export function newTestClearYoungStats(): TestClearYoungStats {
  return { scanned: 0, young: 0, cleared: 0, casFailures: 0 };
}

interface Arg {
  pgt: Pgt;
  lsbGfn: number;
  bitmap: Uint32Array;
  nbits: number;
  stats: TestClearYoungStats;
}

/** The patch's visit of one leaf entry (word `w`, seen as `old`) at walk position `gfn`. */
function visitLeaf(pgt: Pgt, w: number, old: number, gfn: number, a: Arg): void {
  visitLeafIn(pgt, w, old, gfn, a.lsbGfn, a.bitmap, a.nbits, a.stats);
}

/**
 * visitLeaf with the argument's fields passed in: testClearYoungLeaf calls it without filling an Arg
 * (its five stores, three of them references with write barriers, and their clearing after the visit,
 * cost more than the visit of an old leaf: the rmap's one-folio call, session 14 (a)).
 */
function visitLeafIn(
  pgt: Pgt,
  w: number,
  old: number,
  gfn: number,
  lsbGfn: number,
  bitmap: Uint32Array,
  nbits: number,
  st: TestClearYoungStats,
): void {
  st.scanned++;
  // Valid and young; the patch: `new = old & ~AF; if (!valid(new) || new == old) return 0`.
  if ((old & 1) === 0 || (old & S2_AF) === 0) return;
  st.young++;
  const n = lsbGfn - gfn;
  if (!(n >= 0 && n < nbits)) bitOutside(n, lsbGfn, gfn, nbits);
  const i = n >>> 5;
  const mask = 1 << (n & 31);
  const word = bitmap[i];
  bitmap[i] = word ^ mask;
  if ((word & mask) !== 0) {
    if (stage2TrySetPte(pgt.views, w, old, old & ~S2_AF)) st.cleared++;
    else st.casFailures++;
  }
}

/** visitLeafIn's bit outside the bitmap (out of line: the message's bytecode counted against its inlining). */
function bitOutside(n: number, lsbGfn: number, gfn: number, nbits: number): never {
  throw new RangeError(`testClearYoung: bit ${n} (lsbGfn ${lsbGfn} - gfn ${gfn}) outside a ${nbits}-bit bitmap`);
}

/** testClearYoungLeaf's range check failed (out of line, as bitOutside). */
function leafOutside(gfn: number, lsbGfn: number, nbits: number): never {
  throw new RangeError(
    `testClearYoung: gfns [${gfn}, ${gfn + 1}) with lsbGfn ${lsbGfn} need bits outside a ${nbits}-bit bitmap`,
  );
}

function testClearYoungVisitor(ctx: VisitCtx<Arg>): number {
  visitLeaf(ctx.arg.pgt, ctx.word, ctx.oldLo, ctx.gfn, ctx.arg);
  return 0;
}

/**
 * The walk of [start, end) (LEAF | SHARED) when the range lies in one 512-gfn block (one level-3
 * table), as a direct descent: an entry above level 3 that is not a table covers the whole range
 * and is visited once, at `start`; each entry is re-read after its visit, as the walk does.
 */
function testClearYoungInTable(pgt: Pgt, start: number, end: number, a: Arg): void {
  const v = pgt.views;
  const i32 = v.i32;
  // Outside a debug arena no page is unusable and no descriptor poisoned (pgtableFast.ts mapPage):
  // the checks only in one; every entry read still goes through `atomics`.
  const dbg = v.debugPoison;
  let page = pgt.root;
  if (dbg && !tableUsable(v, page)) return;
  for (let level = pgt.startLevel; level < 3; level++) {
    const w = entryWord(v, page, level, start);
    let lo = dbg ? loadLo(v, w) : atomics.readOnce(i32, w);
    if (!pteIsTable(lo, level)) {
      visitLeaf(pgt, w, lo, start, a);
      lo = dbg ? reloadLo(v, w, lo) : atomics.readOnce(i32, w);
      if (!pteIsTable(lo, level)) return;
    }
    page = ptePage(lo);
    if (dbg && !tableUsable(v, page)) return;
  }
  const w0 = entryWord(v, page, 3, start);
  for (let gfn = start; gfn < end; gfn++) {
    const w = w0 + 2 * (gfn - start);
    const lo = dbg ? loadLo(v, w) : atomics.readOnce(i32, w);
    visitLeaf(pgt, w, lo, gfn, a);
    // Nothing to descend into at level 3, but a debug arena counts a poisoned re-read.
    if (dbg) reloadLo(v, w, lo);
    else atomics.readOnce(i32, w);
  }
}

/**
 * testClearYoung(pgt, gfn, gfn + 1, lsbGfn, bitmap, stats) when gfn's valid level-3 leaf is known to
 * be at Int32 word `w`: the same visit of that leaf and the same re-read, without the descent through
 * the tables above it (which only reads table descriptors: no visit, nothing changed).
 *
 * Contract (the caller's): gfn is mapped by the 4 KiB leaf at w and has stayed mapped since that
 * leaf was installed, and no other agent writes the arena (a lone trace replay: sim/replay.ts and the
 * mmu notifier's Harvester.leafOf). A table holding a valid leaf is never unlinked, so the descent
 * would reach w. Not for a debug arena (its usable/poison checks belong to the descent).
 */
export function testClearYoungLeaf(
  pgt: Pgt,
  w: number,
  gfn: number,
  lsbGfn: number,
  bitmap: Uint32Array,
  stats: TestClearYoungStats,
): void {
  const nbits = bitmap.length * 32;
  if (!(lsbGfn - gfn >= 0 && lsbGfn - gfn < nbits)) leafOutside(gfn, lsbGfn, nbits);
  const i32 = pgt.views.i32;
  visitLeafIn(pgt, w, atomics.load(i32, w), gfn, lsbGfn, bitmap, nbits, stats);
  atomics.load(i32, w); // the walk's re-read after the leaf visit
}

/**
 * testClearYoungLeaf for a one-gfn bitmap whose bit asks for the clear (the one-folio batch of folio_referenced's
 * notifier, mmuNotifier.ts Harvester.batch): the same visit of the leaf at word `w` (visitLeaf: valid and AF
 * set -> the cmpxchg clearing AF) and the same re-read, with the bitmap's toggle and the counters left to the
 * caller (one leaf scanned). Returns 0 (old or invalid), 1 (young, AF cleared) or -1 (young, the cmpxchg lost);
 * literals, not named constants: this module imports, so the bundler would not inline them (mglruConsts.ts says
 * why). Either young result toggled the bit (visitLeaf). testClearYoungLeaf's contract
 * holds. Without the Arg binding testClearYoungLeaf needs for visitLeaf (five stores to bind, three to unbind,
 * ~200 instructions per folio of the trace replay's reclaim, session 14 callgrind).
 */
export function testClearYoungOne(pgt: Pgt, w: number): number {
  const views = pgt.views;
  const i32 = views.i32;
  const old = atomics.load(i32, w);
  let r = 0;
  // visitLeaf: valid and young; the patch: `new = old & ~AF; if (!valid(new) || new == old) return 0`.
  if ((old & 1) !== 0 && (old & S2_AF) !== 0) r = stage2TrySetPte(views, w, old, old & ~S2_AF) ? 1 : -1;
  atomics.load(i32, w); // the walk's re-read after the leaf visit
  return r;
}

const NO_BITMAP = new Uint32Array(0);
const NO_PGT = null as unknown as Pgt;
const scratchStats = newTestClearYoungStats();
/** The direct descent's argument (testClearYoung). */
const directArg: Arg = { pgt: NO_PGT, lsbGfn: 0, bitmap: NO_BITMAP, nbits: 0, stats: scratchStats };
/** A visitor argument filled for one call (directArg, or a pooled walker's). */
function bindArg(
  a: Arg,
  pgt: Pgt,
  lsbGfn: number,
  bitmap: Uint32Array,
  nbits: number,
  stats: TestClearYoungStats,
): Arg {
  a.pgt = pgt;
  a.lsbGfn = lsbGfn;
  a.bitmap = bitmap;
  a.nbits = nbits;
  a.stats = stats;
  return a;
}

/** Drop directArg's references after the visit (the arena and the caller's bitmap stay collectable). */
function unbindArg(a: Arg): void {
  a.pgt = NO_PGT;
  a.bitmap = NO_BITMAP;
  a.stats = scratchStats;
}

const walkers = new Pool<Walker<Arg>>(() => ({
  cb: testClearYoungVisitor,
  arg: { pgt: NO_PGT, lsbGfn: 0, bitmap: NO_BITMAP, nbits: 0, stats: scratchStats },
  flags: LEAF | SHARED,
}));

/**
 * Test and clear the accessed bit of [startGfn, endGfn), as the seed patch. Returns true
 * (the patch returns false only when the architecture lacks the feature: mmu.ts decides that).
 */
export function testClearYoung(
  pgt: Pgt,
  startGfn: number,
  endGfn: number,
  lsbGfn: number,
  bitmap: Uint32Array,
  stats: TestClearYoungStats = scratchStats,
): boolean {
  if (endGfn <= startGfn) return true;
  // Every gfn of the range must own a bit, young or not: check once, up front.
  const nbits = bitmap.length * 32;
  if (!(lsbGfn - (endGfn - 1) >= 0 && lsbGfn - startGfn < nbits)) {
    throw new RangeError(
      `testClearYoung: gfns [${startGfn}, ${endGfn}) with lsbGfn ${lsbGfn} need bits outside a ${nbits}-bit bitmap`,
    );
  }
  // Inside one level-3 table and the IPA space (else the walk throws its RangeError): direct descent,
  // with a module-level argument (it calls nothing that re-enters testClearYoung), no walker from the
  // pool and no try/finally: on the rmap's one-folio calls that wrapping cost as much as the visit.
  // (Gfns below 2^32, every guest's: integer shifts for the same test as the general form.)
  if (
    stage2FastPaths() &&
    (startGfn >>> 0 === startGfn && endGfn >>> 0 === endGfn
      ? startGfn >>> 9 === (endGfn - 1) >>> 9
      : Number.isInteger(startGfn) &&
        Number.isInteger(endGfn) &&
        startGfn >= 0 &&
        Math.floor(startGfn / 512) === Math.floor((endGfn - 1) / 512)) &&
    endGfn * PAGE_SIZE <= ipaLimit(pgt.startLevel)
  ) {
    const a = bindArg(directArg, pgt, lsbGfn, bitmap, nbits, stats);
    testClearYoungInTable(pgt, startGfn, endGfn, a);
    unbindArg(a);
    return true;
  }
  const walker = walkers.take();
  const a = bindArg(walker.arg, pgt, lsbGfn, bitmap, nbits, stats);
  try {
    walk(pgt, startGfn * PAGE_SIZE, (endGfn - startGfn) * PAGE_SIZE, walker);
  } finally {
    unbindArg(a);
    walkers.give(walker);
  }
  return true;
}
