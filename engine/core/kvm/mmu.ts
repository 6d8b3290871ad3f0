/**
 * The one composition module (as Linux arch/arm64/kvm/mmu.c): wires the page tables' injected
 * memory operations to the arena and RCU, takes the MMU lock on the fault paths, and runs
 * testClearYoung for aging, locklessly under rcuReadLock or under the lock.
 *
 * One `Mmu` per (thread, guest): it binds this thread's RCU handle (callbacks for unlinked
 * tables are queued on the thread that unlinked them and run by its rcuPoll/rcuBarrier) and
 * this thread's lock handle (which records what it holds). Workers attach to a guest created
 * elsewhere with `mmuAttach(views, rcu, lockId, root)`.
 *
 * Who may run together (the contract the stress tests check):
 * - hardwareMkyoung, testClearYoung 'lockless': no lock, inside an RCU read-side section; they
 *   change a live leaf only by cmpxchg on its lo word.
 * - Fault paths under readLock: handleAccessFlagFault (mkyoung), handlePermissionFault (S2AP W),
 *   handleStage2Fault with `shared` (stage2Map SHARED: empty entries claimed by cmpxchg).
 * - Under writeLock: unmapRange, handleStage2Fault without `shared`. Tables emptied by unmap
 *   are freed through callRcu after a grace period, never at once (the lockless walkers above
 *   may still be reading them); pages never published are freed at once.
 * Expected races come back as return values (EAGAIN, ENOMEM, false); broken invariants throw.
 *
 * Main threads: create the Mmu with `mayBlock: false`; only the lockless paths and the try*
 * variants are usable there (the lock throws rather than block).
 */
import { allocTablePage, freeTablePage } from '../arch/arena.ts';
import type { ArenaViews } from '../layout.ts';
import { attachMmuLock, readLock, readUnlock, tryRead, tryWrite, writeLock, writeUnlock } from './mmuLock.ts';
import type { MmuLock } from './mmuLock.ts';
import { callRcu, rcuPoll, rcuReadLock, rcuReadUnlock } from '../sync/rcu.ts';
import type { RcuThread } from '../sync/rcu.ts';
import type { LeafAttrs } from '../arch/descriptor.ts';
import { stage2Map, stage2Mkyoung, stage2PgtInit, stage2SetWritable, stage2Unmap } from '../arch/pgtable.ts';
import type { MmOps, Pgt } from '../arch/pgtable.ts';
import { testClearYoung } from '../arch/testClearYoung.ts';
import type { TestClearYoungStats } from '../arch/testClearYoung.ts';
import { ipaLimit } from '../arch/walker.ts';

export interface MmuOptions {
  /** Clock in ms for lock wait/hold statistics (see mmuLock.ts). */
  now?: () => number;
  /** False on a thread that must never block (a main thread). */
  mayBlock?: boolean;
  /** TLB invalidation during break-before-make (the simulation's per-vCPU TLBs). */
  tlbInvalidate?(addr: number, level: number): void;
  /**
   * NEGATIVE CONTROL ONLY (the bug the seed patch must avoid): free unlinked tables at once
   * instead of after a grace period. Lockless walkers then read freed pages.
   */
  unsafeFreeWithoutGracePeriod?: boolean;
  /** NEGATIVE CONTROL ONLY: lockless aging without rcuReadLock (a broken read side). */
  unsafeAgeWithoutRcu?: boolean;
}

/** How testClearYoung is protected: the seed patch ('lockless') or the MMU lock. */
export type AgingLock = 'lockless' | 'read' | 'write';

export interface Mmu {
  readonly views: ArenaViews;
  readonly pgt: Pgt;
  readonly lock: MmuLock;
  readonly rcu: RcuThread;
  readonly lockId: number;
  readonly options: MmuOptions;
}

/** The page tables' memory operations for this thread: arena allocation, RCU-deferred frees. */
export function mmuMmOps(views: ArenaViews, rcu: RcuThread, options: MmuOptions = {}): MmOps {
  return new ArenaMmOps(views, rcu, options.unsafeFreeWithoutGracePeriod === true, options.tlbInvalidate);
}

/**
 * Methods on a prototype, not closures made per call: a kept worker (engine/host/workerPool.ts) builds
 * these per run, and TurboFan's code that inlined them stays valid from one run to the next (per-run
 * closures deoptimised mapPage, unmapPage, allocTablePage, ... at each run's start: "wrong call target").
 */
class ArenaMmOps implements MmOps {
  readonly tlbInvalidate?: (addr: number, level: number) => void;
  constructor(
    private readonly views: ArenaViews,
    private readonly rcu: RcuThread,
    private readonly unsafeFree: boolean,
    tlbInvalidate: ((addr: number, level: number) => void) | undefined,
  ) {
    if (tlbInvalidate) this.tlbInvalidate = tlbInvalidate;
  }
  allocTablePage(): number {
    return allocTablePage(this.views);
  }
  freeUnlinkedTable(page: number): void {
    if (this.unsafeFree) freeTablePage(this.views, page);
    else callRcu(this.rcu, () => freeTablePage(this.views, page), 'page');
  }
  /** Never published: no walker can hold it, so no grace period is needed. */
  freeTablePage(page: number): void {
    freeTablePage(this.views, page);
  }
}

function build(views: ArenaViews, rcu: RcuThread, lockId: number, options: MmuOptions, pgt: Pgt): Mmu {
  const lock = attachMmuLock(views, lockId, { now: options.now, mayBlock: options.mayBlock });
  return { views, pgt, lock, rcu, lockId, options };
}

/** Create a guest's stage-2 table (allocates its root). Throws when the arena has no page for it. */
export function mmuInit(
  views: ArenaViews,
  rcu: RcuThread,
  lockId: number,
  options: MmuOptions = {},
  startLevel = 0,
): Mmu {
  const pgt = stage2PgtInit(views, mmuMmOps(views, rcu, options), startLevel);
  return build(views, rcu, lockId, options, pgt);
}

/** This thread's view of a guest created elsewhere (root page and start level passed along). */
export function mmuAttach(
  views: ArenaViews,
  rcu: RcuThread,
  lockId: number,
  root: number,
  options: MmuOptions = {},
  startLevel = 0,
): Mmu {
  const pgt: Pgt = { views, root, startLevel, ipaSize: ipaLimit(startLevel), mm: mmuMmOps(views, rcu, options) };
  return build(views, rcu, lockId, options, pgt);
}

// ---- locking ------------------------------------------------------------------------

/** `op(pgt, addr)` under readLock: the fault paths that change bits of one live leaf. */
function underReadLock(m: Mmu, op: (pgt: Pgt, addr: number) => boolean, addr: number): boolean {
  readLock(m.lock);
  try {
    return op(m.pgt, addr);
  } finally {
    readUnlock(m.lock);
  }
}

function takeLock(m: Mmu, mode: 'read' | 'write'): void {
  if (mode === 'read') readLock(m.lock);
  else writeLock(m.lock);
}

function dropLock(m: Mmu, mode: 'read' | 'write'): void {
  if (mode === 'read') readUnlock(m.lock);
  else writeUnlock(m.lock);
}

// ---- vCPU paths -------------------------------------------------------------------

/**
 * A hardware AF update (FEAT_HAFDBS): the walk takes no lock. The simulated hardware walker
 * reads table pages, so it runs in an RCU read-side section. True when this call set AF.
 */
export function hardwareMkyoung(m: Mmu, addr: number): boolean {
  rcuReadLock(m.rcu);
  try {
    return stage2Mkyoung(m.pgt, addr);
  } finally {
    rcuReadUnlock(m.rcu);
  }
}

/** Access-flag fault (cores without hardware AF): readLock, mkyoung. True when this call set AF. */
export function handleAccessFlagFault(m: Mmu, addr: number): boolean {
  return underReadLock(m, stage2Mkyoung, addr);
}

/** Write permission fault on a read-only leaf: readLock, set S2AP W. True when this call set it. */
export function handlePermissionFault(m: Mmu, addr: number): boolean {
  return underReadLock(m, stage2SetWritable, addr);
}

/**
 * Stage-2 fault: map `size` bytes at `addr` to `frame`. With `shared` under readLock (the SHARED
 * walk; EAGAIN when a racing vCPU owns the entry: retry the access), else under writeLock.
 * Returns 0, EAGAIN or ENOMEM (pgtable.ts).
 */
export function handleStage2Fault(
  m: Mmu,
  addr: number,
  size: number,
  frame: number,
  attrs: LeafAttrs,
  opts: { shared?: boolean; allowBlocks?: boolean } = {},
): number {
  const shared = opts.shared ?? true;
  const mode = shared ? 'read' : 'write';
  takeLock(m, mode);
  try {
    return stage2Map(m.pgt, addr, size, frame, attrs, { shared, allowBlocks: opts.allowBlocks });
  } finally {
    dropLock(m, mode);
  }
}

// ---- reclaim paths ------------------------------------------------------------------

/** Unmap under writeLock (evict, balloon, memslot change). Emptied tables go through callRcu. */
export function unmapRange(m: Mmu, addr: number, size: number): number {
  writeLock(m.lock);
  try {
    return stage2Unmap(m.pgt, addr, size);
  } finally {
    writeUnlock(m.lock);
  }
}

/**
 * testClearYoung of [startGfn, endGfn) with the seed patch's bitmap semantics (testClearYoung.ts),
 * protected as `how` says: 'lockless' = rcuReadLock only (the patch); 'read' / 'write' = the
 * MMU lock (blocks faults: write blocks all of them, read only unmap and non-shared maps).
 */
export function mmuTestClearYoung(
  m: Mmu,
  how: AgingLock,
  startGfn: number,
  endGfn: number,
  lsbGfn: number,
  bitmap: Uint32Array,
  stats?: TestClearYoungStats,
): boolean {
  if (how === 'lockless') {
    if (m.options.unsafeAgeWithoutRcu) return testClearYoung(m.pgt, startGfn, endGfn, lsbGfn, bitmap, stats);
    rcuReadLock(m.rcu);
    try {
      return testClearYoung(m.pgt, startGfn, endGfn, lsbGfn, bitmap, stats);
    } finally {
      rcuReadUnlock(m.rcu);
    }
  }
  takeLock(m, how);
  try {
    return testClearYoung(m.pgt, startGfn, endGfn, lsbGfn, bitmap, stats);
  } finally {
    dropLock(m, how);
  }
}

/**
 * The non-blocking variant for threads that must not wait: 'busy' when the lock is taken
 * (an expected race: try again later); 'lockless' never is.
 */
export function mmuTryTestClearYoung(
  m: Mmu,
  how: AgingLock,
  startGfn: number,
  endGfn: number,
  lsbGfn: number,
  bitmap: Uint32Array,
  stats?: TestClearYoungStats,
): 'ok' | 'busy' {
  if (how === 'lockless') {
    mmuTestClearYoung(m, how, startGfn, endGfn, lsbGfn, bitmap, stats);
    return 'ok';
  }
  if (!(how === 'read' ? tryRead(m.lock) : tryWrite(m.lock))) return 'busy';
  try {
    testClearYoung(m.pgt, startGfn, endGfn, lsbGfn, bitmap, stats);
  } finally {
    dropLock(m, how);
  }
  return 'ok';
}

/** Run this thread's ripe RCU callbacks (frees of unlinked tables). Cheap; call regularly. */
export function mmuPoll(m: Mmu): number {
  return rcuPoll(m.rcu);
}
