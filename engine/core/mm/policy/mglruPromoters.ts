/**
 * The promoters MGLRU hands to reclaim in spread runs (mglruEvict.ts setLruLock): what look-around and the
 * walk do with a young page found while lru_lock is not held.
 * - DeferringPromoter (look-around, lru_gen_look_around in evict_folios' unlocked shrink_folio_list): the
 *   promotion or activation is recorded into the policy's `deferred` list and applied at the worker's next
 *   lru_lock hold (MglruEviction.flushDeferred); update_bloom_filter (set_bit, no lru_lock) goes through.
 * - WalkPromoter (walk_mm's walk_pte_range): folio_update_gen changes the generation at once, so each
 *   promotion takes a short lru_lock hold of its own; test_bloom_filter / update_bloom_filter go through.
 *
 * Classes, not object literals of closures: a kept worker (engine/host/workerPool.ts) builds a new policy
 * each run, and an optimized caller (promoteYoung, lookAround, walk) that inlined the previous run's
 * closures deoptimized on the new ones ("wrong call target", docs/ARCHITECTURE.md session 16 (m)); with
 * prototype methods every run calls the same functions on objects of one map.
 */
import type { LruLock, Promoter } from './policy.ts';
import { DEFER_ACTIVATE, DEFER_PROMOTE } from './mglruConsts.ts';

/** The policy as the promoters call it (MglruAging's folio_update_gen and Bloom filter feedback). */
export interface PromoteTarget {
  promote(id: number): void;
  walkPmd(key: number): boolean;
  walkedPmd(key: number, total: number, young: number): void;
  lookedAround(key: number, total: number, young: number): void;
}

/** Look-around's promoter while lru_lock is not held: promotions and activations into `deferred`. */
export class DeferringPromoter implements Promoter {
  constructor(
    /** The policy's deferred list operations, `id * 4 + DEFER_*` (MglruEviction.deferred). */
    protected readonly deferred: number[],
    protected readonly policy: PromoteTarget,
  ) {}

  promote(id: number): void {
    this.deferred.push(id * 4 + DEFER_PROMOTE);
  }

  activate(id: number): void {
    this.deferred.push(id * 4 + DEFER_ACTIVATE);
  }

  /** update_bloom_filter sets bits with set_bit, under no lru_lock. */
  lookedAround(key: number, total: number, young: number): void {
    this.policy.lookedAround(key, total, young);
  }
}

/** A walk step's promoter (ageStep without lru_lock): each promotion in a hold of its own. */
export class WalkPromoter extends DeferringPromoter {
  constructor(
    deferred: number[],
    policy: PromoteTarget,
    private readonly lock: LruLock,
  ) {
    super(deferred, policy);
  }

  /** folio_update_gen at once (a cmpxchg on folio->flags in the kernel; the lab's tag is lru_lock's data). */
  override promote(id: number): void {
    this.lock.lock();
    try {
      this.policy.promote(id);
    } finally {
      this.lock.unlock();
    }
  }

  walkPmd(key: number): boolean {
    return this.policy.walkPmd(key);
  }

  walkedPmd(key: number, total: number, young: number): void {
    this.policy.walkedPmd(key, total, young);
  }
}
