/**
 * Table-page allocator over the arena's `tables` region.
 *
 * Free list + bump pointer, every mutation under the ALLOC_LOCK spinlock word:
 * RCU callbacks free pages from whichever thread ends a grace period, and fault
 * paths allocate from any vCPU thread. Hold times are a few loads and stores, so
 * the lock spins instead of sleeping (it is also safe on threads that may not wait).
 *
 * Per page: pageState = generation << 1 | allocated (generation bumps on every
 * free, so a stale reference can be told from a reused page); pageLive = live
 * entries while allocated (maintained by pgtable.ts), next free page while free.
 *
 * Debug mode (views.debugPoison): a freed page is filled with POISON so that a
 * walker reading it after free (a missing grace period) notices. Walkers call
 * `tableUsable` before reading a page and `ptePoisoned` on each descriptor they
 * read; both count violations in ALLOC_UAF / ALLOC_POISON_READS in debug mode only
 * and cost one branch otherwise. Allocated pages are always handed out zeroed
 * (every descriptor invalid), in both modes.
 *
 * API (stable):
 *   allocTablePage(views): number        page index, or -1 when the arena is full (counted in ALLOC_FAILURES)
 *   freeTablePage(views, page): void     throws on a double free or a bad index (broken invariant)
 *   pageAllocated(views, page), pageGeneration(views, page)
 *   tableUsable(views, page): boolean    false (and ALLOC_UAF++ in debug mode) when the page is not allocated
 *   ptePoisoned(views, lo): boolean      true (and ALLOC_POISON_READS++) when lo is the poison pattern (debug)
 *   tableLive(views, page), tableLiveAdd(views, page, delta): number   live-entry count (pgtable.ts)
 *   arenaStats(views): ArenaStats
 *   POISON
 */
import { atomics } from '../sync/atomics.ts';
import {
  ALLOC_ALLOCS,
  ALLOC_FAILURES,
  ALLOC_FREE_HEAD,
  ALLOC_FREES,
  ALLOC_HIGH_WATER,
  ALLOC_IN_USE,
  ALLOC_LOCK,
  ALLOC_NEXT_UNUSED,
  ALLOC_POISON_READS,
  ALLOC_UAF,
  TABLE_WORDS,
  type ArenaViews,
} from '../layout.ts';

/**
 * Poison for freed pages, both words: the slab's POISON_FREE byte 0x6b with the
 * valid bit cleared, so a reader that forgets to check still sees an invalid entry.
 */
export const POISON = 0x6b6b6b6a;

function lock(v: ArenaViews): void {
  const w = v.alloc + ALLOC_LOCK;
  while (atomics.compareExchange(v.i32, w, 0, 1) !== 0) {
    // Spin: the holder only runs a handful of instructions.
  }
}

function unlock(v: ArenaViews): void {
  atomics.store(v.i32, v.alloc + ALLOC_LOCK, 0);
}

function checkPage(v: ArenaViews, page: number): void {
  if (!Number.isInteger(page) || page < 0 || page >= v.tablePages) {
    throw new RangeError(`table page ${page} outside the arena (0..${v.tablePages - 1})`);
  }
}

/** Hand out a zeroed table page, or -1 when the arena is full (an expected condition: counted, not thrown). */
export function allocTablePage(v: ArenaViews): number {
  const a = v.alloc;
  const i32 = v.i32;
  lock(v);
  let page = atomics.load(i32, a + ALLOC_FREE_HEAD);
  if (page >= 0) {
    atomics.store(i32, a + ALLOC_FREE_HEAD, atomics.load(i32, v.pageLive + page));
  } else {
    page = atomics.load(i32, a + ALLOC_NEXT_UNUSED);
    if (page >= v.tablePages) {
      atomics.add(i32, a + ALLOC_FAILURES, 1);
      unlock(v);
      return -1;
    }
    atomics.store(i32, a + ALLOC_NEXT_UNUSED, page + 1);
  }
  const inUse = atomics.add(i32, a + ALLOC_IN_USE, 1) + 1;
  if (inUse > atomics.load(i32, a + ALLOC_HIGH_WATER)) atomics.store(i32, a + ALLOC_HIGH_WATER, inUse);
  atomics.add(i32, a + ALLOC_ALLOCS, 1);
  atomics.store(i32, v.pageState + page, atomics.load(i32, v.pageState + page) | 1);
  atomics.store(i32, v.pageLive + page, 0);
  unlock(v);
  // The page is ours alone until published by an atomic store/cmpxchg of a table descriptor.
  const base = v.tables + page * TABLE_WORDS;
  i32.fill(0, base, base + TABLE_WORDS);
  return page;
}

/**
 * Return a page to the free list. The caller guarantees no walker can still reach
 * it: it was never published, or a grace period has passed since it was unlinked.
 */
export function freeTablePage(v: ArenaViews, page: number): void {
  checkPage(v, page);
  const i32 = v.i32;
  const a = v.alloc;
  if (v.debugPoison) {
    const base = v.tables + page * TABLE_WORDS;
    i32.fill(POISON, base, base + TABLE_WORDS);
  }
  lock(v);
  const state = atomics.load(i32, v.pageState + page);
  if ((state & 1) === 0) {
    unlock(v);
    throw new Error(`double free of table page ${page}`);
  }
  atomics.store(i32, v.pageState + page, (((state >>> 1) + 1) << 1) & 0x7ffffffe);
  atomics.store(i32, v.pageLive + page, atomics.load(i32, a + ALLOC_FREE_HEAD));
  atomics.store(i32, a + ALLOC_FREE_HEAD, page);
  atomics.sub(i32, a + ALLOC_IN_USE, 1);
  atomics.add(i32, a + ALLOC_FREES, 1);
  unlock(v);
}

export function pageAllocated(v: ArenaViews, page: number): boolean {
  return (atomics.load(v.i32, v.pageState + page) & 1) !== 0;
}

/** Number of times the page has been freed (wraps at 2^30). */
export function pageGeneration(v: ArenaViews, page: number): number {
  return atomics.load(v.i32, v.pageState + page) >>> 1;
}

/**
 * May a walker read table page `page`? Always true outside debug mode (no cost but
 * one branch). In debug mode, a page outside the arena or not allocated is a
 * use-after-free: counted in ALLOC_UAF, and the walker must not read it.
 */
export function tableUsable(v: ArenaViews, page: number): boolean {
  if (!v.debugPoison) return true;
  if (page >= 0 && page < v.tablePages && (atomics.load(v.i32, v.pageState + page) & 1) !== 0) return true;
  atomics.add(v.i32, v.alloc + ALLOC_UAF, 1);
  return false;
}

/** Debug mode: is `lo` the poison pattern (a read of a freed page)? Counted in ALLOC_POISON_READS. */
export function ptePoisoned(v: ArenaViews, lo: number): boolean {
  if (!v.debugPoison || lo !== POISON) return false;
  atomics.add(v.i32, v.alloc + ALLOC_POISON_READS, 1);
  return true;
}

/** Live (non-empty) descriptors of an allocated table page. */
export function tableLive(v: ArenaViews, page: number): number {
  return atomics.load(v.i32, v.pageLive + page);
}

/** Add `delta` to a page's live-entry count; returns the new count. Atomic: shared-mode mappers race. */
export function tableLiveAdd(v: ArenaViews, page: number, delta: number): number {
  return atomics.add(v.i32, v.pageLive + page, delta) + delta;
}

export interface ArenaStats {
  inUse: number;
  highWater: number;
  allocs: number;
  frees: number;
  failures: number;
  /** Debug mode: walks that reached a freed page. Must stay 0. */
  uaf: number;
  /** Debug mode: descriptors read that held POISON. Must stay 0. */
  poisonReads: number;
}

export function arenaStats(v: ArenaViews): ArenaStats {
  const r = (slot: number): number => atomics.load(v.i32, v.alloc + slot);
  return {
    inUse: r(ALLOC_IN_USE),
    highWater: r(ALLOC_HIGH_WATER),
    allocs: r(ALLOC_ALLOCS),
    frees: r(ALLOC_FREES),
    failures: r(ALLOC_FAILURES),
    uaf: r(ALLOC_UAF),
    poisonReads: r(ALLOC_POISON_READS),
  };
}
