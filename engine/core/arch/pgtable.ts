/**
 * Stage-2 page-table operations (Linux arch/arm64/kvm/hyp/pgtable.c, kvm_pgtable_stage2_*).
 *
 * API (stable). Addresses are IPAs in bytes (numbers, exact below 2^53), page-aligned.
 *   interface MmOps { allocTablePage(): number; freeUnlinkedTable(page, level): void;
 *                     tlbInvalidate?(addr, level): void; freeTablePage?(page): void }
 *   interface Pgt { views; root; startLevel; ipaSize; mm }
 *   EAGAIN, ENOMEM                                       expected outcomes, returned (never thrown)
 *   directMmOps(views): MmOps                            arena ops with no RCU (tests, single-threaded)
 *   stage2PgtInit(views, mm, startLevel = 0): Pgt        throws when no root page can be allocated
 *   stage2PgtDestroy(pgt): void                          unmaps all, hands every table (root last) to mm
 *   stage2Map(pgt, addr, size, frame, attrs, opts?): 0 | EAGAIN | ENOMEM   opts { allowBlocks, shared }
 *   stage2Unmap(pgt, addr, size): 0 | ENOMEM             write lock held (ENOMEM: no page to split a block)
 *   stage2GetLeaf(pgt, addr, out?): word | -1            hot path: Int32 index of the valid leaf's lo
 *   stage2LeafFrame(views, word, level, addr): frame | -1
 *   stage2Mkyoung(pgt, addr): boolean, stage2MkyoungPte(views, word, level): boolean
 *   stage2Mkold(pgt, addr, size = PAGE_SIZE): boolean    true when some leaf was young
 *   stage2SetWritable(pgt, addr): boolean                permission-relax write fault: sets S2AP W
 *   stage2TrySetPte(views, word, oldLo, newLo): boolean  the cmpxchg
 *   setStage2FastPaths(on): boolean, stage2FastPaths()   tests/bench: single-page paths via the walk instead
 *
 * Concurrency contract (who may run together):
 * - stage2Unmap, stage2PgtDestroy and stage2Map without `shared`: MMU lock held for write.
 *   They may store plainly where only lock holders write, but a valid leaf's lo is
 *   changed only by cmpxchg, because hardware (mkyoung) and lockless agers
 *   (testClearYoung, mkold) race on AF without the lock.
 * - stage2Map with `shared`: MMU lock held for read (fault path). Empty entries are
 *   claimed by cmpxchg; losing a race returns EAGAIN (retry the fault) or, for a
 *   table another vCPU installed first, uses theirs and frees our never-published page.
 * - Break-before-make: lo -> KVM_INVALID_PTE_LOCKED by cmpxchg, tlbInvalidate, write hi,
 *   then lo (0 to unmap, the new descriptor to make). hi changes only while lo is invalid.
 * - A table emptied by unmap is unlinked the same way and handed to mm.freeUnlinkedTable,
 *   which frees it after a grace period (page-table code never calls RCU or the lock).
 *
 * Files: this one has the generic, walk-based operations (ranges, blocks) and the API;
 * pgtableFast.ts the allocation-free single-page paths that stage2Map / stage2Unmap / stage2Mkold
 * take for one 4 KiB page (a direct descent, exactly equivalent to the walk); pgtableLeafAt.ts the
 * same at an entry a walk already found (mapLeafAt, unmapLeafAt); pgtableAccess.ts the per-access
 * reads and AF / W updates (stage2GetLeaf, stage2Mkyoung...); pgtableBase.ts the types and the entry
 * operations all use. Walkers for the generic walk come from pools, so no call allocates in steady state.
 */
import { allocTablePage, freeTablePage, tableLive } from './arena.ts';
import { MAX_FRAME, S2_AF, pteIsLocked, ptePage, pteValid, type LeafAttrs } from './descriptor.ts';
import { atomics } from '../sync/atomics.ts';
import { ownShape } from '../ownShape.ts';
import { PAGE_SIZE, type ArenaViews } from '../layout.ts';
import {
  EAGAIN,
  INV_PAGE,
  checkRange,
  clearEntry,
  entryStart,
  installLeafAt,
  installTableAt,
  splitBlock,
  stage2FastPaths,
  unlinkTable,
  type MapOptions,
  type MmOps,
  type Pgt,
} from './pgtableBase.ts';
import { mapPage, mkoldPage, unmapPage } from './pgtableFast.ts';
import { LEAF, LEVEL_GFNS, Pool, SHARED, TABLE_POST, TABLE_PRE, ipaLimit, walk } from './walker.ts';
import type { VisitCtx, Walker } from './walker.ts';

export { EAGAIN, ENOMEM, setStage2FastPaths, stage2FastPaths, stage2TrySetPte, stage2Unlinks } from './pgtableBase.ts';
export type { LeafOut, MapOptions, MmOps, Pgt } from './pgtableBase.ts';
export {
  getLeafMiss,
  stage2GetLeaf,
  stage2LeafFrame,
  stage2Mkyoung,
  stage2MkyoungPte,
  stage2SetWritable,
} from './pgtableAccess.ts';
export { mapLeafAt, unmapLeafAt } from './pgtableLeafAt.ts';

/** Placeholder held by idle pooled walkers, so that they keep no arena alive. */
const NO_PGT = null as unknown as Pgt;

/** Arena operations with immediate frees: correct only when no lockless walker runs concurrently. */
export function directMmOps(views: ArenaViews): MmOps {
  return {
    allocTablePage: () => allocTablePage(views),
    freeUnlinkedTable: (page) => freeTablePage(views, page),
  };
}

export function stage2PgtInit(views: ArenaViews, mm: MmOps, startLevel = 0): Pgt {
  if (startLevel !== 0 && startLevel !== 1) throw new RangeError(`start level ${startLevel}: only 0 and 1 supported`);
  const root = mm.allocTablePage();
  if (root < 0) throw new Error('stage-2 init: no table page for the root');
  return ownShape(PgtShape, { views, root, startLevel, ipaSize: ipaLimit(startLevel), mm });
}
/** The map of every Pgt (core/ownShape.ts); buildGuest's shared-table Pgt uses it too. */
export class PgtShape {}

/** Tear down (write lock held, or no other user): every table goes through mm.freeUnlinkedTable. */
export function stage2PgtDestroy(pgt: Pgt): void {
  if (pgt.root < 0) return;
  stage2Unmap(pgt, 0, pgt.ipaSize);
  const root = pgt.root;
  pgt.root = -1;
  pgt.mm.freeUnlinkedTable(root, pgt.startLevel);
}

// ---- map ----------------------------------------------------------------------

interface MapArg {
  pgt: Pgt;
  startGfn: number;
  endGfn: number;
  frame0: number;
  attrLo: number;
  attrHi: number;
  allowBlocks: boolean;
  shared: boolean;
}

function blockOk(m: MapArg, level: number, start: number): boolean {
  if (!m.allowBlocks || (level !== 1 && level !== 2)) return false;
  const gran = LEVEL_GFNS[level];
  return start >= m.startGfn && start + gran <= m.endGfn && (m.frame0 + (start - m.startGfn)) % gran === 0;
}

function installLeaf(ctx: VisitCtx<MapArg>, oldLo: number, start: number): number {
  const m = ctx.arg;
  const frame = m.frame0 + (start - m.startGfn);
  return installLeafAt(
    m.pgt,
    ctx.page,
    ctx.word,
    ctx.level,
    oldLo,
    ctx.oldHi,
    start,
    frame,
    m.attrLo,
    m.attrHi,
    m.shared,
  );
}

function mapVisitor(ctx: VisitCtx<MapArg>, visit: number): number {
  const m = ctx.arg;
  const level = ctx.level;
  const start = level === 3 ? ctx.gfn : entryStart(ctx.gfn, level);
  if (visit === TABLE_PRE) {
    if (m.shared || !blockOk(m, level, start)) return 0;
    // Pages mapped here before: unmap them, unlinking the emptied table below this entry (but
    // never the tables above it, which this walk is standing in), then map the block.
    const ret = unmapGfns(m.pgt, start, start + LEVEL_GFNS[level], level);
    if (ret !== 0) return ret;
    return installLeaf(ctx, atomics.load(ctx.views.i32, ctx.word), start);
  }
  if (level === 3 || blockOk(m, level, start)) return installLeaf(ctx, ctx.oldLo, start);
  const lo = ctx.oldLo;
  if (lo === 0) return installTableAt(m.pgt, ctx.page, ctx.word, level, m.shared);
  if (pteIsLocked(lo) && m.shared) return EAGAIN;
  if (!pteValid(lo)) throw new Error(`map: unexpected descriptor 0x${(lo >>> 0).toString(16)} at level ${level}`);
  return splitBlock(m.pgt, ctx.word, level, ctx.gfn, lo, m.shared);
}

const mapWalkers = new Pool<Walker<MapArg>>(() => ({
  cb: mapVisitor,
  arg: { pgt: NO_PGT, startGfn: 0, endGfn: 0, frame0: 0, attrLo: 0, attrHi: 0, allowBlocks: false, shared: false },
  flags: 0,
}));
const NO_OPTIONS: MapOptions = Object.freeze({});

/**
 * Map [addr, addr + size) to host frames frame, frame + 1, ... with `attrs`.
 * Returns 0, ENOMEM (arena full; the part mapped so far stays mapped) or, with
 * `shared`, EAGAIN (a racing writer owns an entry: retry the fault).
 */
export function stage2Map(
  pgt: Pgt,
  addr: number,
  size: number,
  frame: number,
  attrs: LeafAttrs,
  opts: MapOptions = NO_OPTIONS,
): number {
  checkRange(pgt, addr, size);
  const startGfn = addr * INV_PAGE;
  const endGfn = (addr + size) * INV_PAGE;
  if (!Number.isInteger(frame) || frame < 0 || frame + (endGfn - startGfn) - 1 > MAX_FRAME) {
    throw new RangeError(`frames ${frame}.. outside the OA range`);
  }
  const shared = opts.shared ?? false;
  // One page is never a block: allowBlocks cannot matter.
  if (size === PAGE_SIZE && stage2FastPaths()) return mapPage(pgt, startGfn, frame, attrs.lo, attrs.hi, shared);
  const walker = mapWalkers.take();
  const m = walker.arg;
  m.pgt = pgt;
  m.startGfn = startGfn;
  m.endGfn = endGfn;
  m.frame0 = frame;
  m.attrLo = attrs.lo;
  m.attrHi = attrs.hi;
  m.allowBlocks = opts.allowBlocks ?? false;
  m.shared = shared;
  walker.flags = LEAF | TABLE_PRE | (shared ? SHARED : 0);
  try {
    return walk(pgt, addr, size, walker);
  } finally {
    m.pgt = NO_PGT;
    mapWalkers.give(walker);
  }
}

// ---- unmap --------------------------------------------------------------------

interface UnmapArg {
  pgt: Pgt;
  startGfn: number;
  endGfn: number;
  /** Unlink emptied tables only at entries of this level or deeper. */
  unlinkLevel: number;
}

function unmapVisitor(ctx: VisitCtx<UnmapArg>, visit: number): number {
  const { pgt, startGfn, endGfn, unlinkLevel } = ctx.arg;
  const level = ctx.level;
  if (visit === TABLE_POST) {
    const child = ptePage(ctx.oldLo);
    if (level < unlinkLevel || tableLive(ctx.views, child) !== 0) return 0;
    unlinkTable(pgt, ctx.page, ctx.word, level, entryStart(ctx.gfn, level), child);
    return 0;
  }
  const lo = ctx.oldLo;
  if (lo === 0) return 0;
  if (!pteValid(lo)) throw new Error(`unmap under the write lock met 0x${(lo >>> 0).toString(16)}`);
  const start = entryStart(ctx.gfn, level);
  if (level !== 3 && (start < startGfn || start + LEVEL_GFNS[level] > endGfn)) {
    return splitBlock(pgt, ctx.word, level, ctx.gfn, lo, false); // partial block: split, then descend
  }
  clearEntry(pgt, ctx.page, ctx.word, level, start);
  return 0;
}

const unmapWalkers = new Pool<Walker<UnmapArg>>(() => ({
  cb: unmapVisitor,
  arg: { pgt: NO_PGT, startGfn: 0, endGfn: 0, unlinkLevel: 0 },
  flags: LEAF | TABLE_POST,
}));

function unmapGfns(pgt: Pgt, startGfn: number, endGfn: number, unlinkLevel = 0): number {
  const walker = unmapWalkers.take();
  const a = walker.arg;
  a.pgt = pgt;
  a.startGfn = startGfn;
  a.endGfn = endGfn;
  a.unlinkLevel = unlinkLevel;
  try {
    return walk(pgt, startGfn * PAGE_SIZE, (endGfn - startGfn) * PAGE_SIZE, walker);
  } finally {
    a.pgt = NO_PGT;
    unmapWalkers.give(walker);
  }
}

/** Unmap [addr, addr + size) under the write lock. 0, or ENOMEM when a partial block could not be split. */
export function stage2Unmap(pgt: Pgt, addr: number, size: number): number {
  checkRange(pgt, addr, size);
  if (size === PAGE_SIZE && stage2FastPaths()) return unmapPage(pgt, addr * INV_PAGE);
  return unmapGfns(pgt, addr * INV_PAGE, (addr + size) * INV_PAGE);
}

// ---- mkold --------------------------------------------------------------------------

function mkoldVisitor(ctx: VisitCtx<{ young: boolean }>): number {
  const i32 = ctx.views.i32;
  for (let lo = ctx.oldLo; pteValid(lo) && (lo & S2_AF) !== 0; lo = atomics.load(i32, ctx.word)) {
    if (atomics.compareExchange(i32, ctx.word, lo, lo & ~S2_AF) === lo) {
      ctx.arg.young = true;
      break;
    }
  }
  return 0;
}

const mkoldWalkers = new Pool<Walker<{ young: boolean }>>(() => ({
  cb: mkoldVisitor,
  arg: { young: false },
  flags: LEAF | SHARED,
}));

/** Clear AF on every leaf of [addr, addr + size), lockless-safe. True when some leaf was young. */
export function stage2Mkold(pgt: Pgt, addr: number, size: number = PAGE_SIZE): boolean {
  checkRange(pgt, addr, size);
  if (size === PAGE_SIZE && stage2FastPaths()) return mkoldPage(pgt, addr * INV_PAGE);
  const walker = mkoldWalkers.take();
  walker.arg.young = false;
  try {
    walk(pgt, addr, size, walker);
    return walker.arg.young;
  } finally {
    mkoldWalkers.give(walker);
  }
}
