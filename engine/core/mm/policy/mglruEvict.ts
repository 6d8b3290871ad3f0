/**
 * MGLRU's eviction (mm/vmscan.c 6.1-6.12, "the eviction" section): scan_folios over the oldest generation's
 * tail with sort_folio (its "promoted" and "protected" branches) and isolate_folio, folio_referenced of
 * each candidate (Reclaimer.referenced, with look-around), and evict_folios' activation of a young one;
 * in spread runs evict_folios' two lru_lock holds, with the put-back and look-around's operations
 * deferred to the next hold (setLruLock, flushDeferred).
 *
 * - Eviction from the oldest generation's tail (scan_folios: lru_to_folio, the list's tail). A page
 *   whose generation was raised meanwhile (promoted lazily, below) is first moved to the head of its
 *   generation (sort_folio's "promoted": list_move), without folio_referenced. Otherwise
 *   folio_referenced (Reclaimer.referenced; with the fast path this is lru_gen_look_around, 64 pages
 *   clipped to the PMD, in one lockless batch) → young: activated (activate_locked ->
 *   move_folios_to_lru -> lru_gen_add_folio of an active folio: the head of maxSeq); old: evicted. An
 *   empty oldest generation is retired (minSeq++).
 * - Young pages found by the walk (walk_pte_range) or by kswapd's look-around (which has an mm_walk)
 *   are promoted lazily (folio_update_gen): their generation and the generations' sizes change, their
 *   place on the lists does not, until eviction meets them (sort_folio) or the oldest generation is
 *   folded (inc_min_seq). Direct reclaim's look-around (no mm_walk) activates each young neighbour in
 *   address order instead (folio_activate). Within a generation pages thus keep the order they had:
 *   pages faulted in address order are evicted in address order.
 *
 * Contract: the layer of Mglru (mglru.ts) over MglruAging (mglruAging.ts), which it calls for the
 * generation eviction needs; evicted (lru_gen_eviction, mglruRefault.ts) is Mglru's. pickVictim is
 * Policy.pickVictim (policy.ts).
 */
import { type LruGenScan, type LruLock, type Promoter, type Reclaimer, SCAN_AGAIN } from './policy.ts';
import { MglruAging } from './mglruAging.ts';
import { DeferringPromoter, WalkPromoter } from './mglruPromoters.ts';
import { atomics } from '../../sync/atomics.ts';
import { GEN_MASK, MIN_NR_GENS } from './mglruGen.ts';
import {
  CTRL_EVICTED,
  CTRL_PROTECTED,
  DEFER_ACTIVATE,
  DEFER_PROMOTE,
  DEFER_PUTBACK,
  FOLIO_PG_REFERENCED,
  FOLIO_REFS_MASK,
  FOLIO_WORKINGSET,
  LRU_REFS_WIDTH,
} from './mglruConsts.ts';
import { folioLruRefs, lruTierFromRefs, tierIdxUpTo } from './mglruRefault.ts';

export abstract class MglruEviction extends MglruAging implements LruGenScan {
  /**
   * scan_folios's counts on this object (LruGenScan, for kswapd's iteration: mm/kswapd.ts): every folio
   * pickVictim looks at at the oldest tail (sort_folio's "promoted" and "protected", or isolated), and the
   * isolated ones (shrink_folio_list's sc->nr_scanned). A spread run's worker counts its own picks.
   */
  foliosScanned = 0;
  foliosIsolated = 0;

  /** lru_gen_eviction (mglruRefault.ts): Mglru.evicted. */
  abstract evicted(id: number): void;

  /**
   * Spread runs: the list operations a reclaimer owes the LRU since its last lru_lock hold, in the order
   * it made them, each `id * 4 + kind` (DEFER_*): look-around's promotions and activations (made while
   * lru_lock is not held) and the put-back of a folio found young. They are applied at the start of this
   * worker's next hold (flushDeferred), whatever takes it, so a holder on this worker sees the lists as
   * the immediate operations would have left them; only the other worker sees the folios still isolated.
   * Kernel (mm/vmscan.c, 6.1-6.12): evict_folios takes lruvec->lru_lock once for isolate_folios, runs
   * shrink_folio_list (folio_referenced -> lru_gen_look_around) without it, and takes it once more for
   * move_folios_to_lru, which puts the batch's young folios back; kswapd's look-around promotions are
   * batched in its mm_walk (update_batch_size) and applied in that same hold (reset_batch_size); direct
   * reclaim's look-around activations go through folio_activate's per-CPU batch (6.6+). The lab
   * considers one folio per reclaim step (pgdat.ts KSWAPD_SCAN_PER_STEP, DIRECT_SCAN_PER_STEP), so its
   * batch is that folio and the put-back hold is the next step's isolate hold: one lru_lock acquisition
   * per folio considered instead of two (isolate, then put back or look-around's promotion).
   */
  protected readonly deferred: number[] = [];
  /** The promoter look-around gets while lru_lock is not held: records into `deferred`. */
  protected lockedPromoter: Promoter = this;
  /**
   * The promoter of a walk step run without lru_lock (ageStep, spread runs): promotions into `deferred`
   * (the walk's batch), the Bloom filters' test and update directly (test_bloom_filter /
   * update_bloom_filter: set_bit and test_bit, under no lru_lock).
   */
  protected override walkPromoter: Promoter = this;

  /** Spread runs (mm/sharedLru.ts LockedLruvec): pick victims under `lock` held around list operations only. */
  setLruLock(lock: LruLock): void {
    this.lruLock = lock;
    // folio_update_gen changes the folio's generation at once, with a cmpxchg on folio->flags and no
    // lru_lock (mm/vmscan.c 6.1-6.12; only the generations' sizes wait for reset_batch_size's hold). A
    // promotion held back to the step's end would leave a page the walk has just found young (its
    // accessed bit now clear) tagged with its old generation, for another worker to isolate and evict,
    // or would land on a folio evicted and refaulted meanwhile. So the walk promotes now, in a short
    // hold of its own (WalkPromoter): the lab's per-page tag and sizes are one lock's data.
    this.lockedPromoter = new DeferringPromoter(this.deferred, this);
    this.walkPromoter = new WalkPromoter(this.deferred, this, lock);
  }

  /**
   * Apply the deferred list operations (see `deferred`), lru_lock held: look-around's promotions and
   * activations as promote/activate make them, and a young folio's put-back (move_folios_to_lru ->
   * lru_gen_add_folio of an active folio: the head of max_seq). Callers: every method that runs under
   * lru_lock in a spread run (pickVictimIsolating's holds, and LockedLruvec's calls of onMap, evicted,
   * wantsAging, beginAging, ageStep, and its drainDeferred at the end of each quantum).
   */
  flushDeferred(): void {
    const d = this.deferred;
    if (d.length === 0) return;
    for (let i = 0; i < d.length; i++) {
      const kind = d[i] % 4;
      const id = (d[i] - kind) / 4;
      if (kind === DEFER_PROMOTE) this.promote(id);
      else if (kind === DEFER_ACTIVATE) this.activate(id);
      else this.addActive(id);
    }
    d.length = 0;
  }

  /** How many deferred operations wait (LockedLruvec.drainDeferred, tests); read by the owning worker. */
  deferredOps(): number {
    return this.deferred.length;
  }

  /**
   * sort_folio's "protected" test (mm/vmscan.c, 6.1.69+ / 6.6.8+): `tier > tier_idx || refs ==
   * BIT(LRU_REFS_WIDTH)`, tier = lru_tier_from_refs(folio_lru_refs). Refs 0 (tier 0) is never protected,
   * refs 4 (a recent refault, lru_gen_refault) always; refs 1..3 (folio_mark_accessed's folio_inc_refs:
   * two or more marks since the flags were last cleared) when the PID controller's tier index, read once
   * per eviction call (isolate_folios -> get_tier_idx), is below the folio's tier.
   */
  protected protectedRefs(id: number): boolean {
    const f = this.folioFlags[id] & (FOLIO_REFS_MASK | FOLIO_WORKINGSET);
    if (f === 0) return false;
    const refs = folioLruRefs(f);
    if (refs === 1 << LRU_REFS_WIDTH) return true;
    // refs 1..3: tier 1 or 2 (<= LRU_REFS_WIDTH), so the index is read only that far (tierIdxUpTo; the same
    // answer to this comparison as get_tier_idx's, which goes on to tier 3).
    if (this.tierIdx < 0) this.tierIdx = tierIdxUpTo(this.ctrl, LRU_REFS_WIDTH);
    return lruTierFromRefs(refs) > this.tierIdx;
  }

  /**
   * sort_folio's "protected" branch for a folio at the oldest tail: protected[hist][type][tier - 1] +=
   * delta, folio_inc_gen (min_seq + 1, its LRU_REFS bits, PG_referenced and PG_workingset cleared) and
   * list_move_tail onto that generation.
   */
  protected protect(id: number): void {
    this.ctrl[CTRL_PROTECTED + lruTierFromRefs(folioLruRefs(this.folioFlags[id])) - 1]++;
    const next = this.minSeq + 1;
    this.list.moveToTail(this.head(next), id);
    this.tag[id] = next;
    this.folioFlags[id] = 0;
    this.nrPages[this.minSeq & GEN_MASK]--;
    this.nrPages[next & GEN_MASK]++;
  }

  /**
   * isolate_folio (mm/vmscan.c, 6.1-6.6): the LRU_REFS bits survive only if PG_referenced is set, then
   * PG_referenced is cleared (PG_workingset is kept).
   */
  protected isolateFolio(id: number): void {
    const f = this.folioFlags[id];
    this.folioFlags[id] = ((f & FOLIO_PG_REFERENCED) !== 0 ? f : f & ~FOLIO_REFS_MASK) & ~FOLIO_PG_REFERENCED;
  }

  /**
   * The isolated folio's end in shrink_folio_list. Young (folio_referenced): evict_folios puts it back
   * with set_mask_bits(LRU_REFS_MASK | LRU_REFS_FLAGS, BIT(PG_active)), its refs cleared. Old: evicted,
   * and lru_gen_eviction counts evicted[hist][type][tier] with the refs isolate_folio left (counted here,
   * where the lab decides the eviction: Mglru.evicted runs a second time for an SSD victim once written).
   */
  protected putBack(id: number): void {
    this.folioFlags[id] = 0;
  }

  protected countEvicted(id: number): void {
    this.ctrl[CTRL_EVICTED + lruTierFromRefs(folioLruRefs(this.folioFlags[id]))]++;
  }

  /**
   * countEvicted without lru_lock (pickVictimIsolating): lru_gen_eviction's atomic_long_add on
   * lrugen->evicted, an atomic add on a spread run's shared counters (sync/atomics.ts), so another worker's
   * count at the same moment is not lost. (reset_ctrl_pos, under lru_lock, reads then clears the period's
   * count: an add in between is lost there as in the kernel, whose reset does atomic_long_read then _set.)
   */
  protected countEvictedUnlocked(id: number): void {
    const i = CTRL_EVICTED + lruTierFromRefs(folioLruRefs(this.folioFlags[id]));
    const c = this.ctrl;
    if (c instanceof Int32Array) atomics.add(c, i, 1);
    else c[i]++;
  }

  pickVictim(r: Reclaimer, inlineAging: boolean): number {
    this.tierIdx = -1; // isolate_folios reads get_tier_idx anew for each eviction call
    if (this.lruLock !== null) return this.pickVictimIsolating(r, inlineAging, this.lruLock);
    const list = this.list;
    // isEmpty(): every list of the live generations empty, i.e. no page on them (`total` counts the pages
    // addActive put on them and eviction took off, the only list changes that add or remove). The count
    // rather than the loop: the loop's `s++` first ran when the oldest generation was first empty, which
    // deoptimized the compiled pickVictim, and isEmpty took a tenth of pickVictim's inlining budget, which
    // left countEvicted a call (node --trace-turbo-inlining; session 15 (d)).
    if (this.total === 0) return -1;
    for (let budget = 4 * this.total + 16; budget > 0; budget--) {
      if (this.gensAt(r.t) <= MIN_NR_GENS) {
        // Eviction cannot take from the two youngest generations: a new one is needed now. With
        // the gate open, direct reclaim runs the walk here and kswapd returns to run it in steps;
        // with a walk in progress at r.t there is no victim until it ends (try_to_inc_max_seq, 6.1-6.3:
        // see the file comment; a walk that ended at a later virtual time than r.t is in progress, and
        // its generation not there yet, for this reclaimer: gensAt, agingGate.ts); with the gate closed
        // only by the agingIntervalMs what-if the generation is added without a walk.
        if (this.gate.open(r.t)) {
          if (!inlineAging) return -1;
          this.beginAging(r.t);
          // The whole walk in this call; r.t moves to its end, where endAging records its inc_max_seq.
          while (this.ageStep(r)) {
            /* next MAX_LRU_BATCH ids */
          }
        } else if (this.gate.walking(r.t)) {
          // The walk of max_seq is under way: no generation. A direct reclaimer first walks the mms no
          // walker has taken yet (try_to_inc_max_seq joining, 6.1-6.3: MglruAging.joinWalk).
          if (inlineAging) this.joinWalk(r);
          return -1;
        } else this.incMaxSeqNoWalk();
      }
      const v = list.tail(this.head(this.minSeq));
      if (v < 0) {
        // Retire the empty oldest generation (the check above keeps > MIN_NR_GENS): try_to_inc_min_seq,
        // with its reset_ctrl_pos (the kernel retires every empty one at once, with one reset; rare).
        this.resetCtrlPos();
        this.minSeq++;
        continue;
      }
      const seq = this.seqOf(v);
      this.foliosScanned++; // scan_folios' `scanned`: sorted, protected or isolated
      if (seq !== this.minSeq) {
        // sort_folio, "promoted": to the head of the generation it was promoted to (list_move).
        list.moveToHead(this.head(seq), v);
        continue;
      }
      if (this.protectedRefs(v)) {
        this.protect(v); // sort_folio, "protected": refaulted recently (lru_gen_refault)
        continue;
      }
      this.foliosIsolated++;
      this.isolateFolio(v);
      if (r.referenced(v, this)) {
        this.activate(v);
        this.putBack(v);
        if (r.spent()) return SCAN_AGAIN;
        continue;
      }
      this.evictOld(v);
      return v;
    }
    return -1;
  }

  /**
   * pickVictim's old folio at the oldest tail leaves the LRU and is evicted: isolate_folio's list_del and
   * lru_gen_update_size, then lru_gen_eviction's count (countEvicted) and shadow (evicted). One method
   * rather than these calls in pickVictim: pickVictim's inlining budget is spent before them (node
   * --trace-turbo-inlining), and three calls there (DList.remove, countEvicted, evicted) cost more than
   * this one, whose own compile inlines them (callgrind of the MGLRU trace replay; session 15 (d)).
   */
  private evictOld(v: number): void {
    this.list.remove(v);
    this.nrPages[this.minSeq & GEN_MASK]--;
    this.total--;
    this.countEvicted(v);
    this.evicted(v);
  }

  /**
   * pickVictim with lru_lock held around the list operations only (setLruLock): the same choices as
   * pickVictim, with the victim off the LRU (isolated) while its folio_referenced runs unlocked, so
   * another reclaimer cannot pick it and no promotion moves it (promote skips a page on no list).
   */
  protected pickVictimIsolating(r: Reclaimer, inlineAging: boolean, l: LruLock): number {
    // get_nr_to_scan (mm/vmscan.c, 6.1-6.12) decides before evict_folios, without lru_lock:
    // should_run_aging reads min_seq / max_seq with READ_ONCE (DEFINE_MIN_SEQ, DEFINE_MAX_SEQ), and with
    // only MIN_NR_GENS generations left and another reclaimer's walk of max_seq under way,
    // try_to_inc_max_seq returns false, so the lruvec is skipped (0 to scan) and lru_lock is never taken.
    // The same answer as the locked check below (-1), from racy reads of the shared words.
    if (this.gensAt(r.t) <= MIN_NR_GENS && this.gate.walking(r.t)) return -1;
    const list = this.list;
    l.lock();
    let held = true;
    try {
      this.flushDeferred(); // the previous step's put-back and look-around operations (`deferred`)
      if (this.isEmpty()) return -1;
      for (let budget = 4 * this.total + 16; budget > 0; budget--) {
        if (this.gensAt(r.t) <= MIN_NR_GENS) {
          if (this.gate.open(r.t)) {
            if (!inlineAging) return -1;
            this.beginAging(r.t);
            // try_to_inc_max_seq's walk runs without lru_lock; each step takes it for its batch and the
            // last for inc_max_seq (ageStep). Other reclaimers meanwhile see the walk (gate) and skip.
            l.unlock();
            held = false;
            while (this.ageStep(r)) {
              /* next MAX_LRU_BATCH ids */
            }
            l.lock();
            held = true;
            this.flushDeferred();
          } else if (this.gate.walking(r.t))
            return -1; // as pickVictim: no generation while max_seq is walked
          else this.incMaxSeqNoWalk();
        }
        const v = list.tail(this.head(this.minSeq));
        if (v < 0) {
          this.resetCtrlPos(); // try_to_inc_min_seq, as pickVictim
          this.minSeq++;
          continue;
        }
        const seq = this.seqOf(v);
        this.foliosScanned++; // scan_folios' `scanned`: sorted, protected or isolated
        if (seq !== this.minSeq) {
          // sort_folio, "promoted": to the head of the generation it was promoted to (list_move).
          list.moveToHead(this.head(seq), v);
          continue;
        }
        if (this.protectedRefs(v)) {
          this.protect(v); // sort_folio, "protected": refaulted recently (lru_gen_refault)
          continue;
        }
        // isolate_folios: the folio leaves the LRU under lru_lock ...
        this.foliosIsolated++;
        this.isolateFolio(v);
        list.remove(v);
        this.nrPages[this.minSeq & GEN_MASK]--;
        this.total--;
        // ... shrink_folio_list -> folio_referenced (look-around) runs without it; look-around's
        // promotions and the put-back of a young folio wait for the next hold (`deferred`).
        l.unlock();
        held = false;
        if (r.referenced(v, this.lockedPromoter)) {
          // Back on the LRU in the youngest generation at the next hold (move_folios_to_lru).
          this.putBack(v);
          this.deferred.push(v * 4 + DEFER_PUTBACK);
          if (r.spent()) return SCAN_AGAIN;
          l.lock();
          held = true;
          this.flushDeferred();
          continue;
        }
        // lru_gen_eviction reads min_seq without lru_lock (workingset_eviction under the mapping's lock).
        this.countEvictedUnlocked(v);
        this.evicted(v);
        return v;
      }
      return -1;
    } finally {
      if (held) l.unlock();
    }
  }
}
