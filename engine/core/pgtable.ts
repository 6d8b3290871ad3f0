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
 */
import { atomics } from './atomics.ts';
import { allocTablePage, freeTablePage, ptePoisoned, tableLive, tableLiveAdd, tableUsable } from './arena.ts';
import {
  KVM_INVALID_PTE_LOCKED,
  LEAF_ATTR_HI_MASK,
  LEAF_ATTR_LO_MASK,
  LEVEL_GFN_SHIFT,
  MAX_FRAME,
  S2AP_W,
  S2_AF,
  makeLeafHi,
  makeLeafLo,
  makeTable,
  pteIsLocked,
  pteIsTable,
  pteOaFrame,
  ptePage,
  pteValid,
  type LeafAttrs,
} from './descriptor.ts';
import { PAGE_SIZE, TABLE_WORDS, type ArenaViews } from './layout.ts';
import { LEAF, SHARED, TABLE_POST, TABLE_PRE, ipaLimit, walk, type VisitCtx, type Walker } from './walker.ts';

export const EAGAIN = -11;
export const ENOMEM = -12;

/** Memory operations injected by the composition (mmu.ts): the page tables never free on their own. */
export interface MmOps {
  /** A zeroed table page, or -1 when none is left. */
  allocTablePage(): number;
  /** `page` (level `level`) is unlinked and empty: free it once no lockless walker can hold it. */
  freeUnlinkedTable(page: number, level: number): void;
  /** Invalidate TLB entries for the entry at `addr` (bytes) of `level`, during break-before-make. */
  tlbInvalidate?(addr: number, level: number): void;
  /** Free a page that was never published (no walker saw it). Default: the arena's freeTablePage. */
  freeTablePage?(page: number): void;
}

export interface Pgt {
  readonly views: ArenaViews;
  /** Root table page; -1 after stage2PgtDestroy. */
  root: number;
  /** 0 for a 48-bit IPA, 1 for 39 bits. */
  readonly startLevel: number;
  /** Bytes of IPA space (2^48 or 2^39). */
  readonly ipaSize: number;
  readonly mm: MmOps;
}

export interface MapOptions {
  /** Use 1 GiB / 2 MiB blocks where the range and the frame are aligned. */
  allowBlocks?: boolean;
  /** Caller holds the MMU lock for read, not write (the fault path). */
  shared?: boolean;
}

/** Out parameter of stage2GetLeaf (preallocate one and reuse it). */
export interface LeafOut {
  level: number;
}

const INV_PAGE = 1 / PAGE_SIZE;
const LEVEL_MUL: readonly number[] = LEVEL_GFN_SHIFT.map((s) => 2 ** -s);
const LEVEL_GFNS: readonly number[] = LEVEL_GFN_SHIFT.map((s) => 2 ** s);
const entryStart = (gfn: number, level: number): number => Math.floor(gfn * LEVEL_MUL[level]) * LEVEL_GFNS[level];

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
  return { views, root, startLevel, ipaSize: ipaLimit(startLevel), mm };
}

/** Tear down (write lock held, or no other user): every table goes through mm.freeUnlinkedTable. */
export function stage2PgtDestroy(pgt: Pgt): void {
  if (pgt.root < 0) return;
  stage2Unmap(pgt, 0, pgt.ipaSize);
  const root = pgt.root;
  pgt.root = -1;
  pgt.mm.freeUnlinkedTable(root, pgt.startLevel);
}

/** The cmpxchg on a descriptor's lo. A failure is an expected race: someone changed the PTE. */
export function stage2TrySetPte(views: ArenaViews, word: number, oldLo: number, newLo: number): boolean {
  return atomics.compareExchange(views.i32, word, oldLo, newLo) === oldLo;
}

/** Write-lock break: swap a valid lo for LOCKED, retrying over AF racers. Returns the displaced lo. */
function breakPte(i32: Int32Array, w: number): number {
  for (;;) {
    const lo = atomics.load(i32, w);
    if (!pteValid(lo)) throw new Error(`break-before-make of an invalid descriptor 0x${(lo >>> 0).toString(16)}`);
    if (atomics.compareExchange(i32, w, lo, KVM_INVALID_PTE_LOCKED) === lo) return lo;
  }
}

function freeNeverPublished(pgt: Pgt, page: number): void {
  if (pgt.mm.freeTablePage) pgt.mm.freeTablePage(page);
  else freeTablePage(pgt.views, page);
}

/**
 * Replace the block at `ctx.word` by a table of the next level mapping the same
 * frames with the same attributes (break-before-make). The walker then re-reads
 * the entry and descends into the new table.
 */
function splitBlock(pgt: Pgt, ctx: VisitCtx<unknown>, shared: boolean): number {
  const { i32 } = pgt.views;
  const w = ctx.word;
  const level = ctx.level;
  const page = pgt.mm.allocTablePage();
  if (page < 0) return ENOMEM;
  let lo: number;
  if (shared) {
    lo = ctx.oldLo;
    if (atomics.compareExchange(i32, w, lo, KVM_INVALID_PTE_LOCKED) !== lo) {
      freeNeverPublished(pgt, page);
      return EAGAIN;
    }
  } else {
    lo = breakPte(i32, w);
  }
  const hi = atomics.load(i32, w + 1);
  pgt.mm.tlbInvalidate?.(entryStart(ctx.gfn, level) * PAGE_SIZE, level);
  const child = level + 1;
  const step = LEVEL_GFNS[child];
  const frame = pteOaFrame(lo, hi);
  const attrLo = lo & LEAF_ATTR_LO_MASK;
  const attrHi = hi & LEAF_ATTR_HI_MASK;
  const base = pgt.views.tables + page * TABLE_WORDS;
  // Unpublished page: plain stores; the atomic store of the table descriptor publishes them.
  for (let i = 0; i < 512; i++) {
    const f = frame + i * step;
    i32[base + 2 * i] = makeLeafLo(f, child, attrLo);
    i32[base + 2 * i + 1] = makeLeafHi(f, attrHi);
  }
  tableLiveAdd(pgt.views, page, 512);
  atomics.store(i32, w + 1, 0);
  atomics.store(i32, w, makeTable(page));
  return 0;
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
  const { i32 } = ctx.views;
  const w = ctx.word;
  const frame = m.frame0 + (start - m.startGfn);
  const lo = makeLeafLo(frame, ctx.level, m.attrLo);
  const hi = makeLeafHi(frame, m.attrHi);
  if (oldLo === 0) {
    if (m.shared && atomics.compareExchange(i32, w, 0, KVM_INVALID_PTE_LOCKED) !== 0) return EAGAIN;
    atomics.store(i32, w + 1, hi);
    atomics.store(i32, w, lo);
    tableLiveAdd(ctx.views, ctx.page, 1);
    return 0;
  }
  if (pteIsLocked(oldLo) && m.shared) return EAGAIN;
  if (!pteValid(oldLo)) throw new Error(`map over a non-empty invalid descriptor 0x${(oldLo >>> 0).toString(16)}`);
  if (m.shared) {
    // Another vCPU mapped it already (kernel: !stage2_pte_needs_update): a spurious fault.
    if (((oldLo ^ lo) & ~(S2_AF | S2AP_W)) === 0 && ctx.oldHi === hi) return EAGAIN;
    if (atomics.compareExchange(i32, w, oldLo, KVM_INVALID_PTE_LOCKED) !== oldLo) return EAGAIN;
  } else {
    breakPte(i32, w);
  }
  m.pgt.mm.tlbInvalidate?.(start * PAGE_SIZE, ctx.level);
  atomics.store(i32, w + 1, hi);
  atomics.store(i32, w, lo);
  return 0;
}

function installTable(ctx: VisitCtx<MapArg>): number {
  const m = ctx.arg;
  const { i32 } = ctx.views;
  const page = m.pgt.mm.allocTablePage();
  if (page < 0) return ENOMEM;
  const desc = makeTable(page);
  if (m.shared) {
    if (atomics.compareExchange(i32, ctx.word, 0, desc) !== 0) {
      freeNeverPublished(m.pgt, page);
      // A table installed by the winner is fine: the walker re-reads the entry and descends.
      return pteIsTable(atomics.load(i32, ctx.word), ctx.level) ? 0 : EAGAIN;
    }
  } else {
    atomics.store(i32, ctx.word, desc);
  }
  tableLiveAdd(ctx.views, ctx.page, 1);
  return 0;
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
  if (lo === 0) return installTable(ctx);
  if (pteIsLocked(lo) && m.shared) return EAGAIN;
  if (!pteValid(lo)) throw new Error(`map: unexpected descriptor 0x${(lo >>> 0).toString(16)} at level ${level}`);
  return splitBlock(m.pgt, ctx as VisitCtx<unknown>, m.shared);
}

function checkRange(pgt: Pgt, addr: number, size: number): void {
  if (pgt.root < 0) throw new Error('stage-2 table already destroyed');
  if (addr % PAGE_SIZE !== 0 || size % PAGE_SIZE !== 0 || addr < 0 || size < 0 || addr + size > pgt.ipaSize) {
    throw new RangeError(`range [${addr}, +${size}) not page-aligned or outside the IPA space`);
  }
}

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
  opts: MapOptions = {},
): number {
  checkRange(pgt, addr, size);
  const startGfn = addr * INV_PAGE;
  const endGfn = (addr + size) * INV_PAGE;
  if (!Number.isInteger(frame) || frame < 0 || frame + (endGfn - startGfn) - 1 > MAX_FRAME) {
    throw new RangeError(`frames ${frame}.. outside the OA range`);
  }
  const shared = opts.shared ?? false;
  const walker: Walker<MapArg> = {
    cb: mapVisitor,
    arg: {
      pgt,
      startGfn,
      endGfn,
      frame0: frame,
      attrLo: attrs.lo,
      attrHi: attrs.hi,
      allowBlocks: opts.allowBlocks ?? false,
      shared,
    },
    flags: LEAF | TABLE_PRE | (shared ? SHARED : 0),
  };
  return walk(pgt, addr, size, walker);
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
  const { i32 } = ctx.views;
  const w = ctx.word;
  const level = ctx.level;
  if (visit === TABLE_POST) {
    const child = ptePage(ctx.oldLo);
    if (level < unlinkLevel || tableLive(ctx.views, child) !== 0) return 0;
    breakPte(i32, w);
    pgt.mm.tlbInvalidate?.(entryStart(ctx.gfn, level) * PAGE_SIZE, level);
    atomics.store(i32, w + 1, 0);
    atomics.store(i32, w, 0);
    tableLiveAdd(ctx.views, ctx.page, -1);
    pgt.mm.freeUnlinkedTable(child, level + 1);
    return 0;
  }
  const lo = ctx.oldLo;
  if (lo === 0) return 0;
  if (!pteValid(lo)) throw new Error(`unmap under the write lock met 0x${(lo >>> 0).toString(16)}`);
  const start = entryStart(ctx.gfn, level);
  if (level !== 3 && (start < startGfn || start + LEVEL_GFNS[level] > endGfn)) {
    return splitBlock(pgt, ctx as VisitCtx<unknown>, false); // partial block: split, then descend
  }
  breakPte(i32, w);
  pgt.mm.tlbInvalidate?.(start * PAGE_SIZE, level);
  atomics.store(i32, w + 1, 0);
  atomics.store(i32, w, 0);
  tableLiveAdd(ctx.views, ctx.page, -1);
  return 0;
}

function unmapGfns(pgt: Pgt, startGfn: number, endGfn: number, unlinkLevel = 0): number {
  const walker: Walker<UnmapArg> = {
    cb: unmapVisitor,
    arg: { pgt, startGfn, endGfn, unlinkLevel },
    flags: LEAF | TABLE_POST,
  };
  return walk(pgt, startGfn * PAGE_SIZE, (endGfn - startGfn) * PAGE_SIZE, walker);
}

/** Unmap [addr, addr + size) under the write lock. 0, or ENOMEM when a partial block could not be split. */
export function stage2Unmap(pgt: Pgt, addr: number, size: number): number {
  checkRange(pgt, addr, size);
  return unmapGfns(pgt, addr * INV_PAGE, (addr + size) * INV_PAGE);
}

// ---- per-access fast paths ------------------------------------------------------

/**
 * The valid leaf mapping `addr`: the Int32 index of its lo word, or -1 (unmapped,
 * invalid or mid break-before-make). Sets out.level when given. Allocation-free;
 * safe lockless (under RCU): it reads only lo words, which are atomic.
 */
export function stage2GetLeaf(pgt: Pgt, addr: number, out?: LeafOut): number {
  const v = pgt.views;
  if (v.debugPoison) return getLeafDebug(pgt, addr, out);
  if (!(addr < pgt.ipaSize)) return -1;
  const i32 = v.i32;
  const tables = v.tables;
  const gfn = addr * INV_PAGE;
  let page = pgt.root;
  let level = pgt.startLevel;
  for (;;) {
    const w = tables + page * TABLE_WORDS + (((gfn * LEVEL_MUL[level]) & 511) << 1);
    const lo = atomics.load(i32, w);
    if ((lo & 1) === 0) return -1;
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

/** Clear AF on every leaf of [addr, addr + size), lockless-safe. True when some leaf was young. */
export function stage2Mkold(pgt: Pgt, addr: number, size: number = PAGE_SIZE): boolean {
  checkRange(pgt, addr, size);
  const walker: Walker<{ young: boolean }> = { cb: mkoldVisitor, arg: { young: false }, flags: LEAF | SHARED };
  walk(pgt, addr, size, walker);
  return walker.arg.young;
}
