/**
 * Stage-2 page tables, the shared part: types, error codes, and the entry operations that both
 * the generic walk (pgtable.ts) and the single-page fast paths (pgtableFast.ts, pgtableLeafAt.ts) perform, so the
 * two cannot drift apart. Everything here is re-exported by pgtable.ts (the API); import from there.
 *
 * Entry operations (caller holds what pgtable.ts's concurrency contract asks for):
 *   breakPte(i32, w): lo                    write-lock break: valid lo -> LOCKED by cmpxchg, retrying over AF racers
 *   splitBlock(pgt, w, level, gfn, oldLo, shared): 0 | EAGAIN | ENOMEM     block -> table of the next level
 *   installLeafAt(pgt, page, w, level, oldLo, oldHi, start, frame, attrLo, attrHi, shared): 0 | EAGAIN
 *   installTableAt(pgt, page, w, level, shared): 0 | EAGAIN | ENOMEM       a new empty table in an empty entry
 *   clearEntry(pgt, page, w, level, start): void                            break-before-make to 0, live count - 1
 *   unlinkTable(pgt, page, w, level, start, child): void                    clearEntry + mm.freeUnlinkedTable
 *   stage2FastPaths(), setStage2FastPaths(on): previous     single-page fast paths on (default) or off
 *   stage2Unlinks(): number                                 tables unlinked by this thread so far
 */
import { atomics } from '../sync/atomics.ts';
import { freeTablePage, tableLiveAdd } from './arena.ts';
import {
  KVM_INVALID_PTE_LOCKED,
  LEAF_ATTR_HI_MASK,
  LEAF_ATTR_LO_MASK,
  S2AP_W,
  S2_AF,
  makeLeafHi,
  makeLeafLo,
  makeTable,
  pteIsLocked,
  pteIsTable,
  pteOaFrame,
  pteValid,
} from './descriptor.ts';
import { PAGE_SIZE, TABLE_WORDS, type ArenaViews } from '../layout.ts';
import { LEVEL_GFNS, LEVEL_MUL } from './walker.ts';
import { EAGAIN, ENOMEM } from './errno.ts';

export { EAGAIN, ENOMEM } from './errno.ts';

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

let fastPaths = true;

/** Do single-page operations take the direct descents (pgtableFast.ts)? True unless switched off. */
export function stage2FastPaths(): boolean {
  // A comparison, which TurboFan knows is a boolean: a bare module `let` read is tested with a full ToBoolean.
  return fastPaths === true;
}

/**
 * Tests and benchmarks only: route single-page operations through the generic walk instead
 * (`false`), to compare the two. Per thread (module state). Returns the previous setting.
 */
export function setStage2FastPaths(on: boolean): boolean {
  const was = fastPaths;
  fastPaths = on;
  return was;
}

/** Tables this thread has unlinked (unlinkTable), module state like fastPaths. */
let unlinks = 0;

/**
 * How many tables this thread has unlinked so far. A caller that found a table page by a walk and
 * is the only agent on the arena (sim/replay.ts) may use that page again, without a new descent, as
 * long as this count has not moved: only an unlink takes a table off a walk's path (a new table
 * goes into an empty entry, and blocks are never made by the single-page map).
 */
export function stage2Unlinks(): number {
  return unlinks;
}

export const INV_PAGE = 1 / PAGE_SIZE;
/** First gfn of the entry of `level` that maps `gfn`. */
export const entryStart = (gfn: number, level: number): number =>
  Math.floor(gfn * LEVEL_MUL[level]) * LEVEL_GFNS[level];

export function checkRange(pgt: Pgt, addr: number, size: number): void {
  if (pgt.root < 0) throw new Error('stage-2 table already destroyed');
  if (addr % PAGE_SIZE !== 0 || size % PAGE_SIZE !== 0 || addr < 0 || size < 0 || addr + size > pgt.ipaSize) {
    throw new RangeError(`range [${addr}, +${size}) not page-aligned or outside the IPA space`);
  }
}

/** The cmpxchg on a descriptor's lo. A failure is an expected race: someone changed the PTE. */
export function stage2TrySetPte(views: ArenaViews, word: number, oldLo: number, newLo: number): boolean {
  return atomics.compareExchange(views.i32, word, oldLo, newLo) === oldLo;
}

/** Write-lock break: swap a valid lo for LOCKED, retrying over AF racers. Returns the displaced lo. */
export function breakPte(i32: Int32Array, w: number): number {
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
 * Replace the block at word `w` (level `level`, covering `gfn`, seen as `oldLo`) by a table of
 * the next level mapping the same frames with the same attributes (break-before-make). The caller
 * then re-reads the entry and descends into the new table.
 */
export function splitBlock(pgt: Pgt, w: number, level: number, gfn: number, oldLo: number, shared: boolean): number {
  const { i32 } = pgt.views;
  const page = pgt.mm.allocTablePage();
  if (page < 0) return ENOMEM;
  let lo: number;
  if (shared) {
    lo = oldLo;
    if (atomics.compareExchange(i32, w, lo, KVM_INVALID_PTE_LOCKED) !== lo) {
      freeNeverPublished(pgt, page);
      return EAGAIN;
    }
  } else {
    lo = breakPte(i32, w);
  }
  const hi = atomics.load(i32, w + 1);
  pgt.mm.tlbInvalidate?.(entryStart(gfn, level) * PAGE_SIZE, level);
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

/**
 * Make the entry at word `w` of table `page` (seen as oldLo/oldHi) a leaf of `level` mapping
 * `frame` from gfn `start`. Empty entries are claimed (cmpxchg when shared); a live one is
 * replaced by break-before-make; with `shared`, a racing writer's entry gives EAGAIN.
 */
export function installLeafAt(
  pgt: Pgt,
  page: number,
  w: number,
  level: number,
  oldLo: number,
  oldHi: number,
  start: number,
  frame: number,
  attrLo: number,
  attrHi: number,
  shared: boolean,
): number {
  if (oldLo !== 0) return replaceLeafAt(pgt, w, level, oldLo, oldHi, start, frame, attrLo, attrHi, shared);
  const i32 = pgt.views.i32;
  if (shared && atomics.compareExchange(i32, w, 0, KVM_INVALID_PTE_LOCKED) !== 0) return EAGAIN;
  atomics.store(i32, w + 1, makeLeafHi(frame, attrHi));
  atomics.store(i32, w, makeLeafLo(frame, level, attrLo));
  tableLiveAdd(pgt.views, page, 1);
  return 0;
}

/**
 * installLeafAt of a non-empty entry (oldLo !== 0): a racing writer's LOCKED entry (EAGAIN when shared),
 * a spurious fault, or break-before-make of a live leaf. Apart from installLeafAt so that the empty-entry
 * case, the one every fault of a trace replay takes, stays small enough for TurboFan to inline it with
 * the atomics and descriptor helpers it calls (V8's cumulative inlining budget, --trace-turbo-inlining:
 * makeLeafLo, makeLeafHi and tableLiveAdd's add were left as calls in mapLeafAt, session 10).
 */
function replaceLeafAt(
  pgt: Pgt,
  w: number,
  level: number,
  oldLo: number,
  oldHi: number,
  start: number,
  frame: number,
  attrLo: number,
  attrHi: number,
  shared: boolean,
): number {
  const i32 = pgt.views.i32;
  const lo = makeLeafLo(frame, level, attrLo);
  const hi = makeLeafHi(frame, attrHi);
  if (pteIsLocked(oldLo) && shared) return EAGAIN;
  if (!pteValid(oldLo)) throw new Error(`map over a non-empty invalid descriptor 0x${(oldLo >>> 0).toString(16)}`);
  if (shared) {
    // Another vCPU mapped it already (kernel: !stage2_pte_needs_update): a spurious fault.
    if (((oldLo ^ lo) & ~(S2_AF | S2AP_W)) === 0 && oldHi === hi) return EAGAIN;
    if (atomics.compareExchange(i32, w, oldLo, KVM_INVALID_PTE_LOCKED) !== oldLo) return EAGAIN;
  } else {
    breakPte(i32, w);
  }
  pgt.mm.tlbInvalidate?.(start * PAGE_SIZE, level);
  atomics.store(i32, w + 1, hi);
  atomics.store(i32, w, lo);
  return 0;
}

/**
 * Link a new empty table into the empty entry at word `w` of table `page`. With `shared`, the
 * loser of a race frees its never-published page; a table installed by the winner is fine
 * (0: the caller re-reads the entry and descends), anything else is EAGAIN.
 */
export function installTableAt(pgt: Pgt, page: number, w: number, level: number, shared: boolean): number {
  const i32 = pgt.views.i32;
  const child = pgt.mm.allocTablePage();
  if (child < 0) return ENOMEM;
  const desc = makeTable(child);
  if (shared) {
    if (atomics.compareExchange(i32, w, 0, desc) !== 0) {
      freeNeverPublished(pgt, child);
      return pteIsTable(atomics.load(i32, w), level) ? 0 : EAGAIN;
    }
  } else {
    atomics.store(i32, w, desc);
  }
  tableLiveAdd(pgt.views, page, 1);
  return 0;
}

/** Write lock: break-before-make the valid entry at word `w` (level, first gfn `start`) to 0. */
export function clearEntry(pgt: Pgt, page: number, w: number, level: number, start: number): void {
  const i32 = pgt.views.i32;
  breakPte(i32, w);
  pgt.mm.tlbInvalidate?.(start * PAGE_SIZE, level);
  atomics.store(i32, w + 1, 0);
  atomics.store(i32, w, 0);
  tableLiveAdd(pgt.views, page, -1);
}

/** Write lock: unlink the empty table `child` linked at word `w` and hand it to mm.freeUnlinkedTable. */
export function unlinkTable(pgt: Pgt, page: number, w: number, level: number, start: number, child: number): void {
  clearEntry(pgt, page, w, level, start);
  unlinks++;
  pgt.mm.freeUnlinkedTable(child, level + 1);
}
