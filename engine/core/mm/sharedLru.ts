/**
 * The host lruvec in shared memory, for spread runs (sim/spread.ts): every worker's reclaim (kswapd on
 * worker 0, direct reclaim by the faulting vCPU on whichever worker runs it) works on the one lruvec,
 * as every CPU of a host reclaims from the node's one lruvec in the kernel.
 *
 * Kernel: the lruvec's lists and counters are protected by lruvec->lru_lock (a spinlock). Direct reclaim
 * (__alloc_pages_direct_reclaim -> try_to_free_pages -> shrink_node) runs in the faulting task on its own
 * CPU; it isolates folios from the LRU under lru_lock (isolate_lru_folios / MGLRU isolate_folios) and
 * puts them back or frees them. kswapd does the same from its own CPU.
 *
 * Here: the lists (DList links), the per-page policy tags and the policies' counters (MGLRU's
 * generations, active/inactive sizes, CLOCK's count, the aging gate, pgdat->kswapd_failures) live in one
 * SharedArrayBuffer; every call into the policy from a worker of a spread run is made under `lru_lock`, a
 * real lock in the arena (kvm/mmuLock.ts taken exclusive: the lab has one lock implementation that
 * spins, then sleeps on a futex). MGLRU's victim pick holds it around its list operations only
 * (isolate, put back: mglruEvict.ts setLruLock), so folio_referenced and look-around run unlocked, as in
 * evict_folios; a step's put-back and look-around operations wait for the worker's next hold
 * (Mglru.deferred: one acquisition per folio considered; drainDeferred at the quantum's end); the
 * other policies hold it for a whole pick (coarser than the kernel, real-time contention only). MGLRU's
 * aging walk runs without it, as walk_mm's walk_page_range does: each promotion is a short hold of its
 * own (folio_update_gen changes the generation at once), and each step ends with one hold for the
 * deferred operations and, last, inc_max_seq (Mglru.ageStep); kswapd starts a pass only after re-checking
 * under the lock (beginAging), as another worker may have started one; the other policies' aging step
 * and one move of an lru_add batch are one hold each. Virtual time is unaffected by any of this.
 *
 * Layout (created by prepareSpread, initialised there by building the node once: `fresh`):
 *   links: Int32Array(2 * (pages + HEADS)) the DList prev/next links (mm/pgdat.ts)
 *   tag:   Int16Array(pages)                the policies' per-page tags
 *   folioFlags: Uint8Array(pages)           MGLRU's per-page LRU_REFS / PG_workingset / shadow bits
 *   state: Float64Array(SHARED_LRU_STATE_WORDS) PGDAT_* words, then per lruvec its policy and gate words
 *   ctrl:  Int32Array(lruvecs * CTRL_WORDS)  per lruvec MGLRU's PID controller counters (MglruGens.ctrl)
 */
import type { MmuLock } from '../kvm/mmuLock.ts';
import { writeLock, writeUnlock } from '../kvm/mmuLock.ts';
import type { LruGenScan, LruLock, Policy, Reclaimer } from './policy/policy.ts';
import type { DList } from '../sim/dlist.ts';
import { CTRL_WORDS } from './policy/mglruConsts.ts';

/** pgdat->kswapd_failures (shared: direct reclaim's progress on any worker resets it). */
export const PGDAT_KSWAPD_FAILURES = 0;
export const PGDAT_WORDS = 4;
/** Doubles per lruvec: its policy's words (at most MGLRU_WORDS = 9), then its aging gate's (GATE_WORDS). */
export const LRUVEC_POLICY_WORDS = 12;
export const LRUVEC_WORDS = 16;

/** The shared lruvec's storage (see the layout above). */
export interface SharedLru {
  links: Int32Array;
  tag: Int16Array;
  folioFlags: Uint8Array;
  /** MGLRU's two Bloom filters over the node's PTE tables (mm/policy/bloomFilter.ts): 2 bytes a table. */
  filters: Uint8Array;
  state: Float64Array;
  /** MGLRU's PID controller counters, CTRL_WORDS per lruvec (integers: evicted is added atomically). */
  ctrl: Int32Array;
  /** Initialise lists and state (the one builder, before any worker starts); else attach to them. */
  fresh: boolean;
  /** lruvec->lru_lock; null while the node is built on the host (no worker runs yet). */
  lock: MmuLock | null;
}

/** Buffers of a shared lruvec over `pages` page ids with `heads` list heads and `lruvecs` lruvecs. */
export interface SharedLruBuffers {
  links: SharedArrayBuffer;
  tag: SharedArrayBuffer;
  folioFlags: SharedArrayBuffer;
  filters: SharedArrayBuffer;
  state: SharedArrayBuffer;
  ctrl: SharedArrayBuffer;
}

/** `pmds`: the node's PTE tables (Pgdat.pmdKeys: each guest's pages in PMD-sized tables). */
export function createSharedLruBuffers(pages: number, heads: number, lruvecs: number, pmds: number): SharedLruBuffers {
  return {
    links: new SharedArrayBuffer(2 * (pages + heads) * 4),
    tag: new SharedArrayBuffer(Math.max(1, pages) * 2),
    folioFlags: new SharedArrayBuffer(Math.max(1, pages)),
    filters: new SharedArrayBuffer(2 * pmds),
    state: new SharedArrayBuffer((PGDAT_WORDS + lruvecs * LRUVEC_WORDS) * 8),
    ctrl: new SharedArrayBuffer(lruvecs * CTRL_WORDS * 4),
  };
}

export function attachSharedLru(b: SharedLruBuffers, fresh: boolean, lock: MmuLock | null): SharedLru {
  return {
    links: new Int32Array(b.links),
    tag: new Int16Array(b.tag),
    folioFlags: new Uint8Array(b.folioFlags),
    filters: new Uint8Array(b.filters),
    state: new Float64Array(b.state),
    ctrl: new Int32Array(b.ctrl),
    fresh,
    lock,
  };
}

/**
 * lruvec->lru_lock as the policy takes it (Policy.setLruLock): the MMU lock taken exclusive. A class, not
 * an object literal of closures: a kept worker's runs then call the same lock / unlock functions, so
 * code optimized in one run (pickVictimIsolating, the walk's promoter) does not deoptimize on the next
 * run's new closures ("wrong call target", docs/ARCHITECTURE.md session 16 (m)).
 */
export class LruvecLock implements LruLock {
  constructor(private readonly m: MmuLock) {}
  lock(): void {
    writeLock(this.m);
  }
  unlock(): void {
    writeUnlock(this.m);
  }
}

/**
 * A policy whose every call is made under lru_lock (spread runs). The promoter the policy hands to the
 * reclaimer (look-around, the walk) is the policy itself, called inside the same hold.
 */
export class LockedLruvec implements Policy {
  readonly seesEveryAccess: boolean;
  /** The inner policy takes lru_lock itself in pickVictim, around its list operations (MGLRU). */
  private readonly picksLocked: boolean;
  /** The inner policy takes lru_lock itself in ageStep, around each step's batch only (MGLRU's walk_mm). */
  private readonly innerAgesLocked: boolean;

  constructor(
    readonly inner: Policy,
    readonly lock: MmuLock,
    /** The shared lists (markAccessedN's on-a-list test); null: every marked folio is taken as listed. */
    private readonly list: DList | null = null,
  ) {
    this.seesEveryAccess = inner.seesEveryAccess;
    this.picksLocked = inner.setLruLock !== undefined;
    inner.setLruLock?.(new LruvecLock(lock));
    this.innerAgesLocked = inner.agesLocked === true;
    if (inner.lruGenScan !== undefined) this.lruGenScan = inner.lruGenScan.bind(inner);
  }

  onMap(id: number): void {
    this.acquire();
    try {
      this.inner.onMap(id);
    } finally {
      writeUnlock(this.lock);
    }
  }
  evicted(id: number): void {
    if (this.inner.evicted === undefined) return;
    this.acquire();
    try {
      this.inner.evicted(id);
    } finally {
      writeUnlock(this.lock);
    }
  }

  /**
   * The stage-2 fault's folio_mark_accessed calls on a folio on this lruvec (mm/lruAdd.ts markAccessedN: a
   * folio still in the worker's lru_add batch takes them there). Under lru_lock, as every write of the
   * shared lists, tags and folio flags is (a plain byte; the kernel's PG_referenced / folio_inc_refs are
   * atomic RMWs without lru_lock, and folio_activate's move takes it through the per-CPU activate batch:
   * coarser here, real-time contention only). A folio off every list (isolated by another worker's
   * reclaim: its young put-back clears the refs anyway, set_mask_bits in evict_folios) takes none.
   */
  markAccessedN(id: number, n: number): void {
    this.acquire();
    try {
      if (this.list === null || this.list.linked(id)) this.inner.markAccessedN(id, n);
    } finally {
      writeUnlock(this.lock);
    }
  }

  onAccess(id: number): void {
    this.inner.onAccess(id); // never called: a policy that sees every access is not spread (plan.ts)
  }

  /** lru_lock for one call of the inner policy: first what this worker's reclaim still owes the lists. */
  private acquire(): void {
    writeLock(this.lock);
    try {
      this.inner.flushDeferred?.();
    } catch (e) {
      writeUnlock(this.lock);
      throw e;
    }
  }

  /**
   * The end of a worker's quantum (with lru_add_drain, sim/simCore.ts): what this worker's reclaim still
   * owes the lists (Mglru.deferred), in one hold; none when it owes nothing.
   */
  drainDeferred(): void {
    if ((this.inner.deferredOps?.() ?? 0) === 0) return;
    this.acquire();
    writeUnlock(this.lock);
  }

  pickVictim(r: Reclaimer, inlineAging: boolean): number {
    if (this.picksLocked) return this.inner.pickVictim(r, inlineAging);
    this.acquire();
    try {
      return this.inner.pickVictim(r, inlineAging);
    } finally {
      writeUnlock(this.lock);
    }
  }

  wantsAging(t: number): boolean {
    this.acquire();
    try {
      return this.inner.wantsAging(t);
    } finally {
      writeUnlock(this.lock);
    }
  }

  beginAging(t: number): boolean {
    this.acquire();
    try {
      return this.inner.wantsAging(t) && this.inner.beginAging(t);
    } finally {
      writeUnlock(this.lock);
    }
  }

  ageStep(r: Reclaimer): boolean {
    // MGLRU walks without lru_lock and takes it for each step's batch and inc_max_seq (Mglru.ageStep).
    if (this.innerAgesLocked) return this.inner.ageStep(r);
    this.acquire();
    try {
      return this.inner.ageStep(r);
    } finally {
      writeUnlock(this.lock);
    }
  }

  size(): number {
    return this.inner.size(); // a racy read of one counter, as lruvec_lru_size reads it
  }

  inactivePages(): number {
    return this.inner.inactivePages(); // too_many_isolated reads the counter without lru_lock
  }

  /** MGLRU's counts (Policy.lruGenScan): this worker's picks, and node_page_state's lockless read. */
  lruGenScan?: () => LruGenScan;

  walkEnd(t: number): number {
    // wait_event_killable's condition reads lrugen->max_seq with READ_ONCE, without lru_lock.
    return this.inner.walkEnd?.(t) ?? -1;
  }

  walkPass(): number {
    return this.inner.walkPass?.() ?? -1; // READ_ONCE, as walkEnd
  }

  walkIncAt(): number {
    return this.inner.walkIncAt?.() ?? -Infinity;
  }

  snapshotRefaults(): void {
    if (this.inner.snapshotRefaults === undefined) return;
    this.acquire();
    try {
      this.inner.snapshotRefaults();
    } finally {
      writeUnlock(this.lock);
    }
  }

  /**
   * Run `f(inner, arg)` in one hold (a drain of an lru_add batch: folio_batch_move_lru). `f` should be
   * one function for the worker's lifetime (a module-level one, its state in `arg`): a closure made per
   * run is a new call target each run of a kept worker, and the optimized caller deoptimizes on it
   * ("wrong call target", docs/ARCHITECTURE.md session 16 (m)).
   */
  locked<A, T>(f: (p: Policy, arg: A) => T, arg: A): T {
    this.acquire();
    try {
      return f(this.inner, arg);
    } finally {
      writeUnlock(this.lock);
    }
  }
}
