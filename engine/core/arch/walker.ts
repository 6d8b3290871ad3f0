/**
 * The stage-2 table walker, in the shape of Linux arch/arm64/kvm/hyp/pgtable.c.
 *
 *   walk(pgt, addr, size, walker): number
 *   walker = { cb(ctx, visit): number, arg, flags }     flags: LEAF | TABLE_PRE | TABLE_POST | SHARED
 *   ctx    = { views, page, index, word, oldLo, oldHi, level, addr, gfn, end, flags, arg }
 *
 * Contract (as the kernel's __kvm_pgtable_visit):
 * - Every entry overlapping [addr, addr + size) (page-aligned outwards) is visited in
 *   address order. A table entry gets TABLE_PRE, then its children, then TABLE_POST;
 *   any other entry (page, block, or invalid) gets LEAF.
 * - After a TABLE_PRE or LEAF visit the entry is re-read: a LEAF visitor that installs
 *   a table (map creating or splitting) makes the walk descend into it; a TABLE_PRE
 *   visitor that removes the table makes the walk skip it. TABLE_POST sees the
 *   re-read value.
 * - ctx.addr / ctx.gfn are the walk position: the entry's start, or the walk start for
 *   the first entry, which may lie inside it (the seed patch derives the bitmap bit
 *   from it). ctx.end is the walk's end address. ctx.word is the Int32 index of lo.
 * - A non-zero callback return aborts the walk and is returned by `walk`.
 * - SHARED (lockless, under RCU or the read lock): descriptors are read with
 *   atomics.load as lo, hi, re-read lo (the torn-read rule in ARCHITECTURE.md).
 *   Other walks use the same loads (they are cheap and keep the atomics hook seeing them).
 * - Debug arena: a child page that is not allocated is a use-after-free (counted,
 *   not entered); a poisoned descriptor is counted and treated as invalid.
 * The ctx object is reused for every visit of one walk, and by later walks: copy what you keep.
 *
 * Allocation: none per walk. Walk state (ctx included) comes from a `Pool`, so nested walks
 * (a visitor that walks, as map's block install does) each get their own. Callers that walk
 * often keep their Walker in a Pool too (pgtable.ts, testClearYoung.ts).
 *
 * Shared with the direct descents (pgtableFast.ts, pgtableAccess.ts, testClearYoung.ts): LEVEL_MUL, LEVEL_GFNS, entryWord,
 * loadLo, reloadLo.
 */
import { atomics } from '../sync/atomics.ts';
import { ptePoisoned, tableUsable } from './arena.ts';
import { LEVEL_GFN_SHIFT, MAX_LEVEL, pteIsTable, ptePage } from './descriptor.ts';
import { PAGE_SIZE, PTRS_PER_TABLE, TABLE_WORDS, type ArenaViews } from '../layout.ts';
import type { Pgt } from './pgtableBase.ts';

export const KVM_PGTABLE_WALK_LEAF = 1 << 0;
export const KVM_PGTABLE_WALK_TABLE_PRE = 1 << 1;
export const KVM_PGTABLE_WALK_TABLE_POST = 1 << 2;
export const KVM_PGTABLE_WALK_SHARED = 1 << 3;
/** Short aliases. */
export const LEAF = KVM_PGTABLE_WALK_LEAF;
export const TABLE_PRE = KVM_PGTABLE_WALK_TABLE_PRE;
export const TABLE_POST = KVM_PGTABLE_WALK_TABLE_POST;
export const SHARED = KVM_PGTABLE_WALK_SHARED;

/** Which visit a callback receives: LEAF, TABLE_PRE or TABLE_POST. */
export type Visit = number;

export interface VisitCtx<A = unknown> {
  views: ArenaViews;
  /** Table page holding the entry. */
  page: number;
  index: number;
  /** Int32 index of the entry's lo word (hi is word + 1). */
  word: number;
  oldLo: number;
  oldHi: number;
  level: number;
  /** Walk position in bytes (IPA) and the same as a guest frame number. */
  addr: number;
  gfn: number;
  /** End of the walk in bytes (exclusive). */
  end: number;
  flags: number;
  arg: A;
}

export interface Walker<A = unknown> {
  cb(ctx: VisitCtx<A>, visit: Visit): number;
  arg: A;
  flags: number;
}

const INV_PAGE = 1 / PAGE_SIZE;
/** Multiplier turning a gfn into (index-at-level + fraction): exact, powers of two. */
export const LEVEL_MUL: readonly number[] = LEVEL_GFN_SHIFT.map((s) => 2 ** -s);
/** Guest frames one entry maps at each level. */
export const LEVEL_GFNS: readonly number[] = LEVEL_GFN_SHIFT.map((s) => 2 ** s);

/**
 * gfn bits below a level's index: LEVEL_GFN_SHIFT[level] = 27 - 9 * level (9 index bits per level,
 * 4 levels), computed rather than loaded on the per-access paths (checked against it below).
 */
export const levelShift = (level: number): number => 27 - 9 * level;
if (LEVEL_GFN_SHIFT.some((sh, l) => sh !== levelShift(l))) throw new Error('walker: LEVEL_GFN_SHIFT changed');

/**
 * Int32 index of the lo word of the entry of table `page` (at `level`) that maps `gfn`. Integer
 * shifts when the gfn fits 32 bits (every gfn of a 39-bit IPA, and of the first 16 TiB of a 48-bit
 * one), else the exact power-of-two multiply: the same index either way (gfns are never negative).
 */
export function entryWord(v: ArenaViews, page: number, level: number, gfn: number): number {
  const index =
    gfn <= 0xffff_ffff
      ? (gfn >>> levelShift(level)) & (PTRS_PER_TABLE - 1)
      : (gfn * LEVEL_MUL[level]) & (PTRS_PER_TABLE - 1);
  return v.tables + page * TABLE_WORDS + (index << 1);
}

/** atomics.load of a lo word; in a debug arena a poisoned one is counted and read as 0 (as the walk does). */
export function loadLo(v: ArenaViews, w: number): number {
  const lo = atomics.load(v.i32, w);
  return ptePoisoned(v, lo) ? 0 : lo;
}

/** The walk's re-read after a visit of an entry seen as `seen`: `seen` if unchanged, else loadLo's value. */
export function reloadLo(v: ArenaViews, w: number, seen: number): number {
  const lo = atomics.load(v.i32, w);
  return lo === seen || !ptePoisoned(v, lo) ? lo : 0;
}

/**
 * Free objects for re-entrant code: take() hands out a free one (allocating only when every
 * one is in use, i.e. on deeper nesting than ever before), give() returns it. No allocation
 * in steady state.
 */
export class Pool<T> {
  private readonly free: T[] = [];
  constructor(private readonly make: () => T) {}
  take(): T {
    return this.free.pop() ?? this.make();
  }
  give(x: T): void {
    this.free.push(x);
  }
}

interface WalkData<A> {
  ctx: VisitCtx<A>;
  walker: Walker<A>;
  cur: number; // current gfn
  endGfn: number;
}

const IDLE: Walker<unknown> = { cb: () => 0, arg: null, flags: 0 };
const NO_VIEWS = null as unknown as ArenaViews;
const walkPool = new Pool<WalkData<unknown>>(() => ({
  ctx: {
    views: NO_VIEWS,
    page: 0,
    index: 0,
    word: 0,
    oldLo: 0,
    oldHi: 0,
    level: 0,
    addr: 0,
    gfn: 0,
    end: 0,
    flags: 0,
    arg: null,
  },
  walker: IDLE,
  cur: 0,
  endGfn: 0,
}));

/** Read the descriptor at `w` into ctx.oldLo/oldHi without tearing: lo, hi, re-read lo. */
function readPte(i32: Int32Array, w: number, ctx: VisitCtx<unknown>): void {
  let lo = atomics.load(i32, w);
  let hi = atomics.load(i32, w + 1);
  for (let again = atomics.load(i32, w); again !== lo; again = atomics.load(i32, w)) {
    lo = again;
    hi = atomics.load(i32, w + 1);
  }
  ctx.oldLo = lo;
  ctx.oldHi = hi;
}

function fillCtx<A>(ctx: VisitCtx<A>, page: number, index: number, w: number, level: number, gfn: number): void {
  ctx.page = page;
  ctx.index = index;
  ctx.word = w;
  ctx.level = level;
  ctx.gfn = gfn;
  ctx.addr = gfn * PAGE_SIZE;
}

function visitEntry<A>(d: WalkData<A>, page: number, index: number, level: number): number {
  const ctx = d.ctx;
  const v = ctx.views;
  const w = v.tables + page * TABLE_WORDS + index * 2;
  const cb = d.walker.cb;
  const flags = d.walker.flags;
  readPte(v.i32, w, ctx as VisitCtx<unknown>);
  if (ptePoisoned(v, ctx.oldLo)) ctx.oldLo = 0;
  const seenLo = ctx.oldLo;
  const seenHi = ctx.oldHi;
  const gfn = d.cur;
  fillCtx(ctx, page, index, w, level, gfn);
  let table = pteIsTable(seenLo, level);
  let ret = 0;
  let reload = false;
  if (table && (flags & TABLE_PRE) !== 0) {
    ret = cb(ctx, TABLE_PRE);
    reload = true;
  } else if (!table && (flags & LEAF) !== 0) {
    ret = cb(ctx, LEAF);
    reload = true;
  }
  if (reload) {
    // Re-read (the kernel's reload). lo alone decides table or not; hi only if lo moved.
    fillCtx(ctx, page, index, w, level, gfn); // the callback may have scribbled on ctx
    if (atomics.load(v.i32, w) === seenLo) {
      ctx.oldLo = seenLo;
      ctx.oldHi = seenHi;
    } else {
      readPte(v.i32, w, ctx as VisitCtx<unknown>);
      if (ptePoisoned(v, ctx.oldLo)) ctx.oldLo = 0;
      table = pteIsTable(ctx.oldLo, level);
    }
  }
  if (ret !== 0) return ret;
  const gran = LEVEL_GFNS[level];
  if (!table) {
    d.cur = Math.floor(gfn * LEVEL_MUL[level]) * gran + gran;
    return 0;
  }
  const lo = ctx.oldLo;
  const hi = ctx.oldHi;
  const child = ptePage(lo);
  if (!tableUsable(v, child)) {
    d.cur = Math.floor(gfn * LEVEL_MUL[level]) * gran + gran;
    return 0;
  }
  ret = walkTable(d, child, level + 1);
  if (ret !== 0) return ret;
  if ((flags & TABLE_POST) !== 0) {
    fillCtx(ctx, page, index, w, level, gfn);
    ctx.oldLo = lo;
    ctx.oldHi = hi;
    ret = cb(ctx, TABLE_POST);
  }
  return ret;
}

function walkTable<A>(d: WalkData<A>, page: number, level: number): number {
  if (level > MAX_LEVEL) throw new Error(`table descriptor at level ${level - 1}: corrupt tables`);
  for (let idx = (d.cur * LEVEL_MUL[level]) & (PTRS_PER_TABLE - 1); idx < PTRS_PER_TABLE && d.cur < d.endGfn; idx++) {
    const ret = visitEntry(d, page, idx, level);
    if (ret !== 0) return ret;
  }
  return 0;
}

/** Bytes of IPA space a table rooted at `startLevel` covers. */
export function ipaLimit(startLevel: number): number {
  return PTRS_PER_TABLE * LEVEL_GFNS[startLevel] * PAGE_SIZE;
}

/**
 * Walk [addr, addr + size) of `pgt`, visiting entries as `walker.flags` asks.
 * Returns 0, or the first non-zero callback return. Throws RangeError when the
 * range exceeds the IPA space (a caller bug, as the kernel's -ERANGE).
 */
export function walk<A>(pgt: Pgt, addr: number, size: number, walker: Walker<A>): number {
  const startGfn = Math.floor(addr * INV_PAGE);
  const endGfn = Math.ceil((addr + size) * INV_PAGE);
  if (!(addr >= 0) || !(size >= 0) || addr + size > ipaLimit(pgt.startLevel)) {
    throw new RangeError(`walk [${addr}, +${size}) outside the ${pgt.startLevel === 0 ? 48 : 39}-bit IPA space`);
  }
  if (endGfn <= startGfn) return 0;
  if (!tableUsable(pgt.views, pgt.root)) return 0;
  const d = walkPool.take() as WalkData<A>;
  const ctx = d.ctx;
  ctx.views = pgt.views;
  ctx.page = pgt.root;
  ctx.index = 0;
  ctx.word = 0;
  ctx.oldLo = 0;
  ctx.oldHi = 0;
  ctx.level = pgt.startLevel;
  ctx.addr = startGfn * PAGE_SIZE;
  ctx.gfn = startGfn;
  ctx.end = endGfn * PAGE_SIZE;
  ctx.flags = walker.flags;
  ctx.arg = walker.arg;
  d.walker = walker;
  d.cur = startGfn;
  d.endGfn = endGfn;
  try {
    return walkTable(d, pgt.root, pgt.startLevel);
  } finally {
    // Drop references to the caller's objects (an arena may be large), then recycle.
    ctx.views = NO_VIEWS;
    ctx.arg = null as A;
    d.walker = IDLE as Walker<A>;
    walkPool.give(d as WalkData<unknown>);
  }
}
